/**
 * The rule-based scope check: is a cleaned customer message worth help at all? Thanks, greetings, chit-chat and
 * "any update?" are not; a question, an error report or a request is. The assistant's scope gate builds on it, and
 * learning uses it to skip messages that state no problem; it lives in text/ so neither needs the other.
 */
import { STOPWORDS, tokenize } from './tokenize';

export type ScopeVerdict = { inScope: true } | { inScope: false; reason: 'out_of_scope'; detail: string };

/** Whole messages that never need help, after cleaning (compared without punctuation, lower-case). */
const SMALL_TALK: readonly RegExp[] = [
  /^(ok(ay)?|k|sure|great|perfect|cool|nice|awesome|fine|got it|understood|noted|yes|yeah|yep|no|nope)( thanks?( you)?)?( so much)?$/,
  /^(thanks?|thank you|thx|ty|cheers|much appreciated|appreciate it)( (so|very) much)?( for (your|the) help)?( again)?$/,
  /^(hi|hello|hey|good (morning|afternoon|evening))( there| team| all)?$/,
  /^(bye|goodbye|have a (nice|good|great) day|see you)$/,
  /^(any (update|news)s?|(is there )?(an )?update( on this)?|following up|just following up|bump|still waiting)$/,
];

/** Small talk that answers nothing: thanks, greetings, goodbyes, status pings (a bare "yes" or "no" may answer). */
const NOT_AN_ANSWER = SMALL_TALK.slice(1);

/**
 * Is a tokenized, space-joined message small talk that answers nothing (thanks, a greeting, a goodbye, a status
 * ping)? A bare "yes" or "no" is not: it may answer the analyst's diagnostic question.
 */
export function answersNothing(plainWords: string): boolean {
  return NOT_AN_ANSWER.some((re) => re.test(plainWords));
}

/** A message needs at least this many content words to describe a problem: "card declined" does, "ok" not. */
const MIN_CONTENT_WORDS = 2;

/** Decides whether a cleaned customer message is in scope for proactive help. */
export function checkScope(cleanedMessage: string): ScopeVerdict {
  const words = tokenize(cleanedMessage);
  const plain = words.join(' ');
  if (words.length === 0) return { inScope: false, reason: 'out_of_scope', detail: 'empty after cleaning' };
  if (SMALL_TALK.some((re) => re.test(plain))) {
    return { inScope: false, reason: 'out_of_scope', detail: 'small talk or a status ping' };
  }
  const content = words.filter((w) => !STOPWORDS.has(w) && !/^\d+$/.test(w));
  if (content.length < MIN_CONTENT_WORDS && !cleanedMessage.includes('?')) {
    return { inScope: false, reason: 'out_of_scope', detail: 'too short to describe a problem' };
  }
  return { inScope: true };
}
