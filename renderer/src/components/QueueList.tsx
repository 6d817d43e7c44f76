/**
 * The queue: the watched tickets, most recently changed first, with status, age and a badge when help waits.
 * Arrow keys (or j/k) move between tickets; Enter or a click opens one.
 */
import { useRef, type KeyboardEvent } from 'react';
import { deskSelectors } from '../store/copilot/slices/desk/selectors';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { ageLabel, statusLabel, waitingLabel } from './deskText';

export function QueueList() {
  const tickets = useCopilotStore((state) => state.tickets);
  const selected = useCopilotStore((state) => state.selectedTicketId);
  const error = useCopilotStore((state) => state.ticketsError);
  const summary = useCopilotStore(deskSelectors.queueSummary);
  const openTicket = useCopilotStore((state) => state.openTicket);
  const loaded = useCopilotStore((state) => state.ticketsLoaded);
  const setView = useCopilotStore((state) => state.setView);
  const list = useRef<HTMLUListElement>(null);

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const step = event.key === 'ArrowDown' || event.key === 'j' ? 1 : event.key === 'ArrowUp' || event.key === 'k' ? -1 : 0;
    if (step === 0) return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.queue-item') ?? [])];
    const at = buttons.findIndex((b) => b === document.activeElement);
    const next = buttons[Math.min(buttons.length - 1, Math.max(0, at + step))];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };

  return (
    <nav className="queue" aria-label="Ticket queue">
      <h2 className="queue-heading">Queue</h2>
      <p className="queue-summary">{summary}</p>
      {loaded && tickets.length === 0 && !error && (
        // How the queue fills: a connector to the team's helpdesk, a mailbox or a folder of ticket files.
        <button type="button" className="secondary" onClick={() => setView('settings')}>
          Connect a helpdesk in Settings
        </button>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <ul className="queue-list" ref={list} onKeyDown={onKeyDown}>
        {tickets.map((ticket) => (
          <li key={ticket.id}>
            <button
              type="button"
              className="queue-item"
              aria-current={ticket.id === selected ? 'true' : undefined}
              onClick={() => void openTicket(ticket.id)}
            >
              <span className="queue-item-top">
                <span className="queue-subject">{ticket.subject ?? ticket.id}</span>
                {ticket.waiting > 0 && (
                  <span className="badge" aria-label={waitingLabel(ticket.waiting)}>
                    {ticket.waiting}
                  </span>
                )}
              </span>
              <span className="queue-meta">
                <span className={`ticket-status status-${ticket.status}`}>{statusLabel(ticket.status)}</span>
                <span>{ageLabel(ticket.updatedAt)}</span>
                <span className="queue-id">{ticket.id}</span>
              </span>
              <span className="queue-preview">{ticket.preview}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
