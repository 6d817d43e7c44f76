/**
 * The contract between the sync engine (`core/watch`) and one helpdesk, mailbox or folder. A connector turns the
 * source's own API into ticket events in the spec's ticket format; the watcher owns scheduling, cursors,
 * retries, de-duplication and health. Connectors never write anywhere unless the analyst clicks (`postNote`).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { TicketSchema, type Ticket } from '../formats/schemas';

export const TICKET_EVENT_TYPES = ['ticket_opened', 'message_added', 'status_changed', 'ticket_closed'] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

export interface TicketEvent {
  /**
   * Stable and unique within one connector: the same change read twice (a retried page, an overlapping
   * window) has the same id, which is how the watcher drops duplicates.
   */
  id: string;
  type: TicketEventType;
  /** The ticket's id in the spec's format, prefixed by the connector so ids never collide across sources. */
  ticketId: string;
  /** When the change happened at the source (ISO 8601). */
  at: string;
  /** The ticket as it stands after this change, in the spec's ticket format. */
  ticket: Ticket;
  /** For `message_added`: the id of the new message inside `ticket.messages`. */
  messageId?: string;
}

/** The id a connector gives a source's ticket: `<connector id>:<id at the source>`, e.g. `rt-main:1042`. */
export function qualifyTicketId(connectorId: string, sourceTicketId: string | number): string {
  return `${connectorId}:${sourceTicketId}`;
}

/**
 * The watcher re-checks every event at its boundary: a connector that lets a malformed item through gets it
 * dropped and reported (with its position and field), not delivered.
 */
export const TicketEventSchema = z.looseObject({
  id: z.string().min(1, 'must not be empty'),
  type: z.enum(TICKET_EVENT_TYPES),
  ticketId: z.string().min(1, 'must not be empty'),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time'),
  ticket: TicketSchema,
  messageId: z.string().optional(),
});

export interface FetchPage {
  events: TicketEvent[];
  /** Where the next call continues; stored by the watcher only after `events` are committed. */
  cursor: string | null;
  /** True when the source has more right now: the watcher calls again at once instead of waiting. */
  more: boolean;
  /** Events known to be waiting at the source after this page, when the source can tell; shown as backlog. */
  backlog?: number;
  /**
   * Items of the source that were skipped because they are malformed, each in plain words with where it is
   * (`tickets.jsonl:4: messages.0.author: …`). The watcher reports them in the connector's health.
   */
  issues?: string[];
  /**
   * The source asked to slow down after part of a page (an HTTP 429 between the page's requests): the events
   * read so far are in `events`, `cursor` continues after them, and the watcher waits this long before the next
   * call instead of calling at once.
   */
  retryAfterMs?: number;
}

export interface Connector {
  /** The configured instance's id, e.g. `rt-main`; also the prefix of its ticket ids. */
  readonly id: string;
  /** The kind of source: `folder`, `rt`, `imap`, `zendesk`, `freshdesk`, `jsm`, `zammad`. */
  readonly kind: string;
  /** Events after `cursor` (null: from the configured start). One page per call. */
  fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage>;
  /** Checks the address and credentials; throws a `ConnectorError` that says what is wrong in plain words. */
  testConnection(signal: AbortSignal): Promise<void>;
  /** Optional write-back, only ever on the analyst's click: posts `text` as an internal note on the ticket. */
  postNote?(ticketId: string, text: string, signal: AbortSignal): Promise<void>;
  /**
   * Optional public reply, only ever after the analyst confirmed it: sends `text` to the customer on the ticket
   * (the helpdesk's own reply, which it e-mails or shows in its portal). Kinds whose API has no such call leave it out.
   */
  postReply?(ticketId: string, text: string, signal: AbortSignal): Promise<void>;
  /**
   * Optional push: calls `onChange` when the source may have something new (a file changed, a mailbox got a
   * message), so the watcher polls at once instead of waiting for the schedule. Returns an unsubscribe function.
   */
  subscribe?(onChange: () => void): () => void;
  close?(): Promise<void>;
}

export type ConnectorErrorKind = 'auth' | 'rate_limited' | 'unavailable' | 'bad_response' | 'config' | 'network';

/** A failure a connector can explain. `retryAfterMs` is set when the source said when to come back (HTTP 429). */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly kind: ConnectorErrorKind,
    readonly retryAfterMs?: number,
    /** The HTTP status behind it, when there was one (a 400 that means "start the search again", say). */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}

/** A connector id is also a folder name: letters, digits, `-` and `_`. */
export const CONNECTOR_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** The folder where the watcher keeps a connector's state; connectors may keep their own files under it too. */
export function connectorStateDir(dataDir: string, connectorId: string): string {
  if (!CONNECTOR_ID_PATTERN.test(connectorId)) {
    throw new Error(`Connector id "${connectorId}" may contain only letters, digits, "-" and "_" (at most 64 characters).`);
  }
  return join(dataDir, 'watch', connectorId);
}

/** A configured connector as the watcher drives it. */
export interface WatchedConnector {
  connector: Connector;
  /** Time between polls once caught up. */
  pollMs: number;
}

export type ConnectorState = 'starting' | 'syncing' | 'idle' | 'retrying' | 'stopped';

/** A connector's health as the desktop app and `vigil watch` show it. Plain data. */
export interface ConnectorHealth {
  id: string;
  kind: string;
  state: ConnectorState;
  /** When a page was last fetched and committed. */
  lastSyncAt: string | null;
  /** Source time of the newest event delivered. */
  lastEventAt: string | null;
  /**
   * How far behind the source Vigil may be: since the last time it had seen everything (when caught up), or since
   * the newest delivered event (while paging through a backlog). Null before the first sync.
   */
  lagMs: number | null;
  /** Events known to be waiting: the rest of the page being delivered plus what the source says it still has. */
  backlog: number;
  /** Events delivered by this process, duplicates dropped, malformed events dropped. */
  delivered: number;
  duplicatesDropped: number;
  invalidDropped: number;
  consecutiveFailures: number;
  /** The last error in plain words (never a secret), with when it happened; cleared by the next success. */
  lastError: string | null;
  lastErrorAt: string | null;
  /** Problems with individual items of the source (malformed lines, events), newest last, at most 20. */
  issues: string[];
  /** Issues reported since start (the list above keeps only the newest). */
  issuesTotal: number;
  nextAttemptAt: string | null;
}
