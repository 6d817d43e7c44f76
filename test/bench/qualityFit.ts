/**
 * Fits the gate (core/assist/confidence.ts: GATE_WEIGHTS, SIMILARITY_FLOOR, COVERAGE_FLOOR) on the fit parts of
 * several data sets, through `vigil replay`'s engine, and prints what to paste and how the gate does on each part.
 *
 *   npm run fit:gate                # BANKING77 train (8,000 learned, 2,003 asked), the same as 77 articles
 *                                   # (2,000 other train queries asked), DSTC11 fit half
 *   npm run fit:gate -- --quick     # 2,000 + 500, 500, and 500 conversations
 *
 * Nothing here reads BANKING77's test set or DSTC11's held-out half: those are bench:quality's report.
 * The sets weigh the same in the fit (each point weighted by 1 / its set's size), so that neither is bought
 * at the other's cost.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AssistDecision } from '../../core/assist/assistant';
import { gateConfidence, type GateEvidence } from '../../core/assist/confidence';
import { runReplay } from '../../core/cli/replay';
import type { Entry } from '../../core/formats/schemas';
import { banking77Articles } from './articleGate';
import { loadBanking77, seededShuffle, toTicket } from './banking77Data';
import { dstc11Conversations, dstc11Entries, dstc11EntityOf } from './dstc11Data';
import { sigmoid } from './logistic';

/** Floors are guards against nonsense, not the gate: they keep this share of every set's right answers. */
const FLOOR_KEEP = 0.99;
const FEATURES = ['top', 'margin', 'agreement', 'coverage', 'subject', 'article', 'question'] as const;

export interface FitPoint {
  set: string;
  evidence: GateEvidence;
  right: boolean;
}

/**
 * Logistic regression with per-point weights (batch gradient descent on the weighted log loss). Features whose
 * index is in `monotone` keep a weight ≥ 0 (projected gradient): more similarity, margin, agreement or shared words
 * never lowers confidence, even where correlated features would let a free fit trade one against another.
 */
export function fitWeightedLogistic(
  xs: readonly number[][],
  ys: readonly number[],
  weights: readonly number[],
  monotone: ReadonlySet<number> = new Set(),
  steps = 6000,
  rate = 1,
): number[] {
  const w = new Array<number>((xs[0]?.length ?? 0) + 1).fill(0);
  const total = weights.reduce((a, b) => a + b, 0);
  for (let step = 0; step < steps; step++) {
    const grad = new Array<number>(w.length).fill(0);
    xs.forEach((x, i) => {
      const z = w[0]! + x.reduce((sum, v, j) => sum + v * w[j + 1]!, 0);
      const err = (sigmoid(z) - ys[i]!) * weights[i]!;
      grad[0] = grad[0]! + err;
      x.forEach((v, j) => (grad[j + 1] = grad[j + 1]! + err * v));
    });
    for (let j = 0; j < w.length; j++) {
      w[j] = w[j]! - (rate * grad[j]!) / total;
      if (j > 0 && monotone.has(j - 1) && w[j]! < 0) w[j] = 0;
    }
  }
  return w;
}

async function replay(dir: string, tickets: readonly object[], entries: readonly Entry[], learn: 'auto' | 'off'): Promise<AssistDecision[]> {
  const ticketsFile = join(dir, 'tickets.jsonl');
  await writeFile(ticketsFile, `${tickets.map((t) => JSON.stringify(t)).join('\n')}\n`);
  const knowledge = entries.length > 0 ? [join(dir, 'entries.jsonl')] : [];
  if (entries.length > 0) await writeFile(knowledge[0]!, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
  const decisions: AssistDecision[] = [];
  await runReplay({ tickets: ticketsFile, knowledge, learn, out: join(dir, 'out.jsonl'), onDecision: (d) => d.stage === 'retrieval' && decisions.push(d) });
  return decisions;
}

/** BANKING77 train set only: `learned` queries as closed tickets, the next `asked` as new ones. */
async function banking77Points(dir: string, learned: number, asked: number, seed: number): Promise<FitPoint[]> {
  const train = seededShuffle(loadBanking77('train'), seed);
  const closed = train.slice(0, learned);
  const open = train.slice(learned, learned + asked);
  const intentOf = new Map<string, string>();
  closed.forEach((q, i) => intentOf.set(`l-${i}`, q.intent));
  const tickets = [...closed.map((q, i) => toTicket(q, `l-${i}`, true)), ...open.map((q, i) => toTicket(q, `a-${i}`, false))];
  const decisions = await replay(dir, tickets, [], 'auto');
  return decisions
    .filter((d) => d.ticketId.startsWith('a-') && d.evidence)
    .map((d) => ({
      set: 'BANKING77 train',
      evidence: d.evidence!,
      right: intentOf.get(d.citations[0]?.sourceTicketId ?? '') === open[Number(d.ticketId.slice(2))]?.intent,
    }));
}

/** An article-only knowledge base (one article per BANKING77 intent, from train queries) asked other train queries. */
async function articlePoints(dir: string, asked: number, seed: number): Promise<FitPoint[]> {
  const { articles, unused } = banking77Articles();
  const open = seededShuffle(unused, seed).slice(0, asked);
  const decisions = await replay(dir, open.map((q, i) => toTicket(q, `q-${i}`, false)), articles, 'off');
  return decisions
    .filter((d) => d.evidence)
    .map((d) => ({ set: 'BANKING77 train as articles', evidence: d.evidence!, right: d.citations[0]?.entryId === `faq-${open[Number(d.ticketId.slice(2))]?.intent}` }));
}

/** DSTC11 fit half: the decision after each conversation's last user turn. */
async function dstc11Points(dir: string, limit: number | null, seed: number): Promise<FitPoint[]> {
  let conversations = dstc11Conversations().filter((c) => c.part === 'fit');
  if (limit !== null) conversations = seededShuffle(conversations, seed).slice(0, limit);
  const decisions = await replay(dir, conversations.map((c) => c.ticket), dstc11Entries(), 'off');
  const last = new Map<string, AssistDecision>();
  for (const d of decisions) last.set(d.ticketId, d);
  return conversations.flatMap((c) => {
    const d = last.get(c.ticket.id);
    if (!d?.evidence || d.afterMessageId !== String(c.ticket.messages.length)) return [];
    return [{ set: 'DSTC11 fit', evidence: d.evidence, right: c.target && dstc11EntityOf(d.citations[0]?.entryId ?? '') === c.entity }];
  });
}

/** The highest floor that keeps at least `keep` of each set's right answers. */
export function floorFor(points: readonly FitPoint[], feature: keyof GateEvidence, keep: number): number {
  const sets = [...new Set(points.map((p) => p.set))];
  return Math.min(
    ...sets.map((set) => {
      const values = points
        .filter((p) => p.set === set && p.right)
        .map((p) => p.evidence[feature])
        .sort((a, b) => a - b);
      return values[Math.floor((1 - keep) * values.length)] ?? 0;
    }),
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, seed: { type: 'string', default: '11' }, 'save-points': { type: 'string' }, points: { type: 'string' } },
  });
  const seed = Number(values.seed);
  let points: FitPoint[];
  if (values.points) points = JSON.parse(await readFile(values.points, 'utf8')) as FitPoint[];
  else {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-fit-gate-'));
    try {
      points = [
        ...(await banking77Points(await mkdtemp(join(dir, 'b-')), values.quick ? 2000 : 8000, values.quick ? 500 : 2003, seed)),
        ...(await articlePoints(await mkdtemp(join(dir, 'a-')), values.quick ? 500 : 2000, seed)),
        ...(await dstc11Points(await mkdtemp(join(dir, 'd-')), values.quick ? 500 : null, seed)),
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (values['save-points']) await writeFile(values['save-points'], JSON.stringify(points));
  const sizes = new Map<string, number>();
  for (const p of points) sizes.set(p.set, (sizes.get(p.set) ?? 0) + 1);
  const w = fitWeightedLogistic(
    points.map((p) => FEATURES.map((f) => p.evidence[f])),
    points.map((p) => (p.right ? 1 : 0)),
    points.map((p) => 1 / sizes.get(p.set)!),
    new Set(FEATURES.flatMap((f, j) => (f === 'article' ? [] : [j]))),
  );
  const r = (x: number): number => Math.round(x * 100) / 100;
  const weights = { bias: r(w[0]!), ...Object.fromEntries(FEATURES.map((f, j) => [f, r(w[j + 1]!)])) } as Record<(typeof FEATURES)[number] | 'bias', number>;
  const similarityFloor = Math.floor(floorFor(points, 'top', FLOOR_KEEP) * 100) / 100;
  const wordless = points.filter((p) => p.evidence.coverage === 0);
  const wordlessFloor = Math.floor(floorFor(wordless, 'top', FLOOR_KEEP) * 100) / 100;
  console.log(`GATE_WEIGHTS = ${JSON.stringify(weights).replace(/"/g, '').replace(/,/g, ', ').replace(/:/g, ': ')}`);
  console.log(`SIMILARITY_FLOOR = ${similarityFloor}; WORDLESS_SIMILARITY_FLOOR = ${wordlessFloor} (each keeps ≥ ${100 * FLOOR_KEEP}% of every set's right answers)`);
  console.log('| fit part | decisions | right, always speaking | shown at 0.5 | right when shown | right answers kept |');
  console.log('|---|---|---|---|---|---|');
  for (const set of sizes.keys()) {
    const ps = points.filter((p) => p.set === set);
    const shown = ps.filter(
      (p) => p.evidence.top >= similarityFloor && (p.evidence.coverage > 0 || p.evidence.top >= wordlessFloor) && gateConfidence(p.evidence, weights) >= 0.5,
    );
    const right = ps.filter((p) => p.right).length;
    const shownRight = shown.filter((p) => p.right).length;
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    console.log(`| ${set} | ${ps.length} | ${pct(right / ps.length)} | ${pct(shown.length / ps.length)} | ${pct(shownRight / Math.max(1, shown.length))} | ${pct(shownRight / Math.max(1, right))} |`);
  }
}

if (process.argv[1]?.endsWith('qualityFit.ts')) await main();
