/**
 * BANKING77 replay benchmark (not a test): the train set is replayed as closed tickets through `vigil replay`'s
 * engine, then the test set as new tickets. A citation is right when its source ticket has the query's intent.
 * In the same run a plain BM25 over the same train queries answers the same test queries (the baseline).
 *
 *   npm run bench:banking77 -- [--train N] [--test N] [--seed S] [--json FILE]
 *
 * Without --train/--test the whole dataset is used (10,003 + 3,080 tickets).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runReplay } from '../../core/app/replay';
import type { PrecedentVote } from '../../core/assist/precedentVote';
import type { Suggestion } from '../../core/formats/schemas';
import { Bm25Index } from './bm25Baseline';
import { loadBanking77, seededShuffle, toTicket, type LabelledQuery } from './banking77Data';
import { retrievalMetrics, type RetrievalMetrics } from './retrievalMetrics';

export interface Banking77Result {
  train: number;
  test: number;
  engine: RetrievalMetrics & {
    speakRate: number;
    shownPrecision: number;
    latencyP50Ms: number;
    latencyP95Ms: number;
  };
  bm25: RetrievalMetrics;
  seconds: number;
}

/** What a fitting script can change in the engine, and see of its decisions. */
export interface Banking77EngineOptions {
  /** The engine's precedent vote (default its own; `null`: none). */
  precedentVote?: PrecedentVote | null;
  /** Called with each test query's decision and the intents of its citations' tickets, best first. */
  onTest?: (index: number, decision: Suggestion | undefined, intents: readonly string[]) => void;
}

/** Replays `train` then `test` and scores both the engine and BM25 on the test tickets. */
export async function benchmarkBanking77(
  train: readonly LabelledQuery[],
  test: readonly LabelledQuery[],
  onProgress: (line: string) => void = () => undefined,
  engineOptions: Banking77EngineOptions = {},
): Promise<Banking77Result> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'vigil-b77-'));
  try {
    const ticketsFile = join(dir, 'tickets.jsonl');
    const intentOf = new Map<string, string>();
    const lines: string[] = [];
    train.forEach((q, i) => {
      const id = `train-${i}`;
      intentOf.set(id, q.intent);
      lines.push(JSON.stringify(toTicket(q, id, true)));
    });
    test.forEach((q, i) => lines.push(JSON.stringify(toTicket(q, `test-${i}`, false))));
    await writeFile(ticketsFile, `${lines.join('\n')}\n`);

    const testDecisions = new Map<string, Suggestion>();
    const summary = await runReplay({
      tickets: ticketsFile,
      out: join(dir, 'suggestions.jsonl'),
      learn: 'auto',
      ...(engineOptions.precedentVote !== undefined ? { precedentVote: engineOptions.precedentVote } : {}),
      onDecision: (s) => {
        if (s.ticketId.startsWith('test-')) testDecisions.set(s.ticketId, s);
      },
      onTicket: (done) => {
        if (done % 1000 === 0) onProgress(`replayed ${done}/${train.length + test.length} tickets`);
      },
    });

    const expected = test.map((q) => q.intent);
    const decisions = test.map((_, i) => testDecisions.get(`test-${i}`));
    const engineRanked = decisions.map((d) => (d?.citations ?? []).map((c) => intentOf.get(c.sourceTicketId ?? '') ?? '?'));
    decisions.forEach((d, i) => engineOptions.onTest?.(i, d, engineRanked[i] ?? []));
    const shown = decisions.filter((d): d is Suggestion => Boolean(d?.shown));
    const shownRight = shown.filter((d) => intentOf.get(d.citations[0]?.sourceTicketId ?? '') === test[Number(d.ticketId.slice(5))]?.intent);

    const bm25 = new Bm25Index(train.map((q) => q.text));
    const bm25Ranked = test.map((q) => bm25.search(q.text, 10).map((doc) => (train[doc] as LabelledQuery).intent));

    return {
      train: train.length,
      test: test.length,
      engine: {
        ...retrievalMetrics(expected, engineRanked),
        speakRate: shown.length / Math.max(1, test.length),
        shownPrecision: shownRight.length / Math.max(1, shown.length),
        latencyP50Ms: summary.latencyMs.p50,
        latencyP95Ms: summary.latencyMs.p95,
      },
      bm25: retrievalMetrics(expected, bm25Ranked),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function pct(x: number): string {
  return x.toFixed(3);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      seed: { type: 'string', default: '7' },
      json: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  let train = loadBanking77('train');
  let test = loadBanking77('test');
  // A subset keeps file order for train (the ticket stream) and samples test uniformly.
  if (values.train) train = seededShuffle(train, seed).slice(0, Number(values.train));
  if (values.test) test = seededShuffle(test, seed + 1).slice(0, Number(values.test));
  const result = await benchmarkBanking77(train, test, (line) => console.error(line));
  const e = result.engine;
  const b = result.bm25;
  console.log(`BANKING77: ${result.train} closed tickets, then ${result.test} new ones (${result.seconds.toFixed(0)} s)`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log('| system | Recall@1 | Recall@5 | MRR@10 |');
  console.log('|---|---|---|---|');
  console.log(`| engine (hybrid, built-in embedder) | ${pct(e.recallAt1)} | ${pct(e.recallAt5)} | ${pct(e.mrr)} |`);
  console.log(`| BM25 baseline | ${pct(b.recallAt1)} | ${pct(b.recallAt5)} | ${pct(b.mrr)} |`);
  console.log(`| ratio engine / BM25 | ${(e.recallAt1 / b.recallAt1).toFixed(3)} | ${(e.recallAt5 / b.recallAt5).toFixed(3)} | ${(e.mrr / b.mrr).toFixed(3)} |`);
  console.log(`gate: shown ${pct(e.speakRate)} of new tickets; right when shown ${pct(e.shownPrecision)} (always-speak: ${pct(e.recallAt1)})`);
  console.log(`decision latency over the whole replay: p50 ${e.latencyP50Ms.toFixed(1)} ms, p95 ${e.latencyP95Ms.toFixed(1)} ms`);
  if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  await main();
}
