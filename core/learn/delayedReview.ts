/**
 * The delayed review: some time after a ticket goes quiet (default 20 minutes), the entries its suggestions
 * cited are judged against what actually happened: keep, modify (write the corrected entry) or retire. Liked or
 * published answers are always kept. The judge is the local model when one is available (JSON schema, ticket
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
import { writeFileAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import type { SuggestionEvent } from '../feedback/suggestionEvents';
import { describeZodError } from '../formats/jsonl';
import { TicketSchema, type Ticket } from '../formats/schemas';
import type { StoredEntry } from '../knowledge/storedEntry';
import type { LanguageModel } from '../llm/languageModel';
import { buildSafePrompt } from '../llm/promptSafety';
import { PromptRedactor } from '../privacy/promptRedaction';
import { checkEntryQuality, scrubEntryText } from './entryQuality';
import { answerOverlap, SAME_ANSWER_OVERLAP } from './entryMerger';
import { conversationText } from './llmExtractor';
import { resolutionMessage } from './ruleExtractor';

export type Clock = () => Date;

export type ReviewAction = 'keep' | 'modify' | 'retire';

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
  ticket: TicketSchema.nullable(),
});
type Pending = z.infer<typeof PendingSchema>;
const PendingFileSchema = z.object({ format: z.literal(1), pending: z.array(PendingSchema) });

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
    }
    return scheduler;
  }

  /** Something happened on a ticket (a message, a suggestion, feedback, the close): its quiet time restarts. */
  noteActivity(ticketId: string, snapshot?: Ticket): void {
    const previous = this.pending.get(ticketId);
    this.pending.set(ticketId, {
      ticketId,
      lastActivityAt: this.clock().toISOString(),
      ticket: snapshot ?? previous?.ticket ?? null,
    });
  }

  /** Tickets quiet for at least `delayMinutes`, oldest first. */
  due(delayMinutes: number): Array<{ ticketId: string; ticket: Ticket | null }> {
    const cutoff = this.clock().getTime() - delayMinutes * 60_000;
    return [...this.pending.values()]
      .filter((p) => Date.parse(p.lastActivityAt) <= cutoff)
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
    await writeFileAtomic(this.file, JSON.stringify({ format: 1, pending: [...this.pending.values()] }));
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

/**
 * The rule-based judge. `events` are this ticket's events about this entry. Keep unless there is evidence
 * against the entry: a dismissal or dislike plus a different resolution on the ticket → modify (a Q&A gets the
 * ticket's answer); a dislike saying it is wrong or outdated and no usable resolution → retire.
 */
export function judgeByRules(entry: StoredEntry, ticket: Ticket | null, events: readonly SuggestionEvent[]): ReviewVerdict {
  const decided = verdictFromFeedback(entry.id, events);
  if (decided) return decided;
  const negative = events.filter((e) => NEGATIVE.has(e.type));
  const wrong = events.find((e) => e.type === 'disliked' && e.reason && WRONG_REASON.test(e.reason));
  const answer = ticketAnswer(ticket);
  if (answer && answerOverlap(answer, entry.body) >= SAME_ANSWER_OVERLAP) {
    return { entryId: entry.id, action: 'keep', reason: 'the ticket was resolved the way the entry says', judge: 'rules' };
  }
  if (answer && negative.length > 0 && entry.kind === 'qa') {
    return {
      entryId: entry.id,
      action: 'modify',
      reason: `the analyst ${negative[0]?.type} it and resolved the ticket differently`,
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
  action: z.enum(['keep', 'modify', 'retire']),
  reason: z.string(),
  correctedQuestion: z.string().optional(),
  correctedAnswer: z.string().optional(),
});

export const REVIEW_SYSTEM = [
  'You review one knowledge base entry that was suggested to a helpdesk analyst while they worked on a ticket.',
  'Given the conversation and the analyst feedback, decide:',
  'keep: the entry is correct and useful as it is;',
  'modify: the entry is partly wrong or incomplete; write the corrected answer (and question if needed), general and',
  'self-contained, with no names, ticket numbers or dates;',
  'retire: the entry is wrong or obsolete and should no longer be suggested.',
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
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ReviewVerdict> {
  const decided = verdictFromFeedback(entry.id, events);
  if (decided) return decided;
  if (!ticket) return judgeByRules(entry, ticket, events);
  const feedback = events.map((e) => `${e.type}${e.reason ? ` (${e.reason})` : ''}`).join(', ') || 'none';
  const redactor = new PromptRedactor(ticket, peopleNamesIn(ticket));
  const prompt = buildSafePrompt(
    { system: REVIEW_SYSTEM, task: `Review the entry against the ticket. Analyst feedback on the suggestion: ${feedback.replace(/[^\w ,()'-]/g, ' ')}.` },
    [
      { label: `entry ${entry.id}`, text: `question: ${entry.question ?? entry.title ?? ''}\nanswer: ${entry.body}` },
      { label: 'ticket', text: conversationText(ticket, redactor) },
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
    if (out.action !== 'modify') return { entryId: entry.id, action: out.action, reason: out.reason, judge: 'llm' };
    const names = peopleNamesIn(ticket);
    const answer = scrubEntryText(out.correctedAnswer ?? '', names);
    const question = out.correctedQuestion ? scrubEntryText(out.correctedQuestion, names) : entry.question ?? '';
    if (entry.kind !== 'qa' || checkEntryQuality(question || 'placeholder question words', answer, names).length > 0) {
      return judgeByRules(entry, ticket, events);
    }
    return {
      entryId: entry.id,
      action: 'modify',
      reason: out.reason,
      corrected: { answer, ...(out.correctedQuestion ? { question } : {}) },
      judge: 'llm',
    };
  } catch {
    return judgeByRules(entry, ticket, events);
  }
}
