/**
 * The documents (entry JSON) of recent search hits, by id, least recently used dropped first. A decision reads
 * the documents of its 30 best hits from LanceDB by id (3-5 ms p50 and 7-14 ms p95 at 10k-100k entries on this
 * machine, the largest part of a search after the full-text query); questions that come back hit the same entries
 * (46% of look-ups in the 10k scale benchmark, 4% at 300k, whose synthetic entries rarely repeat). A few thousand
 * documents are a few MB.
 *
 * Staleness: every write or removal of an id drops it and moves `epoch`; a search that started before a write may
 * not put what it read into the cache (it may have read the old version), see `putIfCurrent`.
 */
export class DocCache {
  private readonly docs = new Map<string, string>();
  private writes = 0;

  constructor(private readonly capacity: number) {}

  /** Moves with every invalidation: read it before a LanceDB read, pass it to `putIfCurrent` after. */
  get epoch(): number {
    return this.writes;
  }

  get size(): number {
    return this.docs.size;
  }

  get(id: string): string | undefined {
    const doc = this.docs.get(id);
    if (doc !== undefined) {
      this.docs.delete(id); // most recently used last
      this.docs.set(id, doc);
    }
    return doc;
  }

  /** Caches a document read from the table, unless a write happened since `epoch` (it may be an old version). */
  putIfCurrent(id: string, doc: string, epoch: number): void {
    if (epoch !== this.writes) return;
    this.docs.delete(id);
    this.docs.set(id, doc);
    if (this.docs.size > this.capacity) this.docs.delete(this.docs.keys().next().value as string);
  }

  /** An id was written or removed. */
  invalidate(id: string): void {
    this.writes++;
    this.docs.delete(id);
  }

  clear(): void {
    this.writes++;
    this.docs.clear();
  }
}
