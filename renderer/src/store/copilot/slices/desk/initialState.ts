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

/** One ticket's reply box: the draft (kept in the data folder), where the cursor is, and what its source takes. */
export interface ReplyBox {
  text: string;
  /** Suggestions inserted into this draft: sending it counts as publishing them. */
  insertedSuggestionIds: string[];
  /** The selection in the text box, where "Insert" puts a suggestion. */
  selection: { start: number; end: number };
  loaded: boolean;
  canPostNote: boolean;
  canSendReply: boolean;
  /** Why notes or replies cannot be posted, in words. */
  writeProblem: string | null;
  /** What is being sent right now. */
  sending: 'note' | 'public' | null;
  /** The last outcome, in words ("Posted as an internal note."), and the last failure. */
  status: string | null;
  error: string | null;
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
  /** Insights' gate controls: a switch or "Start over" on its way to the engine, and why the last one failed. */
  gateBusy: boolean;
  gateError: string | null;
  /** Reply boxes by ticket id. */
  replies: Record<string, ReplyBox>;
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
  gateBusy: false,
  gateError: null,
  replies: {},
};
