/**
 * The suggestion event log: every thing that happens to a suggestion (shown, expanded, copied, inserted,
 * published, liked, disliked with a reason, dismissed, ignored) appended to `<data folder>/feedback/events.jsonl`,
 * one validated JSON object per line, fsynced before the call returns. The log is append-only: nothing in it is
 * ever rewritten, so per-entry statistics can always be recomputed from it.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { AppendLog } from '../formats/appendLog';
import { describeZodError } from '../formats/jsonl';
import type { LineIssue } from '../formats/lineIssue';

export const SUGGESTION_EVENT_TYPES = [
  'shown',
  'expanded',
  'copied',
  'inserted',
  'published',
  'liked',
  'disliked',
  'dismissed',
  'ignored',
] as const;
export type SuggestionEventType = (typeof SUGGESTION_EVENT_TYPES)[number];

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time');

export const SuggestionEventSchema = z
  .looseObject({
    type: z.enum(SUGGESTION_EVENT_TYPES),
    ticketId: z.string().min(1, 'must not be empty'),
    /** The customer message the suggestion answered (`afterMessageId` of the decision). */
    afterMessageId: z.string().optional(),
    /** The entries the suggestion cited, best first; the first is the one whose text was shown. */
    entryIds: z.array(z.string().min(1)).min(1, 'needs at least one cited entry'),
    at: isoTime,
    /** Who did it: an analyst's name, or `engine` for events the engine records itself (shown, ignored). */
    actor: z.string().optional(),
    /** Why a suggestion was disliked ("wrong", "outdated", "not relevant", free text). */
    reason: z.string().optional(),
    /**
     * The retrieval gate's confidence in the suggestion when it was shown (core/assist/confidence.ts), on `shown`
     * events and on the reactions to them, for recalibrating the gate from feedback (gateCalibration.ts). Absent
     * where the gate did not decide (a model's draft, a rule) and on events recorded before it was kept.
     */
    gateConfidence: z.number().min(0).max(1).optional(),
  })
  .refine((e) => e.type !== 'disliked' || Boolean(e.reason && e.reason.trim()), {
    message: 'a dislike needs a reason',
    path: ['reason'],
  });
export type SuggestionEvent = z.infer<typeof SuggestionEventSchema>;

/** What a front end reports about a suggestion; `at` defaults to now. Validated by `SuggestionEventSchema`. */
export interface FeedbackInput {
  type: SuggestionEventType;
  ticketId: string;
  entryIds: string[];
  afterMessageId?: string;
  at?: string;
  actor?: string;
  reason?: string;
  /** See `SuggestionEventSchema`; the engine fills it in. */
  gateConfidence?: number;
}

/** Where a team's event log lives inside its data folder. */
export function eventLogPath(dataDir: string): string {
  return join(dataDir, 'feedback', 'events.jsonl');
}

/** Append-only, fsynced JSONL log of suggestion events (an AppendLog: torn last lines are ended, never fatal). */
export class SuggestionEventLog {
  private log: Promise<AppendLog<SuggestionEvent>> | null = null;

  constructor(readonly file: string) {}

  /**
   * Validates and appends one event; resolves once it is on disk. An invalid event is refused with the field
   * that is wrong, and nothing is written.
   */
  async append(event: unknown): Promise<SuggestionEvent> {
    const parsed = SuggestionEventSchema.safeParse(event);
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error);
      throw new Error(`Feedback event not recorded: ${field}: ${message}.`);
    }
    this.log ??= AppendLog.open<SuggestionEvent>(this.file);
    await (await this.log).append(parsed.data);
    return parsed.data;
  }

  /** Every event on disk in file order; bad lines (a torn last line after a crash, say) go to `onIssue`. */
  async *read(onIssue: (issue: LineIssue) => void = () => undefined): AsyncGenerator<SuggestionEvent> {
    for await (const { value } of AppendLog.read(this.file, SuggestionEventSchema, onIssue)) yield value;
  }

  async close(): Promise<void> {
    const log = this.log;
    this.log = null;
    if (log) await (await log).close();
  }
}
