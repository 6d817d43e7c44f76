/**
 * The fresh tier: entries written since the last flush to LanceDB, held in memory (and in a write-ahead log on
 * disk) and searched by brute force. It exists because every LanceDB commit adds a fragment and every fragment
 * slows every query: 400 one-row commits made searches 10-17x slower (`npm run bench:store-layout`, BENCHMARKS.md).
 * With this tier, a learned entry is searchable at once while LanceDB receives a few large commits.
 */
import type { EntryStatus, StoredEntry } from './storedEntry';

/** BM25 parameters of Lance's full-text search, so fresh-tier and indexed scores can be merged. */
const K1 = 1.2;
const B = 0.75;

/**
 * How much a word the query repeats counts: `(K3 + 1) × n / (K3 + n)` for a word said n times (the query-term part
 * of Okapi BM25, Robertson et al., TREC-3), so at 0.5 a word said twice weighs 1.2 times a word said once, and no
 * word more than 1.5 times. A long question names its subject again and again ("the printer ... the printer"),
 * while its passing words are said once. Chosen on the fit parts of `npm run bench:retrieval` among 0, 0.5, 1 and 2
 * (BENCHMARKS.md, "Repeated query words"): the full-text leg on the forum questions 0.432 → 0.485 Recall@1, the
 * other sets within a query of where they were; 1 and 2 cost ABCD and DSTC11's whole-conversation queries more.
 * `VIGIL_QUERY_TF_K3` sets it for benchmarks; 0 counts every word once.
 */
export const QUERY_TF_K3 = Number(process.env['VIGIL_QUERY_TF_K3'] ?? 0.5);

/** The query's terms with their weights: each distinct term once, weighted by how often the query says it. */
export function queryTermWeights(terms: readonly string[], k3: number = QUERY_TF_K3): Map<string, number> {
  const weights = new Map<string, number>();
  for (const [term, n] of termCounts(terms)) weights.set(term, k3 > 0 ? ((k3 + 1) * n) / (k3 + n) : 1);
  return weights;
}

/** Corpus statistics for BM25 over the whole store (indexed and fresh rows). */
export class CorpusStats {
  private readonly df = new Map<string, number>();
  private documents = 0;
  private totalLength = 0;

  /**
   * Counts one document. A replaced document is counted again (its old terms are not subtracted): document
   * frequencies drift upward slightly for edited entries, which only matters until the store is reopened.
   */
  add(terms: readonly string[]): void {
    this.documents++;
    this.totalLength += terms.length;
    for (const term of new Set(terms)) this.df.set(term, (this.df.get(term) ?? 0) + 1);
  }

  /** The statistics as plain data, for the snapshot file (vectorSnapshot.ts). */
  exportState(): { documents: number; totalLength: number; df: [string, number][] } {
    return { documents: this.documents, totalLength: this.totalLength, df: [...this.df] };
  }

  /** Replaces the statistics with a snapshot's. */
  importState(state: { documents: number; totalLength: number; df: readonly [string, number][] }): void {
    this.df.clear();
    for (const [term, count] of state.df) this.df.set(term, count);
    this.documents = state.documents;
    this.totalLength = state.totalLength;
  }

  /** Okapi BM25 of a document (term counts and length) for the query's weighted terms (`queryTermWeights`). */
  score(queryTerms: ReadonlyMap<string, number>, counts: ReadonlyMap<string, number>, length: number): number {
    const n = Math.max(1, this.documents);
    const averageLength = this.totalLength / n || 1;
    let total = 0;
    for (const [term, weight] of queryTerms) {
      const tf = counts.get(term);
      if (!tf) continue;
      const df = this.df.get(term) ?? 1;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      total += (weight * idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / averageLength));
    }
    return total;
  }
}

export interface FreshRow {
  entry: StoredEntry;
  vector: Float32Array;
  /** Term counts of the entry's match text. */
  counts: Map<string, number>;
  length: number;
}

export interface TierHit {
  id: string;
  score: number;
}

/** How often each term occurs. */
export function termCounts(terms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

export class FreshTier {
  private readonly rows = new Map<string, FreshRow>();

  get size(): number {
    return this.rows.size;
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  get(id: string): FreshRow | undefined {
    return this.rows.get(id);
  }

  set(row: FreshRow): void {
    this.rows.set(row.entry.id, row);
  }

  delete(id: string): void {
    this.rows.delete(id);
  }

  /** The rows as they are now (for a flush, which commits them while new writes keep arriving). */
  snapshot(): FreshRow[] {
    return [...this.rows.values()];
  }

  /** Drops rows a flush committed, unless they were replaced since (the newer version stays). */
  dropCommitted(committed: readonly FreshRow[]): void {
    for (const row of committed) if (this.rows.get(row.entry.id) === row) this.rows.delete(row.entry.id);
  }

  values(): IterableIterator<FreshRow> {
    return this.rows.values();
  }

  /** Best `limit` rows by BM25 over the whole store's statistics; rows sharing no term are left out. */
  searchText(terms: ReadonlyMap<string, number>, stats: CorpusStats, statuses: ReadonlySet<EntryStatus>, limit: number): TierHit[] {
    const hits: TierHit[] = [];
    for (const row of this.rows.values()) {
      if (!statuses.has(row.entry.status)) continue;
      const score = stats.score(terms, row.counts, row.length);
      if (score > 0) hits.push({ id: row.entry.id, score });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, limit);
  }
}
