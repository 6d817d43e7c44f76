/**
 * Re-indexing after a change of embedder, in the background: every entry of the active table is re-embedded into
 * a new table while searches keep using the active one. Writes made meanwhile are tracked by id and caught up.
 * The switch itself (a last catch-up, a count check, meta.json replaced atomically) belongs to the store, which
 * runs it with writes held; this module does the long part, with progress and cancel.
 */
import type * as lancedb from '@lancedb/lancedb';
import type { Embedder } from '../embed/embedder';
import { quote, statusCode, toArrowTable } from './entryTable';
import { embedEntries } from './passages';
import { parseStoredEntry, type StoredEntry } from './storedEntry';
import type { VectorIndex } from './vectorIndex';

export type ReindexState = 'running' | 'switching' | 'done' | 'cancelled' | 'failed';

/** What a user sees of a re-index (`vigil status`, the app's status view). Plain data. */
export interface ReindexProgress {
  state: ReindexState;
  fromEmbedderId: string;
  toEmbedderId: string;
  /** Entries re-embedded so far, and the table's size when the re-index started. */
  done: number;
  total: number;
  startedAt: string;
  finishedAt: string | null;
  /** Why it failed, in words, or null. */
  error: string | null;
}

/** Rows re-embedded per commit to the new table: large commits keep the new table to few fragments. */
const COPY_BATCH = 2000;
/** A catch-up pass small enough to run with writes held for the switch. */
const FINAL_CATCH_UP = 500;

export class ReindexCancelled extends Error {
  constructor() {
    super('Re-indexing was cancelled; the store keeps using its current table.');
  }
}

export class ReindexJob {
  /** Ids written or removed since the job started; each is re-read and re-embedded before the switch. */
  readonly dirty = new Set<string>();
  /** Ids in the new table. */
  readonly ids = new Set<string>();
  readonly progress: ReindexProgress;
  private cancelled = false;

  constructor(
    private readonly source: lancedb.Table,
    readonly target: lancedb.Table,
    readonly targetVectors: VectorIndex,
    readonly embedder: Embedder,
    fromEmbedderId: string,
    private readonly onProgress?: (progress: ReindexProgress) => void,
  ) {
    this.progress = {
      state: 'running',
      fromEmbedderId,
      toEmbedderId: embedder.id,
      done: 0,
      total: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
  }

  cancel(): void {
    this.cancelled = true;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Copies every entry, then catches up with writes until few enough are left to finish with writes held. */
  async copy(): Promise<void> {
    this.progress.total = await this.source.countRows();
    this.report();
    let batch: StoredEntry[] = [];
    for await (const records of this.source.query().select(['doc'])) {
      const docs = records.getChild('doc');
      for (let i = 0; docs && i < records.numRows; i++) batch.push(parseStoredEntry(docs.get(i) as string));
      if (batch.length >= COPY_BATCH) {
        await this.write(batch, 'add');
        batch = [];
      }
    }
    await this.write(batch, 'add');
    while (this.dirty.size > FINAL_CATCH_UP) await this.catchUp();
  }

  /** Re-reads every dirty id from the source table and brings the new table in line (upsert or delete). */
  async catchUp(): Promise<void> {
    this.checkCancelled();
    const ids = [...this.dirty];
    this.dirty.clear();
    for (let start = 0; start < ids.length; start += COPY_BATCH) {
      const slice = ids.slice(start, start + COPY_BATCH);
      const rows = (await this.source
        .query()
        .where(`id IN (${slice.map(quote).join(', ')})`)
        .select(['id', 'doc'])
        .toArray()) as { id: string; doc: string }[];
      const present = new Set(rows.map((r) => r.id));
      const gone = slice.filter((id) => !present.has(id));
      if (gone.length > 0) {
        await this.target.delete(`id IN (${gone.map(quote).join(', ')})`);
        for (const id of gone) {
          this.targetVectors.delete(id);
          this.ids.delete(id);
        }
      }
      await this.write(rows.map((r) => parseStoredEntry(r.doc)), 'merge', false);
    }
  }

  finish(state: 'done' | 'cancelled' | 'failed', error: string | null = null): void {
    this.progress.state = state;
    this.progress.finishedAt = new Date().toISOString();
    this.progress.error = error;
    this.report();
  }

  report(): void {
    this.onProgress?.({ ...this.progress });
  }

  private checkCancelled(): void {
    if (this.cancelled) throw new ReindexCancelled();
  }

  private async write(entries: StoredEntry[], how: 'add' | 'merge', counts = true): Promise<void> {
    this.checkCancelled();
    if (entries.length === 0) return;
    const vectors = await embedEntries(this.embedder, entries);
    const rows = toArrowTable(entries.map((entry, i) => ({ entry, vector: vectors[i]!.vector })), this.embedder.dimensions);
    if (how === 'add') await this.target.add(rows);
    else await this.target.mergeInsert('id').whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows);
    entries.forEach((entry, i) => {
      this.targetVectors.set(entry.id, vectors[i]!.vector, statusCode(entry.status), vectors[i]!.passages);
      this.ids.add(entry.id);
    });
    if (counts) {
      this.progress.done += entries.length;
      this.report();
    }
    // Let searches and writes run between batches: re-embedding is CPU work on the same thread.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
