/**
 * Help on request: the analyst asks a question about a ticket, or asks for a summary. With a local model the
 * answer is streamed as it is written, from the retrieved entries only, and checked like every model output
 * (citations must be retrieved entries, URLs must come from them). Without one, retrieval answers alone: the best
 * entries for the question, or an extractive summary of the conversation.
 */
import type { Citation, Ticket } from '../formats/schemas';
import { sourceTicketOf } from '../knowledge/storedEntry';
import { LlmError, type CallOptions, type LanguageModel } from '../llm/languageModel';
import { buildSafePrompt, sanitizeModelText, unknownInlineCitations, type PromptBlock } from '../llm/promptSafety';
import { cleanMessage } from '../text/queryCleaner';
import { buildQuery } from './assistant';
import { foldBySourceTicket, presentHit } from './citedHits';
import { searchSources, type KnowledgeSource, type SourceHit } from './knowledgeSource';
import { conversationText, JUDGED_HITS, promptRedactorFor, sourceTexts } from './llmStages';

export interface AskAnswer {
  /** `llm` when the model wrote it, `retrieval` otherwise. */
  mode: 'llm' | 'retrieval';
  text: string;
  citations: Citation[];
  /** Why the model was not used, or what code removed from its answer; null when nothing to say. */
  note: string | null;
}

export interface AskOptions extends CallOptions {
  llm: LanguageModel | null;
  sources: readonly KnowledgeSource[];
  allowHosts?: readonly string[];
  /** Hears the answer as it is written (LLM mode). */
  onText?: (textSoFar: string) => void;
  /** Hears model failures (the availability monitor). */
  onLlmError?: (error: LlmError) => void;
}

function citationOf(hit: SourceHit): Citation {
  return { entryId: hit.entry.id, kind: hit.entry.kind, sourceTicketId: sourceTicketOf(hit.entry), score: Math.round(hit.similarity * 1000) / 1000 };
}

function entryBlocks(hits: readonly SourceHit[]): PromptBlock[] {
  return hits.map((h) => ({ label: `entry ${h.entry.id} (${h.entry.kind})`, text: [h.entry.title, h.entry.question, h.entry.body].filter(Boolean).join('\n').slice(0, 1_500) }));
}

/** Answers the analyst's question about a ticket. */
export async function askAboutTicket(ticket: Ticket, question: string, options: AskOptions): Promise<AskAnswer> {
  const context = buildQuery(ticket, ticket.messages.length - 1);
  const found = await searchSources(options.sources, [cleanMessage(question), `${cleanMessage(question)}\n${context}`], 20);
  const hits = foldBySourceTicket(found.hits).slice(0, JUDGED_HITS);
  const citations = hits.map(citationOf);
  const fallback = (note: string | null): AskAnswer => ({
    mode: 'retrieval',
    text: hits.length ? hits.slice(0, 3).map((h) => `[${h.entry.id}] ${presentHit(h).text}`).join('\n\n') : 'No knowledge entry matches this question.',
    citations,
    note,
  });
  if (!options.llm) return fallback('No local model is running; these are the best matching entries.');
  if (hits.length === 0) return fallback(null);
  // The analyst's question may quote the customer: it is redacted like the conversation.
  const redactor = promptRedactorFor(ticket);
  const prompt = buildSafePrompt(
    {
      system: 'You help a helpdesk analyst. Answer only from the knowledge entries given; say so when they do not answer the question.',
      task: 'Answer the analyst\'s question about the ticket in at most five sentences, citing the entries used as [entry id].',
    },
    [
      { label: 'analyst question', text: redactor.redact(question) },
      { label: 'ticket conversation', text: conversationText(ticket, ticket.messages.length - 1, redactor) },
      ...entryBlocks(hits),
    ],
  );
  try {
    const raw = await options.llm.streamText({
      ...prompt,
      ...callOf(options),
      audit: redactor.auditInfo('ask', hits.map((h) => h.entry.id)),
      ...(options.onText ? { onText: options.onText } : {}),
    });
    const retrieved = new Set(hits.map((h) => h.entry.id));
    const unknown = unknownInlineCitations(raw, retrieved);
    if (unknown.length > 0) return fallback(`The model's answer cited entries that were not retrieved (${unknown.join(', ')}); it was discarded.`);
    const safe = sanitizeModelText(raw, { sources: sourceTexts(hits), ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}) });
    const cited = hits.filter((h) => safe.text.includes(`[${h.entry.id}]`));
    return {
      mode: 'llm',
      text: safe.text,
      citations: (cited.length ? cited : hits).map(citationOf),
      note: safe.removed.length ? `Removed from the answer: ${safe.removed.join(' ')}` : null,
    };
  } catch (error) {
    if (!(error instanceof LlmError)) throw error;
    options.onLlmError?.(error);
    return fallback(error.message);
  }
}

function callOf(options: CallOptions): CallOptions {
  return { ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
}

/** Summarises a ticket for the analyst: what the customer wants, what was tried, what is pending. */
export async function summarizeTicket(ticket: Ticket, options: Omit<AskOptions, 'sources'>): Promise<AskAnswer> {
  const extractive = (note: string | null): AskAnswer => {
    const customer = ticket.messages.filter((m) => m.author === 'customer').map((m) => cleanMessage(m.text)).filter(Boolean);
    const last = ticket.messages.at(-1);
    const lines = [
      ticket.subject ? `Subject: ${ticket.subject}` : null,
      customer[0] ? `Customer's request: ${customer[0]}` : null,
      customer.length > 1 ? `Latest from the customer: ${customer.at(-1)}` : null,
      last && last.author !== 'customer' ? `Last reply (${last.author}): ${cleanMessage(last.text)}` : null,
      `${ticket.messages.length} message${ticket.messages.length === 1 ? '' : 's'}, status ${ticket.status}.`,
    ].filter((l): l is string => l !== null);
    return { mode: 'retrieval', text: lines.join('\n'), citations: [], note };
  };
  if (!options.llm) return extractive('No local model is running; this summary is extracted from the messages.');
  const redactor = promptRedactorFor(ticket);
  const prompt = buildSafePrompt(
    { system: 'You summarise support tickets for a helpdesk analyst, factually and briefly.', task: 'Summarise the ticket in at most four bullet points: the problem, what was tried, what is pending and who is waiting on whom.' },
    [{ label: 'ticket conversation', text: conversationText(ticket, ticket.messages.length - 1, redactor) }],
  );
  try {
    const raw = await options.llm.streamText({ ...prompt, ...callOf(options), audit: redactor.auditInfo('summary'), ...(options.onText ? { onText: options.onText } : {}) });
    const safe = sanitizeModelText(raw, { sources: ticket.messages.map((m) => m.text), ...(options.allowHosts ? { allowHosts: options.allowHosts } : {}) });
    return { mode: 'llm', text: safe.text, citations: [], note: safe.removed.length ? `Removed from the summary: ${safe.removed.join(' ')}` : null };
  } catch (error) {
    if (!(error instanceof LlmError)) throw error;
    options.onLlmError?.(error);
    return extractive(error.message);
  }
}
