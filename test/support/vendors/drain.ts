/** Reads a connector the way the watcher does: page after page while it says there is more. */
import type { Connector, TicketEvent } from '../../../core/connectors/connector';

export interface Drained {
  events: TicketEvent[];
  cursor: string | null;
  pages: number;
}

export async function drain(connector: Connector, cursor: string | null, signal: AbortSignal = new AbortController().signal): Promise<Drained> {
  const events: TicketEvent[] = [];
  let pages = 0;
  for (;;) {
    const page = await connector.fetchSince(cursor, signal);
    events.push(...page.events);
    cursor = page.cursor;
    pages++;
    if (!page.more) return { events, cursor, pages };
    // A connector that keeps saying "more" without moving would hang the watcher.
    if (pages > 500) throw new Error('the connector never stopped paging');
  }
}

/** Events not already in `before` (by id), as the watcher's de-duplication would keep them. */
export function fresh(events: TicketEvent[], before: TicketEvent[]): TicketEvent[] {
  const seen = new Set(before.map((e) => e.id));
  return events.filter((e) => !seen.has(e.id));
}

export interface Throttled extends Drained {
  /** Minutes the fake let pass: each 429 or "wait" hint is one minute waited. */
  minutes: number;
  /** Calls that ended in a 429 without delivering anything. */
  refused: number;
}

/**
 * Reads a connector as the watcher does under a per-minute rate limit: after a 429 (thrown, nothing delivered) or
 * a page that asks to wait (`retryAfterMs`), the vendor's minute passes (`nextMinute`) and the call is repeated
 * from the same cursor. Gives up after `maxMinutes`, which is how a sync that cannot make progress shows.
 */
export async function drainThrottled(
  connector: Connector,
  nextMinute: () => void,
  maxMinutes: number,
  signal: AbortSignal = new AbortController().signal,
): Promise<Throttled> {
  const events: TicketEvent[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let minutes = 0;
  let refused = 0;
  for (;;) {
    let page;
    try {
      page = await connector.fetchSince(cursor, signal);
    } catch (error) {
      if ((error as { kind?: string }).kind !== 'rate_limited') throw error;
      refused++;
      if (++minutes > maxMinutes) throw new Error(`no end after ${maxMinutes} minutes: ${events.length} events so far`);
      nextMinute();
      continue;
    }
    events.push(...page.events);
    cursor = page.cursor;
    pages++;
    if (!page.more) return { events, cursor, pages, minutes, refused };
    if (page.retryAfterMs !== undefined) {
      if (++minutes > maxMinutes) throw new Error(`no end after ${maxMinutes} minutes: ${events.length} events so far`);
      nextMinute();
    }
  }
}
