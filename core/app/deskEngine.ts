/**
 * What the desk (desk.ts) is given: the part of the engine it drives, and its options.
 */
import type { LinkOutcome } from '../learn/sharedLinks';
import type { Suggestion, Ticket } from '../formats/schemas';
import type { StoredEntry } from '../knowledge/storedEntry';
import type { LearnPolicy } from '../learn/ticketLearner';
import type { FeedbackRequest } from './deskTypes';

/** A decision and the stored entries its citations name. */
export interface DeskDecision {
  decision: Suggestion;
  entries: ReadonlyMap<string, StoredEntry>;
}

/** What one customer message produced, as the desk records it. */
export interface DeskMessageOutcome extends DeskDecision {
  draft: Promise<DeskDecision> | null;
  alerts: Suggestion[];
}

/** The part of the engine the desk drives. */
export interface DeskEngine {
  /**
   * The pipeline on a new customer message (`at`: its arrival, ms since epoch): the decision, the local model's
   * later, the alerts it raised (audited by the engine) and the entries they cite.
   */
  onCustomerMessage(ticket: Ticket, messageIndex: number, at: number, arrivedAt?: number): Promise<DeskMessageOutcome>;
  /** Follow-up reminders newly due on a ticket at `now` (ms since epoch). */
  pollFollowups(ticket: Ticket, now: number): Suggestion[];
  learnFromClosedTicket(ticket: Ticket, policy: LearnPolicy): Promise<{ entryIds: string[] }>;
  /**
   * Feeds the analyst's action to learning (entry feedback stats, the dismissal rule, the delayed review).
   * Returns the id of an entry the action retired, if any.
   */
  recordFeedback(event: {
    type: FeedbackRequest['action'];
    ticketId: string;
    entryIds: string[];
    afterMessageId?: string;
    reason?: string;
    actor?: string;
  }): Promise<{ retired: string | null }>;
  getEntries(ids: readonly string[]): Promise<Map<string, StoredEntry>>;
  /**
   * Writes the audit record of follow-up reminders the desk is about to show: the engine records its other decisions
   * itself, but only the desk knows which reminders are new.
   */
  auditShown(decisions: readonly Suggestion[]): Promise<void>;
  /**
   * Turns the documentation links the analyst shared on a ticket into article candidates (core/learn/sharedLinks.ts);
   * absent in engines that do not learn from links.
   */
  learnSharedLinks?(ticket: Ticket): Promise<LinkOutcome[]>;
}

export interface DeskOptions {
  /** How learned entries from closed tickets enter the knowledge base; `review` by default. */
  learnPolicy?: LearnPolicy;
  /** Told about damaged journal lines at open (they are skipped). */
  onWarning?: (message: string) => void;
  /**
   * The team's "redact before storage" setting: the journal then keeps a redacted copy of every ticket, suggestion
   * and feedback reason (core/privacy/storageRedaction.ts), while the desk in memory keeps the live ticket for the
   * analyst to work on. After a restart a ticket shows its redacted copy until its helpdesk sends it again.
   */
  redactBeforeStorage?: boolean;
  now?: () => Date;
}
