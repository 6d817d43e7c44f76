/**
 * A plain BM25 (Okapi, k1 = 1.2, b = 0.75) over whitespace-and-punctuation tokens, lower-cased, no stemming
 * and no stop words: the word-matching baseline the engine must beat. Deliberately independent of the engine's
 * code, so that improving the engine cannot silently improve the baseline.
 */

const K1 = 1.2;
const B = 0.75;

function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

export class Bm25Index {
  private readonly postings = new Map<string, { doc: number; tf: number }[]>();
  private readonly lengths: number[] = [];
  private readonly averageLength: number;

  constructor(documents: readonly string[]) {
    let total = 0;
    documents.forEach((document, doc) => {
      const tokens = words(document);
      this.lengths.push(tokens.length);
      total += tokens.length;
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, count] of tf) {
        const list = this.postings.get(term) ?? [];
        list.push({ doc, tf: count });
        this.postings.set(term, list);
      }
    });
    this.averageLength = total / Math.max(1, documents.length);
  }

  /** Indexes of the best `k` documents for `query`, best first. */
  search(query: string, k: number): number[] {
    const n = this.lengths.length;
    const scores = new Map<number, number>();
    for (const term of new Set(words(query))) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        const norm = K1 * (1 - B + (B * (this.lengths[doc] as number)) / this.averageLength);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (K1 + 1)) / (tf + norm));
      }
    }
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, k)
      .map(([doc]) => doc);
  }
}
