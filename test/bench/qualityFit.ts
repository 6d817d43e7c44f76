/**
 * Fits the gate (core/assist/confidence.ts: GATE_WEIGHTS, SIMILARITY_FLOOR, WORDLESS_SIMILARITY_FLOOR) on the fit
 * part of every set, through `vigil replay`'s engine, and prints what to paste and how the gate does on the fit part
 * and on the held-out part, which the fit never sees:
 *
 * | set | fit part | held-out part |
 * |---|---|---|
 * | BANKING77 precedents | 8,000 train queries learned, 2,003 other train queries asked | the same learned, 3,080 test queries asked |
 * | BANKING77 as 77 articles | 2,000 unused train queries asked | 3,080 test queries asked |
 * | DSTC11 | the fit half (split by opening turn) | the held-out half |
 * | ABCD / sample team | ABCD's 3 dialogues against its 55 guideline articles | samples/abcd-team (`npm run demo`) |
 *
 *   npm run fit:gate                # every set, both parts
 *   npm run fit:gate -- --quick     # 2,000 learned + 500 asked, 500, 500 conversations per part, the small sets whole
 *   npm run fit:gate -- --save-points p.json / --points p.json   # keep the replayed evidence / refit it without replaying
 *
 * The sets weigh the same in the fit (each point weighted by 1 / its set's size), so that neither is bought at
 * the other's cost; a set of fewer than FULL_WEIGHT_POINTS points weighs less (see there).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AssistDecision } from '../../core/assist/assistant';
import { GATE_WEIGHTS, gateConfidence, SHOW_THRESHOLD, SIMILARITY_FLOOR, WORDLESS_SIMILARITY_FLOOR, type GateEvidence } from '../../core/assist/confidence';
import { runReplay } from '../../core/app/replay';
import type { Entry } from '../../core/formats/schemas';
import { SAMPLE_TEAM_RIGHT_ANSWERS, sampleTeam } from '../demo/sampleTeam';
import { abcdArticles, abcdTickets } from './abcdData';
import { banking77Articles } from './articleGate';
import { loadBanking77, seededShuffle, toTicket } from './banking77Data';
import { dstc11Conversations, dstc11Entries, dstc11EntityOf } from './dstc11Data';
import { abcdArticleFor } from './gateReport';
import { sigmoid } from './logistic';

/**
 * Every set weighs the same in the fit, except one too small to speak for its kind of store: below FULL_WEIGHT_POINTS
 * points a set weighs n / FULL_WEIGHT_POINTS. ABCD's fit part has 14 points, 1 of them right: at full weight, each
 * of its points weighed as much as 36 of BANKING77's (quick sizes), and the fit silenced 5 of the held-out sample
 * team's 7 right answers (fit:gate --quick, 2026-12-06) on the strength of one data set of three dialogues.
 */
export const FULL_WEIGHT_POINTS = 50;
const setWeight = (points: number): number => Math.min(1, points / FULL_WEIGHT_POINTS);

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

type Part = 'fit' | 'held-out';

/**
 * BANKING77 as learned precedents: `learned` train queries as closed tickets, then `asked` new ones: the next
 * train queries (fit part) or test queries (held-out part).
 */
async function banking77Points(dir: string, part: Part, learned: number, asked: number, seed: number): Promise<FitPoint[]> {
  const train = seededShuffle(loadBanking77('train'), seed);
  const closed = train.slice(0, learned);
  const open = part === 'fit' ? train.slice(learned, learned + asked) : seededShuffle(loadBanking77('test'), seed + 1).slice(0, asked);
  const intentOf = new Map<string, string>();
  closed.forEach((q, i) => intentOf.set(`l-${i}`, q.intent));
  const tickets = [...closed.map((q, i) => toTicket(q, `l-${i}`, true)), ...open.map((q, i) => toTicket(q, `a-${i}`, false))];
  const decisions = await replay(dir, tickets, [], 'auto');
  return decisions
    .filter((d) => d.ticketId.startsWith('a-') && d.evidence)
    .map((d) => ({
      set: 'BANKING77 precedents',
      evidence: d.evidence!,
      right: intentOf.get(d.citations[0]?.sourceTicketId ?? '') === open[Number(d.ticketId.slice(2))]?.intent,
    }));
}

/**
 * An article-only knowledge base (one article per BANKING77 intent, made from train queries), asked other train
 * queries (fit part) or test queries (held-out part).
 */
async function articlePoints(dir: string, part: Part, asked: number, seed: number): Promise<FitPoint[]> {
  const { articles, unused } = banking77Articles();
  const open = seededShuffle(part === 'fit' ? unused : loadBanking77('test'), seed).slice(0, asked);
  const decisions = await replay(dir, open.map((q, i) => toTicket(q, `q-${i}`, false)), articles, 'off');
  return decisions
    .filter((d) => d.evidence)
    .map((d) => ({ set: 'BANKING77 as 77 articles', evidence: d.evidence!, right: d.citations[0]?.entryId === `faq-${open[Number(d.ticketId.slice(2))]?.intent}` }));
}

/** DSTC11, one half of the split by opening turn: the decision after each conversation's last user turn. */
async function dstc11Points(dir: string, part: Part, limit: number | null, seed: number): Promise<FitPoint[]> {
  let conversations = dstc11Conversations().filter((c) => c.part === part);
  if (limit !== null) conversations = seededShuffle(conversations, seed).slice(0, limit);
  const decisions = await replay(dir, conversations.map((c) => c.ticket), dstc11Entries(), 'off');
  const last = new Map<string, AssistDecision>();
  for (const d of decisions) last.set(d.ticketId, d);
  return conversations.flatMap((c) => {
    const d = last.get(c.ticket.id);
    if (!d?.evidence || d.afterMessageId !== String(c.ticket.messages.length)) return [];
    return [{ set: 'DSTC11', evidence: d.evidence, right: c.target && dstc11EntityOf(d.citations[0]?.entryId ?? '') === c.entity }];
  });
}

/**
 * Small article knowledge bases, where each entry is its own answer: ABCD's three dialogues against its 55
 * guideline articles (fit part), and the sample team shipped in samples/abcd-team, 16 of those articles and 6
 * tickets learned as they close (held-out part: `npm run demo`). Every customer message that reached the gate is
 * a point; right when the first citation answers the ticket.
 */
async function smallArticlePoints(dir: string, part: Part): Promise<FitPoint[]> {
  if (part === 'fit') {
    const dialogues = abcdTickets();
    const rightArticle = new Map(dialogues.map((t) => [t.id, abcdArticleFor(t.tags?.[0] ?? '', t.tags?.[1] ?? '')]));
    const decisions = await replay(dir, dialogues, abcdArticles(), 'off');
    return decisions.filter((d) => d.evidence).map((d) => ({ set: 'ABCD / sample team', evidence: d.evidence!, right: d.citations[0]?.entryId === rightArticle.get(d.ticketId) }));
  }
  const team = await sampleTeam();
  const decisions = await replay(dir, team.tickets, team.entries, 'auto');
  return decisions
    .filter((d) => d.evidence)
    .map((d) => ({ set: 'ABCD / sample team', evidence: d.evidence!, right: SAMPLE_TEAM_RIGHT_ANSWERS[d.ticketId]?.includes(d.citations[0]?.entryId ?? '') ?? false }));
}

/** Every set's points for one part. */
export async function gatePoints(dir: string, part: Part, quick: boolean, seed: number): Promise<FitPoint[]> {
  const sub = (name: string): Promise<string> => mkdtemp(join(dir, `${name}-`));
  return [
    ...(await banking77Points(await sub('b'), part, quick ? 2000 : 8000, quick ? 500 : part === 'fit' ? 2003 : 3080, seed)),
    ...(await articlePoints(await sub('a'), part, quick ? 500 : part === 'fit' ? 2000 : 3080, seed)),
    ...(await dstc11Points(await sub('d'), part, quick ? 500 : null, seed)),
    ...(await smallArticlePoints(await sub('s'), part)),
  ];
}

/** The highest floor that keeps at least `keep` of each set's right answers. */
export function floorFor(points: readonly FitPoint[], feature: Exclude<keyof GateEvidence, 'identifier'>, keep: number): number {
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

/** Does the gate with these weights and floors show this point? */
export function gateShows(e: GateEvidence, weights: Record<(typeof FEATURES)[number] | 'bias', number>, floors: Floors): boolean {
  if (e.identifier === 1) return true; // as judgeEvidence: a quoted code in the entry's title is shown
  return e.top >= floors.similarity && (e.coverage > 0 || e.top >= floors.wordless) && gateConfidence(e, weights) >= SHOW_THRESHOLD;
}

interface Floors {
  similarity: number;
  wordless: number;
}

export function printPart(title: string, points: readonly FitPoint[], weights: Record<(typeof FEATURES)[number] | 'bias', number>, floors: Floors): void {
  console.log(`\n${title}`);
  console.log('| set | decisions | right, always speaking | shown at 0.5 | right when shown | right answers kept |');
  console.log('|---|---|---|---|---|---|');
  for (const set of new Set(points.map((p) => p.set))) {
    const ps = points.filter((p) => p.set === set);
    const shown = ps.filter((p) => gateShows(p.evidence, weights, floors));
    const right = ps.filter((p) => p.right).length;
    const shownRight = shown.filter((p) => p.right).length;
    const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
    console.log(`| ${set} | ${ps.length} | ${pct(right / ps.length)} | ${pct(shown.length / ps.length)} | ${pct(shownRight / Math.max(1, shown.length))} | ${pct(shownRight / Math.max(1, right))} |`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, seed: { type: 'string', default: '11' }, 'save-points': { type: 'string' }, points: { type: 'string' } },
  });
  const seed = Number(values.seed);
  let parts: { fit: FitPoint[]; heldOut: FitPoint[] };
  if (values.points) parts = JSON.parse(await readFile(values.points, 'utf8')) as typeof parts;
  else {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-fit-gate-'));
    try {
      parts = { fit: await gatePoints(dir, 'fit', values.quick, seed), heldOut: await gatePoints(dir, 'held-out', values.quick, seed) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (values['save-points']) await writeFile(values['save-points'], JSON.stringify(parts));
  const points = parts.fit;
  const sizes = new Map<string, number>();
  for (const p of points) sizes.set(p.set, (sizes.get(p.set) ?? 0) + 1);
  const w = fitWeightedLogistic(
    points.map((p) => FEATURES.map((f) => p.evidence[f])),
    points.map((p) => (p.right ? 1 : 0)),
    points.map((p) => setWeight(sizes.get(p.set)!) / sizes.get(p.set)!),
    new Set(FEATURES.flatMap((f, j) => (f === 'article' ? [] : [j]))),
  );
  const r = (x: number): number => Math.round(x * 100) / 100;
  const weights = { bias: r(w[0]!), ...Object.fromEntries(FEATURES.map((f, j) => [f, r(w[j + 1]!)])) } as Record<(typeof FEATURES)[number] | 'bias', number>;
  const floors: Floors = {
    similarity: Math.floor(floorFor(points, 'top', FLOOR_KEEP) * 100) / 100,
    wordless: Math.floor(floorFor(points.filter((p) => p.evidence.coverage === 0), 'top', FLOOR_KEEP) * 100) / 100,
  };
  console.log(`GATE_WEIGHTS = ${JSON.stringify(weights).replace(/"/g, '').replace(/,/g, ', ').replace(/:/g, ': ')}`);
  console.log(`SIMILARITY_FLOOR = ${floors.similarity}; WORDLESS_SIMILARITY_FLOOR = ${floors.wordless} (each keeps ≥ ${100 * FLOOR_KEEP}% of every set's right answers)`);
  printPart('Fit part (what the weights and floors were fitted on)', parts.fit, weights, floors);
  printPart('Held-out part (not used for fitting: the report)', parts.heldOut, weights, floors);
  const engine = { weights: GATE_WEIGHTS, floors: { similarity: SIMILARITY_FLOOR, wordless: WORDLESS_SIMILARITY_FLOOR } };
  printPart('Held-out part with the weights and floors in core/assist/confidence.ts now', parts.heldOut, engine.weights, engine.floors);
}

if (process.argv[1]?.endsWith('qualityFit.ts')) await main();
