/**
 * One ticket: the conversation on the left with the reply box under it, Vigil's suggestions beside it, newest first.
 */
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { authorLabel, statusLabel } from './deskText';
import { ReplyComposer } from './ReplyComposer';
import { SuggestionCard } from './SuggestionCard';

export function TicketView() {
  const detail = useCopilotStore((state) => state.detail);
  const selected = useCopilotStore((state) => state.selectedTicketId);
  const error = useCopilotStore((state) => state.detailError);
  const feedbackError = useCopilotStore((state) => state.feedbackError);

  if (error) {
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  }
  if (!selected || !detail) {
    return <p className="empty-state">Pick a ticket from the queue. Vigil shows help here, and in a toast, when it has something reliable.</p>;
  }
  const { ticket, suggestions } = detail;
  return (
    <div className="ticket">
      <section className="conversation" aria-labelledby="ticket-heading">
        <h2 id="ticket-heading">{ticket.subject ?? ticket.id}</h2>
        <p className="ticket-meta">
          {statusLabel(ticket.status)} · {ticket.id}
          {ticket.requester ? ` · ${ticket.requester}` : ''}
        </p>
        <ol className="messages" aria-label="Conversation">
          {ticket.messages.map((message) => (
            <li key={message.id} className={`message author-${message.author}${message.internal ? ' internal' : ''}`}>
              <span className="message-author">{authorLabel(message)}</span>
              <p className="message-text">{message.text}</p>
            </li>
          ))}
        </ol>
        <ReplyComposer ticketId={ticket.id} />
      </section>
      <section className="suggestions" aria-label="Suggestions">
        <h2>Suggestions</h2>
        {feedbackError && (
          <p className="notice error" role="alert">
            {feedbackError}
          </p>
        )}
        {suggestions.length === 0 ? (
          <p className="empty-state">Nothing reliable to suggest yet. Vigil stays quiet rather than guess.</p>
        ) : (
          [...suggestions].reverse().map((shown) => <SuggestionCard key={shown.id} shown={shown} />)
        )}
      </section>
    </div>
  );
}
