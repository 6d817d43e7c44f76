/**
 * What the HTTP helpdesk connectors share once a vendor's payload is read: ticket ids prefixed by the connector,
 * the spec's ticket built and checked, the ticket's events with stable ids, and cursors encoded as JSON.
 *
 * The connectors are stateless between calls: every time a ticket shows up as updated, all of its events are
 * produced again with the same ids, and the watcher drops those it has already committed. Event ids:
 * `<ticketId>/opened`, `<ticketId>/message/<messageId>`, `<ticketId>/status/<status>/<since>`,
 * `<ticketId>/closed/<since>`, where `<since>` is when the ticket entered that status (the vendor's own
 * timestamp where it has one, otherwise the ticket's last update).
 */
import { z } from 'zod';
import { isClosedStatus, TicketSchema, type Message, type Ticket, type TicketStatus } from '../formats/schemas';
import { ConnectorError, type TicketEvent } from './connector';
import { describeSchemaError } from './http';
import { log } from '../privacy/redactingLogger';

/** Connector ids double as ticket id prefixes: `rt-main:42`. */
export const CONNECTOR_ID = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use lower-case letters, digits, "-" and "_" (such as rt-main)');

/**
 * The settings every HTTP helpdesk connector starts with, in this order (a settings error names the first bad
 * one): its id, its kind, and the service's web address (`baseUrl`).
 */
export function helpdeskIdentity<K extends string>(kind: K) {
  return { id: CONNECTOR_ID, kind: z.literal(kind).default(kind), baseUrl: z.url() };
}

/** Where a first sync starts (ISO 8601); default 30 days back (`firstSyncStart`). */
export const START_AT = z.iso.datetime({ offset: true }).optional();

/** A time as a vendor writes it (ISO 8601, with or without zone); checked so a bad one names its field. */
export const VendorTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be a date and time');

/** `<connectorId>:<native id>` */
export function prefixedTicketId(connectorId: string, nativeId: string | number): string {
  return `${connectorId}:${nativeId}`;
}

/** The vendor's own id back from a prefixed ticket id; a `config` error when the ticket is another connector's. */
export function nativeTicketId(connectorId: string, ticketId: string): string {
  const prefix = `${connectorId}:`;
  if (!ticketId.startsWith(prefix) || ticketId.length === prefix.length) {
    throw new ConnectorError(`Ticket "${ticketId}" does not belong to the connector "${connectorId}".`, 'config');
  }
  return ticketId.slice(prefix.length);
}

export interface HelpdeskTicket {
  nativeId: string | number;
  subject?: string;
  status: TicketStatus;
  /** When the ticket entered `status`, if the helpdesk says; otherwise `updatedAt` stands in. */
  statusSince?: string;
  team?: string;
  requester?: string;
  tags?: string[];
  createdAt: string;
  updatedAt: string;
  messages: Message[];
  resolution?: string;
  /** Vendor fields kept beside the spec's (unknown fields are allowed by the format). */
  extra?: Record<string, unknown>;
}

/** ISO 8601 in UTC with seconds (`2026-03-01T09:00:00Z`, or with milliseconds when the source has them). */
export function isoTime(value: string | number | Date): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`not a time: ${String(value)}`);
  return d.toISOString().replace('.000Z', 'Z');
}

/**
 * The spec's ticket plus its events, oldest first: opened, one per message (each carrying the ticket as it stood
 * after that message), then the current status. A ticket with no message at all gets its subject as the first
 * customer message (a Jira request with only a summary), because the format needs one; with neither, no events.
 */
export function ticketEvents(connectorId: string, source: HelpdeskTicket): TicketEvent[] {
  const ticketId = prefixedTicketId(connectorId, source.nativeId);
  const seen = new Set<string>();
  const messages = [...source.messages]
    .filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)))
    .map((m, index) => ({ m, index }))
    // Stable: messages with the same time (or none) keep the helpdesk's order.
    .sort((a, b) => (Date.parse(a.m.at ?? '') || 0) - (Date.parse(b.m.at ?? '') || 0) || a.index - b.index)
    .map(({ m }) => m);
  if (messages.length === 0) {
    if (!source.subject?.trim()) return [];
    messages.push({ id: 'subject', author: 'customer', text: source.subject, at: source.createdAt });
  }

  const parsed = TicketSchema.safeParse({
    ...source.extra,
    id: ticketId,
    subject: source.subject,
    status: source.status,
    team: source.team,
    requester: source.requester,
    tags: source.tags,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
    messages,
    resolution: source.resolution,
  });
  if (!parsed.success) {
    throw new ConnectorError(`Ticket ${ticketId} does not fit the ticket format: ${describeSchemaError(parsed.error)}.`, 'bad_response');
  }
  const ticket: Ticket = parsed.data;
  const upTo = (count: number): Ticket => ({ ...ticket, messages: ticket.messages.slice(0, count) });

  const events: TicketEvent[] = [
    { id: `${ticketId}/opened`, type: 'ticket_opened', ticketId, at: source.createdAt, ticket: upTo(1), messageId: messages[0]!.id },
  ];
  messages.forEach((m, i) => {
    events.push({
      id: `${ticketId}/message/${m.id}`,
      type: 'message_added',
      ticketId,
      at: m.at ?? source.updatedAt,
      ticket: upTo(i + 1),
      messageId: m.id,
    });
  });
  const since = source.statusSince ?? source.updatedAt;
  if (isClosedStatus(source.status)) {
    events.push({ id: `${ticketId}/closed/${since}`, type: 'ticket_closed', ticketId, at: since, ticket });
  } else if (source.status !== 'new') {
    events.push({ id: `${ticketId}/status/${source.status}/${since}`, type: 'status_changed', ticketId, at: since, ticket });
  }
  return events;
}

/** Keeps the last copy of each item by key (a page that lists a ticket twice keeps its newest state). */
export function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const map = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    map.delete(k);
    map.set(k, item);
  }
  return [...map.values()];
}

/** Reads a cursor this connector wrote; anything else is a `config` error (the stored cursor is not ours). */
export function decodeCursor<T>(service: string, cursor: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(cursor);
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConnectorError(
      `The saved position for ${service} ("${cursor.slice(0, 80)}") was not written by this connector. Reset the connector's sync position.`,
      'config',
    );
  }
  return parsed.data;
}

/** Parses one item of a page; on failure reports it (with `label` and the field path) and returns undefined. */
export function parseItem<T>(
  schema: z.ZodType<T>,
  item: unknown,
  label: string,
  warn: (message: string) => void,
): T | undefined {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  warn(`${label} skipped: ${describeSchemaError(parsed.error)}.`);
  return undefined;
}

/** Options every HTTP connector factory takes besides its config and the egress policy. */
export interface HttpConnectorOptions {
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /**
   * Told about items skipped because they do not match the vendor's documented shape (one malformed ticket must
   * not stop the others). Default: the redacting `log.warn` (core/privacy/redactingLogger.ts).
   */
  warn?: (message: string) => void;
}

export function defaultWarn(message: string): void {
  log.warn(message);
}

/**
 * A resumable position in a list ordered by last update, for helpdesks whose search takes "updated at or after"
 * (RT, Freshdesk, Zammad). `since` is the newest update time seen, cut to the search's resolution. The next call
 * asks for `>= since` again, not `> since`: a ticket updated again within the same second keeps the same time
 * stamp, and "after" would lose that update. The tickets at `since` are therefore read once more (their events
 * keep their ids, so the watcher drops them). `page` goes past pages that are entirely at `since` (more tickets
 * updated in one second than a page holds).
 */
export const TimeCursorSchema = z.object({
  since: z.string().nullable(),
  page: z.number().int().min(1),
});
export type TimeCursor = z.infer<typeof TimeCursorSchema>;

/**
 * The cursor after a page of items with these update times (ISO 8601). `bucket` cuts a time to the search's
 * resolution (an ISO string that sorts as text sorts in time); `full` says the page was as long as asked, so
 * more may follow now.
 */
export function advanceTimeCursor(
  cursor: TimeCursor,
  updatedAts: readonly string[],
  full: boolean,
  bucket: (iso: string) => string,
): { cursor: TimeCursor; more: boolean } {
  let newest: string | null = null;
  for (const at of updatedAts) {
    const b = bucket(at);
    if (newest === null || b > newest) newest = b;
  }
  if (newest !== null && (cursor.since === null || newest > cursor.since)) {
    return { cursor: { since: newest, page: 1 }, more: full };
  }
  return { cursor: { since: cursor.since, page: full ? cursor.page + 1 : 1 }, more: full };
}

/** Cuts an ISO time to whole seconds, in UTC (`2026-03-01T09:00:07Z`). */
export function toSecond(iso: string): string {
  return new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Where a first sync starts when the settings give no `startAt`: 30 days back. */
export function firstSyncStart(startAt: string | undefined): string {
  return startAt ?? new Date(Date.now() - 30 * 86_400_000).toISOString();
}

/** Validates a connector's settings; a `config` error names the field (`Zendesk settings: email: …`). */
export function parseConfig<S extends z.ZodType>(service: string, schema: S, config: unknown): z.output<S> {
  const parsed = schema.safeParse(config);
  if (!parsed.success) throw new ConnectorError(`${service} settings: ${describeSchemaError(parsed.error)}.`, 'config');
  return parsed.data;
}

/**
 * How far back a search starts before the newest update already read, for searches that are eventually
 * consistent: Jira's `search/jql` (documented as such: an update may show up after the call that follows it)
 * and Zammad's Elasticsearch index (filled by a background job after each change). An update indexed late but
 * stamped before the newest one seen is found on the next polls instead of being skipped until the ticket
 * changes again. Five minutes covers a queue of background jobs on a busy instance; Atlassian and Zammad give no
 * bound, so a later one is still lost (docs/connectors.md).
 */
export const LOOK_BACK_MS = 5 * 60_000;
/** `seen` keys kept in a cursor at most: a few pages of a burst; beyond it the watcher's event ids de-duplicate. */
const SEEN_LIMIT = 1000;

/** The key of one state of an item read: `<id>@<update time>`. Read again unchanged, the item is skipped. */
export function seenKey(id: string | number, updatedAt: string): string {
  return `${id}@${isoTime(updatedAt)}`;
}

/** The keys still inside the look-back window before `since` (newest last, at most `SEEN_LIMIT`). */
export function pruneSeen(keys: Iterable<string>, since: string | null): string[] {
  const from = since === null ? -Infinity : Date.parse(since) - LOOK_BACK_MS;
  const kept = [...new Set(keys)].filter((k) => Date.parse(k.slice(k.lastIndexOf('@') + 1)) >= from);
  return kept.slice(-SEEN_LIMIT);
}

/** The start of the search window: `LOOK_BACK_MS` before `since`, in ISO 8601. */
export function lookBackFrom(since: string): string {
  return isoTime(Date.parse(since) - LOOK_BACK_MS);
}

/**
 * The per-minute budget a helpdesk's rate-limit headers announce: Freshdesk's `X-RateLimit-Total`, Zendesk's
 * `X-Rate-Limit`, or the IETF draft's `RateLimit-Limit` (which Zendesk also sends). Undefined when absent.
 */
export function rateLimitOf(headers: Headers): number | undefined {
  for (const name of ['x-ratelimit-total', 'x-rate-limit', 'ratelimit-limit']) {
    const value = Number.parseInt(headers.get(name) ?? '', 10);
    if (Number.isFinite(value) && value > 0) return value;
  }
  return undefined;
}

/**
 * The share of the account's per-minute budget one page may use. The budget is the whole account's (the agents'
 * browser sessions do not count, but every other integration does), so a page leaves a fifth of it to others.
 */
const BUDGET_SHARE = 0.8;

/**
 * Tickets per page that fit in one minute of the plan's budget: the list costs `listCost` credits and each ticket
 * at least one more (its conversation). Never above the configured size, at least 1. With Freshdesk's trial (50 a
 * minute) and its 3-credit list this is 37, where the configured 100 needed 103 calls and could never finish.
 */
export function budgetPageSize(configured: number, perMinute: number | undefined, listCost: number): number {
  if (perMinute === undefined) return configured;
  return Math.max(1, Math.min(configured, Math.floor(perMinute * BUDGET_SHARE) - listCost));
}

/**
 * Where a page stopped when the helpdesk rate-limited it part way: the page size it was read with (so it is read
 * again the same) and the tickets of it already delivered, as `seenKey`s, which the next call skips.
 */
export const PartialPageSchema = z.object({
  perPage: z.number().int().min(1).optional(),
  done: z.array(z.string()).default([]),
});

/** Why a page stopped early: a 429 after some of its tickets were read (the others wait for the next call). */
export function isRateLimit(error: unknown): error is ConnectorError {
  return error instanceof ConnectorError && error.kind === 'rate_limited';
}

/** Retry-After when a 429 did not say: the vendors' budgets are per minute. */
export const DEFAULT_RATE_WAIT_MS = 60_000;

/** What a page delivered before it stopped; `retryAfterMs` when a 429 stopped it part way. */
export interface DeliveredPage {
  events: TicketEvent[];
  retryAfterMs?: number;
}

/**
 * Reads a page's tickets one by one (`read` fetches one ticket's conversation and builds its events), skipping
 * those `done` already holds and adding each one read. A rate limit after at least one ticket stops the page
 * with what was read and the wait the helpdesk asked for; the caller's cursor keeps `done`, so the next call reads
 * the same page after the wait and skips them. A rate limit on the first ticket, or any other error, is thrown.
 */
export async function deliverUntilRateLimited<T>(
  tickets: readonly T[],
  done: Set<string>,
  keyOf: (ticket: T) => string,
  read: (ticket: T) => Promise<TicketEvent[]>,
): Promise<DeliveredPage> {
  const events: TicketEvent[] = [];
  let count = 0;
  for (const t of tickets) {
    const key = keyOf(t);
    if (done.has(key)) continue; // delivered before this page was rate-limited
    let produced: TicketEvent[];
    try {
      produced = await read(t);
    } catch (error) {
      if (!isRateLimit(error) || count === 0) throw error;
      return { events, retryAfterMs: error.retryAfterMs ?? DEFAULT_RATE_WAIT_MS };
    }
    done.add(key);
    count++;
    events.push(...produced);
  }
  return { events };
}

/**
 * The text of a vendor's HTML message body: the closing tags `lineBreak` matches (and `<br>`) become new lines,
 * other tags go, and the five entities HTML editors write (and `&nbsp;`) are decoded, `&amp;` last so an escaped
 * entity stays literal.
 */
export function htmlToText(html: string, lineBreak: RegExp): string {
  return html
    .replace(lineBreak, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}
