/** Similar-ticket retrieval metrics: Recall@k and mean reciprocal rank over ranked label lists. */

export interface RetrievalMetrics {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  /** Mean reciprocal rank of the first right answer within the top 10 (0 when none is). */
  mrr: number;
}

/** `ranked[i]` holds the labels of query i's results, best first; `expected[i]` the right label. */
export function retrievalMetrics(expected: readonly string[], ranked: readonly (readonly string[])[]): RetrievalMetrics {
  let at1 = 0;
  let at5 = 0;
  let rr = 0;
  expected.forEach((label, i) => {
    const labels = (ranked[i] ?? []).slice(0, 10);
    const position = labels.indexOf(label);
    if (position === 0) at1++;
    if (position >= 0 && position < 5) at5++;
    if (position >= 0) rr += 1 / (position + 1);
  });
  const n = Math.max(1, expected.length);
  return { queries: expected.length, recallAt1: at1 / n, recallAt5: at5 / n, mrr: rr / n };
}
