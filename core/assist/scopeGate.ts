/**
 * The first gate of the proactive pipeline: is this customer message worth help at all? Thanks, greetings,
 * chit-chat and "any update?" are not; a question, an error report or a request is. This is the cheap rule-based
 * pre-filter that runs on every message. `classifyScope` also says when the rules are sure: only the unsure
 * messages (no question, no problem words) are put to the LLM, when one is running.
 */
import { STOPWORDS, tokenize } from '../text/tokenize';

export type ScopeVerdict = { inScope: true } | { inScope: false; reason: 'out_of_scope'; detail: string };

/** Whole messages that never need help, after cleaning (compared without punctuation, lower-case). */
const SMALL_TALK: readonly RegExp[] = [
  /^(ok(ay)?|k|sure|great|perfect|cool|nice|awesome|fine|got it|understood|noted|yes|yeah|yep|no|nope)( thanks?( you)?)?( so much)?$/,
  /^(thanks?|thank you|thx|ty|cheers|much appreciated|appreciate it)( (so|very) much)?( for (your|the) help)?( again)?$/,
  /^(hi|hello|hey|good (morning|afternoon|evening))( there| team| all)?$/,
  /^(bye|goodbye|have a (nice|good|great) day|see you)$/,
  /^(any (update|news)s?|(is there )?(an )?update( on this)?|following up|just following up|bump|still waiting)$/,
];

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

/** Words that make a message a problem report or a request without a question mark. */
const PROBLEM_WORDS =
  /\b(error|errors|fail(s|ed|ing|ure)?|declined?|denied|not (work(ing)?|load(ing)?|show(ing)?|receive[d]?|arrive[d]?)|doesnt|dont|didnt|cant|cannot|can not|wont|unable|broken|crash(es|ed|ing)?|stuck|disconnect\w*|drop(s|ped|ping)?|slow|freez\w*|hang(s|ing)?|time(s|d)? out|timeout|reject\w*|expired?|invalid|late|delay\w*|pending|isnt|arent|hasnt|havent|never|still|keeps?|wrong|missing|lost|charged?|refund|cancel|blocked|locked|reset|how|why|where|when|what|which|help|issue|problem|need|want|would like|trying|tried)\b/;

export type ScopeClass =
  | { verdict: 'out'; reason: 'out_of_scope'; detail: string }
  | { verdict: 'in'; detail: string }
  | { verdict: 'unsure'; detail: string };

/**
 * The rule-based scope verdict with its certainty: `out` (small talk, a status ping, too short), `in` (a
 * question, or words of a problem or request), or `unsure` (anything else: the LLM decides when it runs;
 * retrieval-only mode treats it as in scope, as before).
 */
export function classifyScope(cleanedMessage: string): ScopeClass {
  const verdict = checkScope(cleanedMessage);
  if (!verdict.inScope) return { verdict: 'out', reason: 'out_of_scope', detail: verdict.detail };
  if (cleanedMessage.includes('?')) return { verdict: 'in', detail: 'a question' };
  const plain = tokenize(cleanedMessage).join(' ');
  if (PROBLEM_WORDS.test(plain)) return { verdict: 'in', detail: 'describes a problem or a request' };
  return { verdict: 'unsure', detail: 'no question and no problem words' };
}
