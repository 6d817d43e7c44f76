/**
 * The show/stay-silent gate on an article-only knowledge base. Fits the article confidence model
 * (core/assist/confidence.ts, ARTICLE_CONFIDENCE_WEIGHTS) and measures it against always speaking.
 *
 * Articles: BANKING77 has no articles, so one is made per intent from its train split: the intent's name as the
 * title and ten of its train queries as the body (an FAQ entry listing how customers ask it). 77 distinct articles,
 * like a runbook where each section answers one thing. The model is fitted on 3,000 *other* train queries; the
 * test split (3,080) measures it. ABCD (55 real guideline articles, 3 real dialogues) is then an out-of-domain check.
 *
 *   npm run fit:article-confidence            # fit, then report with the fitted weights
 *   npm run fit:article-confidence -- --report   # report with the weights in confidence.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery } from '../../core/assist/assistant';
import {
  ARTICLE_CONFIDENCE_WEIGHTS,
  articleConfidenceOf,
  articleFeatures,
  confidenceFeatures,
  confidenceOf,
  SHOW_THRESHOLD,
  type ArticleFeatures,
} from '../../core/assist/confidence';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import type { Entry } from '../../core/formats/schemas';
import { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import { toStoredEntry } from '../../core/knowledge/storedEntry';
import { loadBanking77, seededShuffle, toTicket, type LabelledQuery } from './banking77Data';
import { fitLogistic } from './logistic';

const QUERIES_PER_ARTICLE = 10;
const FIT_QUERIES = 3000;

export interface GatePoint {
  features: ArticleFeatures;
  right: boolean;
  /** What the precedent model (the one used before articles had their own) would say. */
  precedentConfidence: number;
}

/** One article per intent, from the first train queries of each intent; returns them and the unused train queries. */
export function banking77Articles(): { articles: Entry[]; unused: LabelledQuery[] } {
  const train = seededShuffle(loadBanking77('train'), 21);
  const used = new Map<string, string[]>();
  const unused: LabelledQuery[] = [];
  for (const q of train) {
    const list = used.get(q.intent) ?? [];
    if (list.length < QUERIES_PER_ARTICLE) {
      list.push(q.text);
      used.set(q.intent, list);
    } else unused.push(q);
  }
  const articles = [...used.entries()].map(([intent, texts]) => ({
    id: `faq-${intent}`,
    kind: 'article' as const,
    title: intent.replace(/_/g, ' '),
    body: texts.join('\n'),
  }));
  return { articles, unused };
}

async function withArticles<T>(articles: readonly Entry[], run: (store: KnowledgeStore) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-article-gate-'));
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  try {
    const now = new Date().toISOString();
    await store.upsert(articles.map((a) => toStoredEntry(a, { status: 'approved', now })));
    await store.flush();
    return await run(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Features and correctness of the best article for each query. */
export async function gatePoints(store: KnowledgeStore, queries: readonly LabelledQuery[]): Promise<GatePoint[]> {
  const points: GatePoint[] = [];
  for (const [i, q] of queries.entries()) {
    const hits = await store.search(buildQuery(toTicket(q, `q-${i}`, false), 0), { limit: 30 });
    const features = articleFeatures(hits);
    if (!features || !hits[0]) continue;
    points.push({ features, right: hits[0].entry.id === `faq-${q.intent}`, precedentConfidence: confidenceOf(confidenceFeatures(hits)!) });
  }
  return points;
}

export interface GateRow {
  threshold: number | 'always';
  shown: number;
  precision: number;
  /** Share of the right answers (always-speak) that the gate still shows. */
  keptRight: number;
}

export function gateTable(points: readonly GatePoint[], weights: Parameters<typeof articleConfidenceOf>[1], thresholds: readonly number[]): GateRow[] {
  const rightAlways = points.filter((p) => p.right).length;
  const row = (threshold: number | 'always'): GateRow => {
    const shown = points.filter((p) => threshold === 'always' || articleConfidenceOf(p.features, weights) >= threshold);
    const right = shown.filter((p) => p.right).length;
    return { threshold, shown: shown.length / Math.max(1, points.length), precision: right / Math.max(1, shown.length), keptRight: right / Math.max(1, rightAlways) };
  };
  return [row('always'), ...thresholds.map(row)];
}

function printTable(title: string, rows: readonly GateRow[]): void {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  console.log(`\n${title}\n| threshold | shown | right when shown | right answers kept |\n|---|---|---|---|`);
  for (const r of rows) console.log(`| ${r.threshold} | ${pct(r.shown)} | ${pct(r.precision)} | ${pct(r.keptRight)} |`);
}

async function main(): Promise<void> {
  const { articles, unused } = banking77Articles();
  let weights: { bias: number; top: number; margin: number; legs: number } = { ...ARTICLE_CONFIDENCE_WEIGHTS };
  await withArticles(articles, async (store) => {
    if (!process.argv.includes('--report')) {
      const fitPoints = await gatePoints(store, seededShuffle(unused, 22).slice(0, FIT_QUERIES));
      const w = fitLogistic(fitPoints.map((p) => [p.features.top, p.features.margin, p.features.legs]), fitPoints.map((p) => (p.right ? 1 : 0)));
      const r2 = (x: number): number => Math.round(x * 100) / 100;
      weights = { bias: r2(w[0]!), top: r2(w[1]!), margin: r2(w[2]!), legs: r2(w[3]!) };
      console.log(`fitted on ${fitPoints.length} held-out train queries (${fitPoints.filter((p) => p.right).length} right at rank 1)`);
      console.log(`ARTICLE_CONFIDENCE_WEIGHTS = { bias: ${weights.bias}, top: ${weights.top}, margin: ${weights.margin}, legs: ${weights.legs} }`);
      printTable('held-out train queries (fit set)', gateTable(fitPoints, weights, [0.3, 0.4, 0.5, 0.6, 0.7]));
    }
    const testPoints = await gatePoints(store, loadBanking77('test'));
    printTable(`BANKING77 test split, ${testPoints.length} queries against 77 articles (threshold ${SHOW_THRESHOLD} is the default)`, gateTable(testPoints, weights, [0.3, 0.4, 0.5, 0.6, 0.7]));
    const oldShown = testPoints.filter((p) => p.precedentConfidence >= SHOW_THRESHOLD).length;
    console.log(`\nthe precedent model on the same articles at ${SHOW_THRESHOLD}: shown ${oldShown} of ${testPoints.length}`);
  });
}

if (process.argv[1]?.endsWith('articleGate.ts')) await main();
