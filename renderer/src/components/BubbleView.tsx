/**
 * The assist bubble's page (`#bubble`): the suggestions of the ticket in hand, compact, for the small
 * always-on-top window beside the helpdesk console. It follows the newest ticket with help waiting.
 */
import { useEffect } from 'react';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { SuggestionCard } from './SuggestionCard';

export function BubbleView() {
  const tickets = useCopilotStore((state) => state.tickets);
  const detail = useCopilotStore((state) => state.detail);
  const selected = useCopilotStore((state) => state.selectedTicketId);
  const openTicket = useCopilotStore((state) => state.openTicket);
  const next = tickets.find((t) => t.waiting > 0);

  useEffect(() => {
    if (next && next.id !== selected) void openTicket(next.id);
  }, [next, selected, openTicket]);

  return (
    <main className="bubble" aria-label="Vigil assist">
      {detail ? (
        <>
          <h1 className="bubble-heading">{detail.ticket.subject ?? detail.ticket.id}</h1>
          {[...detail.suggestions].reverse().slice(0, 3).map((shown) => (
            <SuggestionCard key={shown.id} shown={shown} />
          ))}
        </>
      ) : (
        <p className="empty-state">No help waiting. Vigil will show it here when a customer writes.</p>
      )}
    </main>
  );
}
