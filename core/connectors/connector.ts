/**
 * The contract between the sync engine (`core/watch`) and one helpdesk, mailbox or folder. A connector turns the
 * source's own API into ticket events in the spec's ticket format; the watcher owns scheduling, cursors,
 * retries, de-duplication and health. Connectors never write anywhere unless the analyst clicks (`postNote`).
 */
import type { Ticket } from '../formats/schemas';

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

export interface FetchPage {
  events: TicketEvent[];
  /** Where the next call continues; stored by the watcher only after `events` are committed. */
  cursor: string | null;
  /** True when the source has more right now: the watcher calls again at once instead of waiting. */
  more: boolean;
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
  close?(): Promise<void>;
}

export type ConnectorErrorKind = 'auth' | 'rate_limited' | 'unavailable' | 'bad_response' | 'config' | 'network';

/** A failure a connector can explain. `retryAfterMs` is set when the source said when to come back (HTTP 429). */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly kind: ConnectorErrorKind,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ConnectorError';
  }
}
