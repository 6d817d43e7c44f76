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
