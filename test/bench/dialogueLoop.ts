/**
 * The whole loop on a recorded multi-turn queue (part of `npm run bench:learning-curve -- --dialogue-loop`; not a
 * test), the DSTC11 counterpart of reviewLoop.ts. The knowledge starts with the DSTC11 FAQ entries (one Q&A per FAQ
 * of each hotel and restaurant, 2,869 in all); the validation conversations (one per opening, as dialogueCurve.ts
 * reads them) then arrive 30 minutes apart, each turn 3 minutes after the last, the analyst's labelled response
 * closing the ticket. `vigil replay` runs them on the queue's own time, the analyst's recorded reply standing in for
 * their feedback (`--feedback queue`).
 *
 * Measured, with learning from closed tickets off and `auto`, each with the delayed review (and the learning
 * during the ticket it triggers) off and on: how often a shown answer said what the analyst then said, over the
 * whole stream and its second half (after the loop has had the first half to act), and what the review kept,
 * modified, retired and waited on.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay, type ReplaySummary } from '../../core/cli/replay';
import type { Entry, Ticket } from '../../core/formats/schemas';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { DSTC11_DIR, loadDialogues, type ResolvedDialogue } from './dialogueCurve';

type Knowledge = Record<string, Record<string, { name: string; faqs?: Record<string, { question: string; answer: string }> }>>;

/** One Q&A entry per FAQ of every entity (the knowledge a team would have imported before the queue). */
export function dstcFaqEntries(dir: string = DSTC11_DIR): Entry[] {
  const knowledge = JSON.parse(readFileSync(join(dir, 'knowledge.json'), 'utf8')) as Knowledge;
  return Object.entries(knowledge).flatMap(([domain, entities]) =>
    Object.entries(entities).flatMap(([entityId, entity]) =>
      Object.entries(entity.faqs ?? {}).map(([docId, faq]) => ({
        id: `dstc-${domain}-${entityId}-faq-${docId}`,
        kind: 'qa' as const,
        // The FAQ questions say "this location"; the entity's name is what a customer's question carries.
        question: `${entity.name}: ${faq.question}`,
        body: faq.answer,
      })),
    ),
  );
}

/** A conversation as a timed, closed ticket: turns 3 minutes apart, the labelled response last. */
export function timedDialogueTicket(dialogue: ResolvedDialogue, startMs: number): Ticket {
  const turns = [...dialogue.turns.map((t) => ({ author: t.speaker === 'U' ? ('customer' as const) : ('analyst' as const), text: t.text })), { author: 'analyst' as const, text: dialogue.response }];
  return {
    id: dialogue.id,
    status: 'closed',
    messages: turns.map((t, i) => ({ id: String(i + 1), author: t.author, text: t.text, at: new Date(startMs + i * 3 * 60_000).toISOString() })),
  };
}

export interface DialogueLoopRun {
  learn: 'auto' | 'off';
  review: 'on' | 'off';
  shown: number;
  all: { compared: number; same: number };
  secondHalf: { compared: number; same: number };
  kept: number;
  modified: number;
  retired: number;
  pending: number;
  retiredByFeedback: number;
  duringTicket: { questions: number; entriesLearned: number };
  entriesLearned: number;
  seconds: number;
}

export interface DialogueLoopResult {
  tickets: number;
  faqEntries: number;
  runs: DialogueLoopRun[];
}

function tally(summary: ReplaySummary, from: number): { compared: number; same: number } {
  const records = summary.perTicket.slice(from);
  return { compared: records.reduce((n, r) => n + r.compared, 0), same: records.reduce((n, r) => n + r.sameAsAnalyst, 0) };
}

export async function benchmarkDialogueLoop(options: { limit: number; onProgress?: (line: string) => void }): Promise<DialogueLoopResult> {
  const dialogues = loadDialogues().slice(0, options.limit);
  const entries = dstcFaqEntries();
  const start = Date.parse('2026-03-02T08:00:00Z');
  const tickets = dialogues.map((d, i) => timedDialogueTicket(d, start + i * 30 * 60_000));
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-dialogue-loop-'));
  const embedder = new HashedEmbedder();
  try {
    const knowledge = join(dir, 'entries.jsonl');
    const queue = join(dir, 'tickets.jsonl');
    await writeFile(knowledge, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
    await writeFile(queue, `${tickets.map((t) => JSON.stringify(t)).join('\n')}\n`);
    const runs: DialogueLoopRun[] = [];
    for (const learn of ['off', 'auto'] as const) {
      for (const review of ['off', 'on'] as const) {
        options.onProgress?.(`… replaying ${tickets.length} DSTC11 tickets, learning ${learn}, review ${review}`);
        const started = performance.now();
        const summary = await runReplay({ tickets: queue, knowledge: [knowledge], out: join(dir, `out-${learn}-${review}.jsonl`), learn, review, feedback: 'queue', embedder });
        runs.push({
          learn,
          review,
          shown: summary.shown,
          all: { compared: summary.answers.compared, same: summary.answers.sameAsAnalyst },
          secondHalf: tally(summary, Math.floor(tickets.length / 2)),
          kept: summary.review.kept,
          modified: summary.review.modified,
          retired: summary.review.retired,
          pending: summary.review.pending,
          retiredByFeedback: summary.retiredByFeedback,
          duringTicket: summary.duringTicket,
          entriesLearned: summary.entriesLearned,
          seconds: (performance.now() - started) / 1000,
        });
      }
    }
    return { tickets: tickets.length, faqEntries: entries.length, runs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The section `bench:learning-curve -- --dialogue-loop` prints. */
export function describeDialogueLoop(result: DialogueLoopResult): string[] {
  const rate = (x: { compared: number; same: number }): string => (x.compared ? `${(x.same / x.compared).toFixed(3)} (${x.same}/${x.compared})` : '–');
  return [
    `Review loop on DSTC11 (replay on the queue's time, --feedback queue): ${result.tickets} multi-turn tickets 30 min apart, turns 3 min apart; knowledge starts with ${result.faqEntries} FAQ Q&A`,
    '| learning | delayed review | shown | same as analyst, all | same as analyst, second half | kept | modified | retired (review) | waited (pending) | retired (dismissals) | learned at close | learned during the ticket (questions / entries) | s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...result.runs.map(
      (r) =>
        `| ${r.learn} | ${r.review} | ${r.shown} | ${rate(r.all)} | ${rate(r.secondHalf)} | ${r.kept} | ${r.modified} | ${r.retired} | ${r.pending} | ${r.retiredByFeedback} | ${r.entriesLearned} | ${r.duringTicket.questions} / ${r.duringTicket.entriesLearned} | ${r.seconds.toFixed(0)} |`,
    ),
  ];
}
