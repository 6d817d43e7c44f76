/**
 * Quick sweep of the built-in embedder's n-gram settings and the fusion (RRF k, vector weight) on BANKING77, in
 * memory: documents are train queries, queries are held-out queries, Recall@1 of the intent. The vector leg is the
 * store's own int8 VectorIndex with the built-in embedder; the full-text leg is the BM25 baseline (as in
 * embedderSweep.ts). Settings are chosen on the dev split (8,000 train queries as documents, the other 2,003 as
 * queries, seeded) and only then read on the test split (10,003 train as documents, 3,080 test as queries).
 *
 * A second table compares full-text legs with the chosen embedder: the BM25 baseline, and the engine's own (its
 * tokens and `CorpusStats`; candidates picked on plain tokens as LanceDB's index does, then scored on plain tokens or
 * on word stems, as `KnowledgeStore.search` does).
 *
 *   npm run bench:fusion-sweep      # a few minutes
 */
import { HashedEmbedder, type HashedEmbedderOptions } from '../../core/embed/hashedEmbedder';
import { CorpusStats, queryTermWeights, termCounts } from '../../core/knowledge/freshTier';
import { stemsOf } from '../../core/text/stems';
import { tokenize } from '../../core/text/tokenize';
import { fuseRankings } from '../../core/knowledge/hybridSearch';
import { VectorIndex } from '../../core/knowledge/vectorIndex';
import { Bm25Index } from './bm25Baseline';
import { loadBanking77, seededShuffle, type LabelledQuery } from './banking77Data';
import { retrievalMetrics } from './retrievalMetrics';

const CANDIDATES = 50;

interface Split {
  name: string;
  docs: LabelledQuery[];
  queries: LabelledQuery[];
  text: string[][];
}

function split(name: string, docs: LabelledQuery[], queries: LabelledQuery[]): Split {
  const bm25 = new Bm25Index(docs.map((q) => q.text));
  return { name, docs, queries, text: queries.map((q) => bm25.search(q.text, CANDIDATES).map(String)) };
}

function recallAt1(s: Split, ranked: string[][]): number {
  return retrievalMetrics(
    s.queries.map((q) => q.intent),
    ranked.map((ids) => ids.map((i) => (s.docs[Number(i)] as LabelledQuery).intent)),
  ).recallAt1;
}

function vectorRanking(s: Split, options: Partial<HashedEmbedderOptions>): string[][] {
  const embedder = new HashedEmbedder(options);
  const index = new VectorIndex(embedder.dimensions);
  s.docs.forEach((q, i) => index.set(String(i), embedder.embedOne(q.text), 0));
  return s.queries.map((q) => index.search(embedder.embedOne(q.text), new Set([0]), CANDIDATES).map((h) => h.id));
}

const train = loadBanking77('train');
const shuffled = seededShuffle(train, 11);
const splits = [split('dev', shuffled.slice(0, 8000), shuffled.slice(8000)), split('test', train, loadBanking77('test'))];
const fusions = [
  { k: 60, w: 1.5 },
  { k: 60, w: 2 },
  { k: 60, w: 2.5 },
  { k: 20, w: 2 },
];
const variants: Partial<HashedEmbedderOptions>[] = [
  {},
  { dimensions: 1024 },
  { minCharGram: 2 },
  { minCharGram: 2, charGramWeight: 0.3 },
  { minCharGram: 2, charGramWeight: 0.5 },
  { minCharGram: 2, dimensions: 1024 },
];
/** For each fusion setting, R@1 per split ("dev / test") of each split's full-text leg fused with `vectors`. */
function fusedCells(legSplits: Split[], vectors: string[][][]): string[] {
  return fusions.map(({ k, w }) =>
    legSplits
      .map((s, i) =>
        recallAt1(
          s,
          s.queries.map((_, qi) => fuseRankings([{ ids: s.text[qi]!, weight: 1 }, { ids: vectors[i]![qi]!, weight: w }], k).map((f) => f.id)),
        ).toFixed(3),
      )
      .join(' / '),
  );
}

console.log(`BM25 alone R@1: ${splits.map((s) => `${s.name} ${recallAt1(s, s.text).toFixed(3)}`).join(', ')}`);
console.log(`| embedder | vectors alone (dev / test) | ${fusions.map((f) => `RRF k=${f.k} w=${f.w}`).join(' | ')} |`);
console.log(`|---|---|${fusions.map(() => '---|').join('')}`);
for (const options of variants) {
  const cells: string[] = [];
  const ranked = splits.map((s) => vectorRanking(s, options));
  cells.push(splits.map((s, i) => recallAt1(s, ranked[i]!).toFixed(3)).join(' / '));
  cells.push(...fusedCells(splits, ranked));
  console.log(`| ${JSON.stringify(options)} | ${cells.join(' | ')} |`);
}

/**
 * The engine's full-text leg in memory: the `want` best documents by BM25 on plain tokens (what LanceDB's index
 * returns), then the best `CANDIDATES` of them by BM25 on `scoreTerms` of the same tokens, over the same statistics.
 */
function engineTextLeg(s: Split, scoreTerms: (tokens: string[]) => string[], want = CANDIDATES): string[][] {
  const plain = s.docs.map((d) => tokenize(d.text));
  const scored = plain.map(scoreTerms);
  const plainStats = new CorpusStats();
  const scoredStats = new CorpusStats();
  plain.forEach((t) => plainStats.add(t));
  scored.forEach((t) => scoredStats.add(t));
  const postings = new Map<string, number[]>();
  plain.forEach((tokens, doc) => {
    for (const t of new Set(tokens)) {
      const list = postings.get(t);
      if (list) list.push(doc);
      else postings.set(t, [doc]);
    }
  });
  const bestBy = (stats: CorpusStats, terms: Map<string, number>, docs: Iterable<number>, of: string[][], k: number): number[] =>
    [...docs]
      .map((doc) => ({ doc, score: stats.score(terms, termCounts(of[doc] as string[]), (of[doc] as string[]).length) }))
      .sort((a, b) => b.score - a.score || a.doc - b.doc)
      .slice(0, k)
      .map((h) => h.doc);
  return s.queries.map((q) => {
    const tokens = tokenize(q.text);
    const matching = new Set(tokens.flatMap((t) => postings.get(t) ?? []));
    const picked = bestBy(plainStats, queryTermWeights(tokens), matching, plain, want);
    return bestBy(scoredStats, queryTermWeights(scoreTerms(tokens)), picked, scored, CANDIDATES).map(String);
  });
}

const textLegs: [string, Split[]][] = [
  ['BM25 baseline', splits],
  ['engine, plain tokens', splits.map((s) => ({ ...s, text: engineTextLeg(s, (t) => t) }))],
  ['engine, scored on stems (default)', splits.map((s) => ({ ...s, text: engineTextLeg(s, stemsOf) }))],
];
const chosen = splits.map((s) => vectorRanking(s, {}));
console.log(`\nFull-text legs with the default embedder, R@1 dev / test:`);
console.log(`| full-text leg | alone | ${fusions.map((f) => `RRF k=${f.k} w=${f.w}`).join(' | ')} |`);
console.log(`|---|---|${fusions.map(() => '---|').join('')}`);
for (const [name, legSplits] of textLegs) {
  const cells = [legSplits.map((s) => recallAt1(s, s.text).toFixed(3)).join(' / ')];
  cells.push(...fusedCells(legSplits, chosen));
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
