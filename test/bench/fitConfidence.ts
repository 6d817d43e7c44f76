/**
 * Fits the retrieval-confidence weights (core/assist/confidence.ts) by logistic regression on BANKING77's train
 * set only: a seeded 8,000 queries are learned as closed tickets, the other 2,003 are asked as new ones, and the
 * target is "the best hit's source ticket has the query's intent". The test set is never touched, so the
 * benchmark in runBanking77.ts stays a fair measurement.
 *
 *   npm run fit:confidence
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery } from '../../core/assist/assistant';
import { foldBySourceTicket } from '../../core/assist/citedHits';
import { confidenceFeatures, type ConfidenceFeatures } from '../../core/assist/confidence';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import { sourceTicketOf } from '../../core/knowledge/storedEntry';
import { learnFromTicket } from '../../core/learn/ticketLearner';
import { loadBanking77, seededShuffle, toTicket } from './banking77Data';

const KNOWN = 8000;

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Plain batch gradient descent on the log loss; four weights need nothing more. */
function fitLogistic(xs: readonly number[][], ys: readonly number[], steps = 20000, rate = 0.5): number[] {
  const w = new Array<number>((xs[0]?.length ?? 0) + 1).fill(0);
  for (let step = 0; step < steps; step++) {
    const grad = new Array<number>(w.length).fill(0);
    xs.forEach((x, i) => {
      const z = (w[0] as number) + x.reduce((sum, v, j) => sum + v * (w[j + 1] as number), 0);
      const err = sigmoid(z) - (ys[i] as number);
      grad[0] = (grad[0] as number) + err;
      x.forEach((v, j) => (grad[j + 1] = (grad[j + 1] as number) + err * v));
    });
    for (let j = 0; j < w.length; j++) w[j] = (w[j] as number) - (rate * (grad[j] as number)) / xs.length;
  }
  return w;
}

async function main(): Promise<void> {
  const all = seededShuffle(loadBanking77('train'), 11);
  const known = all.slice(0, KNOWN);
  const asked = all.slice(KNOWN);
  const dir = await mkdtemp(join(tmpdir(), 'vigil-fit-'));
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  try {
    const intentOf = new Map<string, string>();
    const entries = known.flatMap((q, i) => {
      intentOf.set(`k-${i}`, q.intent);
      return learnFromTicket(toTicket(q, `k-${i}`, true), 'auto').entries;
    });
    for (let i = 0; i < entries.length; i += 1000) await store.upsert(entries.slice(i, i + 1000));
    await store.flush();

    const features: ConfidenceFeatures[] = [];
    const labels: number[] = [];
    for (const [i, q] of asked.entries()) {
      const ticket = toTicket(q, `a-${i}`, false);
      const hits = foldBySourceTicket(await store.search(buildQuery(ticket, 0), { limit: 30 }));
      const f = confidenceFeatures(hits);
      if (!f || !hits[0]) continue;
      features.push(f);
      labels.push(intentOf.get(sourceTicketOf(hits[0].entry) ?? '') === q.intent ? 1 : 0);
    }
    const w = fitLogistic(
      features.map((f) => [f.top, f.margin, f.agreement]),
      labels,
    );
    const round = (x: number): number => Math.round(x * 100) / 100;
    console.log(`fitted on ${features.length} held-out train queries (${labels.filter(Boolean).length} right at rank 1)`);
    console.log(`CONFIDENCE_WEIGHTS = { bias: ${round(w[0]!)}, top: ${round(w[1]!)}, margin: ${round(w[2]!)}, agreement: ${round(w[3]!)} }`);
    for (const threshold of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
      let shown = 0;
      let right = 0;
      features.forEach((f, i) => {
        const p = sigmoid(w[0]! + w[1]! * f.top + w[2]! * f.margin + w[3]! * f.agreement);
        if (p >= threshold) {
          shown++;
          right += labels[i] as number;
        }
      });
      console.log(`threshold ${threshold}: shown ${(shown / features.length).toFixed(3)}, precision ${(right / Math.max(1, shown)).toFixed(3)}`);
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
