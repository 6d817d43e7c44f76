/**
 * The reply box: the analyst's reply draft per ticket (kept across restarts, replyDrafts.ts), and what is posted to
 * the ticket's source through the running connectors, on the analyst's click only: an internal note, a reply to the
 * customer (after the analyst confirmed it), or a suggestion's text as a note. What was posted credits the
 * suggestions it used as published (the desk journal, learning, Insights).
 */
import type { BuiltConnectors } from '../connectors/registry';
import { log } from '../privacy/redactingLogger';
import type { Desk } from './desk';
import type { ShownSuggestion } from './deskTypes';
import { ReplyDrafts, type ReplyDraftView, type ReplyVisibility, type SendReplyResult } from './replyDrafts';

/** How long posting to a helpdesk may take before it is reported as failed. */
const POST_TIMEOUT_MS = 30_000;

/** Drafts, replies and notes for the tickets on `desk`, posted through `connectors()` (the running ones, or none). */
export class Replies {
  private drafts: Promise<ReplyDrafts> | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly desk: Desk,
    private readonly connectors: () => BuiltConnectors | null,
  ) {}

  /** The ticket's reply draft (kept across restarts) and what its source can take. */
  async draft(ticketId: string): Promise<ReplyDraftView> {
    return this.view(ticketId, await this.open());
  }

  /** Keeps the ticket's reply draft; `insertedSuggestionIds` are the suggestions inserted into it. */
  async saveDraft(ticketId: string, text: string, insertedSuggestionIds: readonly string[]): Promise<ReplyDraftView> {
    const drafts = await this.open();
    await drafts.save(ticketId, text, insertedSuggestionIds);
    return this.view(ticketId, drafts);
  }

  /**
   * Posts the analyst's reply to the ticket at its source, as an internal note or (after the analyst confirmed it)
   * as a reply to the customer; then records every suggestion inserted into it as published, appends the reply to
   * `desk/replies.jsonl` and clears the draft.
   */
  async send(ticketId: string, text: string, visibility: ReplyVisibility): Promise<SendReplyResult> {
    if (text.trim() === '') throw new Error('The reply is empty; write or insert something first.');
    const connectors = this.connectors();
    if (!connectors) throw new Error(`Ticket ${ticketId} does not come from a connector that is running, so nothing can be posted to it; copy the reply instead.`);
    const signal = AbortSignal.timeout(POST_TIMEOUT_MS);
    if (visibility === 'public') await connectors.postReply(ticketId, text, signal);
    else await connectors.postNote(ticketId, text, signal);
    const drafts = await this.open();
    const inserted = drafts.get(ticketId)?.insertedSuggestionIds ?? [];
    const suggestions: ShownSuggestion[] = [];
    for (const suggestionId of inserted) {
      try {
        suggestions.push(await this.desk.feedback({ ticketId, suggestionId, action: 'published' }));
      } catch (error) {
        // The reply is out; a suggestion withdrawn since it was inserted has nothing left to credit.
        log.warn(`The reply on ${ticketId} was sent, but suggestion ${suggestionId} could not be marked as published: ${String(error)}`);
      }
    }
    const sent = await drafts.recordSent({ ticketId, visibility, text, suggestionIds: suggestions.map((s) => s.id) });
    return { sent, suggestions };
  }

  /**
   * Posts a suggestion's text as an internal note on its ticket at the source (on the analyst's click only),
   * and records it as published. Refused unless the ticket's connector allows write-back.
   */
  async publishSuggestion(ticketId: string, suggestionId: string): Promise<ShownSuggestion> {
    const detail = await this.desk.openTicket(ticketId);
    const shown = detail?.suggestions.find((s) => s.id === suggestionId);
    if (!shown) throw new Error(`No suggestion ${suggestionId} on ticket ${ticketId}; reload the ticket.`);
    const connectors = this.connectors();
    if (!connectors) throw new Error(`Ticket ${ticketId} does not come from a connector that is running, so nothing can be posted to it.`);
    await connectors.postNote(ticketId, shown.suggestion.text, AbortSignal.timeout(POST_TIMEOUT_MS));
    return this.desk.feedback({ ticketId, suggestionId, action: 'published' });
  }

  /** Closes the drafts file, if it was opened. */
  async close(): Promise<void> {
    await (await this.drafts?.catch(() => null))?.close();
  }

  private open(): Promise<ReplyDrafts> {
    this.drafts ??= ReplyDrafts.open(this.dataDir, {
      onWarning: (message) => log.warn(message),
      storageText: (ticketId, text) => this.desk.storageText(ticketId, text), // redacted under "redact before storage"
    });
    return this.drafts;
  }

  private view(ticketId: string, drafts: ReplyDrafts): ReplyDraftView {
    const draft = drafts.get(ticketId);
    const can = this.connectors()?.writeCapabilities(ticketId) ?? {
      note: false,
      reply: false,
      reason: `Ticket ${ticketId} does not come from a connector that is running, so nothing can be posted to it; copy the reply instead.`,
    };
    return {
      ticketId,
      text: draft?.text ?? '',
      insertedSuggestionIds: draft?.insertedSuggestionIds ?? [],
      updatedAt: draft?.updatedAt ?? null,
      canPostNote: can.note,
      canSendReply: can.reply,
      writeProblem: can.reason,
    };
  }
}
