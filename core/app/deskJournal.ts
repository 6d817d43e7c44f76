/**
 * The desk's journal format (`<dataDir>/desk/journal.jsonl`, one record per line, fsynced, replayed at open) and
 * the copy of a record the journal keeps under "redact before storage" (core/privacy/storageRedaction.ts).
 */
import { z } from 'zod';
import { SuggestionSchema, TicketSchema } from '../formats/schemas';
import { redactTextForStorage, redactTicketForStorage } from '../privacy/storageRedaction';
import { FEEDBACK_ACTIONS } from './deskTypes';

/** A cited entry as the journal keeps it (which citations are sources is worked out when read, deskViews.ts). */
const CitationViewSchema = z.object({
  entryId: z.string(),
  kind: z.enum(['article', 'qa', 'case']),
  sourceTicketId: z.string().nullable(),
  score: z.number(),
  title: z.string().nullable(),
  excerpt: z.string(),
  available: z.boolean(),
});

/** A suggestion as shown on a ticket: its id, when, the decision and its citations. */
export const ShownRecordSchema = z.object({
  id: z.string(),
  at: z.string(),
  suggestion: SuggestionSchema,
  citations: z.array(CitationViewSchema),
});

/** One line of `desk/journal.jsonl`. */
export const RecordSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('event'),
    /** `<ticket id>|<event id>`: ticket ids carry their connector, so keys are unique across connectors. */
    key: z.string(),
    at: z.string(),
    ticket: TicketSchema,
    shown: ShownRecordSchema.nullable(),
    /** Alerts the message raised. */
    alerts: z.array(ShownRecordSchema).default([]),
  }),
  /** Follow-up reminders that fell due on a ticket. */
  z.object({ t: z.literal('rules'), ticketId: z.string(), shown: z.array(ShownRecordSchema) }),
  z.object({
    t: z.literal('feedback'),
    ticketId: z.string(),
    suggestionId: z.string(),
    action: z.enum(FEEDBACK_ACTIONS),
    reason: z.string().optional(),
    at: z.string(),
  }),
  z.object({ t: z.literal('opened'), ticketId: z.string(), at: z.string() }),
  /** The local model's decision for a message: replaces the retrieval suggestion (same id), or withdraws it. */
  z.object({ t: z.literal('draft'), ticketId: z.string(), id: z.string(), shown: ShownRecordSchema.nullable() }),
]);
export type JournalRecord = z.infer<typeof RecordSchema>;
export type ShownRecord = z.infer<typeof ShownRecordSchema>;

/**
 * The journal's copy of a record under "redact before storage": ids, times and actions stay, text is redacted with
 * the names `names` gives (the people the record's ticket names).
 */
export function storableRecord(record: JournalRecord, names: readonly string[]): JournalRecord {
  const text = (value: string): string => redactTextForStorage(value, names);
  const shown = (one: ShownRecord): ShownRecord => ({
    ...one,
    suggestion: { ...one.suggestion, text: text(one.suggestion.text) },
    citations: one.citations.map((c) => ({ ...c, title: c.title === null ? null : text(c.title), excerpt: text(c.excerpt) })),
  });
  switch (record.t) {
    case 'event':
      return {
        ...record,
        ticket: redactTicketForStorage(record.ticket, names).ticket,
        shown: record.shown ? shown(record.shown) : null,
        alerts: record.alerts.map(shown),
      };
    case 'rules':
      return { ...record, shown: record.shown.map(shown) };
    case 'draft':
      return { ...record, shown: record.shown ? shown(record.shown) : null };
    case 'feedback':
      return record.reason === undefined ? record : { ...record, reason: text(record.reason) };
    case 'opened':
      return record;
  }
}
