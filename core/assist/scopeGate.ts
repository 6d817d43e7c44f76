/**
 * The first gate of the proactive pipeline: is this customer message worth help at all? Thanks, greetings,
 * chit-chat and "any update?" are not; a question, an error report or a request is. This is the cheap rule-based
 * pre-filter that runs on every message. `classifyScope` also says when the rules are sure: only the unsure
 * messages (no question, no problem words) are put to the LLM, when one is running.
 */
import { checkScope } from '../text/scope';
import { tokenize } from '../text/tokenize';

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
