/**
 * Proactive toasts: a suggestion arrived for a ticket the analyst is not looking at. Open goes to the ticket;
 * Dismiss hides the toast (the suggestion stays on the ticket).
 */
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

export function Toasts() {
  const toasts = useCopilotStore((state) => state.toasts);
  const openTicket = useCopilotStore((state) => state.openTicket);
  const dismissToast = useCopilotStore((state) => state.dismissToast);
  return (
    <section className="toasts" aria-label="New suggestions" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className="toast" role="status">
          <p className="toast-title">{toast.title}</p>
          <p className="toast-text">{toast.text}</p>
          <div className="toast-actions">
            <button type="button" onClick={() => void openTicket(toast.ticketId)}>
              Open ticket
            </button>
            <button type="button" className="secondary" onClick={() => dismissToast(toast.id)}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}
