/**
 * The pipeline's LLM stages: the scope check for messages the rules are unsure about, the rewrite of the
 * conversation into a self-contained query, and the answerability judgement with its short cited answer.
 * Every prompt fences ticket and knowledge text (promptSafety.ts); every answer is schema-validated by the client
 * and then checked here by code: identifiers are removed from queries, citations must be entries that were
 * retrieved for this very request, URLs must come from those entries.
 *
 * Ticket text reaches a prompt only through a `PromptRedactor` (core/privacy/promptRedaction.ts): every kind of
 * personal data redaction.ts knows, the requester's name and the names the messages give, replaced by typed
 * placeholders. Each call carries its audit info (purpose, ticket, entries shown, redaction counts), which the
 * model client records as an `llm_call` audit record.
 *
 * The scope check and the answer see the recent conversation (both sides, the last RECENT_TURNS messages before the
 * latest), and the answer carries Vigil's constraints (ANSWER_RULES). Every prompt is sized against a small model's
 * context (core/llm/promptBudget.ts): the oldest turns are dropped first, then the lowest-ranked entries.
 */
import { z } from 'zod';
import { peopleNamesIn } from '../text/peopleNames';
import type { Ticket } from '../formats/schemas';
import type { CallOptions, LanguageModel } from '../llm/languageModel';
import { estimateTokens, newestThatFit, PROMPT_BUDGET_TOKENS, promptTokens } from '../llm/promptBudget';
import { buildSafePrompt, checkCitations, sanitizeModelText, stripInvisible, unknownInlineCitations, type PromptBlock, type SafePrompt } from '../llm/promptSafety';
import { sourceTicketOf } from '../knowledge/storedEntry';
import { PromptRedactor } from '../privacy/promptRedaction';
import { cleanMessage, removeIdentifiers, stripQuotedAndSignature } from '../text/queryCleaner';
import type { SourceHit } from './knowledgeSource';

/** Entries shown to the model for the answerability check: the top of the fused ranking. */
export const JUDGED_HITS = 5;
/** Longest entry text put in a prompt; a small model's context is short (Llama 3.2 3B: 8k by default in Ollama). */
const ENTRY_CHARS = 1_500;
/** Longest conversation put in a prompt (the latest messages are kept). */
const CONVERSATION_CHARS = 4_000;
/**
 * Messages before the latest one that the scope check and the answer see: three exchanges, enough to read a
 * follow-up ("still the same", "that didn't work") against what was tried, as Vigil passes its recent messages.
 */
export const RECENT_TURNS = 6;
/**
 * Room the answer prompt keeps for the recent conversation when the entries would fill the budget: about 1,800
 * characters, three or four ordinary messages.
 */
const RECENT_ROOM_TOKENS = 600;
/** Longest single message in a prompt: a pasted log must not crowd out the rest of the conversation. */
const MESSAGE_CHARS = 1_500;
/**
 * Longest answer shown on the card. The card is read at a glance beside the helpdesk: the prompt asks for at most
 * three sentences and ANSWER_WORDS words (about 400 characters in English); a longer answer is cut at a sentence.
 */
export const ANSWER_CARD_CHARS = 500;
const ANSWER_WORDS = 60;

/**
 * Vigil's constraints on a proactive reply (volcengine/veaiops, chatops proactive reply): the analyst may send it
 * as it is, so it must not ask the customer for anything, must not hand the case on, must not carry personal or
 * secret data, must be in the customer's language, and must fit the card.
 */
export const ANSWER_RULES = [
  'Rules for `answer`:',
  '- Do not ask the customer for information, logs, screenshots or details; answer from the entries or leave answer empty.',
  '- Do not suggest escalating, transferring the case, contacting another team or waiting for a specialist.',
  '- Do not include sensitive data: no names, e-mail addresses, phone numbers, account, card or order numbers, passwords, keys or tokens, and nothing from the [PLACEHOLDER] marks.',
  "- Write in the language of the customer's latest message, even when the entries are in another language.",
  `- At most three sentences and ${ANSWER_WORDS} words: it is shown on a small card read at a glance.`,
].join('\n');

// ── Scope ──────────────────────────────────────────────────────────────────────────────────────────────────

export const ScopeAnswerSchema = z.object({
  category: z.enum(['question', 'error_report', 'troubleshooting', 'request', 'thanks_or_chit_chat', 'status_ping', 'other']),
  needsHelp: z.boolean(),
});

export interface ScopeJudgement {
  inScope: boolean;
  detail: string;
}

/** Asks the model whether a message the rules were unsure about is worth proactive help, given the recent conversation. */
export async function judgeScope(llm: LanguageModel, message: string, options: StageOptions = {}): Promise<ScopeJudgement> {
  const { ticket, uptoIndex, ...call } = options;
  const redactor = promptRedactorFor(ticket ?? null);
  const instructions = {
    system: 'You triage customer messages for a helpdesk analyst.',
    task:
      'Classify the latest customer message; the earlier messages are context only. needsHelp is true only for a question, an error report, a troubleshooting or a service request that knowledge could help with; false for thanks, greetings, chit-chat and "any update?" pings.',
  };
  const latest: PromptBlock = { label: 'latest customer message', text: capped(redactor.redact(message)) };
  const turns = ticket && uptoIndex !== undefined ? recentTurns(ticket, uptoIndex, redactor) : [];
  const prompt = withRecentTurns(instructions, [], turns, [latest]);
  const answer = await llm.generateJson({ ...prompt, schema: ScopeAnswerSchema, ...call, audit: redactor.auditInfo('scope') });
  const inScope = answer.needsHelp && !['thanks_or_chit_chat', 'status_ping'].includes(answer.category);
  return { inScope, detail: `model: ${answer.category}${answer.needsHelp ? '' : ', no help needed'}` };
}

// ── Rewrite ────────────────────────────────────────────────────────────────────────────────────────────────

export const RewriteAnswerSchema = z.object({
  query: z.string().max(600),
  subQueries: z.array(z.string().max(300)).max(3),
});

export interface Rewrite {
  query: string;
  subQueries: string[];
}

/** The redactor for prompts about `ticket`: its requester and the people its messages name (null: no ticket). */
export function promptRedactorFor(ticket: Ticket | null): PromptRedactor {
  return ticket ? new PromptRedactor(ticket, peopleNamesIn(ticket)) : new PromptRedactor(null);
}

/**
 * Options of a stage call: the model call's, the ticket the prompt is about (for redaction and the audit), and the
 * position of the latest message in it (the recent conversation is the messages before it; none without it).
 */
export type StageOptions = CallOptions & { ticket?: Ticket; uptoIndex?: number };

function capped(text: string): string {
  return text.length <= MESSAGE_CHARS ? text : `${text.slice(0, MESSAGE_CHARS - 1)}…`;
}

/**
 * The last RECENT_TURNS public messages before the one at `uptoIndex`, customer's and analyst's, oldest first, as
 * `customer: …` / `analyst: …` lines: quoted history and signatures cut, redacted (the redaction reads the text
 * folded, core/privacy/redaction.ts), cleaned, each at most MESSAGE_CHARS. Internal notes and system lines are not
 * the conversation.
 */
export function recentTurns(ticket: Ticket, uptoIndex: number, redactor: PromptRedactor = promptRedactorFor(ticket)): string[] {
  const lines: string[] = [];
  // Newest first, so only the messages that can be sent are redacted (and counted in the call's audit).
  for (let i = Math.min(uptoIndex, ticket.messages.length) - 1; i >= 0 && lines.length < RECENT_TURNS; i--) {
    const message = ticket.messages[i]!;
    if (message.internal || message.author === 'system') continue;
    const text = cleanMessage(redactor.redact(stripQuotedAndSignature(message.text)));
    if (text) lines.unshift(`${message.author}: ${capped(text)}`);
  }
  return lines;
}

/**
 * A prompt whose blocks are `before`, then as many of the recent `turns` as fit the budget (oldest dropped first),
 * then `after`. The turns are one fenced block, as untrusted as any ticket text.
 */
function withRecentTurns(instructions: { system: string; task: string }, before: PromptBlock[], turns: readonly string[], after: PromptBlock[]): SafePrompt {
  const bare = buildSafePrompt(instructions, [...before, ...after]);
  // The fence of the turns' block: its label and two delimiter lines with their nonce, about 80 characters.
  const room = PROMPT_BUDGET_TOKENS - promptTokens(bare) - 30;
  const kept = room > 0 ? newestThatFit(turns, room) : [];
  if (kept.length === 0) return bare;
  return buildSafePrompt(instructions, [...before, { label: 'recent conversation, oldest first', text: kept.join('\n') }, ...after]);
}

/**
 * The conversation so far, cleaned message by message (history, signatures, identifiers removed) and redacted
 * through `redactor` (a new one for the ticket when not given).
 */
export function conversationText(ticket: Ticket, uptoIndex: number, redactor: PromptRedactor = promptRedactorFor(ticket)): string {
  const lines: string[] = [];
  if (ticket.subject) lines.push(`subject: ${cleanMessage(redactor.redact(ticket.subject))}`);
  for (const message of ticket.messages.slice(0, uptoIndex + 1)) {
    if (message.internal || message.author === 'system') continue;
    // Redacted before cleaning, so the placeholders say what was there ("[EMAIL]"), and only the text kept is counted.
    const text = cleanMessage(redactor.redact(stripQuotedAndSignature(message.text)));
    if (text) lines.push(`${message.author}: ${text}`);
  }
  const all = lines.join('\n');
  return all.length <= CONVERSATION_CHARS ? all : all.slice(all.length - CONVERSATION_CHARS);
}

/** Code's last word on a query the model wrote: invisible characters, identifiers and personal data removed. */
function scrubQuery(text: string, redactor: PromptRedactor): string {
  return redactor.scrub(removeIdentifiers(stripInvisible(text))).replace(/\s+/g, ' ').trim();
}

/** Condenses the conversation into one self-contained query plus up to three sub-queries, without personal data. */
export async function rewriteQuery(llm: LanguageModel, ticket: Ticket, uptoIndex: number, options: StageOptions = {}): Promise<Rewrite> {
  const { ticket: _same, ...call } = options;
  const redactor = promptRedactorFor(ticket);
  const prompt = buildSafePrompt(
    {
      system: 'You turn a support conversation into search queries for a knowledge base.',
      task:
        "Write `query`: one self-contained sentence stating the customer's current problem (object, symptom, conditions), " +
        'and `subQueries`: up to three shorter searches for distinct parts of it. Leave out names, e-mail addresses, ' +
        'account, order and ticket numbers, and anything else that identifies a person.',
    },
    [{ label: 'conversation', text: conversationText(ticket, uptoIndex, redactor) }],
  );
  const answer = await llm.generateJson({ ...prompt, schema: RewriteAnswerSchema, ...call, audit: redactor.auditInfo('rewrite') });
  return { query: scrubQuery(answer.query, redactor), subQueries: answer.subQueries.map((q) => scrubQuery(q, redactor)).filter(Boolean) };
}

// ── Answerability ──────────────────────────────────────────────────────────────────────────────────────────

export const AnswerabilitySchema = z.object({
  objectMatches: z.boolean(),
  symptomMatches: z.boolean(),
  preconditionsMatch: z.boolean(),
  answerable: z.boolean(),
  reason: z.string().max(400),
  kind: z.enum(['answer', 'next_step']),
  answer: z.string().max(1_500),
  citations: z.array(z.string()).max(5),
});
export type AnswerabilityAnswer = z.infer<typeof AnswerabilitySchema>;

export type AnswerabilityVerdict =
  | { answerable: true; kind: 'answer' | 'next_step'; text: string; citedIds: string[]; reason: string; removedUrls: string[] }
  | { answerable: false; reason: 'not_answerable' | 'invalid_citation'; detail: string };

function entryBlock(hit: SourceHit): PromptBlock {
  const e = hit.entry;
  const resolution = typeof e['resolution'] === 'string' ? `\nresolution: ${e['resolution']}` : '';
  const parts = [e.title ? `title: ${e.title}` : '', e.question ? `question: ${e.question}` : '', `body: ${e.body}${resolution}`].filter(Boolean).join('\n');
  const source = sourceTicketOf(e);
  return {
    label: `entry ${e.id} (${e.kind}${source ? `, from ticket ${source}` : ''})`,
    text: parts.length <= ENTRY_CHARS ? parts : `${parts.slice(0, ENTRY_CHARS - 1)}…`,
  };
}

/**
 * An answer cut to the card (ANSWER_CARD_CHARS): at the last sentence end that fits, or at a word with an ellipsis
 * when the first sentence alone is too long.
 */
export function fitCard(text: string): string {
  const flat = text.trim();
  if (flat.length <= ANSWER_CARD_CHARS) return flat;
  const head = flat.slice(0, ANSWER_CARD_CHARS);
  const sentenceEnd = Math.max(...['. ', '! ', '? ', '。', '\n'].map((mark) => head.lastIndexOf(mark)));
  if (sentenceEnd >= ANSWER_CARD_CHARS / 3) return head.slice(0, sentenceEnd + 1).trim();
  const wordEnd = head.lastIndexOf(' ');
  return `${head.slice(0, wordEnd > 0 ? wordEnd : ANSWER_CARD_CHARS - 1).trim()}…`;
}

/** The texts an answer may take URLs from: the entries it was shown. */
export function sourceTexts(hits: readonly SourceHit[]): string[] {
  return hits.map((h) => [h.entry.title, h.entry.question, h.entry.body, typeof h.entry['resolution'] === 'string' ? h.entry['resolution'] : ''].join('\n'));
}

/**
 * Asks the model whether the retrieved entries answer this exact problem and, if so, for a short answer citing
 * them. Code then rejects any citation (listed or inline) of an entry that was not among `hits`, requires at
 * least one valid citation and all three matches, and filters URLs to those in the cited entries or the allowlist.
 */
export async function judgeAnswerability(
  llm: LanguageModel,
  problem: { query: string; latestMessage: string },
  hits: readonly SourceHit[],
  options: StageOptions & { allowHosts?: readonly string[] } = {},
): Promise<AnswerabilityVerdict> {
  const { ticket, allowHosts, uptoIndex, ...call } = options;
  const redactor = promptRedactorFor(ticket ?? null);
  const instructions = {
    system:
      'You check whether a helpdesk knowledge base already answers a customer problem. Use only the entries given; never add facts of your own.',
    task:
      'Decide from the entries only. Set objectMatches, symptomMatches and preconditionsMatch: does an entry concern the same object ' +
      '(product, feature, account item), the same symptom, and conditions that hold for this customer? answerable is true only if all three hold ' +
      'for at least one entry. The recent conversation tells what was already said and tried; judge the problem as it stands now. ' +
      'If answerable, write `answer`: text the analyst could send, citing the entries used as [entry id], ' +
      'and list their ids in `citations`. kind is "next_step" when the entries give a diagnostic step rather than the fix. If not answerable, ' +
      'leave answer empty and citations empty, and say why in `reason`.\n' +
      ANSWER_RULES,
  };
  const problemBlock: PromptBlock = { label: 'problem', text: `${redactor.redact(problem.query)}\nlatest message: ${capped(redactor.redact(problem.latestMessage))}` };
  const turns = ticket && uptoIndex !== undefined ? recentTurns(ticket, uptoIndex, redactor) : [];
  // Entries leave the conversation some room (up to RECENT_ROOM_TOKENS); beyond that, the lowest-ranked entries go
  // (the best one always stays), and the oldest turns go before any entry.
  const entryBudget = PROMPT_BUDGET_TOKENS - Math.min(RECENT_ROOM_TOKENS, estimateTokens(turns.join('\n')));
  let judged = hits.slice(0, JUDGED_HITS);
  while (judged.length > 1 && promptTokens(buildSafePrompt(instructions, [problemBlock, ...judged.map(entryBlock)])) > entryBudget) {
    judged = judged.slice(0, -1);
  }
  const prompt = withRecentTurns(instructions, [], turns, [problemBlock, ...judged.map(entryBlock)]);
  const answer = await llm.generateJson({
    ...prompt,
    schema: AnswerabilitySchema,
    ...call,
    audit: redactor.auditInfo('answerability', judged.map((h) => h.entry.id)),
  });
  const retrieved = new Set(judged.map((h) => h.entry.id));
  const listed = checkCitations(answer.citations, retrieved);
  const inline = unknownInlineCitations(answer.answer, retrieved);
  if (listed.rejected.length > 0 || inline.length > 0) {
    return { answerable: false, reason: 'invalid_citation', detail: `cited entries that were not retrieved: ${[...listed.rejected, ...inline].join(', ')}` };
  }
  const matches = answer.objectMatches && answer.symptomMatches && answer.preconditionsMatch;
  if (!answer.answerable || !matches) {
    const missing = [!answer.objectMatches && 'object', !answer.symptomMatches && 'symptom', !answer.preconditionsMatch && 'preconditions'].filter(Boolean);
    return { answerable: false, reason: 'not_answerable', detail: `model: ${answer.reason.slice(0, 200)}${missing.length ? ` (no match: ${missing.join(', ')})` : ''}` };
  }
  if (listed.valid.length === 0) return { answerable: false, reason: 'invalid_citation', detail: 'the answer cites no retrieved entry' };
  const cited = judged.filter((h) => listed.valid.includes(h.entry.id));
  const safe = sanitizeModelText(fitCard(answer.answer), { sources: sourceTexts(cited), ...(allowHosts ? { allowHosts } : {}) });
  if (!safe.text) return { answerable: false, reason: 'not_answerable', detail: 'the answer was empty' };
  return { answerable: true, kind: answer.kind, text: safe.text, citedIds: listed.valid, reason: answer.reason, removedUrls: safe.removed };
}
