/**
 * The project's public interchange formats (shared/spec/formats.md, format 1): tickets, knowledge entries and
 * suggestion decisions. One schema library (zod) validates every boundary. Objects are "loose": unknown fields
 * are kept, never an error, because outside tools may add their own.
 */
import { z } from 'zod';

/** Version of the interchange formats written by this build. */
export const FORMAT_VERSION = 1;

const isoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time');
const nonEmpty = z.string().min(1, 'must not be empty');

export const MESSAGE_AUTHORS = ['customer', 'analyst', 'bot', 'system'] as const;
export const TICKET_STATUSES = ['new', 'open', 'pending', 'solved', 'closed'] as const;
export const ENTRY_KINDS = ['article', 'qa', 'case'] as const;
export const SOURCE_TYPES = ['import', 'ticket', 'pack'] as const;
export const SUGGESTION_KINDS = ['answer', 'similar_case', 'article', 'next_step', 'followup', 'alert'] as const;

export const MessageSchema = z.looseObject({
  id: nonEmpty,
  author: z.enum(MESSAGE_AUTHORS),
  text: z.string(),
  at: isoTime.optional(),
  internal: z.boolean().optional(),
});
export type Message = z.infer<typeof MessageSchema>;

export const TicketSchema = z.looseObject({
  id: nonEmpty,
  subject: z.string().optional(),
  status: z.enum(TICKET_STATUSES).default('open'),
  team: z.string().optional(),
  requester: z.string().optional(),
  tags: z.array(z.string()).optional(),
  createdAt: isoTime.optional(),
  updatedAt: isoTime.optional(),
  messages: z.array(MessageSchema).min(1, 'needs at least one message'),
  resolution: z.string().optional(),
});
export type Ticket = z.infer<typeof TicketSchema>;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const EntrySourceSchema = z.looseObject({
  type: z.enum(SOURCE_TYPES),
  ref: z.string().nullable().optional(),
});

export const EntrySchema = z.looseObject({
  id: nonEmpty,
  kind: z.enum(ENTRY_KINDS),
  title: z.string().optional(),
  question: z.string().optional(),
  body: nonEmpty,
  tags: z.array(z.string()).optional(),
  source: EntrySourceSchema.optional(),
  updatedAt: isoTime.optional(),
});
export type Entry = z.infer<typeof EntrySchema>;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const CitationSchema = z.object({
  entryId: z.string(),
  kind: z.enum(ENTRY_KINDS),
  sourceTicketId: z.string().nullable(),
  score: z.number(),
  /** Set when the cited entry comes from an installed knowledge pack (docs/packs.md); absent otherwise. */
  pack: z.object({ name: z.string(), version: z.string() }).optional(),
  /** Set when a long article was matched through one of its passages: which one (0-based) and its text. */
  passage: z.object({ index: z.number().int().min(0), text: z.string() }).optional(),
});
export type Citation = z.infer<typeof CitationSchema>;

/** One decision of the proactive engine: a line of `suggestions.jsonl`, shown or not. */
export const SuggestionSchema = z.object({
  ticketId: z.string(),
  afterMessageId: z.string(),
  shown: z.boolean(),
  reason: z.string(),
  kind: z.enum(SUGGESTION_KINDS),
  text: z.string(),
  confidence: z.number().min(0).max(1),
  citations: z.array(CitationSchema),
  latencyMs: z.number().min(0),
});
export type Suggestion = z.infer<typeof SuggestionSchema>;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

/** True when a ticket in this status is closed: the event the learning loop listens for. */
export function isClosedStatus(status: TicketStatus): boolean {
  return status === 'solved' || status === 'closed';
}
