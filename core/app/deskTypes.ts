/**
 * Plain data of the analyst's desk: the watched tickets, the suggestions shown on them and the analyst's
 * feedback. Like serviceTypes.ts, no functions or class instances, so they cross IPC and JSON unchanged.
 */
import type { Citation, EntryKind, Suggestion, SuggestionKind, Ticket, TicketStatus } from '../formats/schemas';

/** What the analyst can do with a suggestion, as recorded in the feedback log (issue 5's event list). */
export const FEEDBACK_ACTIONS = ['expanded', 'copied', 'inserted', 'published', 'liked', 'disliked', 'dismissed'] as const;
export type FeedbackAction = (typeof FEEDBACK_ACTIONS)[number];

export interface TicketSummary {
  id: string;
  subject: string | null;
  status: TicketStatus;
  requester: string | null;
  /** When the ticket last changed (ISO), from the ticket or else from when Vigil saw it. */
  updatedAt: string;
  /** The customer's latest message, flattened and shortened, for the queue. */
  preview: string;
  /** Suggestions shown on this ticket that the analyst has not opened yet. */
  waiting: number;
}

/** A cited entry as the suggestion panel shows it: where it comes from and what it says. */
export interface CitationView extends Citation {
  title: string | null;
  excerpt: string;
  /** False when the entry has since been retired or removed. */
  available: boolean;
  /**
   * One of the suggestion's sources (close to the best citation, deskViews.ts `markSources`): the card shows them
   * and an inserted reply references them; the others stay one click further.
   */
  source: boolean;
}

export interface ShownSuggestion {
  /** Stable id: ticket, message and kind. */
  id: string;
  shownAt: string;
  suggestion: Suggestion;
  citations: CitationView[];
  /** Feedback given so far, oldest first. */
  feedback: FeedbackAction[];
}

export interface TicketDetail {
  ticket: Ticket;
  suggestions: ShownSuggestion[];
}

export interface FeedbackRequest {
  ticketId: string;
  suggestionId: string;
  action: FeedbackAction;
  /** Why a suggestion was disliked, in the analyst's words. */
  reason?: string;
}

export const REVIEW_DECISIONS = ['approve', 'edit', 'reject'] as const;

/** The analyst's decision on a proposed entry; `edit` approves it with their changes. */
export interface ReviewRequest {
  entryId: string;
  decision: (typeof REVIEW_DECISIONS)[number];
  edit?: { title?: string; question?: string; answer?: string };
  /** Why it was rejected. */
  reason?: string;
}

/** Pushed to the app as things happen. */
export type DeskEvent =
  | {
      type: 'suggestion';
      ticketId: string;
      subject: string | null;
      suggestionId: string;
      kind: SuggestionKind;
      text: string;
      /** The ticket's summary after this suggestion (its `waiting` count included), so the queue updates without a pull. */
      ticket: TicketSummary;
      /** The suggestion as the ticket view shows it, so an open ticket updates without a pull. */
      shown: ShownSuggestion;
    }
  /** `tickets`: the summaries of the tickets that changed (added or updated); the queue merges them without a pull. */
  | { type: 'tickets-changed'; tickets: TicketSummary[] }
  | { type: 'knowledge-changed'; entryIds: string[]; entryKinds: EntryKind[] }
  /** From the desktop shell, not the desk: the analyst clicked a notification; show this ticket. */
  | { type: 'open-ticket'; ticketId: string }
  /** From the desktop shell: what opening the workspace is doing (loading a model, re-indexing `done/total`). */
  | { type: 'workspace-progress'; message: string }
  /** From the desktop shell: how far the pull of the local model the analyst asked for is. */
  | { type: 'llm-pull-progress'; status: string; fraction: number | null }
  /** From the desktop shell: how far the import the analyst started is (entries stored so far from `source`). */
  | { type: 'import-progress'; source: string; imported: number };
