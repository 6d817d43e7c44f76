import { describe, expect, it, vi } from 'vitest';
import type { DeskEvent, ShownSuggestion, TicketSummary } from '../../../core/app/deskTypes';
import { createDeskEventRouter } from '../../../electron/main/deskEventRouter';
import { TrayController, type WaitingTicket } from '../../../electron/main/trayController';

// tray.ts draws with Electron's Tray and Menu; the controller is tested without them.
vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const summary = (id: string, waiting: number): TicketSummary => ({ id, subject: null, status: 'open', requester: null, updatedAt: '2026-11-22T10:00:00Z', preview: '', waiting });

function router(listed: WaitingTicket[] = []) {
  const tray = new TrayController();
  const broadcast = vi.fn((_event: DeskEvent) => undefined);
  const notify = vi.fn();
  const listTickets = vi.fn(async () => listed);
  return { tray, broadcast, notify, listTickets, desk: createDeskEventRouter({ broadcast, notify, tray, listTickets }) };
}

const shown = { id: 's1', shownAt: '2026-11-22T10:00:00Z', suggestion: {} as ShownSuggestion['suggestion'], citations: [], feedback: [] } satisfies ShownSuggestion;
const suggestion = (ticket: TicketSummary): DeskEvent => ({ type: 'suggestion', ticketId: 'T-7', subject: 'Card declined', suggestionId: 's1', kind: 'answer', text: 'Ask for a new card.', ticket, shown });

describe('desk event router', () => {
  it('sends every event to the windows and offers a suggestion to the notifier', () => {
    const { desk, broadcast, notify } = router();
    const event = suggestion(summary('T-7', 1));
    desk.route(event);
    desk.route({ type: 'workspace-progress', message: 'Re-indexing 10/20' });
    expect(broadcast.mock.calls.map(([e]) => e.type)).toEqual(['suggestion', 'workspace-progress']);
    expect(notify).toHaveBeenCalledExactlyOnceWith({ ticketId: 'T-7', kind: 'answer', subject: 'Card declined', text: 'Ask for a new card.' });
  });

  it('counts waiting tickets from the summaries the events carry, listing no ticket', () => {
    const { desk, tray, listTickets } = router();
    desk.route(suggestion(summary('T-7', 1)));
    desk.route({ type: 'tickets-changed', tickets: [summary('T-8', 3), summary('T-9', 0)] });
    expect(tray.current().waiting).toBe(2);
    desk.route({ type: 'tickets-changed', tickets: [summary('T-7', 0)] });
    expect(tray.current().waiting).toBe(1);
    expect(listTickets).not.toHaveBeenCalled();
  });
});
