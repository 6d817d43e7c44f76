/**
 * The whole loop on a recorded queue, through `vigil replay` on the queue's own time (part of
 * `npm run bench:learning-curve`; not a test). BANKING77: ten intents each have one Q&A entry in the knowledge,
 * and for four of them the entry is outdated (it gives another intent's answer). Then tickets of those intents
 * arrive 30 minutes apart; the analyst answers each five minutes later with the team's resolution of the intent
 * ("This is about <intent words>.", as in learningCurve.ts). The analyst's recorded reply stands in for their
 * feedback (`--feedback queue`), and the delayed review runs once a ticket has been quiet for 20 minutes of the
 * recording.
 *
 * Measured: how often a shown answer said what the analyst said, on the second half of the stream (after the
 * review has had the first half to act), with the review on and off, with learning from closed tickets off (the
 * review alone) and on (the review beside learning). And what the review kept, modified, retired and waited on,
 * and what was learned during the ticket. With learning off, nothing is approved on the analyst's behalf, so a
 * correction the review writes waits in the review queue (the team's default policy, `review: always`) while the
 * entry keeps serving as it was.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay, type ReplaySummary } from '../../core/app/replay';
import type { Entry, Ticket } from '../../core/formats/schemas';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { loadBanking77, seededShuffle } from './banking77Data';

const INTENTS = 10;
const OUTDATED = 4;

export interface LoopRun {
  learn: 'auto' | 'off';
  review: 'on' | 'off';
  /** Shown answers the queue could check, and how many said what the analyst said: whole stream, second half. */
  all: { compared: number; same: number };
  secondHalf: { compared: number; same: number };
  kept: number;
  modified: number;
  retired: number;
  retiredByFeedback: number;
  /** Times the review waited for more conversation. */
  pending: number;
  /** First questions learned during their ticket, and the Q&A entries that gave. */
  duringTicket: { questions: number; entriesLearned: number };
  /** Modifications that gave an entry its own intent's answer (a fix), and those that gave it another's (damage). */
  modifiedToRight: number;
  modifiedToWrong: number;
}

export interface LoopResult {
  intents: string[];
  outdated: string[];
  tickets: number;
  runs: LoopRun[];
}

function words(intent: string): string {
  return intent.replace(/_/g, ' ');
}

function resolution(intent: string): string {
  return `This is about ${words(intent)}.`;
}

/** The knowledge and the timed queue (see the file comment). */
export function loopData(perIntent: number, seed: number): { entries: Entry[]; tickets: Ticket[]; intents: string[]; outdated: string[] } {
  const train = loadBanking77('train');
  const test = loadBanking77('test');
  const intents = seededShuffle([...new Set(train.map((q) => q.intent))].sort(), seed).slice(0, INTENTS);
  const outdated = intents.slice(0, OUTDATED);
  const entries: Entry[] = intents.map((intent, i) => {
    const question = train.find((q) => q.intent === intent)!.text;
    // An outdated entry answers with the next intent's resolution: plausible, and wrong.
    const answer = i < OUTDATED ? resolution(intents[(i + 1) % INTENTS]!) : resolution(intent);
    return { id: `kb-${intent.replace(/_/g, '-')}`, kind: 'qa', question, body: answer };
  });
  const queries = seededShuffle(
    intents.flatMap((intent) => test.filter((q) => q.intent === intent).slice(0, perIntent)),
    seed + 1,
  );
  const start = Date.parse('2026-03-02T08:00:00Z');
  const tickets: Ticket[] = queries.map((q, i) => ({
    id: `L-${i + 1}`,
    status: 'closed',
    messages: [
      { id: '1', author: 'customer', text: q.text, at: new Date(start + i * 30 * 60_000).toISOString() },
      { id: '2', author: 'analyst', text: resolution(q.intent), at: new Date(start + i * 30 * 60_000 + 5 * 60_000).toISOString() },
    ],
  }));
  return { entries, tickets, intents, outdated };
}

function tally(summary: ReplaySummary, from: number): { compared: number; same: number } {
  const records = summary.perTicket.slice(from);
  return { compared: records.reduce((n, r) => n + r.compared, 0), same: records.reduce((n, r) => n + r.sameAsAnalyst, 0) };
}

/** Writes a replay's starting knowledge and its queue as JSON Lines in `dir`; answers their paths. */
export async function writeReplayInputs(dir: string, entries: readonly Entry[], tickets: readonly Ticket[]): Promise<{ knowledge: string; queue: string }> {
  const knowledge = join(dir, 'entries.jsonl');
  const queue = join(dir, 'tickets.jsonl');
  await writeFile(knowledge, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
  await writeFile(queue, `${tickets.map((t) => JSON.stringify(t)).join('\n')}\n`);
  return { knowledge, queue };
}

/** Whether each modification wrote the entry's own intent's resolution (entries learned from tickets are not counted). */
function judgeModifications(summary: ReplaySummary, intentOf: ReadonlyMap<string, string>): { modifiedToRight: number; modifiedToWrong: number } {
  let right = 0;
  let wrong = 0;
  for (const v of summary.review.verdicts) {
    const intent = intentOf.get(v.entryId);
    if (v.action !== 'modify' || !intent || !v.corrected) continue;
    if (v.corrected.answer === resolution(intent)) right++;
    else wrong++;
  }
  return { modifiedToRight: right, modifiedToWrong: wrong };
}

export async function benchmarkReviewLoop(options: { perIntent: number; seed: number; onProgress?: (line: string) => void }): Promise<LoopResult> {
  const { entries, tickets, intents, outdated } = loopData(options.perIntent, options.seed);
  const intentOf = new Map(intents.map((intent) => [`kb-${intent.replace(/_/g, '-')}`, intent]));
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-loop-'));
  const embedder = new HashedEmbedder();
  try {
    const { knowledge, queue } = await writeReplayInputs(dir, entries, tickets);
    const runs: LoopRun[] = [];
    for (const learn of ['off', 'auto'] as const) {
      for (const review of ['off', 'on'] as const) {
        options.onProgress?.(`… replaying ${tickets.length} tickets, learning ${learn}, review ${review}`);
        const summary = await runReplay({ tickets: queue, knowledge: [knowledge], out: join(dir, `out-${learn}-${review}.jsonl`), learn, review, feedback: 'queue', embedder });
        runs.push({
          learn,
          review,
          all: { compared: summary.answers.compared, same: summary.answers.sameAsAnalyst },
          secondHalf: tally(summary, Math.floor(tickets.length / 2)),
          kept: summary.review.kept,
          modified: summary.review.modified,
          retired: summary.review.retired,
          retiredByFeedback: summary.retiredByFeedback,
          pending: summary.review.pending,
          duringTicket: summary.duringTicket,
          ...judgeModifications(summary, intentOf),
        });
      }
    }
    return { intents, outdated, tickets: tickets.length, runs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The section `bench:learning-curve` prints. */
export function describeReviewLoop(result: LoopResult): string[] {
  const rate = (x: { compared: number; same: number }): string => (x.compared ? `${(x.same / x.compared).toFixed(3)} (${x.same}/${x.compared})` : '–');
  return [
    `Review loop (replay on the queue's time, --feedback queue): ${result.tickets} BANKING77 tickets of ${result.intents.length} intents, 30 min apart; ${result.outdated.length} intents start with an outdated entry (${result.outdated.join(', ')})`,
    'With learning off, corrections wait for approval beside the serving entry; with learning auto, replay approves them (and learns unanswered first questions during the ticket).',
    '| learning | delayed review | same as analyst, all | same as analyst, second half | kept | modified (fixed / damaged a seeded entry) | retired (review) | waited (pending) | retired (dismissals) | learned during the ticket (questions / entries) |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...result.runs.map(
      (r) =>
        `| ${r.learn} | ${r.review} | ${rate(r.all)} | ${rate(r.secondHalf)} | ${r.kept} | ${r.modified} (${r.modifiedToRight} / ${r.modifiedToWrong}) | ${r.retired} | ${r.pending} | ${r.retiredByFeedback} | ${r.duringTicket.questions} / ${r.duringTicket.entriesLearned} |`,
    ),
  ];
}
