/**
 * Weighted reciprocal-rank fusion of ranked result lists (Cormack et al., SIGIR 2009). Rank-based fusion needs
 * no calibration between BM25 scores (unbounded) and cosine similarities (bounded), which is why it is used to
 * merge the full-text and vector legs of hybrid search.
 */

/** One ranked list to fuse: ids best first, and how much this list counts. */
export interface RankedList {
  ids: readonly string[];
  weight: number;
}

export interface FusedResult {
  id: string;
  fused: number;
  /** 0-based rank of the id in each input list, or null where it did not appear. */
  ranks: (number | null)[];
}

/** RRF constant: 60, the published default (Cormack et al.); not tuned here. */
export const RRF_K = 60;

/** Fuses ranked lists into one, best first; ties keep the order of first appearance. */
export function fuseRankings(lists: readonly RankedList[], k: number = RRF_K): FusedResult[] {
  const byId = new Map<string, FusedResult>();
  lists.forEach((list, listIndex) => {
    list.ids.forEach((id, rank) => {
      let result = byId.get(id);
      if (!result) {
        result = { id, fused: 0, ranks: lists.map(() => null) };
        byId.set(id, result);
      }
      if (result.ranks[listIndex] !== null) return; // an id listed twice counts at its best rank
      result.ranks[listIndex] = rank;
      result.fused += list.weight / (k + rank + 1);
    });
  });
  return [...byId.values()].sort((a, b) => b.fused - a.fused);
}
