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

/**
 * How far the two legs of hybrid search agree: the number of ids both put in their first `AGREEMENT_DEPTH`.
 * Where they agree, the vector leg (the better one on short, paraphrased questions) leads the fusion; where they
 * disagree, the full-text leg leads. A fixed vector weight of 2.0 ranked below the full-text leg alone on DSTC11
 * (R@1 0.207 against 0.241 on the fit part) and on ABCD's guideline steps, where long conversations and long
 * articles make the built-in embedder's vectors weak; the gate keeps the vector leg's gains on BANKING77.
 * Chosen on the fit parts of `npm run bench:retrieval` (BANKING77, ABCD, ABCD steps, DSTC11) as the rule whose worst
 * set ranked closest to that set's best leg, among fixed weights 0.5-3 and gates on the overlap (3-6 of 10), on the
 * best cosine (0.4-0.8) and on score margins (BENCHMARKS.md).
 */
export const AGREEMENT_DEPTH = 10;
/** Shared ids in both legs' first `AGREEMENT_DEPTH` from which the legs are taken to agree. */
export const AGREEMENT_MIN = 4;
/** Vector-leg weight when the legs agree, and when they disagree (the full-text leg counts 1). */
export const AGREED_VECTOR_WEIGHT = 3;
export const DISAGREED_VECTOR_WEIGHT = 0.25;

/** Ids both lists hold among their first `depth`. */
export function legAgreement(a: readonly string[], b: readonly string[], depth: number = AGREEMENT_DEPTH): number {
  const head = new Set(a.slice(0, depth));
  return b.slice(0, depth).filter((id) => head.has(id)).length;
}

/**
 * Fuses the full-text and vector legs of hybrid search: weighted RRF with the vector leg's weight set by the legs'
 * agreement (above), or `vectorWeight` when given.
 */
export function fuseHybrid(textIds: readonly string[], vectorIds: readonly string[], vectorWeight?: number): FusedResult[] {
  const weight =
    vectorWeight ?? (legAgreement(textIds, vectorIds) >= AGREEMENT_MIN ? AGREED_VECTOR_WEIGHT : DISAGREED_VECTOR_WEIGHT);
  return fuseRankings([
    { ids: textIds, weight: 1 },
    { ids: vectorIds, weight },
  ]);
}
