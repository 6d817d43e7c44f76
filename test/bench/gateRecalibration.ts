/**
 * The confidence gate recalibrated from feedback, on BANKING77 (benchmark, not a test). The train set is learned
 * as closed tickets; the test set, shuffled, is a stream of new tickets. A simulated analyst reacts to what the
 * gate shows on the first part of the stream (`--feedback` tickets): liked when the shown precedent has the
 * ticket's intent, dismissed when not (scenario `truthful`); `strict` also dislikes 30% of the right ones, `loose`
 * also likes 30% of the wrong ones. The recalibration (core/feedback/gateCalibration.ts) is refitted as those
 * reactions come, and the gate in force decides each ticket of that part. On the rest of the stream (reported, no
 * feedback) the default gate and the recalibrated one decide the same tickets: share shown, share right when shown.
 *
 * Each ticket is decided once by the engine's Assistant with the threshold at 0 (the floors still apply), which
 * gives its gate confidence; the threshold enters the decision only as `confidence < threshold`, so either gate's
 * decision follows from it exactly (an error code named in a title is shown at any threshold, as in the engine).
 * A plain BM25 over the same train queries answers the reported tickets too (always speaking), as a reference.
 *
 *   nice -n 10 npm run bench:gate-recalibration -- [--train N] [--test N] [--feedback N] [--react P] [--seed S]
 *
 * Defaults: the whole train set (10,003) and test set (3,080), feedback on the first 1,000 tickets of the stream,
 * a reaction to every other shown suggestion (`--react 0.5`; the others are left alone, as analysts do).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Assistant } from '../../core/assist/assistant';
import { SHOW_THRESHOLD } from '../../core/assist/confidence';
import { storeSource } from '../../core/assist/knowledgeSource';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { GateCalibration, MAX_SHIFT, shiftedThreshold } from '../../core/feedback/gateCalibration';
import type { SuggestionEvent } from '../../core/feedback/suggestionEvents';
import { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import { learnFromTicket } from '../../core/learn/ticketLearner';
import { loadBanking77, seededRandom, seededShuffle, toTicket, type LabelledQuery } from './banking77Data';
import { Bm25Index } from './bm25Baseline';

/** One stream ticket as the gate sees it. */
interface Decided {
  /** Passed the floors (the gate's model decides); false: silent at any threshold. */
  eligible: boolean;
  confidence: number;
  /** Shown whatever the threshold (an identifier named in the entry's title). */
  forced: boolean;
  right: boolean;
}

type Scenario = 'truthful' | 'strict' | 'loose';
const SCENARIOS: Scenario[] = ['truthful', 'strict', 'loose'];

const shows = (d: Decided, threshold: number): boolean => d.eligible && (d.forced || d.confidence >= threshold);

/** The feedback part under one scenario: the gate in force decides, the analyst reacts; returns the calibration. */
function feedBack(stream: readonly Decided[], scenario: Scenario, react: number, seed: number): { calibration: GateCalibration; shown: number; reactions: number; path: string[] } {
  const calibration = new GateCalibration();
  const whim = seededRandom(seed);
  let shown = 0;
  let reactions = 0;
  const path: string[] = [];
  stream.forEach((d, i) => {
    const threshold = calibration.threshold(SHOW_THRESHOLD);
    if (shows(d, threshold)) {
      shown++;
      const about = { ticketId: `s-${i}`, afterMessageId: '1', entryIds: ['e'], at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() };
      calibration.add({ type: 'shown', ...about, ...(d.forced ? {} : { gateConfidence: d.confidence }) });
      if (whim() < react) {
        const liked = scenario === 'strict' ? d.right && whim() >= 0.3 : scenario === 'loose' ? d.right || whim() < 0.3 : d.right;
        const event: SuggestionEvent = liked ? { type: 'liked', ...about } : { type: 'dismissed', ...about };
        calibration.add(event);
        reactions++;
      }
    }
    if ([99, 249, 499, 999, 1999].includes(i) || i === stream.length - 1) path.push(`${i + 1}: ${calibration.threshold(SHOW_THRESHOLD).toFixed(3)}`);
  });
  return { calibration, shown, reactions, path };
}

function report(stream: readonly Decided[], threshold: number): { shown: number; right: number } {
  const shown = stream.filter((d) => shows(d, threshold));
  return { shown: shown.length / Math.max(1, stream.length), right: shown.filter((d) => d.right).length / Math.max(1, shown.length) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      feedback: { type: 'string', default: '1000' },
      react: { type: 'string', default: '0.5' },
      seed: { type: 'string', default: '7' },
    },
  });
  const seed = Number(values.seed);
  const feedbackPart = Number(values.feedback);
  const react = Number(values.react);
  let train = loadBanking77('train');
  if (values.train) train = seededShuffle(train, seed).slice(0, Number(values.train));
  let stream: LabelledQuery[] = seededShuffle(loadBanking77('test'), seed + 1);
  if (values.test) stream = stream.slice(0, Number(values.test));
  if (feedbackPart >= stream.length) throw new Error(`--feedback ${feedbackPart} leaves no ticket of the ${stream.length} to report on`);
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-gate-recal-'));
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  try {
    const intentOf = new Map<string, string>();
    const entries = train.flatMap((q, i) => {
      intentOf.set(`k-${i}`, q.intent);
      return learnFromTicket(toTicket(q, `k-${i}`, true), 'auto').entries;
    });
    for (let i = 0; i < entries.length; i += 1000) await store.upsert(entries.slice(i, i + 1000));
    await store.flush();
    console.error(`learned ${train.length} train tickets (${((performance.now() - started) / 1000).toFixed(0)} s)`);

    // Threshold 0: every decision past the floors is shown, with its gate confidence.
    const assistant = new Assistant({ sources: [storeSource(store)], showThreshold: () => 0 });
    const decided: Decided[] = [];
    for (const [i, q] of stream.entries()) {
      const d = await assistant.onCustomerMessage(toTicket(q, `n-${i}`, false), 0, performance.now());
      const cited = d.citations[0]?.sourceTicketId ?? '';
      decided.push({ eligible: d.shown, confidence: d.confidence, forced: d.evidence?.identifier === 1, right: intentOf.get(cited) === q.intent });
      if ((i + 1) % 500 === 0) console.error(`decided ${i + 1}/${stream.length}`);
    }
    await assistant.close();

    const fed = decided.slice(0, feedbackPart);
    const reported = decided.slice(feedbackPart);
    const bm25 = new Bm25Index(train.map((q) => q.text));
    const reportedQueries = stream.slice(feedbackPart);
    const bm25Right = reportedQueries.filter((q) => (train[bm25.search(q.text, 1)[0] ?? -1] as LabelledQuery | undefined)?.intent === q.intent).length / reportedQueries.length;
    const base = report(reported, SHOW_THRESHOLD);
    const f3 = (x: number): string => x.toFixed(3);
    console.log(`BANKING77 gate recalibration: ${train.length} train tickets learned; test stream of ${stream.length} (seed ${seed + 1}): feedback on tickets 1-${feedbackPart}, reported on ${feedbackPart + 1}-${stream.length} (${reported.length})`);
    console.log(`analyst reacts to ${react * 100}% of shown suggestions; bound: threshold ${f3(shiftedThreshold(SHOW_THRESHOLD, MAX_SHIFT))}-${f3(shiftedThreshold(SHOW_THRESHOLD, -MAX_SHIFT))}; ${cpus().length} cores, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    console.log('');
    console.log('| analyst | reactions (used / rejected) | threshold | shown, default | shown, recalibrated | right when shown, default | right when shown, recalibrated | shown and right, default / recalibrated | threshold after N tickets |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const scenario of SCENARIOS) {
      const { calibration, path } = feedBack(fed, scenario, react, seed + 100);
      const status = calibration.status(SHOW_THRESHOLD);
      const recal = report(reported, status.threshold);
      const label = scenario === 'truthful' ? 'truthful' : scenario === 'strict' ? 'strict (dislikes 30% of right)' : 'loose (likes 30% of wrong)';
      console.log(
        `| ${label} | ${status.reactions} (${status.used} / ${status.rejected}) | ${f3(status.threshold)} (${status.state}) | ${f3(base.shown)} | ${f3(recal.shown)} | ${f3(base.right)} | ${f3(recal.right)} | ${f3(base.shown * base.right)} / ${f3(recal.shown * recal.right)} | ${path.join(', ')} |`,
      );
    }
    console.log('');
    console.log(`reported tickets: engine right at rank 1 (always speaking) ${f3(reported.filter((d) => d.right).length / reported.length)}, BM25 ${f3(bm25Right)}`);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
