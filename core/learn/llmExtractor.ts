/**
 * The LLM extractor: a local model (core/llm) reads a closed ticket and writes knowledge entries in a JSON schema.
 * The ticket is untrusted text: it reaches the prompt only inside random per-request delimiters
 * (core/llm/promptSafety.ts). What the model writes is not trusted either: it is validated by the schema, links
 * not in the ticket are removed, and every entry is scrubbed and checked against the same quality rules as the
 * rule-based extractor's. If the model cannot be reached or answers badly, the rule-based extractor is used.
 */
import { z } from 'zod';
import { peopleNamesIn } from '../text/peopleNames';
import { errorMessage } from '../formats/errorMessage';
import type { Ticket } from '../formats/schemas';
import type { LanguageModel } from '../llm/languageModel';
import { buildSafePrompt, sanitizeModelText } from '../llm/promptSafety';
import { PromptRedactor } from '../privacy/promptRedaction';
import { checkEntryQuality, scrubEntryText } from './entryQuality';
import { extractWithRules, type EntryCandidate, type ExtractOptions, type Extraction, type RejectedCandidate } from './ruleExtractor';
import { ticketPathOf } from './ticketLearner';

/** What the model must answer: at most five entries, one problem each. */
export const ExtractionOutputSchema = z.object({
  entries: z
    .array(
      z.object({
        question: z.string().describe('a general, self-contained customer question, without names, numbers or dates'),
        answer: z.string().describe('the actionable answer that resolved it'),
        confidence: z.number().min(0).max(1).describe('how sure you are the answer is correct and reusable'),
      }),
    )
    .max(5),
});
export type ExtractionOutput = z.infer<typeof ExtractionOutputSchema>;

export const EXTRACTION_SYSTEM = [
  'You turn resolved helpdesk tickets into knowledge base entries for other analysts.',
  'Write one entry per distinct problem that the conversation actually resolved.',
  'question: a general, self-contained question as any customer could ask it. No customer or analyst names, no ticket,',
  'order or account numbers, no dates, nothing about the ticket status.',
  'answer: the actionable resolution, as steps or facts another analyst can reuse. Never "maybe", never "contact someone",',
  'never "we will look into it". If nothing was resolved, return no entries.',
  'Answer only with JSON matching the schema.',
].join('\n');

/**
 * The conversation as the model sees it: authors and texts, internal notes marked; no ids, no requester. Every
 * text is redacted (core/privacy/promptRedaction.ts: the requester's name, the names the messages give, and every
 * kind of personal data) through `redactor`, a new one for the ticket when not given.
 */
export function conversationText(ticket: Ticket, redactor: PromptRedactor = new PromptRedactor(ticket, peopleNamesIn(ticket))): string {
  const lines = ticket.messages.map((m) => `${m.author}${m.internal ? ' (internal note)' : ''}: ${redactor.redact(m.text)}`);
  if (ticket.resolution) lines.push(`closing note: ${redactor.redact(ticket.resolution)}`);
  return [ticket.subject ? `subject: ${redactor.redact(ticket.subject)}` : '', ...lines].filter(Boolean).join('\n');
}

export interface LlmExtraction extends Extraction {
  /** Set when the model could not be used and the rule-based extractor answered instead. */
  fallback: string | null;
}

/** Extracts candidates with the model; falls back to rules when the model fails. */
export async function extractWithLlm(
  model: LanguageModel,
  ticket: Ticket,
  options: ExtractOptions & { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<LlmExtraction> {
  const redactor = new PromptRedactor(ticket, peopleNamesIn(ticket));
  const conversation = conversationText(ticket, redactor);
  const prompt = buildSafePrompt(
    {
      system: EXTRACTION_SYSTEM,
      task: 'Extract knowledge entries from this resolved ticket.',
    },
    [{ label: 'ticket', text: conversation }],
  );
  let output: ExtractionOutput;
  try {
    output = await model.generateJson({
      system: prompt.system,
      prompt: prompt.prompt,
      schema: ExtractionOutputSchema,
      audit: redactor.auditInfo('learn'),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  } catch (err) {
    return { ...extractWithRules(ticket, options), fallback: `the model could not be used (${errorMessage(err)}); rules were used instead` };
  }

  const names = peopleNamesIn(ticket);
  const sources = [conversation];
  const candidates: EntryCandidate[] = [];
  const rejected: RejectedCandidate[] = [];
  // The model's first accepted entry is taken for the ticket's main problem (it also gets the subject as its title):
  // it keeps the path to the ticket's resolution, as the rule extractor's does. Where later ones were asked is not known.
  const path = ticketPathOf(ticket);
  for (const entry of output.entries) {
    const question = scrubEntryText(sanitizeModelText(entry.question, { sources }).text, names);
    const answer = scrubEntryText(sanitizeModelText(entry.answer, { sources }).text, names);
    const issues = checkEntryQuality(question, answer, names);
    if (issues.length > 0) {
      rejected.push({ question, answer, issues });
      continue;
    }
    candidates.push({
      question,
      answer,
      ...(ticket.subject && candidates.length === 0 ? { title: scrubEntryText(ticket.subject, names) } : {}),
      tags: ticket.tags ?? [],
      sourceTicketId: ticket.id,
      confidence: Math.round(entry.confidence * 1000) / 1000,
      origin: 'llm',
      askedInMessageId: null,
      ...(candidates.length === 0 && path.length > 0 ? { path } : {}),
    });
  }
  const skipped = candidates.length > 0 ? null : rejected.length > 0 ? 'no entry the model wrote met the quality rules' : 'the model found nothing resolved';
  return { candidates, rejected, skipped, fallback: null };
}
