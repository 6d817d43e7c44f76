import type { FeedbackAction, Insights, TicketDetail, TicketSummary } from '../../../../api/contractTypes';

/** Which screen the main window shows. */
export type View = 'desk' | 'knowledge' | 'insights' | 'settings';

/** A proactive toast: a suggestion arrived for a ticket the analyst is not looking at. */
export interface Toast {
  id: string;
  ticketId: string;
  title: string;
  text: string;
}

/** The analyst's desk as the window shows it. */
export interface DeskState {
  view: View;
  tickets: TicketSummary[];
  ticketsLoaded: boolean;
  ticketsError: string | null;
  selectedTicketId: string | null;
  detail: TicketDetail | null;
  detailError: string | null;
  /** Feedback being sent, by suggestion id, so buttons can wait for it. */
  pendingFeedback: Record<string, FeedbackAction>;
  feedbackError: string | null;
  toasts: Toast[];
  insights: Insights | null;
  insightsError: string | null;
}

export const initialDeskState: DeskState = {
  view: 'desk',
  tickets: [],
  ticketsLoaded: false,
  ticketsError: null,
  selectedTicketId: null,
  detail: null,
  detailError: null,
  pendingFeedback: {},
  feedbackError: null,
  toasts: [],
  insights: null,
  insightsError: null,
};
