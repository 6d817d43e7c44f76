/**
 * Learning-curve benchmark on BANKING77 (not a test). Ten intents are held out: the knowledge starts with closed
 * tickets of the other 67 only. Then tickets of the held-out intents close one by one, in 5 seeded orders, and
 * after 0, 25, 50, 100 and 200 of them, new tickets of the held-out intents are asked: is a precedent of the right
 * intent cited first (Recall@1), or among the first five (Recall@5)?
 *
 * Two systems run side by side on the same stream, through the same retrieval pipeline (core/assist):
 *   - learned: the learning loop (core/learn): case + extracted Q&A, quality rules, dedupe/merge, replay policy;
 *   - raw cases: each closed ticket stored as it is, one `case` entry holding the raw conversation.
 *
 * BANKING77 has queries and intents but no answers. A ticket here is the query as the customer's message, an
 * analyst reply "This is about <intent words>." standing for the team's resolution of that intent (the same for
 * every ticket of an intent, as a canned resolution would be), and status closed. With `--dressed`, each customer
 * message also gets a greeting, a sign-off with a (seeded) first name, and the analyst's reply greets them by
 * name: the shape real helpdesk tickets have, which the raw-cases system stores as is.
 *
 * A second section replays the whole loop (the delayed review on the queue's own time) and reports what the review
 * kept, modified and retired, and what that did to later tickets (reviewLoop.ts).
 *
 *   npm run bench:learning-curve -- [--base-per-intent 20] [--eval-per-intent 20] [--orders 5] [--dressed] [--json FILE]
 *                                   [--loop-per-intent 20] [--loop-only]
 *
 * With `--dialogues`, the multi-turn curve on DSTC11 conversations instead (dialogueCurve.ts):
 *
 *   npm run bench:learning-curve -- --dialogues [--limit N] [--json FILE]
 *
 * With `--dialogue-loop`, the review loop on and off on DSTC11 multi-turn tickets (dialogueLoop.ts):
 *
 *   npm run bench:learning-curve -- --dialogue-loop [--limit N] [--json FILE]
 */
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Assistant } from '../../core/assist/assistant';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import type { Ticket } from '../../core/formats/schemas';
import { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import type { StoredEntry } from '../../core/knowledge/storedEntry';
import { closedTicket } from '../core/learn/learnTickets';
import { EntryHistory } from '../../core/knowledge/entryHistory';
import { LearningLoop } from '../../core/learn/learningLoop';
import { DEFAULT_LEARNING_SETTINGS } from '../../core/learn/learningSettings';
import { quantile } from '../../core/text/quantile';
import { loadBanking77, seededShuffle, type LabelledQuery } from './banking77Data';
import { benchmarkDialogueCurve, formatDialogueCurve } from './dialogueCurve';
import { retrievalMetrics } from './retrievalMetrics';
import { benchmarkDialogueLoop, describeDialogueLoop } from './dialogueLoop';
import { benchmarkReviewLoop, describeReviewLoop } from './reviewLoop';

export const CHECKPOINTS = [0, 25, 50, 100, 200] as const;
const HELD_OUT_INTENTS = 10;
const NAMES = ['Ana', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Liam'];

export interface CurvePoint {
  closed: number;
  /** Mean closed tickets per held-out intent at this point. */
  perIntent: number;
  learned: { recallAt1: number; recallAt5: number };
  raw: { recallAt1: number; recallAt5: number };
}

export interface LearningCurveResult {
  heldOut: string[];
  baseTickets: number;
  evalQueries: number;
  orders: number;
  dressed: boolean;
  /** Mean over the orders at each checkpoint. */
  curve: CurvePoint[];
  /** Per order, per checkpoint (for the spread). */
  perOrder: CurvePoint[][];
  /** Time to learn one closed ticket (learned system), over every held-out ticket learned. */
  learnMs: { p50: number; p95: number };
  learned: { entries: number; merges: number; conflicts: number; rejected: number };
  seconds: number;
}

function intentWords(intent: string): string {
  return intent.replace(/_/g, ' ');
}

/** A BANKING77 query as a closed ticket (see the file comment). */
export function benchTicket(query: LabelledQuery, id: string, dressed: boolean, seed: number): Ticket {
  const name = NAMES[seed % NAMES.length] as string;
  const customer = dressed ? `Hello,\n${query.text}\nThanks,\n${name}` : query.text;
  const analyst = `${dressed ? `Hi ${name}, t` : 'T'}his is about ${intentWords(query.intent)}.`;
  return closedTicket(id, customer, analyst, { status: 'closed' });
}

/** The raw-cases baseline's entry: the conversation stored as it is. */
function rawCase(ticket: Ticket, at: string): StoredEntry {
  const customer = ticket.messages.filter((m) => m.author === 'customer').map((m) => m.text).join('\n');
  return {
    id: `case-${ticket.id}`,
    kind: 'case',
    question: customer,
    body: ticket.messages.map((m) => `${m.author}: ${m.text}`).join('\n'),
    source: { type: 'ticket', ref: ticket.id },
    status: 'approved',
    provenance: { sourceTicketIds: [ticket.id], createdAt: at, approvedBy: 'policy:auto', approvedAt: at },
  };
}

interface BenchSystem {
  learn(ticket: Ticket): Promise<void>;
  store: KnowledgeStore;
  close(): Promise<void>;
}

async function openLearned(dir: string, counts: LearningCurveResult['learned'], learnMs: number[] | null): Promise<BenchSystem> {
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  const history = await EntryHistory.open(dir);
  const loop = new LearningLoop(store, history, DEFAULT_LEARNING_SETTINGS);
  return {
    store,
    async learn(ticket) {
      const started = performance.now();
      const outcome = await loop.learn(ticket, 'replay');
      learnMs?.push(performance.now() - started);
      counts.merges += outcome.merged.length;
      counts.conflicts += outcome.conflicts.length;
      counts.rejected += outcome.rejected.length;
    },
    async close() {
      await history.close();
      await store.close();
    },
  };
}

async function openRaw(dir: string): Promise<BenchSystem> {
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  return {
    store,
    learn: (ticket) => store.upsert([rawCase(ticket, '2026-01-01T00:00:00Z')]),
    close: () => store.close(),
  };
}

/** Intents of the cited precedents, best first, for one new ticket. */
async function rankedIntents(assistant: Assistant, query: string, id: string, intentOf: ReadonlyMap<string, string>, dressed: boolean, seed: number): Promise<string[]> {
  const text = dressed ? `Hi,\n${query}\nRegards,\n${NAMES[(seed + 5) % NAMES.length]}` : query;
  const ticket: Ticket = { id, status: 'open', messages: [{ id: '1', author: 'customer', text }] };
  const decision = await assistant.onCustomerMessage(ticket, 0, performance.now());
  assistant.onTicketClosed(id);
  return decision.citations.map((c) => intentOf.get(c.sourceTicketId ?? '') ?? '?');
}

async function copyFolder(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true });
  await unlink(join(to, 'writer.lock')).catch(() => undefined);
}

export async function benchmarkLearningCurve(options: {
  basePerIntent: number;
  evalPerIntent: number;
  orders: number;
  dressed: boolean;
  seed?: number;
  onProgress?: (line: string) => void;
}): Promise<LearningCurveResult> {
  const started = performance.now();
  const seed = options.seed ?? 77;
  const log = options.onProgress ?? (() => undefined);
  const train = loadBanking77('train');
  const test = loadBanking77('test');
  const intents = [...new Set(train.map((q) => q.intent))].sort();
  const heldOut = seededShuffle(intents, seed).slice(0, HELD_OUT_INTENTS).sort();
  const held = new Set(heldOut);

  const intentOf = new Map<string, string>();
  const baseCounts = new Map<string, number>();
  const base: Ticket[] = [];
  seededShuffle(train, seed + 1).forEach((q, i) => {
    if (held.has(q.intent)) return;
    const n = baseCounts.get(q.intent) ?? 0;
    if (n >= options.basePerIntent) return;
    baseCounts.set(q.intent, n + 1);
    const id = `base-${i}`;
    intentOf.set(id, q.intent);
    base.push(benchTicket(q, id, options.dressed, i));
  });
  const evalCounts = new Map<string, number>();
  const evalSet = seededShuffle(test, seed + 2).filter((q) => {
    if (!held.has(q.intent)) return false;
    const n = evalCounts.get(q.intent) ?? 0;
    evalCounts.set(q.intent, n + 1);
    return n < options.evalPerIntent;
  });
  const heldTrain = train.map((q, i) => ({ q, i })).filter(({ q }) => held.has(q.intent));

  const work = await mkdtemp(join(tmpdir(), 'vigil-curve-'));
  const counts = { entries: 0, merges: 0, conflicts: 0, rejected: 0 };
  const learnMs: number[] = [];
  const perOrder: CurvePoint[][] = [];
  try {
    // The 67 known intents, learned once by each system, then copied for every order.
    log(`learning ${base.length} base tickets of ${intents.length - heldOut.length} known intents`);
    const learnedBase = join(work, 'learned-base');
    const rawBase = join(work, 'raw-base');
    for (const [dir, open] of [
      [learnedBase, () => openLearned(learnedBase, { ...counts }, null)],
      [rawBase, () => openRaw(rawBase)],
    ] as const) {
      const system = await open();
      for (const ticket of base) await system.learn(ticket);
      await system.close();
      log(`  ${dir.endsWith('learned-base') ? 'learned' : 'raw'} base ready`);
    }

    for (let order = 0; order < options.orders; order++) {
      const stream = seededShuffle(heldTrain, seed + 100 + order).slice(0, CHECKPOINTS.at(-1));
      stream.forEach(({ q, i }) => intentOf.set(`held-${i}`, q.intent));
      const learned = await (async () => {
        await copyFolder(learnedBase, join(work, `learned-${order}`));
        return openLearned(join(work, `learned-${order}`), counts, learnMs);
      })();
      const raw = await (async () => {
        await copyFolder(rawBase, join(work, `raw-${order}`));
        return openRaw(join(work, `raw-${order}`));
      })();
      const points: CurvePoint[] = [];
      try {
        let closed = 0;
        for (const checkpoint of CHECKPOINTS) {
          for (; closed < checkpoint; closed++) {
            const { q, i } = stream[closed] as { q: LabelledQuery; i: number };
            const ticket = benchTicket(q, `held-${i}`, options.dressed, i);
            await learned.learn(ticket);
            await raw.learn(ticket);
          }
          const expected = evalSet.map((q) => q.intent);
          const score = async (system: BenchSystem): Promise<{ recallAt1: number; recallAt5: number }> => {
            const assistant = new Assistant(system.store);
            const ranked: string[][] = [];
            for (const [k, q] of evalSet.entries()) {
              ranked.push(await rankedIntents(assistant, q.text, `eval-${order}-${checkpoint}-${k}`, intentOf, options.dressed, k));
            }
            const m = retrievalMetrics(expected, ranked);
            return { recallAt1: m.recallAt1, recallAt5: m.recallAt5 };
          };
          const point = { closed: checkpoint, perIntent: checkpoint / HELD_OUT_INTENTS, learned: await score(learned), raw: await score(raw) };
          points.push(point);
          log(`order ${order + 1}/${options.orders}, ${checkpoint} closed: learned R@1 ${point.learned.recallAt1.toFixed(3)} R@5 ${point.learned.recallAt5.toFixed(3)} | raw R@1 ${point.raw.recallAt1.toFixed(3)} R@5 ${point.raw.recallAt5.toFixed(3)}`);
        }
        if (order === 0) {
          for await (const entry of learned.store.entries()) if (entry.kind === 'qa') counts.entries++;
        }
      } finally {
        await learned.close();
        await raw.close();
        await rm(join(work, `learned-${order}`), { recursive: true, force: true });
        await rm(join(work, `raw-${order}`), { recursive: true, force: true });
      }
      perOrder.push(points);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const curve = CHECKPOINTS.map((closed, c) => ({
    closed,
    perIntent: closed / HELD_OUT_INTENTS,
    learned: { recallAt1: mean(perOrder.map((p) => p[c]?.learned.recallAt1 ?? 0)), recallAt5: mean(perOrder.map((p) => p[c]?.learned.recallAt5 ?? 0)) },
    raw: { recallAt1: mean(perOrder.map((p) => p[c]?.raw.recallAt1 ?? 0)), recallAt5: mean(perOrder.map((p) => p[c]?.raw.recallAt5 ?? 0)) },
  }));
  return {
    heldOut,
    baseTickets: base.length,
    evalQueries: evalSet.length,
    orders: options.orders,
    dressed: options.dressed,
    curve,
    perOrder,
    learnMs: { p50: quantile(learnMs, 0.5), p95: quantile(learnMs, 0.95) },
    learned: counts,
    seconds: (performance.now() - started) / 1000,
  };
}

function f(x: number): string {
  return x.toFixed(3);
}

function spread(result: LearningCurveResult, c: number, pick: (p: CurvePoint) => number): string {
  const values = result.perOrder.map((p) => pick(p[c] as CurvePoint));
  return `${f(Math.min(...values))}–${f(Math.max(...values))}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'base-per-intent': { type: 'string', default: '20' },
      'eval-per-intent': { type: 'string', default: '20' },
      orders: { type: 'string', default: '5' },
      dressed: { type: 'boolean', default: false },
      seed: { type: 'string', default: '77' },
      json: { type: 'string' },
      dialogues: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'loop-per-intent': { type: 'string', default: '20' },
      'loop-only': { type: 'boolean', default: false },
      'dialogue-loop': { type: 'boolean', default: false },
    },
  });
  if (values['dialogue-loop']) {
    const result = await benchmarkDialogueLoop({ limit: Number(values.limit ?? 400), onProgress: (line) => console.error(line) });
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    for (const line of describeDialogueLoop(result)) console.log(line);
    if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  if (values.dialogues) {
    const result = await benchmarkDialogueCurve({
      ...(values.limit ? { limit: Number(values.limit) } : {}),
      onProgress: (line) => console.error(line),
    });
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    for (const line of formatDialogueCurve(result)) console.log(line);
    if (values.json) await writeFile(values.json, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const loop = await benchmarkReviewLoop({ perIntent: Number(values['loop-per-intent']), seed: Number(values.seed), onProgress: (line) => console.error(line) });
  if (values['loop-only']) {
    for (const line of describeReviewLoop(loop)) console.log(line);
    if (values.json) await writeFile(values.json, `${JSON.stringify({ loop }, null, 2)}\n`);
    return;
  }
  const result = await benchmarkLearningCurve({
    basePerIntent: Number(values['base-per-intent']),
    evalPerIntent: Number(values['eval-per-intent']),
    orders: Number(values.orders),
    dressed: values.dressed,
    seed: Number(values.seed),
    onProgress: (line) => console.error(line),
  });
  console.log(`BANKING77 learning curve${result.dressed ? ' (dressed tickets)' : ''}: ${result.heldOut.length} held-out intents (${result.heldOut.join(', ')})`);
  console.log(`base: ${result.baseTickets} closed tickets of the other intents; ${result.evalQueries} new tickets asked at each point; ${result.orders} seeded orders (${result.seconds.toFixed(0)} s)`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log('| closed held-out tickets (per intent) | learned R@1 | raw cases R@1 | ratio | learned R@5 | raw cases R@5 | ratio | learned R@1 range over orders |');
  console.log('|---|---|---|---|---|---|---|---|');
  result.curve.forEach((p, c) => {
    const r1 = p.raw.recallAt1 > 0 ? (p.learned.recallAt1 / p.raw.recallAt1).toFixed(3) : '–';
    const r5 = p.raw.recallAt5 > 0 ? (p.learned.recallAt5 / p.raw.recallAt5).toFixed(3) : '–';
    console.log(`| ${p.closed} (${p.perIntent}) | ${f(p.learned.recallAt1)} | ${f(p.raw.recallAt1)} | ${r1} | ${f(p.learned.recallAt5)} | ${f(p.raw.recallAt5)} | ${r5} | ${spread(result, c, (q) => q.learned.recallAt1)} |`);
  });
  console.log(`learning one closed ticket: p50 ${result.learnMs.p50.toFixed(1)} ms, p95 ${result.learnMs.p95.toFixed(1)} ms; searchable as soon as it returns`);
  console.log(`learned system, first order: ${result.learned.entries} Q&A entries; over all orders ${result.learned.merges} merges, ${result.learned.conflicts} conflicts, ${result.learned.rejected} candidates refused by the quality rules`);
  console.log('');
  for (const line of describeReviewLoop(loop)) console.log(line);
  if (values.json) await writeFile(values.json, `${JSON.stringify({ ...result, loop }, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  await main();
}
