/**
 * "Redact before storage" (Settings → Privacy, `privacy.redactBeforeStorage`): what the engine writes to the data
 * folder about a ticket is redacted first, with the same detectors and placeholders as prompts and logs
 * (redaction.ts). What a person sees while the app runs is the live ticket; what lands on disk is this copy
 * (docs/privacy.md, "Redact before storage").
 *
 * A ticket is redacted whole, not field by field from a list: the format allows fields of its own to any tool
 * (a connector's `from` address on a message, a vendor's custom field), and an unknown field must not be the one
 * that keeps an e-mail address. Only the fields that are structure, not content (ids, status, author, times),
 * are kept as they are, since the desk, the watcher and learning find tickets and messages by them.
 */
import type { Ticket } from '../formats/schemas';
import { addCounts, emptyCounts, redact, type RedactionCounts } from './redaction';

/** Ticket fields that are structure, not content: kept, so the ticket is still found and ordered by them. */
const TICKET_STRUCTURE = new Set(['id', 'status', 'createdAt', 'updatedAt', 'messages']);
/** Message fields that are structure: kept, so a message already seen is recognised after a restart. */
const MESSAGE_STRUCTURE = new Set(['id', 'author', 'at', 'internal']);

/**
 * The names to remove from a ticket's text: its requester's and `names` (people the messages name). A name given as
 * a mail address (`"Jonas Berger" <jonas@example.de>`, as the IMAP connector has it) adds its display name, so the
 * whole name becomes one `[NAME]` rather than one per part.
 */
function namesOf(ticket: { requester?: string | undefined }, names: readonly (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const name of [ticket.requester, ...names]) {
    if (typeof name !== 'string' || name.trim() === '') continue;
    const display = /^\s*"?([^"<]*?)"?\s*<[^>]*>\s*$/.exec(name)?.[1]?.trim();
    if (display) out.push(display);
    out.push(name);
  }
  return out;
}

function redactValue(value: unknown, names: readonly string[], counts: RedactionCounts): unknown {
  if (typeof value === 'string') {
    const result = redact(value, { names });
    addCounts(counts, result.counts);
    return result.text;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, names, counts));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, names, counts)]));
  }
  return value;
}

function redactExcept(value: object, keep: ReadonlySet<string>, names: readonly string[], counts: RedactionCounts): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keep.has(k) ? v : redactValue(v, names, counts)]));
}

/**
 * A copy of `ticket` as it may be stored: every text in it (subject, messages, resolution, the requester, tags and
 * any field a connector added) redacted, the requester's name and `names` included; ids, status, authors and times
 * kept. The original is not changed.
 */
export function redactTicketForStorage<T extends Ticket>(
  ticket: T,
  names: readonly (string | null | undefined)[] = [],
): { ticket: T; counts: RedactionCounts } {
  const all = namesOf(ticket, names);
  const counts = emptyCounts();
  const copy = {
    ...redactExcept(ticket, TICKET_STRUCTURE, all, counts),
    messages: ticket.messages.map((m) => redactExcept(m, MESSAGE_STRUCTURE, all, counts)),
  } as unknown as T;
  return { ticket: copy, counts };
}

/** `text` as it may be stored: redacted, with `names` (the ticket's requester, people it names) removed too. */
export function redactTextForStorage(text: string, names: readonly (string | null | undefined)[] = []): string {
  return redact(text, { names: namesOf({}, names) }).text;
}
