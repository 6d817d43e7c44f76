import { describe, expect, it } from 'vitest';
import type { DeskEvent, ShownSuggestion, TicketDetail, TicketSummary } from '../../../../../../renderer/src/api/contractTypes';
import { createCopilotStore } from '../../../../../../renderer/src/store/copilot/store';
import { fakeVigilApi, sampleDetail, sampleSuggestion, sampleTickets } from '../../../../fakeVigilApi';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const vpn = sampleTickets[0]!;
const invoice = sampleTickets[1]!;
/** A ticket the queue has not seen yet, changed after the others. */
const printer: TicketSummary = { id: 'rt:4830', subject: 'Printer jams', status: 'new', requester: 'Ali', updatedAt: '2026-11-22T10:05:00Z', preview: 'It jams on page two.', waiting: 1 };

const followup: ShownSuggestion = {
  ...sampleSuggestion,
  id: 'rt:4821:m1:followup',
  suggestion: { ...sampleSuggestion.suggestion, kind: 'followup', text: 'Ask whether the fix held overnight.' },
};

function suggestionEvent(ticket: TicketSummary, extra: Partial<Extract<DeskEvent, { type: 'suggestion' }>> = {}): DeskEvent {
  return { type: 'suggestion', ticketId: ticket.id, subject: ticket.subject, suggestionId: `${ticket.id}:s`, kind: 'answer', text: 'Try this.', ticket, shown: followup, ...extra };
}

async function loadedStore() {
  const api = fakeVigilApi();
  const store = createCopilotStore(() => api);
  await store.getState().loadTickets();
  return { api, store };
}

describe('desk events that carry what changed', () => {
  it('updates the queue from the pushed ticket summaries, without listing every ticket again', async () => {
    const { api, store } = await loadedStore();
    store.getState().handleDeskEvent({ type: 'tickets-changed', tickets: [{ ...invoice, waiting: 2, updatedAt: '2026-11-22T10:00:00Z' }, printer] });
    expect(store.getState().tickets.map((t) => [t.id, t.waiting])).toEqual([
      ['rt:4830', 1],
      ['rt:4822', 2],
      ['rt:4821', 1],
    ]);
    expect(api.listTickets).toHaveBeenCalledOnce();
  });

  it('counts a suggestion on another ticket from its pushed summary and pops a toast, asking the engine nothing', async () => {
    const { api, store } = await loadedStore();
    store.getState().handleDeskEvent(suggestionEvent(invoice, { ticket: { ...invoice, waiting: 1 } }));
    expect(store.getState().tickets.find((t) => t.id === invoice.id)?.waiting).toBe(1);
    expect(store.getState().toasts.map((t) => t.ticketId)).toEqual([invoice.id]);
    expect(api.listTickets).toHaveBeenCalledOnce();
    expect(api.openTicket).not.toHaveBeenCalled();
  });

  it('shows a suggestion for the ticket in view at once, from the push, and only records it as seen', async () => {
    const { api, store } = await loadedStore();
    await store.getState().openTicket(vpn.id);
    const seen = deferred<TicketDetail | null>();
    api.openTicket.mockReturnValueOnce(seen.promise);

    store.getState().handleDeskEvent(suggestionEvent(vpn, { suggestionId: followup.id, ticket: { ...vpn, waiting: 1 }, shown: followup }));

    // Before the engine answers anything, the new suggestion is on screen and the ticket's badge is gone.
    expect(store.getState().detail?.suggestions.map((s) => s.id)).toEqual([sampleSuggestion.id, followup.id]);
    expect(store.getState().tickets.find((t) => t.id === vpn.id)?.waiting).toBe(0);
    expect(store.getState().toasts).toEqual([]);
    // Opening the ticket is how the engine records it as seen; the queue is not listed again.
    expect(api.openTicket).toHaveBeenCalledTimes(2);
    expect(api.listTickets).toHaveBeenCalledOnce();
    seen.resolve({ ...sampleDetail, suggestions: [sampleSuggestion, followup] });
    await seen.promise;
    expect(store.getState().detail?.suggestions).toHaveLength(2);
  });

  it('keeps a summary pushed while the queue loads, even when the load answers with older data', async () => {
    const api = fakeVigilApi();
    const listed = deferred<TicketSummary[]>();
    api.listTickets.mockReturnValueOnce(listed.promise);
    const store = createCopilotStore(() => api);
    const loading = store.getState().loadTickets();
    store.getState().handleDeskEvent({ type: 'tickets-changed', tickets: [{ ...invoice, waiting: 4 }] });
    listed.resolve(sampleTickets);
    await loading;
    expect(store.getState().tickets.find((t) => t.id === invoice.id)?.waiting).toBe(4);
    expect(api.listTickets).toHaveBeenCalledOnce();
  });
});

