/**
 * A connector test double for the watcher's own tests: a list of events served in pages, with faults injected
 * per call. It stands in for a helpdesk's API where the behaviour under test is the watcher's (cursors, retries,
 * de-duplication), not a wire protocol; the folder and IMAP connectors are tested against real files and a real
 * Dovecot.
 */
import { ConnectorError, type Connector, type FetchPage, type TicketEvent } from '../../../core/connectors/connector';
import type { Ticket } from '../../../core/formats/schemas';

export type Fault =
  | { kind: 'error'; error: Error }
  /** Never answers (a hung server); the watcher's timeout must abort it. */
  | { kind: 'hang' }
  /** Serves the page with these extra raw items mixed in (malformed or duplicate). */
  | { kind: 'extra'; items: unknown[] };

export function event(n: number, type: TicketEvent['type'] = 'message_added'): TicketEvent {
  const ticket: Ticket = {
    id: `src:T-${n}`,
    status: type === 'ticket_closed' ? 'solved' : 'open',
    messages: [{ id: `m${n}`, author: 'customer', text: `Message number ${n}` }],
  };
  return { id: `e${n}`, type, ticketId: ticket.id, at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(), ticket, messageId: `m${n}` };
}

export class ScriptedSource implements Connector {
  readonly kind = 'scripted';
  calls = 0;
  /** Serves this many events before the cursor again, as sources with an overlapping time window do. */
  overlap = 0;
  readonly cursorsSeen: (string | null)[] = [];
  /** When set, every page but the last asks the watcher to wait this long (a source rate-limited mid-page). */
  waitAfterPage: number | undefined;
  /** When each call started (ms). */
  readonly callTimes: number[] = [];

  constructor(
    readonly id: string,
    public events: TicketEvent[],
    private readonly pageSize: number,
    /** Faults by call number (1-based). */
    private readonly faults: Map<number, Fault> = new Map(),
  ) {}

  async testConnection(): Promise<void> {}

  /** Most fetches that were running at the same time. */
  maxConcurrent = 0;
  private running = 0;

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    this.running++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running);
    try {
      await new Promise((resolve) => setImmediate(resolve));
      return await this.serve(cursor, signal);
    } finally {
      this.running--;
    }
  }

  private async serve(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    this.calls++;
    this.callTimes.push(Date.now());
    this.cursorsSeen.push(cursor);
    const fault = this.faults.get(this.calls);
    if (fault?.kind === 'error') throw fault.error;
    if (fault?.kind === 'hang') {
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new ConnectorError('aborted', 'network')), { once: true }));
    }
    const from = cursor === null ? 0 : Math.max(0, Number(cursor) - this.overlap);
    const page: unknown[] = this.events.slice(from, from + this.pageSize);
    if (fault?.kind === 'extra') page.push(...fault.items);
    const to = Math.min(this.events.length, from + this.pageSize);
    const more = to < this.events.length;
    return {
      events: page as TicketEvent[],
      cursor: String(to),
      more,
      backlog: this.events.length - to,
      ...(more && this.waitAfterPage !== undefined ? { retryAfterMs: this.waitAfterPage } : {}),
    };
  }
}
