import type { StateCreator } from 'zustand/vanilla';
import type { DeskEvent, FeedbackAction, GateCalibrationStatus, ShownSuggestion, TicketSummary } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import { suggestionKindLabel } from '../../../../components/deskText';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialDeskState, type DeskState, type View } from './initialState';
import { mergeShownSuggestion, mergeTicketSummaries } from './merge';
import { createReplyActions, type ReplyAction } from './replyActions';

/** Toasts kept on screen at once; older ones make room. */
export const MAX_TOASTS = 3;

export interface DeskAction {
  setView(view: View): void;
  loadTickets(): Promise<void>;
  /** Opens a ticket: its conversation and suggestions; clears its badge and its toasts. */
  openTicket(ticketId: string): Promise<void>;
  sendFeedback(suggestionId: string, action: FeedbackAction, reason?: string): Promise<void>;
  /** Posts the suggestion to its ticket at the source as an internal note (only on the analyst's click). */
  publishSuggestion(suggestionId: string): Promise<void>;
  dismissToast(id: string): void;
  loadInsights(): Promise<void>;
  /** Switches the team's recalibration of the gate from feedback on or off; the gate sentence shows the answer. */
  setGateRecalibration(enabled: boolean): Promise<void>;
  /** Starts the gate's recalibration over (the reactions stay in the log, only the counting restarts). */
  resetGateRecalibration(): Promise<void>;
  /** Applies an event pushed by the main process. */
  handleDeskEvent(event: DeskEvent): void;
  /** Listens to the main process's desk events; returns the unsubscribe function. */
  subscribeToDesk(): () => void;
}

export type DeskSlice = DeskState & DeskAction & ReplyAction;

export function createDeskSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], DeskSlice> {
  // Numbers each load, so a slow answer never replaces a newer one.
  let latestTickets = 0;
  let latestDetail = 0;
  /**
   * Ticket summaries pushed while a load of the queue is under way: the load's answer may predate them, so they
   * are merged into it. Null when no load is under way.
   */
  let pushedDuringLoad: TicketSummary[] | null = null;
  return (set, get) => {
    /** Takes pushed summaries into the queue; before the queue has loaded, they wait for the load's answer. */
    const takeTickets = (changed: readonly TicketSummary[]): void => {
      if (pushedDuringLoad) pushedDuringLoad.push(...changed);
      if (!get().ticketsLoaded) {
        if (!pushedDuringLoad) void get().loadTickets();
        return;
      }
      set({ tickets: mergeTicketSummaries(get().tickets, changed) });
    };
    /** Changes the gate (switch, "Start over") and puts the engine's answer in the insights' gate sentence. */
    const changeGate = async (call: () => Promise<GateCalibrationStatus>): Promise<void> => {
      set({ gateBusy: true, gateError: null });
      try {
        const gate = await call();
        const insights = get().insights;
        set({ gateBusy: false, ...(insights ? { insights: { ...insights, gate } } : {}) });
      } catch (error) {
        set({ gateBusy: false, gateError: errorMessage(error) });
      }
    };
    /**
     * Does something to a suggestion of the ticket in view (feedback, publishing): marked pending meanwhile, then
     * replaced by the engine's answer if the ticket is still in view; a refusal is shown as the feedback error.
     */
    const actOnSuggestion = async (suggestionId: string, pending: FeedbackAction, call: (ticketId: string) => Promise<ShownSuggestion>): Promise<void> => {
      const detail = get().detail;
      if (!detail) return;
      set({ pendingFeedback: { ...get().pendingFeedback, [suggestionId]: pending }, feedbackError: null });
      try {
        const updated = await call(detail.ticket.id);
        const current = get().detail;
        if (current && current.ticket.id === detail.ticket.id) {
          set({ detail: { ...current, suggestions: current.suggestions.map((s) => (s.id === suggestionId ? updated : s)) } });
        }
      } catch (error) {
        set({ feedbackError: errorMessage(error) });
      } finally {
        const { [suggestionId]: _done, ...rest } = get().pendingFeedback;
        set({ pendingFeedback: rest });
      }
    };
    return {
      ...initialDeskState,
      setView(view) {
        set({ view });
      },
      async loadTickets() {
        const ticket = ++latestTickets;
        pushedDuringLoad = [];
        try {
          const tickets = await api().listTickets();
          if (ticket === latestTickets) set({ tickets: mergeTicketSummaries(tickets, pushedDuringLoad ?? []), ticketsLoaded: true, ticketsError: null });
        } catch (error) {
          if (ticket === latestTickets) set({ ticketsLoaded: true, ticketsError: errorMessage(error) });
        } finally {
          if (ticket === latestTickets) pushedDuringLoad = null;
        }
      },
      async openTicket(ticketId) {
        const ticket = ++latestDetail;
        set({
          view: 'desk',
          selectedTicketId: ticketId,
          detailError: null,
          feedbackError: null,
          toasts: get().toasts.filter((t) => t.ticketId !== ticketId),
        });
        try {
          const detail = await api().openTicket({ ticketId });
          if (ticket !== latestDetail) return;
          if (!detail) {
            set({ detail: null, detailError: `Ticket ${ticketId} is no longer watched; it may have been removed from its source.` });
            return;
          }
          set({ detail, tickets: get().tickets.map((t) => (t.id === ticketId ? { ...t, waiting: 0 } : t)) });
        } catch (error) {
          if (ticket === latestDetail) set({ detailError: errorMessage(error) });
        }
      },
      sendFeedback(suggestionId, action, reason) {
        return actOnSuggestion(suggestionId, action, (ticketId) =>
          api().sendFeedback({ ticketId, suggestionId, action, ...(reason ? { reason } : {}) }),
        );
      },
      subscribeToDesk() {
        try {
          return api().onDeskEvent((event) => get().handleDeskEvent(event));
        } catch (error) {
          // No preload: say so where the queue would be; the header's status call says the same.
          set({ ticketsLoaded: true, ticketsError: errorMessage(error) });
          return () => undefined;
        }
      },
      async loadInsights() {
        try {
          set({ insights: await api().insights(), insightsError: null });
        } catch (error) {
          set({ insightsError: errorMessage(error) });
        }
      },
      setGateRecalibration(enabled) {
        return changeGate(() => api().setGateRecalibration({ enabled }));
      },
      resetGateRecalibration() {
        return changeGate(() => api().resetGateRecalibration());
      },
      publishSuggestion(suggestionId) {
        return actOnSuggestion(suggestionId, 'published', (ticketId) => api().publishSuggestion({ ticketId, suggestionId }));
      },
      dismissToast(id) {
        set({ toasts: get().toasts.filter((t) => t.id !== id) });
      },
      handleDeskEvent(event) {
        switch (event.type) {
          case 'tickets-changed':
            // The event says which tickets changed: no reload of the whole queue.
            takeTickets(event.tickets);
            return;
          case 'knowledge-changed':
            void get().loadStatus();
            void get().loadReview();
            return;
          case 'open-ticket':
            void get().openTicket(event.ticketId);
            return;
          case 'workspace-progress':
            set({ workspaceProgress: event.message });
            return;
          case 'llm-pull-progress':
            if (get().llmBusy === 'pulling') set({ llmPull: { status: event.status, fraction: event.fraction } });
            return;
          case 'import-progress':
            get().takeImportProgress({ source: event.source, imported: event.imported });
            return;
          case 'suggestion': {
            const state = get();
            takeTickets([event.ticket]);
            if (state.view === 'desk' && state.selectedTicketId === event.ticketId) {
              // The analyst is looking at it: show it in place, no toast.
              const detail = state.detail;
              if (detail?.ticket.id !== event.ticketId) {
                void state.openTicket(event.ticketId);
                return;
              }
              set({
                detail: mergeShownSuggestion(detail, event.shown),
                tickets: get().tickets.map((t) => (t.id === event.ticketId ? { ...t, waiting: 0 } : t)),
              });
              // Seen as it arrived: the engine clears the ticket's badge only when the ticket is opened (no other
              // call records it), so it is opened once more for that, and its answer is the detail just shown.
              if (event.ticket.waiting > 0) void state.openTicket(event.ticketId);
              return;
            }
            const toast = {
              id: event.suggestionId,
              ticketId: event.ticketId,
              title: `${suggestionKindLabel(event.kind)} · ${event.subject ?? event.ticketId}`,
              text: event.text,
            };
            const others = state.toasts.filter((t) => t.id !== toast.id);
            set({ toasts: [...others, toast].slice(-MAX_TOASTS) });
            return;
          }
        }
      },
      ...createReplyActions(api, set, get),
    };
  };
}
