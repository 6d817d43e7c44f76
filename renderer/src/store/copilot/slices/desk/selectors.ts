import type { CopilotState } from '../../store';

export const deskSelectors = {
  /** Suggestions waiting across the queue, for the tab's badge. */
  waitingTotal(state: CopilotState): number {
    return state.tickets.reduce((sum, t) => sum + t.waiting, 0);
  },
  queueSummary(state: CopilotState): string {
    if (!state.ticketsLoaded) return 'Loading the queue…';
    const n = state.tickets.length;
    if (n === 0) return 'No watched tickets yet. Tickets from your connectors appear here as customers write.';
    return `${n} watched ${n === 1 ? 'ticket' : 'tickets'}`;
  },
};
