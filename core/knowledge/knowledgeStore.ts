/**
 * The team's knowledge on disk: one LanceDB table per embedder inside the team's data directory, holding every
 * entry (articles, Q&A, cases) with a full-text index and a vector column. Reads run in parallel; every write
 * goes through one queue (see writeQueue.ts). `meta.json` records which embedder wrote which table, so vectors
 * of different dimensions are never mixed.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Schema, Utf8 } from 'apache-arrow';
import { z } from 'zod';
import type { Embedder } from '../embed/embedder';
import { dot } from '../embed/vectorMath';
import { tokenize } from '../text/tokenize';
import { lockDataFolder, type FolderLock } from './folderLock';
import { CorpusStats, FreshTier, termCounts } from './freshTier';
import { fuseRankings } from './hybridSearch';
import { WriteQueue } from './writeQueue';
import { matchTextOf, parseStoredEntry, type EntryStatus, type StoredEntry } from './storedEntry';

const META_FILE = 'meta.json';
const MetaSchema = z.object({
  format: z.literal(1),
  activeTable: z.string(),
  tables: z.record(
    z.string(),
    z.object({ embedderId: z.string(), dimensions: z.number().int().positive(), createdAt: z.string() }),
  ),
});
type StoreMeta = z.infer<typeof MetaSchema>;

/** The write-ahead log of the fresh tier: entries acknowledged but not yet committed to LanceDB. */
const LOG_FILE = 'fresh-log.jsonl';

/**
 * Fresh-tier size at which it is committed to LanceDB as one fragment. Brute force over 1,000 rows of 512
 * floats is half a million multiply-adds per query, and a 20k-entry replay then makes 20 commits, not 20,000.
 */
const FLUSH_ROWS = 1000;
/** After this long without writes the fresh tier is committed anyway, so an idle app holds nothing in memory. */
const IDLE_FLUSH_MS = 2000;
/** Commits after which fragments are compacted and new rows folded into the full-text index. */
const COMPACT_EVERY_FLUSHES = 8;
/**
 * Weight of the vector leg against the full-text leg in rank fusion. On BANKING77 the built-in embedder's ranking
 * alone beats BM25's, so it counts more; 1.0 to 2.0 are within noise of each other (BENCHMARKS.md).
 */
const VECTOR_WEIGHT = 1.5;
/**
 * The `text` column holds the engine's own tokens joined by spaces, so Lance's "simple" tokenizer sees exactly
 * the tokens the fresh tier scores, and BM25 scores from both can be compared.
 */
function ftsIndex(): lancedb.Index {
  // A fresh Index each time: LanceDB consumes the object when it builds the index.
  return lancedb.Index.fts({
    withPosition: false,
    baseTokenizer: 'whitespace',
    lowercase: false,
    stem: false,
    removeStopWords: false,
    asciiFolding: false,
  });
}

export interface SearchOptions {
  /** Hits to return after fusion. */
  limit?: number;
  /** Candidates taken from each leg (full-text, vector) before fusion. */
  candidates?: number;
  /** Which statuses are searchable; suggestions use approved knowledge only. */
  statuses?: readonly EntryStatus[];
  /** Weight of the vector leg relative to the full-text leg in rank fusion. */
  vectorWeight?: number;
}

export interface SearchHit {
  entry: StoredEntry;
  /** Cosine similarity between the query and the entry's match text, in [-1, 1]: the citation score. */
  similarity: number;
  /** Reciprocal-rank-fusion score; the order of hits. */
  fused: number;
  textRank: number | null;
  vectorRank: number | null;
}

export interface StoreStatus {
  dataDir: string;
  table: string;
  embedderId: string;
  dimensions: number;
  /** Committed entries (entries still waiting in the fresh tier are counted in `pendingWrites`). */
  entries: number;
  byStatus: Record<EntryStatus, number>;
  /** Acknowledged entries not yet committed to LanceDB (non-zero only after a failed commit). */
  pendingWrites: number;
  /** The last failed commit to LanceDB, with its time, or null. */
  lastWriteError: string | null;
}

interface IndexedRow {
  id: string;
  doc: string;
  vector: unknown;
}

type EntryRow = {
  id: string;
  kind: string;
  status: string;
  source_type: string;
  source_ref: string;
  updated_at: string;
  text: string;
  doc: string;
  vector: number[];
};

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function tableNameFor(embedderId: string): string {
  return `entries_${createHash('sha256').update(embedderId).digest('hex').slice(0, 16)}`;
}

function schemaFor(dimensions: number): Schema {
  const text = (name: string): Field => new Field(name, new Utf8(), false);
  return new Schema([
    text('id'),
    text('kind'),
    text('status'),
    text('source_type'),
    text('source_ref'),
    text('updated_at'),
    text('text'),
    text('doc'),
    new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
  ]);
}

/** A vector as LanceDB returns it (an Arrow vector or a plain array) as a Float32Array. */
function toFloat32(value: unknown): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value && typeof (value as { toArray?: unknown }).toArray === 'function') {
    return Float32Array.from((value as { toArray(): ArrayLike<number> }).toArray());
  }
  return Float32Array.from(value as ArrayLike<number>);
}

export class KnowledgeStore {
  private readonly fresh = new FreshTier();
  private readonly stats = new CorpusStats();
  private flushesSinceCompaction = 0;
  private hasIndexes = false;
  private idleFlush: NodeJS.Timeout | null = null;
  private log: FileHandle | null = null;
  private lastFlushError: string | null = null;

  private constructor(
    readonly dataDir: string,
    private readonly db: lancedb.Connection,
    private readonly table: lancedb.Table,
    private readonly tableName: string,
    readonly embedder: Embedder,
    private readonly queue: WriteQueue,
    private readonly lock: FolderLock,
  ) {}

  /**
   * Opens (or creates) the store in `dataDir` for `embedder`, taking the folder's writer lock (one process at a
   * time; see folderLock.ts). Entries left in the write-ahead log by a crash are committed first. When the folder
   * was indexed by another embedder, its entries are re-embedded into a new table and the switch is recorded only
   * when that is complete, so an interrupted re-index leaves the old table in charge.
   */
  static async open(
    dataDir: string,
    embedder: Embedder,
    onProgress?: (message: string) => void,
  ): Promise<KnowledgeStore> {
    await mkdir(dataDir, { recursive: true });
    const lock = await lockDataFolder(dataDir);
    try {
      return await KnowledgeStore.openLocked(dataDir, embedder, lock, onProgress);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  private static async openLocked(
    dataDir: string,
    embedder: Embedder,
    lock: FolderLock,
    onProgress?: (message: string) => void,
  ): Promise<KnowledgeStore> {
    const db = await lancedb.connect(join(dataDir, 'lancedb'));
    try {
      const meta = await readMeta(dataDir);
      const tableName = tableNameFor(embedder.id);
      const names = new Set(await db.tableNames());
      let table: lancedb.Table;
      if (names.has(tableName) && meta?.activeTable === tableName) {
        table = await db.openTable(tableName);
      } else {
        if (names.has(tableName)) await db.dropTable(tableName); // left by an interrupted re-index
        table = await db.createEmptyTable(tableName, schemaFor(embedder.dimensions));
      }
      const store = new KnowledgeStore(dataDir, db, table, tableName, embedder, new WriteQueue(), lock);
      const indexed = new Set((await table.listIndices()).flatMap((index) => index.columns));
      store.hasIndexes = indexed.has('text') && indexed.has('status');
      await store.loadStats();

      if (meta?.activeTable !== tableName) {
        const previous = meta && names.has(meta.activeTable) ? meta.activeTable : null;
        if (previous) await store.copyFrom(await db.openTable(previous), onProgress);
        const tables = { ...(meta?.tables ?? {}) };
        tables[tableName] = { embedderId: embedder.id, dimensions: embedder.dimensions, createdAt: new Date().toISOString() };
        await writeMeta(dataDir, { format: 1, activeTable: tableName, tables });
      }
      await store.recoverLog();
      return store;
    } catch (err) {
      db.close(); // a failed open leaves nothing open behind it
      throw err;
    }
  }

  /**
   * Inserts or replaces entries by id. Resolves once they are durable (in the write-ahead log) and searchable;
   * they reach LanceDB with the next flush.
   */
  async upsert(entries: readonly StoredEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const vectors = await this.embedder.embed(entries.map(matchTextOf), 'document');
    await this.queue.run(async () => {
      const log = await this.openLog();
      await log.appendFile(entries.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
      await log.datasync();
      entries.forEach((entry, i) => {
        const terms = tokenize(matchTextOf(entry));
        this.stats.add(terms);
        this.fresh.set({ entry, vector: vectors[i] as Float32Array, counts: termCounts(terms), length: terms.length });
      });
      if (this.fresh.size >= FLUSH_ROWS) await this.flushNow().catch(() => undefined); // kept in the log; retried
    });
    this.scheduleIdleFlush();
  }

  /** Permanently removes entries by id. */
  remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.queue.run(async () => {
      await this.flushNow(); // so the log cannot resurrect a removed entry
      await this.table.delete(`id IN (${ids.map(quote).join(', ')})`);
    });
  }

  /** Commits the fresh tier to LanceDB now (normally done in batches, or after a quiet moment). */
  flush(): Promise<void> {
    return this.queue.run(() => this.flushNow());
  }

  async get(id: string): Promise<StoredEntry | null> {
    const fresh = this.fresh.get(id);
    if (fresh) return fresh.entry;
    const rows = await this.table.query().where(`id = ${quote(id)}`).select(['doc']).limit(1).toArray();
    const row = rows[0] as { doc: string } | undefined;
    return row ? parseStoredEntry(row.doc) : null;
  }

  /** Number of entries, optionally of one status (flushes first, so the count is exact). */
  async count(status?: EntryStatus): Promise<number> {
    await this.flush();
    return this.table.countRows(status ? `status = ${quote(status)}` : undefined);
  }

  /** Every stored entry, in batches, for export. */
  async *entries(): AsyncGenerator<StoredEntry> {
    await this.flush();
    for await (const batch of this.table.query().select(['doc'])) {
      const docs = batch.getChild('doc');
      if (!docs) continue;
      for (let i = 0; i < batch.numRows; i++) yield parseStoredEntry(docs.get(i) as string);
    }
  }

  /**
   * Hybrid search. A full-text (BM25) leg and a vector (cosine) leg each merge LanceDB's results with the fresh
   * tier's by score, and the two legs are fused by weighted reciprocal rank.
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 10;
    const candidates = Math.max(options.candidates ?? 50, limit);
    const statuses = new Set<EntryStatus>(options.statuses ?? ['approved']);
    const filter = `status IN (${[...statuses].map(quote).join(', ')})`;
    const terms = tokenize(query);
    if (terms.length === 0) return [];
    const [queryVector] = await this.embedder.embed([query], 'query');
    if (!queryVector) return [];

    // Rows also present in the fresh tier are stale in LanceDB: ask for a few more to make up for them.
    const want = candidates + Math.min(this.fresh.size, candidates);
    const [textRows, vectorRows] = await Promise.all([
      this.table
        .query()
        .fullTextSearch(new lancedb.MatchQuery(terms.join(' '), 'text'))
        .where(filter)
        .select(['id', 'doc', 'vector', '_score'])
        .limit(want)
        .toArray() as Promise<(IndexedRow & { _score: number })[]>,
      this.table
        .vectorSearch(queryVector)
        .distanceType('cosine')
        .where(filter)
        .select(['id', 'doc', 'vector', '_distance'])
        .limit(want)
        .toArray() as Promise<(IndexedRow & { _distance: number })[]>,
    ]);

    const docs = new Map<string, { entry: () => StoredEntry; vector: Float32Array }>();
    const indexed = (row: IndexedRow): boolean => {
      if (this.fresh.has(row.id)) return false;
      if (!docs.has(row.id)) docs.set(row.id, { entry: () => parseStoredEntry(row.doc), vector: toFloat32(row.vector) });
      return true;
    };
    for (const row of this.fresh.values()) docs.set(row.entry.id, { entry: () => row.entry, vector: row.vector });

    const textLeg = [
      ...textRows.filter(indexed).map((row) => ({ id: row.id, score: row._score })),
      ...this.fresh.searchText(new Set(terms), this.stats, statuses, candidates),
    ]
      .sort((a, b) => b.score - a.score)
      .slice(0, candidates);
    const vectorLeg = [
      ...vectorRows.filter(indexed).map((row) => ({ id: row.id, score: 1 - row._distance })),
      ...this.fresh.searchVector(queryVector, statuses, candidates),
    ]
      .sort((a, b) => b.score - a.score)
      .slice(0, candidates);

    const fused = fuseRankings([
      { ids: textLeg.map((h) => h.id), weight: 1 },
      { ids: vectorLeg.map((h) => h.id), weight: options.vectorWeight ?? VECTOR_WEIGHT },
    ]);
    return fused.slice(0, limit).map((result) => {
      const doc = docs.get(result.id)!;
      return {
        entry: doc.entry(),
        similarity: dot(queryVector, doc.vector),
        fused: result.fused,
        textRank: result.ranks[0] ?? null,
        vectorRank: result.ranks[1] ?? null,
      };
    });
  }

  async status(): Promise<StoreStatus> {
    await this.flush().catch(() => undefined); // reported below as lastWriteError
    const [entries, proposed, approved, retired] = await Promise.all([
      this.table.countRows(),
      this.table.countRows(`status = 'proposed'`),
      this.table.countRows(`status = 'approved'`),
      this.table.countRows(`status = 'retired'`),
    ]);
    return {
      dataDir: this.dataDir,
      table: this.tableName,
      embedderId: this.embedder.id,
      dimensions: this.embedder.dimensions,
      entries,
      byStatus: { proposed, approved, retired },
      pendingWrites: this.fresh.size,
      lastWriteError: this.lastFlushError,
    };
  }

  /** Commits everything written, then releases the folder; the store cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.idleFlush) clearTimeout(this.idleFlush);
    try {
      await this.queue.close(() => this.flushNow()); // on failure the entries stay in the log for the next open
    } finally {
      await this.log?.close();
      this.log = null;
      this.table.close();
      this.db.close();
      await this.lock.release();
    }
  }

  private scheduleIdleFlush(): void {
    if (this.idleFlush) clearTimeout(this.idleFlush);
    this.idleFlush = setTimeout(() => {
      this.idleFlush = null;
      this.flush().catch(() => undefined); // the entries stay in the log and the fresh tier; the next flush retries
    }, IDLE_FLUSH_MS);
    this.idleFlush.unref();
  }

  private async openLog(): Promise<FileHandle> {
    this.log ??= await open(join(this.dataDir, LOG_FILE), 'a');
    return this.log;
  }

  /**
   * Writes the fresh tier to LanceDB in one commit, then empties the log. Runs inside the write queue. On failure
   * the rows stay in the fresh tier and the log (still searchable, still durable) and the next flush retries;
   * the error is kept for `status()`.
   */
  private async flushNow(): Promise<void> {
    if (this.fresh.size === 0) return;
    const rows = [...this.fresh.values()];
    try {
      await this.commitRows(rows.map((r) => ({ entry: r.entry, vector: r.vector })));
      this.lastFlushError = null;
    } catch (err) {
      this.lastFlushError = `${new Date().toISOString()}: ${(err as Error).message}`;
      throw err;
    }
    this.fresh.takeAll();
    const log = await this.openLog();
    await log.truncate(0);
    await log.datasync();
  }

  /** The only place rows reach LanceDB. */
  private async commitRows(items: readonly { entry: StoredEntry; vector: Float32Array }[]): Promise<void> {
    const latest = new Map<string, { entry: StoredEntry; vector: Float32Array }>();
    for (const item of items) latest.set(item.entry.id, item); // the same id twice: the last write wins
    const rows: EntryRow[] = [...latest.values()].map(({ entry, vector }) => ({
      id: entry.id,
      kind: entry.kind,
      status: entry.status,
      source_type: entry.source?.type ?? 'import',
      source_ref: entry.source?.ref ?? '',
      updated_at: entry.updatedAt ?? '',
      text: tokenize(matchTextOf(entry)).join(' '),
      doc: JSON.stringify(entry),
      vector: Array.from(vector),
    }));
    if (rows.length === 0) return;
    await this.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows);
    this.flushesSinceCompaction++;
    if (!this.hasIndexes) {
      await this.table.createIndex('text', { config: ftsIndex(), replace: true });
      // Without it every search pre-filters by scanning `status`: 53 ms instead of 17 ms per vector query on
      // 20k rows of 512 floats (`npm run bench:store-layout`, BENCHMARKS.md).
      await this.table.createIndex('status', { config: lancedb.Index.bitmap(), replace: true });
      this.hasIndexes = true;
    } else if (this.flushesSinceCompaction >= COMPACT_EVERY_FLUSHES) {
      await this.table.optimize();
      this.flushesSinceCompaction = 0;
    }
  }

  /** Commits entries a crash left in the write-ahead log (idempotent: merge-insert by id). */
  private async recoverLog(): Promise<void> {
    const file = join(this.dataDir, LOG_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const entries: StoredEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        entries.push(parseStoredEntry(line));
      } catch {
        // A torn last line from a crash mid-append: that write was never acknowledged, so nothing is lost.
      }
    }
    if (entries.length === 0) return;
    const vectors = await this.embedder.embed(entries.map(matchTextOf), 'document');
    for (const entry of entries) this.stats.add(tokenize(matchTextOf(entry)));
    await this.commitRows(entries.map((entry, i) => ({ entry, vector: vectors[i] as Float32Array })));
    await writeFile(file, '');
  }

  /** Reads the term statistics of every indexed row, for BM25 over the fresh tier. */
  private async loadStats(): Promise<void> {
    for await (const batch of this.table.query().select(['text'])) {
      const texts = batch.getChild('text');
      for (let i = 0; texts && i < batch.numRows; i++) this.stats.add((texts.get(i) as string).split(' ').filter(Boolean));
    }
  }

  /** Re-embeds every entry of `source` into this (new) table, reporting progress. */
  private async copyFrom(source: lancedb.Table, onProgress?: (message: string) => void): Promise<void> {
    const total = await source.countRows();
    let done = 0;
    for await (const records of source.query().select(['doc'])) {
      const docs = records.getChild('doc');
      const batch: StoredEntry[] = [];
      for (let i = 0; docs && i < records.numRows; i++) batch.push(parseStoredEntry(docs.get(i) as string));
      const vectors = await this.embedder.embed(batch.map(matchTextOf), 'document');
      await this.commitRows(batch.map((entry, i) => ({ entry, vector: vectors[i] as Float32Array })));
      for (const entry of batch) this.stats.add(tokenize(matchTextOf(entry)));
      done += batch.length;
      onProgress?.(`Re-indexing knowledge for ${this.embedder.id}: ${done}/${total}`);
    }
  }
}

async function readMeta(dataDir: string): Promise<StoreMeta | null> {
  const file = join(dataDir, META_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is damaged (${(err as Error).message}). Restore it from a backup or choose another data folder.`);
  }
  const parsed = MetaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${file} is not a Vigil data-folder description (${issue?.path.join('.') || 'file'}: ${issue?.message}). Restore it from a backup or choose another data folder.`,
    );
  }
  return parsed.data;
}

/** Atomic replace: write a temporary file, then rename over the old one. */
async function writeMeta(dataDir: string, meta: StoreMeta): Promise<void> {
  const file = join(dataDir, META_FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(meta, null, 2)}\n`, 'utf8');
  await rename(`${file}.tmp`, file);
}
