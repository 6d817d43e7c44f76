/**
 * The whole loop on a recorded multi-turn queue (part of `npm run bench:learning-curve -- --dialogue-loop`; not a
 * test), the DSTC11 counterpart of reviewLoop.ts. The knowledge starts with the DSTC11 FAQ entries (one Q&A per FAQ
 * of each hotel and restaurant, 2,869 in all); the validation conversations (one per opening, as dialogueCurve.ts
 * reads them) then arrive 30 minutes apart, each turn 3 minutes after the last, the analyst's labelled response
 * closing the ticket. `vigil replay` runs them on the queue's own time, the analyst's recorded reply standing in for
 * their feedback (`--feedback queue`).
 *
 * Measured, with learning from closed tickets off and `auto`, each with the delayed review off and on: at each
 * ticket's last customer turn (the one the labelled response answers), whether an entry holding the right
 * resolution is cited first, or among the first five (a DSTC11 FAQ entry that is one of the ticket's labelled
 * knowledge snippets, or an entry learned from an earlier ticket whose snippets share one with it, as
 * dialogueCurve.ts judges precedents), over the whole stream and its second half (after the loop has had the first
 * half to act); how often a shown answer said what the analyst then said; and what the review kept, modified,
 * retired and waited on, and what was learned during the ticket.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay, type ReplaySummary } from '../../core/app/replay';
import type { AssistDecision } from '../../core/assist/assistant';
import type { Entry, Ticket } from '../../core/formats/schemas';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { Bm25Index } from './bm25Baseline';
import { loadDialogues, type ResolvedDialogue } from './dialogueCurve';
import { DSTC11_DIR } from './dstc11Data';
import { writeReplayInputs } from './reviewLoop';

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
  /** At the last customer turn: right resolution cited first / in the first five; whole stream and second half. */
  right: { at1: number; at5: number; secondHalfAt1: number; secondHalfAt5: number };
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
  /** A plain BM25 over the FAQs and the closed conversations so far, asked with the customer's text at the last turn. */
  bm25: { at1: number; at5: number; secondHalfAt1: number; secondHalfAt5: number };
  runs: DialogueLoopRun[];
}

/** The labelled knowledge key of a DSTC11 FAQ entry (`dstc-hotel-12-faq-3` → `hotel:12:faq:3:`), as dialogueCurve.ts writes keys. */
function faqKey(entryId: string): string | null {
  const m = /^dstc-(\w+)-(\d+)-faq-(\d+)$/.exec(entryId);
  return m ? `${m[1]}:${m[2]}:faq:${m[3]}:` : null;
}

function tally(summary: ReplaySummary, from: number): { compared: number; same: number } {
  const records = summary.perTicket.slice(from);
  return { compared: records.reduce((n, r) => n + r.compared, 0), same: records.reduce((n, r) => n + r.sameAsAnalyst, 0) };
}

/** The same judgement for a plain BM25 over the FAQ entries and every conversation closed before (whole text). */
function bm25Baseline(dialogues: readonly ResolvedDialogue[], entries: readonly Entry[]): DialogueLoopResult['bm25'] {
  const docs: string[] = entries.map((e) => `${e.question ?? ''}\n${e.body}`);
  const keys: Array<ReadonlySet<string>> = entries.map((e) => new Set([faqKey(e.id) ?? '']));
  const right: Array<{ at1: boolean; at5: boolean }> = [];
  for (const dialogue of dialogues) {
    const query = dialogue.turns.filter((t) => t.speaker === 'U').map((t) => t.text).join('\n');
    const ranked = new Bm25Index(docs).search(query, 5);
    const holds = (doc: number): boolean => [...(keys[doc] ?? [])].some((key) => dialogue.resolution.has(key));
    right.push({ at1: ranked.slice(0, 1).some(holds), at5: ranked.some(holds) });
    docs.push([...dialogue.turns.map((t) => t.text), dialogue.response].join('\n'));
    keys.push(dialogue.resolution);
  }
  const half = Math.floor(dialogues.length / 2);
  const share = (xs: typeof right, k: 'at1' | 'at5'): number => xs.filter((x) => x[k]).length / Math.max(1, xs.length);
  return { at1: share(right, 'at1'), at5: share(right, 'at5'), secondHalfAt1: share(right.slice(half), 'at1'), secondHalfAt5: share(right.slice(half), 'at5') };
}

export async function benchmarkDialogueLoop(options: { limit: number; onProgress?: (line: string) => void }): Promise<DialogueLoopResult> {
  const dialogues = loadDialogues().slice(0, options.limit);
  const entries = dstcFaqEntries();
  const start = Date.parse('2026-03-02T08:00:00Z');
  const tickets = dialogues.map((d, i) => timedDialogueTicket(d, start + i * 30 * 60_000));
  const resolutionOf = new Map(dialogues.map((d) => [d.id, d.resolution]));
  // The id of each ticket's last customer message: the turn its labelled response answers.
  const lastTurn = new Map(tickets.map((t) => [t.id, [...t.messages].reverse().find((m) => m.author === 'customer')?.id]));
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-dialogue-loop-'));
  const embedder = new HashedEmbedder();
  try {
    const { knowledge, queue } = await writeReplayInputs(dir, entries, tickets);
    const runs: DialogueLoopRun[] = [];
    for (const learn of ['off', 'auto'] as const) {
      for (const review of ['off', 'on'] as const) {
        options.onProgress?.(`… replaying ${tickets.length} DSTC11 tickets, learning ${learn}, review ${review}`);
        const started = performance.now();
        // The decision (the last one, if the LLM stage also decided) at each ticket's last customer turn.
        const atLastTurn = new Map<string, AssistDecision>();
        const summary = await runReplay({
          tickets: queue,
          knowledge: [knowledge],
          out: join(dir, `out-${learn}-${review}.jsonl`),
          learn,
          review,
          feedback: 'queue',
          embedder,
          onDecision: (d) => {
            if (d.stage !== 'rules' && d.afterMessageId === lastTurn.get(d.ticketId)) atLastTurn.set(d.ticketId, d);
          },
        });
        const rightAt = (dialogue: ResolvedDialogue, k: number): boolean =>
          (atLastTurn.get(dialogue.id)?.citations ?? []).slice(0, k).some((c) => {
            const faq = faqKey(c.entryId);
            if (faq) return dialogue.resolution.has(faq);
            const earlier = c.sourceTicketId ? resolutionOf.get(c.sourceTicketId) : undefined;
            return earlier ? [...earlier].some((key) => dialogue.resolution.has(key)) : false;
          });
        const half = Math.floor(dialogues.length / 2);
        const share = (list: readonly ResolvedDialogue[], k: number): number => list.filter((d) => rightAt(d, k)).length / Math.max(1, list.length);
        runs.push({
          learn,
          review,
          right: { at1: share(dialogues, 1), at5: share(dialogues, 5), secondHalfAt1: share(dialogues.slice(half), 1), secondHalfAt5: share(dialogues.slice(half), 5) },
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
    return { tickets: tickets.length, faqEntries: entries.length, bm25: bm25Baseline(dialogues, entries), runs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The section `bench:learning-curve -- --dialogue-loop` prints. */
export function describeDialogueLoop(result: DialogueLoopResult): string[] {
  const rate = (x: { compared: number; same: number }): string => (x.compared ? `${(x.same / x.compared).toFixed(3)} (${x.same}/${x.compared})` : '–');
  return [
    `Review loop on DSTC11 (replay on the queue's time, --feedback queue): ${result.tickets} multi-turn tickets 30 min apart, turns 3 min apart; knowledge starts with ${result.faqEntries} FAQ Q&A`,
    'Right resolution cited at the last customer turn: first (R@1) and in the first five (R@5), all tickets and second half.',
    '| learning | delayed review | R@1 | R@5 | R@1, second half | R@5, second half | shown | same as analyst, all | same as analyst, second half | kept | modified | retired (review) | waited (pending) | retired (dismissals) | learned at close | learned during the ticket (questions / entries) | s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| BM25 baseline (FAQs + closed conversations) | – | ${result.bm25.at1.toFixed(3)} | ${result.bm25.at5.toFixed(3)} | ${result.bm25.secondHalfAt1.toFixed(3)} | ${result.bm25.secondHalfAt5.toFixed(3)} | – | – | – | – | – | – | – | – | – | – | – |`,
    ...result.runs.map(
      (r) =>
        `| ${r.learn} | ${r.review} | ${r.right.at1.toFixed(3)} | ${r.right.at5.toFixed(3)} | ${r.right.secondHalfAt1.toFixed(3)} | ${r.right.secondHalfAt5.toFixed(3)} | ${r.shown} | ${rate(r.all)} | ${rate(r.secondHalf)} | ${r.kept} | ${r.modified} | ${r.retired} | ${r.pending} | ${r.retiredByFeedback} | ${r.entriesLearned} | ${r.duringTicket.questions} / ${r.duringTicket.entriesLearned} | ${r.seconds.toFixed(0)} |`,
    ),
  ];
}
