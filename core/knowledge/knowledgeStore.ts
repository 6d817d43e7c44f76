/**
 * The team's knowledge on disk: one LanceDB table per embedder inside the team's data directory, holding every
 * entry (articles, Q&A, cases) with a full-text index and a vector column, plus every vector in memory as int8
 * for the vector leg of search (vectorIndex.ts). `meta.json` records which embedder wrote which table, so vectors
 * of different dimensions are never mixed; a change of embedder re-indexes in the background (reindexJob.ts).
 *
 * Writes: an upsert is appended to a write-ahead log (fsynced) and held in the fresh tier until it is committed to
 * LanceDB in a batch; it is searchable as soon as the upsert resolves. Commits (and compaction, deletes, the
 * re-index switch) run one at a time in the commit queue; appends to the log have their own short queue, so a
 * long commit or compaction never delays a write.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { errorMessage } from '../formats/errorMessage';
import { formatLineIssue } from '../formats/jsonl';
import type { Embedder } from '../embed/embedder';
import { stemsOf } from '../text/stems';
import { tokenize } from '../text/tokenize';
import { buildIndexes, hasIndexes, loadTable, quote, schemaFor, statusCode, tableNameFor, toArrowTable } from './entryTable';
import { lockDataFolder, type FolderLock } from './folderLock';
import { CorpusStats, FreshTier, queryTermWeights, termCounts, type FreshRow } from './freshTier';
import { DocCache } from './docCache';
import { fuseHybrid } from './hybridSearch';
import { ReindexCancelled, ReindexJob, type ReindexProgress } from './reindexJob';
import { readMeta, writeMeta, type StoreMeta } from './storeMeta';
import { IVF_LISTS, IVF_MIN_ROWS, VectorIndex } from './vectorIndex';
import { captureSnapshot, loadSnapshot, removeOtherSnapshots, snapshotFile } from './vectorSnapshot';
import { optimizeInChild } from './optimizeInChild';
import { embedEntries, passagesOf, type EntryVectors } from './passages';
import { cleanupCutoff } from './versionCleanup';
import { WriteAheadLog } from './writeAheadLog';
import { WriteQueue } from './writeQueue';
import { fullTextOf, parseStoredEntry, type EntryStatus, type StoredEntry } from './storedEntry';

export type { ReindexProgress } from './reindexJob';

/**
 * Fresh-tier size at which it is committed to LanceDB as one fragment. Brute force BM25 over 1,000 rows is well
 * under a millisecond, and a 20k-entry replay then makes 20 commits, not 20,000.
 */
const FLUSH_ROWS = 1000;
/** Above this many uncommitted rows (commits falling behind a bulk import), a write waits for the commit. */
const MAX_FRESH_ROWS = 20_000;
/** After this long without writes the fresh tier is committed anyway, so an idle app holds little in memory. */
const IDLE_FLUSH_MS = 2000;
/**
 * Committed rows after which fragments are compacted and new rows folded into the indexes (`optimize`): 2,000, or
 * a tenth of the table when that is more, because each refresh rewrites index segments in proportion to the table
 * (a fixed step would make a bulk import quadratic). Rows outside the indexes are scanned on every query: at 10k
 * entries with 9,000 of them unindexed, a full-text query took 21 ms and fetching 30 hits by id 13 ms, against about
 * 2-3 ms each when indexed. An idle moment (2 s without writes) folds in whatever is left. Only when something read
 * the table since the last refresh: otherwise the unindexed rows cost nothing yet (`readSinceRefresh`).
 */
const REFRESH_INDEX_ROWS = 2000;
const REFRESH_INDEX_FRACTION = 0.1;
/**
 * LanceDB's caches default to 6 GB (indexes) and 1 GB (metadata); bounded here so the desktop app's memory stays
 * predictable. The indexes a search uses (full text, bitmap, btree) are small next to the vectors.
 */
const INDEX_CACHE_BYTES = 128n * 2n ** 20n;
const METADATA_CACHE_BYTES = 32n * 2n ** 20n;
/**
 * When the int8 snapshot (vectorSnapshot.ts) is rewritten at a quiet moment: once this many rows (or this fraction
 * of the table) changed since the last one, or this long after a change. Always at close. A snapshot of 300k rows
 * is 160 MB, so it is not rewritten for every learned ticket; after a crash, the next open reads the table instead.
 */
const SNAPSHOT_ROWS = 2000;
const SNAPSHOT_FRACTION = 0.02;
const SNAPSHOT_MAX_AGE_MS = 15 * 60 * 1000;
/**
 * From this many entries, compaction and index refreshes run in a child process (optimizeInChild.ts): at 100k
 * entries an in-process refresh left the app 46-139 MB larger for good. Below it, starting a process costs more
 * than the refresh (and holds commits longer: at 20k, the BANKING77 replay's Recall@1 moved from 0.852 to 0.850,
 * because learned entries stayed longer in the fresh tier, whose BM25 scores differ slightly from Lance's).
 */
const CHILD_OPTIMIZE_ROWS = 50_000;
/** Documents of recent hits kept in memory (docCache.ts): a few MB. */
const DOC_CACHE_ENTRIES = 8192;
/** Table versions kept after compaction, for readers still on an older one (LanceDB keeps 7 days by default). */
const KEEP_VERSIONS_MS = 60 * 60 * 1000;
export interface SearchOptions {
  /** Hits to return after fusion. */
  limit?: number;
  /** Candidates taken from each leg (full-text, vector) before fusion; 50, or `limit` when that is more. */
  candidates?: number;
  /** Which statuses are searchable; suggestions use approved knowledge only. */
  statuses?: readonly EntryStatus[];
  /**
   * Fuse the legs by reciprocal rank with this fixed weight of the vector leg (the full-text leg counts 1), instead
   * of by normalised scores with the share set by the legs' agreement and the query's length (hybridSearch.ts). For
   * benchmarks that compare the legs.
   */
  vectorWeight?: number;
}

export interface SearchHit {
  entry: StoredEntry;
  /**
   * Cosine similarity between the query and the entry's match text, in [-1, 1]: the citation score. Computed on the
   * in-memory int8 vectors (within 0.015 of the float cosine); 0 while the table's embedder is unavailable.
   */
  similarity: number;
  /** Fused score (hybridSearch.ts: `fuseHybrid`; 0 to 1, the best a leg can give is its share); the order of hits. */
  fused: number;
  textRank: number | null;
  vectorRank: number | null;
  /** The full-text leg's BM25 score (over word stems), when that leg found the entry. */
  textScore?: number;
  /**
   * The part of a long entry that matched best (an article's paragraph or step), when the entry is indexed as
   * passages and the vector leg found it through one; absent for entries matched as a whole.
   */
  passage?: { index: number; text: string };
}

export interface StoreStatus {
  dataDir: string;
  table: string;
  /** The embedder whose table answers searches now (during a re-index, the previous one). */
  embedderId: string;
  dimensions: number;
  /** Committed entries (entries still waiting in the fresh tier are counted in `pendingWrites`). */
  entries: number;
  byStatus: Record<EntryStatus, number>;
  /** Acknowledged entries not yet committed to LanceDB (non-zero only after a failed commit). */
  pendingWrites: number;
  /** The last failed commit to LanceDB, with its time, or null. */
  lastWriteError: string | null;
  /** The in-memory vector index: rows, bytes, and which scan runs (null: searching by full text only). */
  vectorIndex: {
    entries: number;
    bytes: number;
    kernel: 'simd' | 'js';
    /** Vectors (entries and their passages). */
    rows?: number;
    /** Lists of the coarse partition (0: every search scans every vector). */
    partitionLists?: number;
    /** Partitions trained since the store opened (one taken back from the snapshot does not count). */
    partitionsBuilt?: number;
  } | null;
  /** Whether the full-text, status and id indexes exist yet (built with the first commit). */
  indexed: boolean;
  /** Committed entries not yet folded into the indexes (found by a slower scan until then). */
  unindexedRows: number;
  /** The current or last re-index, or null when none ran since the store was opened. */
  reindex: ReindexProgress | null;
}

export interface OpenOptions {
  /** Re-indexing progress, in words (the CLI prints it). */
  onProgress?: (message: string) => void;
  /**
   * The embedder that wrote an existing table, from its id, so the old table stays searchable by vector while a
   * new one is built. Without it (or when it returns null) the old table is searched by full text only meanwhile.
   */
  resolveEmbedder?: (id: string) => Embedder | null;
  /** `wait`: finish a needed re-index before `open` resolves (the CLI); `background` (default): the app. */
  reindex?: 'background' | 'wait';
  /**
   * The coarse partition of the vector index (vectorIndex.ts): from how many vectors (default `IVF_MIN_ROWS`), in
   * how many lists (default `IVF_LISTS`). The app keeps the defaults; tests partition small stores.
   */
  partition?: PartitionSettings;
}

/** When the vector index is partitioned, and into how many lists (see `OpenOptions.partition`). */
export interface PartitionSettings {
  minRows?: number;
  lists?: number;
}

/** One table and what searches it: the embedder that wrote its vectors, and those vectors in memory. */
interface Generation {
  name: string;
  table: lancedb.Table;
  embedderId: string;
  dimensions: number;
  /** Null when the embedder that wrote the table is not available: then it is searched by full text only. */
  embedder: Embedder | null;
  vectors: VectorIndex | null;
  indexed: boolean;
  /** Committed rows not yet in the indexes. */
  unindexedRows: number;
  /** Ids committed to the table: new ids are appended (cheap), known ones merged (a join on `id`). */
  ids: Set<string>;
  /** The table version the snapshot file holds (null: none, or stale), rows changed since, and when it was written. */
  snapshotVersion: number | null;
  changedSinceSnapshot: number;
  snapshotAt: number;
  /** `partitionsBuilt` of the vectors when the snapshot was written or read: a partition built since makes it due. */
  snapshotPartitions: number;
  /** How the generation was opened: from its snapshot, or by reading the table (and why). */
  openedFrom: OpenedFrom;
}

/** Where the in-memory part of the active table came from when the store was opened. */
export interface OpenedFrom {
  source: 'snapshot' | 'table';
  /** Why the snapshot was not used (null when it was, or when the table was empty or had no vector index). */
  reason: string | null;
  /** Present when the snapshot held a partition: whether it was taken back, or why not (then it is trained again). */
  partition?: { restored: boolean; reason: string | null };
}

/**
 * Opens a table's generation: its vectors, ids and BM25 statistics come from the int8 snapshot when it matches
 * the table exactly, else from reading the whole table (then `snapshotVersion` is null and a new snapshot is
 * written soon).
 */
async function openGeneration(
  dataDir: string,
  table: lancedb.Table,
  info: { embedderId: string; dimensions: number },
  embedder: Embedder | null,
  stats: CorpusStats,
): Promise<Generation> {
  let vectors = embedder ? new VectorIndex(info.dimensions) : null;
  let ids = new Set<string>();
  let snapshotVersion: number | null = null;
  let reason: string | null = null;
  let partition: OpenedFrom['partition'];
  if (embedder) {
    const key = { table: table.name, tableVersion: await table.version(), rows: await table.countRows(), ...info };
    const snapshot = await loadSnapshot(snapshotFile(dataDir, table.name), key, () => new VectorIndex(info.dimensions));
    if (snapshot.ok) {
      vectors = snapshot.vectors;
      ids = new Set(snapshot.ids);
      stats.importState(snapshot.stats);
      snapshotVersion = key.tableVersion;
      partition = snapshot.partition;
    } else if (key.rows > 0) {
      reason = snapshot.reason; // reported by openedFrom(); onProgress is for re-indexing only
    }
  }
  if (snapshotVersion === null) {
    await loadTable(table, vectors, stats, ids);
    if (vectors && embedder) await loadPassages(table, vectors, embedder);
  }
  return {
    ids,
    name: table.name,
    table,
    embedderId: info.embedderId,
    dimensions: info.dimensions,
    embedder,
    vectors,
    indexed: await hasIndexes(table),
    unindexedRows: (await table.indexStats('text_idx').catch(() => undefined))?.numUnindexedRows ?? 0,
    snapshotVersion,
    changedSinceSnapshot: 0,
    snapshotAt: Date.now(),
    snapshotPartitions: 0,
    openedFrom: { source: snapshotVersion === null ? 'table' : 'snapshot', reason, ...(partition ? { partition } : {}) },
  };
}

/**
 * Passage vectors are kept in memory and in the snapshot only (the table holds one vector per entry): opening
 * without a current snapshot embeds the passages of the table's long articles again.
 */
async function loadPassages(table: lancedb.Table, vectors: VectorIndex, embedder: Embedder): Promise<void> {
  for await (const batch of table.query().where(`kind = 'article'`).select(['doc'])) {
    const docs = batch.getChild('doc');
    if (!docs) continue;
    const long = (docs.toArray() as string[]).map(parseStoredEntry).filter((entry) => passagesOf(entry).length > 0);
    if (long.length === 0) continue;
    const embedded = await embedEntries(embedder, long);
    long.forEach((entry, i) => vectors.set(entry.id, embedded[i]!.vector, statusCode(entry.status), embedded[i]!.passages));
  }
}

/**
 * Vectors written since the partition (scanned in full by every search) after which it is rebuilt at a quiet
 * moment: 50k rows, or a tenth of the index. 50k rows cost about 2 ms per search (`npm run bench:scale`).
 */
const REPARTITION_ROWS = 50_000;
const REPARTITION_FRACTION = 0.1;

/**
 * Partitions the vector index (vectorIndex.ts, IVF) once it holds `IVF_MIN_ROWS` vectors, and again when enough
 * were written since. It runs on this thread (28 s at a million vectors under load): at open when the snapshot
 * held no usable partition, and at quiet moments. The snapshot keeps it, so the next open does not train it again.
 */
function partitionIfDue(vectors: VectorIndex | null, settings: PartitionSettings): void {
  if (!vectors || vectors.rows < (settings.minRows ?? IVF_MIN_ROWS)) return;
  const pending = vectors.unpartitionedRows;
  // A partition of another list count (kept by a version with other settings) is trained again.
  const lists = Math.min(settings.lists ?? IVF_LISTS, vectors.rows);
  if (vectors.partitionLists === lists && pending < Math.max(REPARTITION_ROWS, vectors.rows * REPARTITION_FRACTION)) return;
  vectors.partition({ lists });
}

export class KnowledgeStore {
  private readonly fresh = new FreshTier();
  private readonly docs = new DocCache(DOC_CACHE_ENTRIES);
  /** LanceDB commits, deletes, compaction and the re-index switch, one at a time. */
  private readonly commits = new WriteQueue();
  /** Appends to the write-ahead log and its rotation, one at a time (short jobs). */
  private readonly appends = new WriteQueue();
  private idleFlush: NodeJS.Timeout | null = null;
  private pendingFlush: Promise<void> | null = null;
  private readonly log: WriteAheadLog;
  private lastFlushError: string | null = null;
  private reindex: ReindexJob | null = null;
  private reindexRun: Promise<void> | null = null;
  private lastReindex: ReindexProgress | null = null;
  /**
   * Whether anything read the table since the last index refresh. Unindexed rows only cost reads, so a bulk import
   * that nobody searches meanwhile (`vigil kb import`) folds everything into the indexes once at its end instead
   * of every tenth of the table (each refresh rewrites index segments in proportion to the table).
   */
  private readSinceRefresh = false;
  /** Tables replaced by a re-index, dropped at close (a search may still be reading one). */
  private readonly retired: string[] = [];

  private constructor(
    readonly dataDir: string,
    private readonly db: lancedb.Connection,
    private active: Generation,
    /** The embedder the store was opened with: active now, or once the re-index is done. */
    readonly embedder: Embedder,
    private readonly lock: FolderLock,
    /** BM25 statistics over every entry (the same text in every table). */
    private readonly stats: CorpusStats,
    private readonly partitioning: PartitionSettings,
    private readonly onProgress?: (message: string) => void,
  ) {
    this.log = new WriteAheadLog(dataDir);
  }

  /**
   * Opens (or creates) the store in `dataDir` for `embedder`, taking the folder's writer lock (one process at a
   * time; see folderLock.ts). Entries left in the write-ahead log by a crash are committed first. When the folder
   * was indexed by another embedder, the old table keeps answering searches while the entries are re-embedded
   * into a new table in the background; the switch is recorded in meta.json only when that is complete.
   */
  static async open(
    dataDir: string,
    embedder: Embedder,
    options: OpenOptions | ((message: string) => void) = {},
  ): Promise<KnowledgeStore> {
    const opts: OpenOptions = typeof options === 'function' ? { onProgress: options } : options;
    await mkdir(dataDir, { recursive: true });
    const lock = await lockDataFolder(dataDir);
    try {
      return await KnowledgeStore.openLocked(dataDir, embedder, lock, opts);
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  private static async openLocked(dataDir: string, embedder: Embedder, lock: FolderLock, options: OpenOptions): Promise<KnowledgeStore> {
    const db = await lancedb.connect(join(dataDir, 'lancedb'), {}, new lancedb.Session(INDEX_CACHE_BYTES, METADATA_CACHE_BYTES));
    try {
      const meta = await readMeta(dataDir);
      const target = tableNameFor(embedder.id);
      const names = new Set(await db.tableNames());
      const previous = meta && meta.activeTable !== target && names.has(meta.activeTable) ? meta.activeTable : null;
      // Tables that are neither active nor the target were retired by a finished re-index, or left by an
      // interrupted one (which starts over).
      for (const name of names) {
        if (name.startsWith('entries_') && name !== meta?.activeTable) await db.dropTable(name);
      }

      let active: Generation;
      const stats = new CorpusStats();
      if (previous && meta) {
        const info = meta.tables[previous] ?? { embedderId: 'unknown', dimensions: 1, createdAt: '' };
        const old = options.resolveEmbedder?.(info.embedderId) ?? null;
        const usable = old && old.dimensions === info.dimensions ? old : null;
        active = await openGeneration(dataDir, await db.openTable(previous), info, usable, stats);
      } else {
        const info = { embedderId: embedder.id, dimensions: embedder.dimensions };
        const table =
          meta?.activeTable === target && names.has(target)
            ? await db.openTable(target)
            : await db.createEmptyTable(target, schemaFor(embedder.dimensions));
        active = await openGeneration(dataDir, table, info, embedder, stats);
        if (meta?.activeTable !== target) await writeMeta(dataDir, metaFor(target, embedder));
      }
      await removeOtherSnapshots(dataDir, new Set([active.name]));
      const store = new KnowledgeStore(dataDir, db, active, embedder, lock, stats, options.partition ?? {}, options.onProgress);
      await store.recoverLog();
      partitionIfDue(store.active.vectors, store.partitioning);
      if (
        store.active.unindexedRows > 0 ||
        (store.active.snapshotVersion === null && store.active.ids.size > 0) ||
        store.active.vectors?.partitionsBuilt // trained again (an older or damaged snapshot): keep it soon
      ) {
        store.scheduleIdleFlush(); // folds them into the indexes, and writes the snapshot, soon
      }
      if (previous) {
        store.startReindex();
        if (options.reindex === 'wait') await store.waitForReindex();
      }
      return store;
    } catch (err) {
      db.close(); // a failed open leaves nothing open behind it
      throw err;
    }
  }

  /**
   * Inserts or replaces entries by id. Resolves once they are durable (in the write-ahead log) and searchable;
   * they reach LanceDB with the next commit.
   */
  async upsert(entries: readonly StoredEntry[]): Promise<void> {
    if (entries.length === 0) return;
    let generation = this.active;
    let vectors = await this.embedFor(generation, entries);
    if (this.fresh.size >= MAX_FRESH_ROWS) await this.flush(); // back-pressure when commits fall behind
    await this.appends.run(async () => {
      if (generation !== this.active) {
        generation = this.active; // the re-index switched tables while these were being embedded
        vectors = await this.embedFor(generation, entries);
      }
      await this.log.append(entries);
      entries.forEach((entry, i) => {
        const terms = stemsOf(tokenize(fullTextOf(entry)));
        this.stats.add(terms);
        const { vector, passages } = vectors[i] as EntryVectors;
        this.fresh.set({ entry, vector, counts: termCounts(terms), length: terms.length });
        this.docs.invalidate(entry.id);
        generation.vectors?.set(entry.id, vector, statusCode(entry.status), passages);
        this.reindex?.dirty.add(entry.id);
      });
    });
    if (this.fresh.size >= FLUSH_ROWS) this.flushSoon();
    else this.scheduleIdleFlush();
  }

  /** Permanently removes entries by id. */
  remove(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    // Appends are held too, so the log cannot resurrect a removed entry.
    return this.commits.run(() =>
      this.appends.run(async () => {
        await this.flushLocked();
        await this.active.table.delete(`id IN (${ids.map(quote).join(', ')})`);
        this.active.changedSinceSnapshot += ids.length;
        for (const id of ids) {
          this.docs.invalidate(id);
          this.active.ids.delete(id);
          this.active.vectors?.delete(id);
          this.reindex?.dirty.add(id);
        }
      }),
    );
  }

  /** Commits the fresh tier to LanceDB now (normally done in batches, or after a quiet moment). */
  flush(): Promise<void> {
    return this.commits.run(() => this.flushNow());
  }

  async get(id: string): Promise<StoredEntry | null> {
    const fresh = this.fresh.get(id);
    if (fresh) return fresh.entry;
    const cached = this.docs.get(id);
    if (cached !== undefined) return parseStoredEntry(cached);
    this.readSinceRefresh = true;
    const epoch = this.docs.epoch;
    const rows = await this.active.table.query().where(`id = ${quote(id)}`).select(['doc']).limit(1).toArray();
    const row = rows[0] as { doc: string } | undefined;
    if (row) this.docs.putIfCurrent(id, row.doc, epoch);
    return row ? parseStoredEntry(row.doc) : null;
  }

  /** Number of entries, optionally of one status (flushes first, so the count is exact). */
  async count(status?: EntryStatus): Promise<number> {
    await this.flush();
    return this.active.table.countRows(status ? `status = ${quote(status)}` : undefined);
  }

  /** Every stored entry, in batches, for export. */
  async *entries(): AsyncGenerator<StoredEntry> {
    await this.flush();
    for await (const batch of this.active.table.query().select(['doc'])) {
      const docs = batch.getChild('doc');
      if (!docs) continue;
      for (let i = 0; i < batch.numRows; i++) yield parseStoredEntry(docs.get(i) as string);
    }
  }

  /**
   * Hybrid search. The full-text leg merges LanceDB's BM25 hits with the fresh tier's by score; the vector leg
   * scans every vector in memory (int8); the legs are fused by their normalised scores (hybridSearch.ts), and the
   * hits' documents are then read by id.
   */
  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 10;
    const candidates = options.candidates ?? Math.max(50, limit);
    const statuses = new Set<EntryStatus>(options.statuses ?? ['approved']);
    const filter = `status IN (${[...statuses].map(quote).join(', ')})`;
    const terms = tokenize(query);
    if (terms.length === 0) return [];
    this.readSinceRefresh = true;
    const generation = this.active;
    const epoch = this.docs.epoch; // before anything is read: a write after this keeps this search's reads uncached
    const queryVector = generation.embedder ? (await generation.embedder.embed([query], 'query'))[0] ?? null : null;

    // Everything read from memory is taken before the first await, so a commit or a switch cannot tear it.
    const freshRows = new Map<string, FreshRow>();
    for (const row of this.fresh.values()) freshRows.set(row.entry.id, row);
    // Rows also present in the fresh tier are stale in LanceDB: ask for a few more to make up for them.
    const want = candidates + Math.min(freshRows.size, candidates);
    // The full-text query runs on LanceDB's threads while this thread scans the vectors.
    const textQuery = generation.table
      .query()
      .fullTextSearch(new lancedb.MatchQuery(terms.join(' '), 'text'))
      .where(filter)
      .select(['id', 'text', '_score'])
      .limit(want)
      .toArray() as Promise<{ id: string; text: string; _score: number }[]>;
    // LanceDB's index holds plain tokens and picks candidates with them; every candidate is scored on stems.
    const termSet = queryTermWeights(stemsOf(terms));
    const freshText = this.fresh.searchText(termSet, this.stats, statuses, candidates);
    const vectorLeg =
      queryVector && generation.vectors
        ? generation.vectors.search(queryVector, new Set([...statuses].map(statusCode)), candidates)
        : [];
    const textRows = await textQuery;
    // LanceDB picks the candidates; they are scored here, with the same whole-store statistics as the fresh tier.
    // Lance scores indexed rows with the index's statistics and rows written since the last refresh with the
    // table's, so its scores for one entry change with commit and refresh timing (measured: 8.50 vs 8.20 for the
    // same row); one scoring makes a ranking depend on the entries alone, and `vigil replay` repeatable.
    const committedText = textRows
      .filter((row) => !freshRows.has(row.id))
      .map((row) => {
        const tokens = stemsOf(row.text.split(' ').filter(Boolean));
        return { id: row.id, score: this.stats.score(termSet, termCounts(tokens), tokens.length) };
      });
    // Equal scores (entries with the same words) in id order, not in the order the two sources happened to list them.
    const textLeg = [...committedText, ...freshText]
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, candidates);

    // Cosines (and the passage that scored them) of every candidate: the vector leg's own, and the full-text leg's
    // others from the in-memory int8 copy (within 0.015 of exact), so fusion weighs both legs on every candidate.
    const similarities = new Map<string, { score: number; passage: number }>(vectorLeg.map((h) => [h.id, { score: h.score, passage: h.passage }]));
    if (queryVector && generation.vectors) {
      const unscored = textLeg.filter((h) => !similarities.has(h.id)).map((h) => h.id);
      for (const [id, best] of generation.vectors.scores(queryVector, unscored)) similarities.set(id, best);
    }
    const fused = fuseHybrid(textLeg, vectorLeg, {
      similarity: new Map([...similarities].map(([id, best]) => [id, best.score])),
      vectorWeight: options.vectorWeight,
      queryWords: terms.length,
    }).slice(0, limit);

    // Documents of the hits not in the fresh tier, by id (btree index). Vectors are not read back: the similarity
    // comes from the in-memory int8 copy (within 0.015 of exact), which saves half of this read (BENCHMARKS.md).
    // Recently read documents come from the cache (docCache.ts); a write since this search began keeps what this
    // read out of it.
    const docs = new Map<string, string>();
    const missing: string[] = [];
    for (const { id } of fused) {
      if (freshRows.has(id)) continue;
      const cached = this.docs.get(id);
      if (cached === undefined) missing.push(id);
      else docs.set(id, cached);
    }
    if (missing.length > 0) {
      const rows = (await generation.table
        .query()
        .where(`id IN (${missing.map(quote).join(', ')})`)
        .select(['id', 'doc'])
        .limit(missing.length)
        .toArray()) as { id: string; doc: string }[];
      for (const row of rows) {
        docs.set(row.id, row.doc);
        this.docs.putIfCurrent(row.id, row.doc, epoch);
      }
    }
    const textScores = new Map(textLeg.map((h) => [h.id, h.score]));
    const hits: SearchHit[] = [];
    for (const result of fused) {
      const fresh = freshRows.get(result.id);
      const doc = fresh ? null : docs.get(result.id);
      if (!fresh && doc === undefined) continue; // removed between the legs and the read
      const entry = fresh ? fresh.entry : parseStoredEntry(doc!);
      const best = similarities.get(result.id);
      const passage = best && best.passage > 0 ? passagesOf(entry)[best.passage - 1] : undefined;
      hits.push({
        entry,
        similarity: best?.score ?? 0,
        fused: result.fused,
        textRank: result.ranks[0] ?? null,
        vectorRank: result.ranks[1] ?? null,
        ...(textScores.has(result.id) ? { textScore: textScores.get(result.id) } : {}),
        ...(passage === undefined ? {} : { passage: { index: best!.passage, text: passage } }),
      });
    }
    return hits;
  }

  async status(): Promise<StoreStatus> {
    await this.flush().catch(() => undefined); // reported below as lastWriteError
    const generation = this.active;
    const [entries, proposed, approved, retired] = await Promise.all([
      generation.table.countRows(),
      generation.table.countRows(`status = 'proposed'`),
      generation.table.countRows(`status = 'approved'`),
      generation.table.countRows(`status = 'retired'`),
    ]);
    const vectors = generation.vectors;
    return {
      dataDir: this.dataDir,
      table: generation.name,
      embedderId: generation.embedderId,
      dimensions: generation.dimensions,
      entries,
      byStatus: { proposed, approved, retired },
      pendingWrites: this.fresh.size,
      lastWriteError: this.lastFlushError,
      vectorIndex: vectors
        ? {
            entries: vectors.size,
            bytes: vectors.bytes,
            kernel: vectors.kernelKind,
            rows: vectors.rows,
            partitionLists: vectors.partitionLists,
            partitionsBuilt: vectors.partitionsBuilt,
          }
        : null,
      indexed: generation.indexed,
      unindexedRows: generation.unindexedRows,
      reindex: this.reindex ? { ...this.reindex.progress } : this.lastReindex,
    };
  }

  /**
   * Commits the fresh tier and folds every committed entry into the indexes now (after a bulk import), instead of
   * at the next quiet moment, when the app may be busy answering; a store the import brought to the partition's
   * size is partitioned here too, before the snapshot, so the next open does not train it (12-20 s at 300k).
   */
  refreshIndexes(): Promise<void> {
    return this.commits.run(async () => {
      await this.flushNow();
      await this.refreshIndexesOf(this.active);
      partitionIfDue(this.active.vectors, this.partitioning);
      await this.saveSnapshot(this.active, true);
    });
  }

  /** Whether opening read the active table's vectors from its int8 snapshot or from the table (and why). */
  openedFrom(): OpenedFrom {
    return { ...this.active.openedFrom };
  }

  /** The re-index in progress (or the last one), or null. */
  reindexProgress(): ReindexProgress | null {
    return this.reindex ? { ...this.reindex.progress } : this.lastReindex;
  }

  /**
   * Stops a re-index in progress: its partial table is dropped and the current table stays in charge (the next
   * open with the new embedder starts it again). Resolves when it has stopped; false when none was running.
   */
  async cancelReindex(): Promise<boolean> {
    const job = this.reindex;
    if (!job) return false;
    job.cancel();
    await this.reindexRun;
    return true;
  }

  /** Resolves when the re-index in progress (if any) has finished, switched or not. */
  async waitForReindex(): Promise<ReindexProgress | null> {
    await this.reindexRun;
    return this.lastReindex;
  }

  /** Commits everything written, then releases the folder; the store cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.idleFlush) clearTimeout(this.idleFlush);
    try {
      await this.cancelReindex();
      await this.pendingFlush?.catch(() => undefined);
      // On failure the entries stay in the log for the next open (which then reads the table: no snapshot).
      await this.commits.close(async () => {
        await this.flushNow();
        await this.saveSnapshot(this.active, true).catch(() => undefined);
      });
      await this.appends.close();
      for (const name of this.retired.splice(0)) await this.db.dropTable(name).catch(() => undefined);
    } finally {
      await this.log.close();
      this.active.table.close();
      this.db.close();
      await this.lock.release();
    }
  }

  private async embedFor(generation: Generation, entries: readonly StoredEntry[]): Promise<EntryVectors[]> {
    if (generation.embedder) return embedEntries(generation.embedder, entries);
    // The table's own embedder is unavailable (re-index in progress): the entry is found by full text until the
    // switch, which re-embeds it; the zero vector never reaches the new table.
    return entries.map(() => ({ vector: new Float32Array(generation.dimensions), passages: [] }));
  }

  private flushSoon(): void {
    this.pendingFlush ??= this.flush()
      .catch(() => undefined) // kept in the log and the fresh tier; the next flush retries
      .finally(() => {
        this.pendingFlush = null;
      });
  }

  private scheduleIdleFlush(): void {
    if (this.idleFlush) clearTimeout(this.idleFlush);
    this.idleFlush = setTimeout(() => {
      this.idleFlush = null;
      // A quiet moment: commit what is pending and fold it into the indexes. On failure the entries stay in the log
      // and the fresh tier, and the next flush retries.
      this.commits.run(async () => {
        await this.flushNow();
        await this.refreshIndexesOf(this.active);
        partitionIfDue(this.active.vectors, this.partitioning); // before the snapshot, which then keeps it
        await this.saveSnapshot(this.active, false);
      }).catch(() => undefined);
    }, IDLE_FLUSH_MS);
    this.idleFlush.unref();
  }

  /** Runs inside the commit queue; holds appends only while the log is rotated. */
  private async flushNow(): Promise<void> {
    if (this.fresh.size === 0) return;
    const { rows, upTo } = await this.appends.run(() => this.rotateLog());
    await this.commitSnapshot(rows, upTo);
  }

  /** Runs with both queues held (remove, the re-index switch). */
  private async flushLocked(): Promise<void> {
    if (this.fresh.size === 0) return;
    const { rows, upTo } = await this.rotateLog();
    await this.commitSnapshot(rows, upTo);
  }

  /**
   * Moves the live log aside and snapshots the fresh tier: the snapshot is exactly what the log segments up to
   * `upTo` hold. Writes arriving during the commit go to a new live log.
   */
  private async rotateLog(): Promise<{ rows: FreshRow[]; upTo: number }> {
    const upTo = await this.log.rotate();
    return { rows: this.fresh.snapshot(), upTo };
  }

  /**
   * Writes a snapshot of the fresh tier to LanceDB in one commit, then deletes the log segments it came from. On
   * failure the rows stay in the fresh tier and the segments (still searchable, still durable) and the next flush
   * retries; the error is kept for `status()`.
   */
  private async commitSnapshot(rows: FreshRow[], upTo: number): Promise<void> {
    try {
      await this.commitRows(this.active, rows.map((r) => ({ entry: r.entry, vector: r.vector })));
      this.lastFlushError = null;
    } catch (err) {
      this.lastFlushError = `${new Date().toISOString()}: ${errorMessage(err)}`;
      throw err;
    }
    this.fresh.dropCommitted(rows);
    await this.log.dropSegments(upTo);
  }

  /** The only place the active table receives rows. */
  private async commitRows(generation: Generation, items: readonly { entry: StoredEntry; vector: Float32Array }[]): Promise<void> {
    const latest = new Map<string, { entry: StoredEntry; vector: Float32Array }>();
    for (const item of items) latest.set(item.entry.id, item); // the same id twice: the last write wins
    const rows = [...latest.values()];
    if (rows.length === 0) return;
    const known = rows.filter((row) => generation.ids.has(row.entry.id));
    const added = rows.filter((row) => !generation.ids.has(row.entry.id));
    if (known.length > 0) {
      await generation.table.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(toArrowTable(known, generation.dimensions));
    }
    if (added.length > 0) await generation.table.add(toArrowTable(added, generation.dimensions));
    for (const row of added) generation.ids.add(row.entry.id);
    generation.unindexedRows += rows.length;
    generation.changedSinceSnapshot += rows.length;
    if (!generation.indexed) {
      await buildIndexes(generation.table);
      generation.indexed = true;
      generation.unindexedRows = 0;
    } else if (this.readSinceRefresh && generation.unindexedRows >= Math.max(REFRESH_INDEX_ROWS, generation.ids.size * REFRESH_INDEX_FRACTION)) {
      await this.refreshIndexesOf(generation);
    }
  }

  /** Compacts fragments and folds unindexed rows into every index. Runs in the commit queue; writes go on. */
  private async refreshIndexesOf(generation: Generation): Promise<void> {
    if (generation.unindexedRows === 0) return;
    const pending = generation.unindexedRows;
    generation.unindexedRows = 0;
    this.readSinceRefresh = false;
    try {
      // Never older than a tagged version (a rollback snapshot), which LanceDB refuses to clean up.
      const cutoff = await cleanupCutoff(generation.table, KEEP_VERSIONS_MS);
      const inChild = generation.ids.size >= CHILD_OPTIMIZE_ROWS && (await optimizeInChild(join(this.dataDir, 'lancedb'), generation.table, cutoff));
      if (!inChild) await generation.table.optimize({ cleanupOlderThan: cutoff });
    } catch (err) {
      generation.unindexedRows += pending; // still searchable (scanned); retried after the next commits
      throw err;
    }
  }

  /**
   * Writes the generation's int8 snapshot if the table changed since the last one (`always`), or enough to be
   * worth 160 MB of writing at 300k rows (a quiet moment). Runs in the commit queue, so the table version cannot
   * move; the state is taken with appends held and nothing uncommitted, so it is exactly that version. Writes made
   * while the file is written discard it (the next quiet moment tries again).
   */
  private async saveSnapshot(generation: Generation, always: boolean): Promise<void> {
    const vectors = generation.vectors;
    if (!vectors || !generation.embedder || generation !== this.active) return;
    const version = await generation.table.version();
    const partitions = vectors.partitionsBuilt;
    const partitioned = partitions !== generation.snapshotPartitions; // a partition the file does not hold yet
    if (generation.snapshotVersion === version && !partitioned) return;
    const due =
      partitioned ||
      generation.snapshotVersion === null ||
      generation.changedSinceSnapshot >= Math.max(SNAPSHOT_ROWS, generation.ids.size * SNAPSHOT_FRACTION) ||
      Date.now() - generation.snapshotAt >= SNAPSHOT_MAX_AGE_MS;
    if (!always && !due) return;
    const rows = await generation.table.countRows();
    const key = { table: generation.name, tableVersion: version, rows, embedderId: generation.embedderId, dimensions: generation.dimensions };
    const captured = await this.appends.run(async () =>
      this.fresh.size === 0 && generation === this.active && rows === generation.ids.size ? captureSnapshot(key, vectors, this.stats) : null,
    );
    if (!captured) return;
    const changed = generation.changedSinceSnapshot;
    if (await captured.write(snapshotFile(this.dataDir, generation.name))) {
      generation.snapshotVersion = version;
      generation.snapshotPartitions = partitions;
      generation.changedSinceSnapshot -= changed;
      generation.snapshotAt = Date.now();
    }
  }

  /** Commits entries a crash left in the write-ahead log, oldest segment first (idempotent: merge-insert by id). */
  private async recoverLog(): Promise<void> {
    const entries = await this.log.readAll((issue) => this.onProgress?.(formatLineIssue(issue)));
    if (entries.length > 0) {
      const vectors = await this.embedFor(this.active, entries);
      entries.forEach((entry, i) => {
        this.stats.add(stemsOf(tokenize(fullTextOf(entry))));
        this.active.vectors?.set(entry.id, vectors[i]!.vector, statusCode(entry.status), vectors[i]!.passages);
      });
      await this.commitRows(this.active, entries.map((entry, i) => ({ entry, vector: vectors[i]!.vector })));
    }
    await this.log.clear();
  }

  /** Starts re-embedding the active table into the opening embedder's table, in the background. */
  private startReindex(): void {
    const from = this.active;
    const run = async (): Promise<void> => {
      const target = await this.db.createEmptyTable(tableNameFor(this.embedder.id), schemaFor(this.embedder.dimensions));
      const job = new ReindexJob(from.table, target, new VectorIndex(this.embedder.dimensions), this.embedder, from.embedderId, (p) =>
        this.onProgress?.(`Re-indexing knowledge for ${p.toEmbedderId}: ${p.done}/${p.total} (${p.state})`),
      );
      this.reindex = job;
      try {
        await job.copy();
        await buildIndexes(target);
        job.progress.state = 'switching';
        await this.commits.run(() => this.appends.run(() => this.switchTo(job)));
        job.finish('done');
      } catch (err) {
        const cancelled = err instanceof ReindexCancelled || job.isCancelled;
        job.finish(cancelled ? 'cancelled' : 'failed', cancelled ? null : errorMessage(err));
        target.close();
        await this.db.dropTable(target.name).catch(() => undefined);
      } finally {
        this.lastReindex = { ...job.progress };
        this.reindex = null;
      }
    };
    this.reindexRun = run();
  }

  /**
   * The switch, with commits and appends held: the fresh tier is committed to the old table, the last writes are
   * caught up, the two tables must hold the same number of entries, then meta.json names the new table (atomic
   * rename) and searches move to it.
   */
  private async switchTo(job: ReindexJob): Promise<void> {
    await this.flushLocked();
    await job.catchUp();
    const [before, after] = await Promise.all([this.active.table.countRows(), job.target.countRows()]);
    if (before !== after) {
      throw new Error(`The new table holds ${after} entries where the current one holds ${before}; the re-index was not switched over.`);
    }
    const meta: StoreMeta = metaFor(job.target.name, this.embedder);
    await writeMeta(this.dataDir, meta);
    this.retired.push(this.active.name);
    this.active = {
      name: job.target.name,
      table: job.target,
      embedderId: this.embedder.id,
      dimensions: this.embedder.dimensions,
      embedder: this.embedder,
      vectors: job.targetVectors,
      indexed: true,
      unindexedRows: 0,
      ids: job.ids,
      snapshotVersion: null,
      changedSinceSnapshot: 0,
      snapshotAt: Date.now(),
      snapshotPartitions: 0,
      openedFrom: { source: 'table', reason: 'new table from a re-index' },
    };
  }

  /**
   * Runs read-only queries (`read`) on the table that answers searches, once every write acknowledged so far is
   * committed to it: the knowledge browser's paged listing (entryListing.ts) filters, orders and pages in LanceDB
   * rather than reading every entry.
   */
  async readCommitted<T>(read: (table: lancedb.Table) => Promise<T>): Promise<T> {
    await this.flush();
    return read(this.active.table);
  }
}

function metaFor(table: string, embedder: Embedder): StoreMeta {
  return {
    format: 1,
    activeTable: table,
    tables: { [table]: { embedderId: embedder.id, dimensions: embedder.dimensions, createdAt: new Date().toISOString() } },
  };
}
