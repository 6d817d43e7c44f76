/**
 * Plain data of the reply box as it crosses IPC (reply drafts, replies sent), and the connector form's types
 * (core/connectors/connectorTypes.ts) re-exported for the IPC contract. Types only, like deskTypes.ts.
 */
import type { ShownSuggestion } from './deskTypes';

export type * from '../connectors/connectorTypes';

export interface ReplyDraft {
  ticketId: string;
  text: string;
  /** Suggestions the analyst inserted into this draft, oldest first: sending it counts as publishing them. */
  insertedSuggestionIds: string[];
  updatedAt: string;
}

/** How a reply left Vigil: an internal note, or a reply the customer receives. */
export type ReplyVisibility = 'note' | 'public';

export interface SentReply {
  ticketId: string;
  visibility: ReplyVisibility;
  text: string;
  suggestionIds: string[];
  at: string;
}

/** A ticket's draft as the reply box shows it, with what its source can take. */
export interface ReplyDraftView {
  ticketId: string;
  text: string;
  insertedSuggestionIds: string[];
  updatedAt: string | null;
  /** The ticket's connector can take internal notes / send public replies (and has write-back on). */
  canPostNote: boolean;
  canSendReply: boolean;
  /** Why it cannot, in words; null when both work. */
  writeProblem: string | null;
}

/** What sending a reply did: the record kept, and the suggestions it credited (now marked published). */
export interface SendReplyResult {
  sent: SentReply;
  suggestions: ShownSuggestion[];
}
