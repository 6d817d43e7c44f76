/**
 * The one path customer text takes into a prompt. Every LLM stage (scope check, rewrite, answerability and draft,
 * help on request, learning) makes a `PromptRedactor` for the ticket it works on and passes every piece of ticket
 * text through it: `redact` (redaction.ts) with the requester's name and the other names the ticket gives, typed
 * placeholders, counts summed per call. The counts, never the text, go into the call's `llm_call` audit record
 * (`auditInfo`), which the model client appends when the call ends.
 *
 * Knowledge entries are the team's own text and are sent as they are (learned entries were scrubbed when learned).
 */
import { addCounts, emptyCounts, redact, type RedactionCounts, type RedactOptions } from './redaction';

/** What a prompt's audit record says about the call besides the model and the sizes (core/llm/languageModel.ts). */
export interface LlmCallInfo {
  /** What the call was for: `scope`, `rewrite`, `answerability`, `ask`, `summary`, `learn`. */
  purpose: string;
  ticketId: string | null;
  /** The knowledge entries the prompt showed the model. */
  entryIds: string[];
  /** What was replaced in the prompt's ticket text, by kind. */
  redactions: RedactionCounts;
}

/** The parts of a ticket that say whose data it holds. */
export interface PromptTicket {
  id: string;
  requester?: string | undefined;
}

export class PromptRedactor {
  private readonly counts = emptyCounts();
  private readonly options: RedactOptions;

  /**
   * @param ticket the ticket the prompt is about (its id for the audit, its requester's name to remove), or null
   *   for a prompt about no ticket
   * @param names other names to remove (people the ticket's messages name)
   */
  constructor(
    readonly ticket: PromptTicket | null,
    names: readonly string[] = [],
  ) {
    this.options = { requesterName: ticket?.requester ?? null, names };
  }

  /** `text` with personal data replaced by typed placeholders; the replacements are counted for this call. */
  redact(text: string): string {
    const result = redact(text, this.options);
    addCounts(this.counts, result.counts);
    return result.text;
  }

  /** The same redaction, not counted: for what the model wrote back (a query), which is no part of a prompt. */
  scrub(text: string): string {
    return redact(text, this.options).text;
  }

  /** What this call's audit record should say (a copy of the counts so far). */
  auditInfo(purpose: string, entryIds: readonly string[] = []): LlmCallInfo {
    return { purpose, ticketId: this.ticket?.id ?? null, entryIds: [...entryIds], redactions: { ...this.counts } };
  }
}
