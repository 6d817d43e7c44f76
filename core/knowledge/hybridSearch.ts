/**
 * Fusion of the full-text and vector legs of hybrid search: by normalised scores with an agreement-set share
 * (`fuseHybrid`), and weighted reciprocal-rank fusion of ranked lists (Cormack et al., SIGIR 2009), which needs no
 * calibration between lists and is kept for fixed-weight comparisons of the legs.
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

/** One leg's hit: an id and that leg's score (BM25 for the full-text leg, cosine for the vector leg). */
export interface ScoredId {
  id: string;
  score: number;
}

/**
 * How far the two legs of hybrid search agree: the number of ids both put in their first `AGREEMENT_DEPTH`.
 * Where they agree, the vector leg (the better one on short, paraphrased questions) counts more; where they
 * disagree, both count the same.
 */
export const AGREEMENT_DEPTH = 10;
/** Shared ids in both legs' first `AGREEMENT_DEPTH` from which the legs are taken to agree. */
export const AGREEMENT_MIN = 3;
/**
 * The full-text leg's share of the fused score when the legs agree, and when they disagree (the vector leg has the
 * rest), for a query of up to `LONG_QUERY_FROM` words. Each leg's score is divided by its best hit's, so both run
 * from 0 to 1 whatever the query (CombSUM with max normalisation, Fox & Shaw 1994; Lee, SIGIR 1997): unlike
 * reciprocal ranks, a leg that is sure of its first hit (a wide gap to the second) keeps it first, and a leg whose
 * hits all score alike barely reorders the other's.
 * Chosen on the fit parts of `npm run bench:retrieval` (BANKING77, ABCD, ABCD steps, DSTC11; 1,200 queries each
 * at most) as the rule whose worst set ranked closest to that set's best leg, among shares 0.3-0.5 when agreeing,
 * 0.4-0.9 when disagreeing and agreement from 3-5 shared ids, and read on the report parts (BENCHMARKS.md):
 * worst set at 0.97 of its best leg's Recall@1, where reciprocal-rank fusion (vector weight 3 / 0.25 on 4 shared
 * ids) reached 0.68 (ABCD: 0.283 against the full-text leg's 0.413, with 55 entries 4 shared ids are little above
 * chance).
 */
export const AGREED_TEXT_SHARE = 0.3;
export const DISAGREED_TEXT_SHARE = 0.5;

/**
 * Long queries (a forum question, a whole conversation) give the full-text leg a larger share: from
 * `LONG_QUERY_FROM` words the agreed share grows with the log of the length, to `LONG_QUERY_TEXT_SHARE` at
 * `LONG_QUERY_FULL` words and beyond (the disagreed share keeps its 0.2 above it). A query vector is the mean of its
 * words, so the more words, the closer every cosine is to every other (DSTC11's first cosines: 0.47-0.59 for
 * p10-p90), while BM25 gains evidence with each word: on the long sets' fit parts the full-text leg alone is twice
 * the vector leg on DSTC11 (0.236 against 0.121 Recall@1) and above it on the forum (0.485 against 0.357).
 * Chosen on the fit parts of `npm run fit:fusion` among long shares 0.3-0.8, growing from 30-80 words and full at
 * 100-300 (every one's worst cell is ABCD steps' fit part, so the mean over sets of each set's ratio to the higher
 * of its better leg and BM25 decided); on the report parts DSTC11's whole-conversation search 0.238 → 0.252 and the
 * forum 0.502 → 0.510 Recall@1, the short sets unchanged; it costs the multi-turn learning curve 0.703 → 0.698
 * (BENCHMARKS.md, "Long queries give the full-text leg more weight").
 */
export const LONG_QUERY_FROM = 40;
export const LONG_QUERY_FULL = 100;
export const LONG_QUERY_TEXT_SHARE = 0.5;

/** Where the full-text share starts to grow with the query's length, where it stops, and the agreed share there. */
export interface LongQueryShare {
  from: number;
  full: number;
  share: number;
}

const LONG_QUERY: LongQueryShare = { from: LONG_QUERY_FROM, full: LONG_QUERY_FULL, share: LONG_QUERY_TEXT_SHARE };

/**
 * What a query of `queryWords` words adds to the full-text share: 0 up to `from` words, `share` less the agreed share
 * from `full` on, log-linear between. Benches pass other settings to compare them (`npm run fit:fusion`).
 */
export function longQueryLift(queryWords: number, { from, full, share }: LongQueryShare = LONG_QUERY): number {
  const along = Math.min(1, Math.max(0, Math.log(Math.max(1, queryWords) / from) / Math.log(full / from)));
  return (share - AGREED_TEXT_SHARE) * along;
}

/** The full-text leg's share for legs sharing `agreement` of their first ten, for a query of `queryWords` words. */
export function textShare(agreement: number, queryWords: number): number {
  return (agreement >= AGREEMENT_MIN ? AGREED_TEXT_SHARE : DISAGREED_TEXT_SHARE) + longQueryLift(queryWords);
}

/** How `fuseHybrid` weighs the legs. */
export interface FuseOptions {
  /** Cosines of ids the vector leg did not rank (an id without one counts 0 there, as does a negative cosine). */
  similarity?: ReadonlyMap<string, number>;
  /** Fuse by reciprocal rank at this fixed weight of the vector leg instead (benchmarks compare the legs that way). */
  vectorWeight?: number;
  /** Word tokens in the query (`tokenize`): long queries give the full-text leg more share (`textShare`). */
  queryWords?: number;
}

/** Ids both lists hold among their first `depth`. */
export function legAgreement(a: readonly string[], b: readonly string[], depth: number = AGREEMENT_DEPTH): number {
  const head = new Set(a.slice(0, depth));
  return b.slice(0, depth).filter((id) => head.has(id)).length;
}

/**
 * Fuses the full-text and vector legs of hybrid search. Every id either leg found scores
 * `share × text / best text + (1 − share) × cosine / best cosine`, with the full-text share set by the legs'
 * agreement and the query's length (`textShare`). Ties keep the full-text leg's order, then the id's.
 */
export function fuseHybrid(textLeg: readonly ScoredId[], vectorLeg: readonly ScoredId[], options: FuseOptions = {}): FusedResult[] {
  const { similarity = new Map<string, number>(), vectorWeight, queryWords = 0 } = options;
  const textIds = textLeg.map((h) => h.id);
  const vectorIds = vectorLeg.map((h) => h.id);
  if (vectorWeight !== undefined) {
    return fuseRankings([
      { ids: textIds, weight: 1 },
      { ids: vectorIds, weight: vectorWeight },
    ]);
  }
  const share = textShare(legAgreement(textIds, vectorIds), queryWords);
  const textScore = new Map<string, number>();
  for (const h of textLeg) if (!textScore.has(h.id)) textScore.set(h.id, h.score);
  const cosine = new Map(similarity);
  for (const h of vectorLeg) if (!cosine.has(h.id)) cosine.set(h.id, h.score);
  const ids = [...new Set([...textIds, ...vectorIds])];
  const bestText = Math.max(0, ...textScore.values());
  const bestCosine = Math.max(0, ...ids.map((id) => cosine.get(id) ?? 0));
  const textRank = new Map<string, number>();
  textIds.forEach((id, rank) => textRank.has(id) || textRank.set(id, rank));
  const vectorRank = new Map<string, number>();
  vectorIds.forEach((id, rank) => vectorRank.has(id) || vectorRank.set(id, rank));
  const fused = ids.map((id) => ({
    id,
    fused:
      (bestText > 0 ? (share * Math.max(0, textScore.get(id) ?? 0)) / bestText : 0) +
      (bestCosine > 0 ? ((1 - share) * Math.max(0, cosine.get(id) ?? 0)) / bestCosine : 0),
    ranks: [textRank.get(id) ?? null, vectorRank.get(id) ?? null],
  }));
  const order = (r: FusedResult): number => r.ranks[0] ?? Infinity;
  return fused.sort((a, b) => b.fused - a.fused || order(a) - order(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
