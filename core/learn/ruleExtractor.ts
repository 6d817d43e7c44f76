/**
 * The rule-based extractor, used when no LLM is reachable: the customer's problem from their first messages and
 * the resolution from the closing note or the analyst's last substantive message; then every later customer
 * question that no suggestion answered, with the analyst's reply that answered it. Each candidate is scrubbed
 * and checked against the quality rules (entryQuality.ts); what fails is returned with its reasons.
 */
import type { Message, Ticket } from '../formats/schemas';
import type { PathTurn } from '../knowledge/storedEntry';
import { checkScope } from '../text/scope';
import { peopleNamesIn } from '../text/peopleNames';
import { cleanMessage } from '../text/queryCleaner';
import { tokenize } from '../text/tokenize';
import { checkEntryQuality, describeQualityIssues, scrubEntryText, type QualityIssue } from './entryQuality';
import { pathBetween } from './resolutionPath';

/** A proposed knowledge entry, before deduplication and review. */
export interface EntryCandidate {
  question: string;
  answer: string;
  title?: string;
  tags: string[];
  sourceTicketId: string;
  /** 0–1: how sure the extractor is that this is a correct, reusable answer; review policy compares it. */
  confidence: number;
  origin: 'rules' | 'llm';
  /** The customer message that asked the question. */
  askedInMessageId: string | null;
  /** The turns between the question and its answer that led there (resolutionPath.ts); absent when there were none. */
  path?: PathTurn[];
}

export interface RejectedCandidate {
  question: string;
  answer: string;
  issues: QualityIssue[];
}

export interface Extraction {
  candidates: EntryCandidate[];
  rejected: RejectedCandidate[];
  /** Why nothing was extracted, when nothing was. */
  skipped: string | null;
}

export interface ExtractOptions {
  /**
   * Customer messages (by id) that a suggestion already answered: the analyst used it (inserted, copied,
   * published or liked). Their questions need no new entry; the cited entry is confirmed instead.
   */
  answeredBySuggestion?: ReadonlySet<string>;
}

/** Customer messages, from the first, that state the problem before the analyst first replies. */
const PROBLEM_MESSAGES = 3;
/** Analyst messages with fewer words are acknowledgements ("Thanks, checking."). */
const SUBSTANTIVE_WORDS = 3;

/**
 * Rule-based confidences. 0.6 for a resolution taken from the conversation, 0.7 when the analyst wrote a closing
 * note, +0.1 when the customer then confirmed it worked. Starting values, not fitted (no reviewed decisions
 * exist yet to fit them on); a team's auto-approve threshold is compared with them.
 */
const BASE_CONFIDENCE = 0.6;
const CLOSING_NOTE_BONUS = 0.1;
const CONFIRMED_BONUS = 0.1;
/** A problem statement this long likely holds several problems: less sure it is one reusable question. */
const LONG_QUESTION_WORDS = 60;

const QUESTION_START = /^(how|what|why|where|when|which|who|can|could|is|are|does|do|did|should|would|will|may|am)\b/i;
const PROBLEM_WORDS = /\b(not working|doesn'?t work|does not work|can'?t|cannot|unable|won'?t|error|fails?|failed|broken|stuck|missing|declined|rejected)\b/i;
const CONFIRMATION = /\b(works?( now)?|worked|fixed|solved|resolved|that did it|all good|perfect)\b/i;

/** A message's sentences. */
function sentencesOf(text: string): string[] {
  return text.split(/(?<=[.!?])\s+/).map((t) => t.trim()).filter(Boolean);
}

/**
 * An analyst message that says something: enough words, not only questions. "Hobsons House has 3 stars. Shall I
 * book it?" answers and then offers; a message that only asks ("Which version do you use?") is a diagnostic
 * question, part of the path, never the resolution.
 */
export function isSubstantiveAnswer(message: Message): boolean {
  if (message.author !== 'analyst') return false;
  const text = stripForAnswer(message.text);
  return tokenize(text).length >= SUBSTANTIVE_WORDS;
}

/** A customer message that asks something new (not a reply to the analyst's question, not small talk). */
function asksSomething(messages: readonly Message[], index: number): boolean {
  const message = messages[index];
  if (!message || message.author !== 'customer') return false;
  const text = cleanMessage(message.text);
  if (!checkScope(text).inScope) return false;
  if (!(text.includes('?') || QUESTION_START.test(text) || PROBLEM_WORDS.test(text))) return false;
  const previousAnalyst = [...messages.slice(0, index)].reverse().find((m) => m.author === 'analyst');
  // A customer message right after an analyst's question is most likely its answer ("Version 5.2 on Windows").
  return !(previousAnalyst && cleanMessage(previousAnalyst.text).trim().endsWith('?'));
}

/** The customer's problem: the subject and the customer's first messages, before the analyst replied. */
export function problemMessages(ticket: Ticket): Message[] {
  const firstAnalyst = ticket.messages.findIndex((m) => m.author === 'analyst');
  const opening = firstAnalyst === -1 ? ticket.messages : ticket.messages.slice(0, firstAnalyst);
  return opening.filter((m) => m.author === 'customer').slice(0, PROBLEM_MESSAGES);
}

/** The analyst's resolution: the closing note, else their last substantive message. */
export function resolutionMessage(ticket: Ticket): { text: string; fromClosingNote: boolean; index: number } | null {
  if (ticket.resolution && ticket.resolution.trim()) {
    return { text: ticket.resolution.trim(), fromClosingNote: true, index: ticket.messages.length };
  }
  for (let i = ticket.messages.length - 1; i >= 0; i--) {
    const message = ticket.messages[i] as Message;
    if (isSubstantiveAnswer(message)) return { text: stripForAnswer(message.text), fromClosingNote: false, index: i };
  }
  return null;
}

/**
 * The answer an analyst message gives: cleaned, without the questions it ends on ("Would you like me to book it?",
 * "Did that help?"), which offer or check back and are not part of the resolution.
 */
function stripForAnswer(text: string): string {
  const sentences = sentencesOf(cleanMessage(text));
  while (sentences.length > 0 && (sentences.at(-1) as string).endsWith('?')) sentences.pop();
  return sentences.join(' ');
}

function confirmedAfter(ticket: Ticket, index: number): boolean {
  return ticket.messages.slice(index + 1).some((m) => m.author === 'customer' && CONFIRMATION.test(m.text));
}

function clamp01(x: number): number {
  return Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;
}

/** Extracts knowledge candidates from a closed ticket with rules only. */
export function extractWithRules(ticket: Ticket, options: ExtractOptions = {}): Extraction {
  const names = peopleNamesIn(ticket);
  const answered = options.answeredBySuggestion ?? new Set<string>();
  const tags = ticket.tags ?? [];
  const candidates: EntryCandidate[] = [];
  const rejected: RejectedCandidate[] = [];
  const seenAnswers = new Set<string>();

  // No title on rule-extracted entries: the subject is already the start of the question, and a title would
  // count the subject twice in the match text.
  const consider = (question: string, answer: string, confidence: number, askedIn: string | null, path: PathTurn[]): void => {
    const q = scrubEntryText(question, names);
    const a = scrubEntryText(answer, names);
    const issues = checkEntryQuality(q, a, names);
    if (issues.length > 0) {
      rejected.push({ question: q, answer: a, issues });
      return;
    }
    const key = tokenize(a).join(' ');
    if (seenAnswers.has(key)) return; // one entry per problem: the same answer twice is the same problem
    seenAnswers.add(key);
    candidates.push({
      question: q,
      answer: a,
      tags,
      sourceTicketId: ticket.id,
      confidence: clamp01(confidence),
      origin: 'rules',
      askedInMessageId: askedIn,
      ...(path.length > 0 ? { path } : {}),
    });
  };

  const opening = problemMessages(ticket);
  const problem = [ticket.subject ?? '', ...opening.map((m) => m.text)].map(cleanMessage).filter(Boolean).join('\n');
  // Without a closing note, the first problem's answer is the analyst's last substantive reply before the
  // customer asked something new; later questions get their own entries below.
  const openingIds = new Set(opening.map((m) => m.id));
  const nextQuestion = ticket.messages.findIndex((m, i) => !openingIds.has(m.id) && asksSomething(ticket.messages, i));
  const resolution =
    (nextQuestion > 0 ? resolutionMessage({ ...ticket, messages: ticket.messages.slice(0, nextQuestion) }) : null) ??
    resolutionMessage(ticket);
  const firstAsked = opening[0]?.id ?? null;
  const openingAnswered = opening.some((m) => answered.has(m.id));

  let skipped: string | null = null;
  if (!problem) skipped = 'the customer never described a problem';
  else if (!resolution) skipped = 'no resolution: no closing note and no substantive analyst reply';
  else if (openingAnswered) skipped = 'a suggestion already answered the problem';
  if (problem && resolution && !openingAnswered) {
    let confidence = BASE_CONFIDENCE;
    if (resolution.fromClosingNote) confidence += CLOSING_NOTE_BONUS;
    if (confirmedAfter(ticket, resolution.fromClosingNote ? -1 : resolution.index)) confidence += CONFIRMED_BONUS;
    if (tokenize(problem).length > LONG_QUESTION_WORDS) confidence -= 0.1;
    const rejectedBefore = rejected.length;
    consider(problem, resolution.text, confidence, firstAsked, pathBetween(ticket.messages, 0, resolution.index, names, openingIds));
    const problems = rejected.slice(rejectedBefore).flatMap((r) => r.issues.map((i) => i.problem));
    // A terse closing note ("Fixed.") says nothing reusable, but the analyst's last reply may; a promise in the
    // closing note ("we'll look into it") means the ticket was not resolved, so there is nothing to fall back on.
    if (resolution.fromClosingNote && problems.length > 0 && problems.every((p) => p === 'answer_too_short')) {
      const reply = resolutionMessage({ ...ticket, resolution: undefined });
      if (reply) consider(problem, reply.text, confidence - CLOSING_NOTE_BONUS, firstAsked, pathBetween(ticket.messages, 0, reply.index, names, openingIds));
    }
  }

  // Later questions that no suggestion answered: the analyst's next substantive reply is their answer.
  ticket.messages.forEach((message, index) => {
    if (openingIds.has(message.id) || answered.has(message.id) || !asksSomething(ticket.messages, index)) return;
    const rest = ticket.messages.slice(index + 1);
    const nextQuestion = rest.findIndex((_, j) => asksSomething(ticket.messages, index + 1 + j));
    const window = nextQuestion === -1 ? rest : rest.slice(0, nextQuestion);
    const replyIndex = window.findIndex(isSubstantiveAnswer);
    const reply = window[replyIndex];
    if (!reply) return;
    const confidence = BASE_CONFIDENCE + (confirmedAfter(ticket, index + 1 + replyIndex) ? CONFIRMED_BONUS : 0);
    // Its path: the conversation before it (which settles what "it" is) and any diagnostic turns before the reply.
    const path = pathBetween(ticket.messages, 0, index + 1 + replyIndex, names, new Set([message.id]));
    consider(message.text, stripForAnswer(reply.text), confidence, message.id, path);
  });

  if (candidates.length === 0 && !skipped) {
    const first = rejected[0];
    skipped = first ? `no entry met the quality rules: ${describeQualityIssues(first.issues)}` : 'nothing to learn';
  }
  return { candidates, rejected, skipped: candidates.length > 0 ? null : skipped };
}
