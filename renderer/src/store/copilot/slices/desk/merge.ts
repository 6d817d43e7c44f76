/**
 * Folding what a desk event carries into the desk's state, so a pushed change shows without asking the engine
 * again: the summaries of changed tickets into the queue, a new suggestion into the ticket on screen.
 */
import type { ShownSuggestion, TicketDetail, TicketSummary } from '../../../../api/contractTypes';

/**
 * The queue with `changed` in it: each changed ticket replaces the one with its id, or joins the queue if new.
 * The queue stays most recently changed first, as the engine lists it.
 */
export function mergeTicketSummaries(queue: readonly TicketSummary[], changed: readonly TicketSummary[]): TicketSummary[] {
  if (changed.length === 0) return [...queue];
  const byId = new Map(queue.map((ticket) => [ticket.id, ticket]));
  for (const ticket of changed) byId.set(ticket.id, ticket);
  return [...byId.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

/** The ticket on screen with `shown` in it: replacing the suggestion with its id, or added after the others. */
export function mergeShownSuggestion(detail: TicketDetail, shown: ShownSuggestion): TicketDetail {
  const at = detail.suggestions.findIndex((s) => s.id === shown.id);
  const suggestions = at === -1 ? [...detail.suggestions, shown] : detail.suggestions.map((s, i) => (i === at ? shown : s));
  return { ...detail, suggestions };
}
