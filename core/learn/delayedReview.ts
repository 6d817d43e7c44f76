/**
 * The delayed review: 20 minutes of further conversation after a suggestion was shown (Vigil's setting; or 20
 * quiet minutes, whichever comes first), the entries it cited are judged against what actually happened, with
 * the conversation before and after the reply: keep, modify (write the corrected entry), retire, or pending
 * (the humans have not answered yet: wait for more conversation). Liked or published answers are always kept. The judge is the local model when one is available (JSON schema, ticket
 * text fenced), else rules; either way the decision is checked by code before anything is written.
 *
 * Time comes from an injected clock, and nothing waits by itself: the app calls `due()` on a timer, tests move
 * the clock.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { peopleNamesIn } from '../text/peopleNames';
import { STOPWORDS, tokenize } from '../text/tokenize';
import { writeFileAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import type { SuggestionEvent } from '../feedback/suggestionEvents';
import { describeZodError } from '../formats/jsonl';
import { isClosedStatus, TicketSchema, type Ticket } from '../formats/schemas';
import type { StoredEntry } from '../knowledge/storedEntry';
import type { LanguageModel } from '../llm/languageModel';
import { buildSafePrompt } from '../llm/promptSafety';
import { PromptRedactor } from '../privacy/promptRedaction';
import { checkEntryQuality, scrubEntryText } from './entryQuality';
import { answerOverlap, SAME_ANSWER_OVERLAP } from './entryMerger';
import { conversationText } from './llmExtractor';
import { resolutionMessage } from './ruleExtractor';

export type Clock = () => Date;

export type ReviewAction = 'keep' | 'modify' | 'retire' | 'pending';

export interface ReviewVerdict {
  entryId: string;
  action: ReviewAction;
  reason: string;
  /** The corrected entry, for `modify`. */
  corrected?: { question?: string; answer: string };
  judge: 'rules' | 'llm' | 'feedback';
}

const PendingSchema = z.object({
  ticketId: z.string().min(1),
  lastActivityAt: z.string(),
  /** When the conversation time being counted started (the first suggestion shown, or the last `pending`). */
  since: z.string().optional(),
  /** How many times the review already waited for more conversation on this ticket. */
  waits: z.number().int().nonnegative().optional(),
  ticket: TicketSchema.nullable(),
});
type Pending = z.infer<typeof PendingSchema>;
const FirstQuestionSchema = z.object({
  ticketId: z.string().min(1),
  /** The id of the conversation's first customer message (Vigil's first-question flag). */
  messageId: z.string().min(1),
  since: z.string(),
  waits: z.number().int().nonnegative().optional(),
  ticket: TicketSchema,
});
type FirstQuestion = z.infer<typeof FirstQuestionSchema>;
const PendingFileSchema = z.object({
  format: z.literal(1),
  pending: z.array(PendingSchema),
  /** Unanswered first questions waiting to be learned during the ticket (absent in older files). */
  firstQuestions: z.array(FirstQuestionSchema).optional(),
});

export function pendingReviewPath(dataDir: string): string {
  return join(dataDir, 'learn', 'review-pending.json');
}

/**
 * Tickets waiting for their delayed review, with the latest snapshot of each. Kept in memory and saved
 * (atomically) by `save()`: a lost pending review only means one ticket's entries are not judged, never that
 * knowledge is lost.
 */
export class DelayedReviewScheduler {
  private readonly pending = new Map<string, Pending>();
  private readonly firstQuestions = new Map<string, FirstQuestion>();

  private constructor(
    private readonly file: string,
    private readonly clock: Clock,
  ) {}

  static async open(dataDir: string, clock: Clock): Promise<DelayedReviewScheduler> {
    const scheduler = new DelayedReviewScheduler(pendingReviewPath(dataDir), clock);
    if (existsSync(scheduler.file)) {
      let raw: unknown;
      try {
        raw = JSON.parse(await readFile(scheduler.file, 'utf8'));
      } catch (err) {
        throw new Error(`${scheduler.file}: not valid JSON (${errorMessage(err)}). Delete it to drop the pending reviews.`);
      }
      const parsed = PendingFileSchema.safeParse(raw);
      if (!parsed.success) {
        const { field, message } = describeZodError(parsed.error);
        throw new Error(`${scheduler.file}: ${field}: ${message}. Delete it to drop the pending reviews.`);
      }
      for (const p of parsed.data.pending) scheduler.pending.set(p.ticketId, p);
      for (const q of parsed.data.firstQuestions ?? []) scheduler.firstQuestions.set(q.ticketId, q);
    }
    return scheduler;
  }

  /**
   * The copilot gave no answer to a conversation's first question (`messageId`): the humans' answer will be
   * learned once the conversation has gone on for the team's delay. Later snapshots update what it sees.
   */
  noteUnansweredFirstQuestion(ticket: Ticket, messageId: string): void {
    const previous = this.firstQuestions.get(ticket.id);
    if (previous && previous.messageId !== messageId) return;
    this.firstQuestions.set(ticket.id, { ticketId: ticket.id, messageId, since: previous?.since ?? this.clock().toISOString(), ...(previous?.waits ? { waits: previous.waits } : {}), ticket });
  }

  /** A newer snapshot of a ticket whose first question is waiting. */
  updateFirstQuestion(ticket: Ticket): void {
    const previous = this.firstQuestions.get(ticket.id);
    if (previous) this.firstQuestions.set(ticket.id, { ...previous, ticket });
  }

  /** First questions whose conversation has gone on for `delayMinutes`, oldest first. */
  firstQuestionsDue(delayMinutes: number): FirstQuestion[] {
    const cutoff = this.clock().getTime() - delayMinutes * 60_000;
    return [...this.firstQuestions.values()].filter((q) => Date.parse(q.since) <= cutoff).sort((a, b) => a.since.localeCompare(b.since));
  }

  /** No human answer yet: look again after another delay. Returns how many times it has waited. */
  waitFirstQuestion(ticketId: string): number {
    const previous = this.firstQuestions.get(ticketId);
    if (!previous) return 0;
    const waits = (previous.waits ?? 0) + 1;
    this.firstQuestions.set(ticketId, { ...previous, since: this.clock().toISOString(), waits });
    return waits;
  }

  doneFirstQuestion(ticketId: string): void {
    this.firstQuestions.delete(ticketId);
  }

  hasFirstQuestion(ticketId: string): boolean {
    return this.firstQuestions.has(ticketId);
  }

  /** Something happened on a ticket (a message, a suggestion, feedback, the close): its quiet time restarts. */
  noteActivity(ticketId: string, snapshot?: Ticket): void {
    const previous = this.pending.get(ticketId);
    const now = this.clock().toISOString();
    this.pending.set(ticketId, {
      ticketId,
      lastActivityAt: now,
      since: previous?.since ?? previous?.lastActivityAt ?? now,
      ...(previous?.waits ? { waits: previous.waits } : {}),
      ticket: snapshot ?? previous?.ticket ?? null,
    });
  }

  /**
   * The review decided to wait for more conversation: the ticket stays pending and its delay counts again from
   * now. Returns how many times it has waited.
   */
  wait(ticketId: string): number {
    const previous = this.pending.get(ticketId);
    if (!previous) return 0;
    const now = this.clock().toISOString();
    const waits = (previous.waits ?? 0) + 1;
    this.pending.set(ticketId, { ...previous, lastActivityAt: now, since: now, waits });
    return waits;
  }

  /** How many times the review waited on this ticket. */
  waits(ticketId: string): number {
    return this.pending.get(ticketId)?.waits ?? 0;
  }

  /**
   * Tickets due for their review, oldest first: `delayMinutes` of further conversation since the suggestion was
   * shown (Vigil's trigger: the conversation may still be going on), or quiet for that long.
   */
  due(delayMinutes: number): Array<{ ticketId: string; ticket: Ticket | null }> {
    const cutoff = this.clock().getTime() - delayMinutes * 60_000;
    return [...this.pending.values()]
      .filter((p) => Date.parse(p.since ?? p.lastActivityAt) <= cutoff)
      .sort((a, b) => a.lastActivityAt.localeCompare(b.lastActivityAt))
      .map((p) => ({ ticketId: p.ticketId, ticket: p.ticket }));
  }

  /** Ids of the tickets waiting for their review. */
  pendingIds(): Set<string> {
    return new Set(this.pending.keys());
  }

  isPending(ticketId: string): boolean {
    return this.pending.has(ticketId);
  }

  done(ticketId: string): void {
    this.pending.delete(ticketId);
  }

  get size(): number {
    return this.pending.size;
  }

  async save(): Promise<void> {
    const firstQuestions = [...this.firstQuestions.values()];
    await writeFileAtomic(this.file, JSON.stringify({ format: 1, pending: [...this.pending.values()], ...(firstQuestions.length ? { firstQuestions } : {}) }));
  }
}

const POSITIVE_KEEP: ReadonlySet<SuggestionEvent['type']> = new Set(['liked', 'published']);
const USED: ReadonlySet<SuggestionEvent['type']> = new Set(['inserted', 'copied']);
const NEGATIVE: ReadonlySet<SuggestionEvent['type']> = new Set(['dismissed', 'disliked']);
/** Dislike reasons that say the entry itself is wrong, not just unhelpful here. */
const WRONG_REASON = /\b(wrong|incorrect|outdated|out of date|obsolete|no longer|deprecated|doesn'?t work|does not work|not true)\b/i;

/** The ticket's own answer, scrubbed, if it meets the quality rules. */
function ticketAnswer(ticket: Ticket | null): string | null {
  if (!ticket) return null;
  const resolution = resolutionMessage(ticket);
  if (!resolution) return null;
  const names = peopleNamesIn(ticket);
  const answer = scrubEntryText(resolution.text, names);
  const issues = checkEntryQuality('placeholder question words', answer, names);
  return issues.length === 0 ? answer : null;
}

/**
 * Feedback that decides on its own: liked or published answers are kept (and so are answers the analyst
 * inserted or copied). Null when feedback alone does not decide.
 */
function verdictFromFeedback(entryId: string, events: readonly SuggestionEvent[]): ReviewVerdict | null {
  const liked = events.find((e) => POSITIVE_KEEP.has(e.type));
  if (liked) return { entryId, action: 'keep', reason: `the analyst ${liked.type} it`, judge: 'feedback' };
  const used = events.find((e) => USED.has(e.type));
  if (used) return { entryId, action: 'keep', reason: `the analyst ${used.type} it`, judge: 'feedback' };
  return null;
}

/** The conversation split at the reply the review is about: what was asked before it, what happened after. */
export interface ConversationSplit {
  before: Ticket['messages'];
  after: Ticket['messages'];
}

/** Splits a ticket's messages at the message the suggestion was shown after (unknown id: all of it is before). */
export function splitAtReply(ticket: Ticket, afterMessageId: string | undefined): ConversationSplit {
  const at = afterMessageId ? ticket.messages.findIndex((m) => m.id === afterMessageId) : -1;
  if (at < 0) return { before: ticket.messages, after: [] };
  return { before: ticket.messages.slice(0, at + 1), after: ticket.messages.slice(at + 1) };
}

/** The share of `own`'s content words that `other` also uses, 0–1 (1 when `own` has none). */
function coverage(own: string, other: string): number {
  const words = new Set(tokenize(own).filter((w) => !STOPWORDS.has(w)));
  if (words.size === 0) return 1;
  const theirs = new Set(tokenize(other));
  let shared = 0;
  for (const w of words) if (theirs.has(w)) shared++;
  return shared / words.size;
}

/**
 * Whether the ticket was about the entry's own question: how much of the entry's question the customer's
 * question or the analyst's answer covers. An analyst who answered about something the entry's question does not
 * mention, on a ticket that asked something else, says the entry was retrieved for the wrong question, not that
 * it is wrong.
 */
function questionFit(entry: StoredEntry, customerQuestion: string, humanAnswer: string): boolean {
  const own = entry.question ?? entry.title ?? '';
  if (!own) return true;
  return Math.max(coverage(own, customerQuestion), coverage(own, humanAnswer)) >= ENTRY_QUESTION_FIT;
}

/**
 * Share of the entry question's content words (more than a third) the ticket must cover to be about it. On the
 * review-loop bench's 200 tickets × 10 entries (BENCHMARKS.md, BANKING77 seed 77; fitted there, not held out),
 * 65% of same-intent pairs reach it and 0.2% of other-intent pairs (Jaccard overlap at 0.2: 50% and 0.2%).
 */
const ENTRY_QUESTION_FIT = 0.34;

/** The review waits at most this many times for more conversation, then judges on what it has (a starting value, not fitted: an hour more at the default delay). */
export const MAX_REVIEW_WAITS = 3;

/**
 * The rule-based judge. `events` are this ticket's events about this entry. Keep unless there is evidence
 * against the entry:
 * - no human answered after the reply yet (and the ticket is open) → pending: wait for more conversation;
 * - the humans resolved it the way the entry says → keep;
 * - a dismissal or dislike and a different resolution, but the entry's own question is not what the ticket was
 *   about → keep: the entry did not fit this question, it is not to blame;
 * - a dismissal or dislike, a different resolution, and the entry's question is the ticket's → modify (a Q&A
 *   gets the ticket's answer);
 * - a dislike saying it is wrong or outdated → retire (reversibly).
 */
export function judgeByRules(
  entry: StoredEntry,
  ticket: Ticket | null,
  events: readonly SuggestionEvent[],
  options: { mayWait?: boolean } = {},
): ReviewVerdict {
  const decided = verdictFromFeedback(entry.id, events);
  if (decided) return decided;
  const negative = events.filter((e) => NEGATIVE.has(e.type));
  const wrong = events.find((e) => e.type === 'disliked' && e.reason && WRONG_REASON.test(e.reason));
  const shownAfter = events.find((e) => e.type === 'shown')?.afterMessageId ?? negative[0]?.afterMessageId;
  const split = ticket ? splitAtReply(ticket, shownAfter) : { before: [], after: [] };
  const humanAfter = split.after.filter((m) => m.author !== 'customer' && !m.internal);
  if (ticket && options.mayWait !== false && !isClosedStatus(ticket.status) && humanAfter.length === 0 && !wrong) {
    return { entryId: entry.id, action: 'pending', reason: 'no one has answered the customer since the suggestion; waiting for more conversation', judge: 'rules' };
  }
  const answer = ticketAnswer(ticket);
  if (answer && answerOverlap(answer, entry.body) >= SAME_ANSWER_OVERLAP) {
    return { entryId: entry.id, action: 'keep', reason: 'the ticket was resolved the way the entry says', judge: 'rules' };
  }
  if (answer && negative.length > 0 && entry.kind === 'qa') {
    const customerQuestion = split.before.filter((m) => m.author === 'customer').map((m) => m.text).join('\n');
    if (!questionFit(entry, customerQuestion, answer)) {
      return {
        entryId: entry.id,
        action: 'keep',
        reason: `the analyst ${negative[0]?.type} it, but answered a question the entry is not about: it did not fit this ticket, it is not wrong`,
        judge: 'rules',
      };
    }
    return {
      entryId: entry.id,
      action: 'modify',
      reason: `the analyst ${negative[0]?.type} it and resolved the same question differently`,
      corrected: { answer },
      judge: 'rules',
    };
  }
  if (wrong) return { entryId: entry.id, action: 'retire', reason: `disliked as "${wrong.reason}"`, judge: 'rules' };
  if (negative.length > 0) {
    return { entryId: entry.id, action: 'keep', reason: `${negative[0]?.type} once, with no better answer on the ticket`, judge: 'rules' };
  }
  return { entryId: entry.id, action: 'keep', reason: 'no evidence against it', judge: 'rules' };
}

export const ReviewOutputSchema = z.object({
  action: z.enum(['keep', 'modify', 'retire', 'pending']),
  reason: z.string(),
  correctedQuestion: z.string().optional(),
  correctedAnswer: z.string().optional(),
});

export const REVIEW_SYSTEM = [
  'You review one knowledge base entry that was suggested to a helpdesk analyst while they worked on a ticket.',
  'You see the conversation before the suggestion, the conversation after it, and the analyst feedback. Decide:',
  'keep: the entry is correct as it is, or it was simply suggested for a question it is not about (not its fault);',
  'modify: the entry is partly wrong or incomplete; write the corrected answer (and question if needed), general and',
  'self-contained, with no names, ticket numbers or dates;',
  'retire: the conversation proves the entry wrong or obsolete; it should no longer be suggested;',
  'pending: the conversation after the suggestion does not show yet whether the entry was right; wait for more.',
  'Answer only with JSON matching the schema.',
].join('\n');

/**
 * The LLM judge; feedback that decides on its own (liked, published, used) is applied first, and anything the
 * model gets wrong (an error, a correction that breaks the quality rules) falls back to the rule-based judge.
 */
export async function judgeWithLlm(
  model: LanguageModel,
  entry: StoredEntry,
  ticket: Ticket | null,
  events: readonly SuggestionEvent[],
  options: { signal?: AbortSignal; timeoutMs?: number; mayWait?: boolean } = {},
): Promise<ReviewVerdict> {
  const decided = verdictFromFeedback(entry.id, events);
  if (decided) return decided;
  const fallback = (): ReviewVerdict => judgeByRules(entry, ticket, events, options.mayWait === false ? { mayWait: false } : {});
  if (!ticket) return fallback();
  const feedback = events.map((e) => `${e.type}${e.reason ? ` (${e.reason})` : ''}`).join(', ') || 'none';
  const redactor = new PromptRedactor(ticket, peopleNamesIn(ticket));
  const parts = splitAtReply(ticket, events.find((e) => e.type === 'shown')?.afterMessageId ?? events[0]?.afterMessageId);
  const { resolution, subject: _subject, ...rest } = ticket;
  const before: Ticket = { ...rest, ...(ticket.subject ? { subject: ticket.subject } : {}), messages: parts.before };
  const after: Ticket = { ...rest, messages: parts.after, ...(resolution ? { resolution } : {}) };
  const prompt = buildSafePrompt(
    { system: REVIEW_SYSTEM, task: `Review the entry against the ticket. Analyst feedback on the suggestion: ${feedback.replace(/[^\w ,()'-]/g, ' ')}.` },
    [
      { label: `entry ${entry.id}`, text: `question: ${entry.question ?? entry.title ?? ''}\nanswer: ${entry.body}` },
      { label: 'conversation before the suggestion', text: conversationText(before, redactor) },
      { label: 'conversation after the suggestion', text: after.messages.length || resolution ? conversationText(after, redactor) : '(nothing yet)' },
    ],
  );
  try {
    const out = await model.generateJson({
      system: prompt.system,
      prompt: prompt.prompt,
      schema: ReviewOutputSchema,
      audit: redactor.auditInfo('review', [entry.id]),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    if (out.action === 'pending' && options.mayWait === false) return fallback();
    if (out.action !== 'modify') return { entryId: entry.id, action: out.action, reason: out.reason, judge: 'llm' };
    const names = peopleNamesIn(ticket);
    const answer = scrubEntryText(out.correctedAnswer ?? '', names);
    const question = out.correctedQuestion ? scrubEntryText(out.correctedQuestion, names) : entry.question ?? '';
    if (entry.kind !== 'qa' || checkEntryQuality(question || 'placeholder question words', answer, names).length > 0) {
      return fallback();
    }
    return {
      entryId: entry.id,
      action: 'modify',
      reason: out.reason,
      corrected: { answer, ...(out.correctedQuestion ? { question } : {}) },
      judge: 'llm',
    };
  } catch {
    return fallback();
  }
}
