/**
 * Sweeps the built-in embedder's settings and the fusion weight on BANKING77, in memory (no LanceDB, no learning):
 * train queries are the documents, test queries the queries, Recall@1 of the intent. It uses the engine's own
 * HashedEmbedder and fuseRankings with the BM25 baseline as the full-text leg, so it isolates what the embedder
 * and the fusion are worth. The full replay benchmark (runBanking77.ts) measures the engine as shipped.
 *
 *   npm run bench:embedder-sweep
 */
import { HashedEmbedder, type HashedEmbedderOptions } from '../../core/embed/hashedEmbedder';
import { fuseRankings } from '../../core/knowledge/hybridSearch';
import { Bm25Index } from './bm25Baseline';
import { loadBanking77 } from './banking77Data';
import { retrievalMetrics } from './retrievalMetrics';

const CANDIDATES = 50;

function topK(scores: Float32Array, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    if (idx.length < k) {
      idx.push(i);
      if (idx.length === k) idx.sort((a, b) => (scores[b] as number) - (scores[a] as number));
    } else if ((scores[i] as number) > (scores[idx[k - 1] as number] as number)) {
      let j = k - 1;
      while (j > 0 && (scores[i] as number) > (scores[idx[j - 1] as number] as number)) j--;
      idx.splice(j, 0, i);
      idx.pop();
    }
  }
  return idx.length < k ? idx.sort((a, b) => (scores[b] as number) - (scores[a] as number)) : idx;
}

async function main(): Promise<void> {
  const train = loadBanking77('train');
  const test = loadBanking77('test');
  const expected = test.map((q) => q.intent);
  const bm25 = new Bm25Index(train.map((q) => q.text));
  const textRanked = test.map((q) => bm25.search(q.text, CANDIDATES));
  const labels = (ids: readonly number[]): string[] => ids.map((i) => (train[i] as { intent: string }).intent);
  console.log(`| variant | vectors alone R@1 | hybrid R@1 (vector weight 1.0 / 1.5 / 2.0) |`);
  console.log('|---|---|---|');
  console.log(`| BM25 alone | | ${retrievalMetrics(expected, textRanked.map(labels)).recallAt1.toFixed(3)} |`);
  const variants: Partial<HashedEmbedderOptions>[] = [
    { dimensions: 1024, charGramWeight: 0.25 },
    { dimensions: 2048, charGramWeight: 0.25 },
    { dimensions: 1024, charGramWeight: 0.15 },
    { dimensions: 1024, charGramWeight: 0.4 },
    { dimensions: 512, charGramWeight: 0.25 },
    { dimensions: 512, charGramWeight: 0.4 },
    { dimensions: 512, charGramWeight: 0.55 },
    { dimensions: 384, charGramWeight: 0.4 },
    { dimensions: 512, charGramWeight: 0.4, bigramWeight: 0 },
    { dimensions: 512, charGramWeight: 0, bigramWeight: 0.7 },
  ];
  for (const options of variants) {
    const embedder = new HashedEmbedder(options);
    const d = embedder.dimensions;
    const matrix = new Float32Array(train.length * d);
    train.forEach((q, i) => matrix.set(embedder.embedOne(q.text), i * d));
    const vectorRanked = test.map((q) => {
      const v = embedder.embedOne(q.text);
      const scores = new Float32Array(train.length);
      for (let i = 0; i < train.length; i++) {
        let s = 0;
        for (let j = 0, o = i * d; j < d; j++, o++) s += (v[j] as number) * (matrix[o] as number);
        scores[i] = s;
      }
      return topK(scores, CANDIDATES);
    });
    const hybrid = [1, 1.5, 2].map((weight) =>
      retrievalMetrics(
        expected,
        test.map((_, qi) =>
          labels(
            fuseRankings([
              { ids: (textRanked[qi] as number[]).map(String), weight: 1 },
              { ids: (vectorRanked[qi] as number[]).map(String), weight },
            ]).map((f) => Number(f.id)),
          ),
        ),
      ).recallAt1.toFixed(3),
    );
    const alone = retrievalMetrics(expected, vectorRanked.map(labels)).recallAt1.toFixed(3);
    const name = `${d} dims, char n-grams ${options.charGramWeight}${options.bigramWeight !== undefined ? `, bigrams ${options.bigramWeight}` : ''}`;
    console.log(`| ${name} | ${alone} | ${hybrid.join(' / ')} |`);
  }
}

await main();
