/**
 * The first gate of the proactive pipeline: is this customer message worth help at all? Thanks, greetings,
 * chit-chat and "any update?" are not; a question, an error report or a request is. This is the cheap rule-based
 * pre-filter that runs on every message. `classifyScope` also says when the rules are sure: only the unsure
 * messages (no question, no problem words) are put to the LLM, when one is running.
 */
import { answersNothing, checkScope } from '../text/scope';
import { tokenize } from '../text/tokenize';
import { acknowledgesOnly, choosesOrWishes, questionAct } from './turnActs';

/** Words that make a message a problem report or a request without a question mark. */
const PROBLEM_WORDS =
  /\b(error|errors|fail(s|ed|ing|ure)?|declined?|denied|not (work(ing)?|load(ing)?|show(ing)?|receive[d]?|arrive[d]?)|doesnt|dont|didnt|cant|cannot|can not|wont|unable|broken|crash(es|ed|ing)?|stuck|disconnect\w*|drop(s|ped|ping)?|slow|freez\w*|hang(s|ing)?|time(s|d)? out|timeout|reject\w*|expired?|invalid|late|delay\w*|pending|isnt|arent|hasnt|havent|never|still|keeps?|wrong|missing|lost|charged?|refund|cancel|blocked|locked|reset|how|why|where|when|what|which|help|issue|problem|need|want|would like|trying|tried)\b/;

/**
 * Turns that ask for no knowledge although they hold words of a request (issue 16, item 3): the customer closes
 * the conversation, confirms what the analyst proposed, books or schedules something, or asks for a record's
 * details (an address, a phone number, a reference), which the analyst looks up rather than knows. Written from
 * the DSTC11 fit half's turns (split by opening turn; the held-out half was not read) and checked against
 * BANKING77's train queries, of which they silence none of the knowledge-seeking ones they were meant to keep.
 */
const CLOSING = /^no thanks?( you)?\b|\b(thats|that should be|that is|that will be|thatll be) (everything|it|all)\b|\b(that should do it|that (will|ll|should) do|that does it|bye|goodbye|thats all( i need)?|that is all( i need)?|thats everything|nothing else|nothing more|no further|helped me with everything|have a (nice|good|great) (day|night|evening))\b/;
const CONFIRMATION =
  /^(yes|yeah|yep|yup|sure|ok|okay|great|perfect|sounds (good|great|perfect)|that (sounds|would be|will|works|is|s)( \w+)?|(the )?(first|second|last|latter|former) one|lets (do|go with)|i (will|ll) take)\b/;
/** Booking verbs; a booking is told from a question about what is booked ("can you book me a room with a view?") by its party size or time. */
const BOOKING_VERB = /\b(book|books|booking|reserve|reservation|reservations)\b/;
const BOOKING_DETAIL =
  /\b(for|party of) (\d+|one|two|three|four|five|six|seven|eight|nine|ten) (people|persons|guests|adults|nights?|days?)\b|\b\d+ (people|persons|nights?)\b|\b(leave|leaves|leaving|depart|departing|arrive|arriving|arrives) (on|at|by|after|before)\b|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/;
/**
 * A record's details asked for (an address, a phone number, a reference). An IP, MAC, e-mail, server or shipping
 * address is a thing of the problem ("Which IP address does the VPN use?"), not a place's record.
 */
const RECORD_DETAIL =
  /\b(?<!\b(ip|mac|email|e mail|web|server|network|proxy|gateway|dns|ipv4|ipv6|billing|shipping|return) )(address|addresses)\b|\b(phone number|telephone number|phone no|post ?codes?|zip( code)?|reference( number)?|ref number|booking number|confirmation number|contact (number|details)|car type|train id|entrance fee)\b/;
const CLOCK_TIME = /\b\d{1,2}:\d{2}\b/;
/**
 * A request to search a catalogue ("I'm looking for a cheap guesthouse with free parking", "find me a restaurant
 * called cocum"), stated without a question: the analyst runs the search; no entry answers it. DSTC11 fit half: the
 * most common turn that spoke without seeking knowledge. BANKING77 train: of its 19 queries with "looking for" or
 * "find a", those that state a problem hold "my" or a question and stay in.
 */
const SEARCH_REQUEST =
  /\b(looking for|look for|looking to find|trying to find|want to find|need to find|like to find|find me|searching for|search for) (a|an|some|one|somewhere|something|information|info|more information|more info|any|the \w+ called)\b|\b(called|named) \w+|\b(need|want|like) (a|some|another) (place|somewhere) to (stay|eat|dine|go|visit)\b/;
/**
 * "Can you help me find a place to dine?", "Could you find me an expensive restaurant in the centre?": the same
 * search asked as a question. A way, a fix or a setting to find is a problem, not a search ("help me find a way to
 * reset my PIN").
 */
const FIND_REQUEST = /\b(help me|can you|could you|would you|will you|please|you) (find|locate|look for|look up|search for)( me| us)? (a|an|some|somewhere|something|any|one)\b(?! (way|solution|fix|workaround|setting|option|reason))/;
/** "Can you recommend a guesthouse?": a search whose answer is a pick, not a fact; "recommend what I should do" stays in. */
const RECOMMEND = /\brecommend (a|an|one|some|something|somewhere|me|any)\b/;
/**
 * Search criteria stated without a question ("An expensive place in the west, please", "Price range doesn't
 * matter"). DSTC11 fit half; BANKING77 train: one query holds them, about the customer's own transfer ("my"), and stays in.
 */
const SEARCH_CRITERIA_STATED =
  /\b(cheap|moderately priced|moderate price|moderate price range|expensive|price range|(north|south|east|west|centre|center) (part|side)( of town)?|in the (north|south|east|west|centre|center)|star rating|\d star|no preference|doesnt matter|does not matter|dont care|do not care|dont mind)\b/;
/**
 * The customer reports the problem gone ("Logging out and back in fixed it, thanks!", "it works again now"): the
 * ticket is closing and no knowledge is asked for. The sample team's SHOP-103 spoke on exactly this turn (the
 * conversation still named the cart, at 0.94 confidence). A turn that also says "not", "still" or "but", or asks
 * something, goes on to another problem and stays in; so does a request to get it solved ("please get this sorted out",
 * "it hasn't worked": BANKING77 train, 6 queries a looser rule silenced).
 */
const RESOLVED =
  /\b(fixed|solved|resolved|sorted( out)?|did the trick|worked|works|working)( it| that| this| the (problem|issue))?( now| again| for me| perfectly| fine)?\b.*\b(thanks?|thank you|cheers|appreciate it|great|perfect|awesome)\b|\b(that|this|it|which|restarting|rebooting|logging \w+( and \w+ in)?|clearing \w+|resetting \w+|reinstalling \w+)( \w+)? (fixed|solved|resolved|sorted|did the trick|worked|helped)\b|\b(it|everything|all) (works|is working|s working|is fine|s fine|is good|s good) (now|again)\b|\b(problem|issue) (is |s |has been )?(gone|solved|fixed|resolved)\b|\bworks (fine |perfectly )?(now|again)\b/;
const GOES_ON = /\b(not|no longer|dont|doesnt|didnt|isnt|wasnt|hasnt|havent|never|cant|cannot|wont|still|but|however|although|except|another|other|also|how|need|want|please|hope|soon|get (this|it|that))\b/;

/**
 * Whether a place has what its record lists (parking, Wi-Fi, a star rating, a price range, an area, a type of
 * food), asked and nothing more: the analyst reads it off the record ("Does it also include free wifi?", "What is
 * the star rating and price range of Cityroomz?", "Is that a guesthouse?"). How good or how dear it is ("Is the
 * free WiFi fast and reliable?", "Do they charge a fee for wifi?", "Is it in a quiet part of town?") asks for
 * knowledge and stays in: the amenity must end the question. DSTC11 fit half, last turns: see BENCHMARKS.md.
 */
const RECORD_ATTRIBUTE_QUESTION =
  /\b(have|has|offer|offers|include|includes|provide|provides|come with|comes with|with|got)( both| any| a| also)? (free )?(parking|wifi|wi fi|internet|parking and (free )?(wifi|internet)|(wifi|internet) and (free )?parking)( too| also| as well| available| included| there)?$|\bwhat (is|are) (the|their|its) (star rating|stars|price range|pricerange|area|postcode|post code|food type|type of food)\b|\b(is|are) (that|it|they|this|those|these)( one)? (a |an )?(cheap|expensive|moderately priced|moderate|guest ?house|hotel|guesthouse|(\d|one|two|three|four|five) stars?( hotel| guesthouse)?)$|\bwhat (kind|type|sort) of food do they serve\b/;

/** A statement after a turn's questions that reports a problem, not a detail of the request. */
const TRAILING_PROBLEM = /\b(not|no longer|cant|cannot|dont|doesnt|didnt|isnt|wont|error|fail\w*|problem|issue|wrong|broken|declined|charged)\b/;

/** A confirmation is short: "Yes, that would be great!"; a longer turn that starts with "ok" goes on to say more. */
const MAX_CONFIRMATION_WORDS = 8;
/** A yes/no or how/why question about a quality of something: knowledge-seeking whatever else the turn holds. */
const KNOWLEDGE_QUESTION =
  /(^|[.!?,;]\s*|\b(and|but|also|so|then|yes|no|ok|okay)\s+)(do|does|did|is|are|was|were|has|have|can|could|will|would|should)( you know if| you tell me if)? (it|they|the|this|that|these|those|their|its|there|any)\b[^?]*\?|\b(how|why)\b[^?]*\?/;

/**
 * Is a cleaned, in-scope turn one that asks for no knowledge (closing, confirming, booking, a record's details)?
 * Returns the reason, or null when the turn may need knowledge. `answering` is the analyst turn before it, if any:
 * "How about an Italian place?" is a new search only after the analyst offered one or found none (`turnActs.ts`).
 */
export function actionTurn(cleanedMessage: string, answering: string | null = null): string | null {
  const plain = tokenize(cleanedMessage).join(' ');
  const lower = cleanedMessage.toLowerCase();
  // Each question of the turn, in turn: "Is that a guesthouse? And does it offer free wifi and parking?"
  const questions = cleanedMessage.split(/[?]/).map((q) => tokenize(q).join(' ')).filter(Boolean);
  const endsAsked = cleanedMessage.trim().endsWith('?');
  const asked = cleanedMessage.includes('?') ? questions.slice(0, endsAsked ? questions.length : -1) : [];
  // A statement after the questions that reports a problem keeps the turn in ("Can you book it? My card fails.").
  const after = endsAsked ? '' : (questions[questions.length - 1] ?? '');
  const acts = asked.map((q) => (RECORD_ATTRIBUTE_QUESTION.test(q.replace(/^(and|also|so|then|ok|okay|great|thanks|thank you)\s+/, '')) ? 'asks what a record lists' : questionAct(q, answering, SEARCH_CRITERIA_STATED)));
  if (asked.length > 0 && acts.every(Boolean) && !TRAILING_PROBLEM.test(after)) return acts.find((a) => a !== 'asks what a record lists') ?? 'asks what a record lists';
  if (KNOWLEDGE_QUESTION.test(lower.replace(/['’]/g, ''))) return null;
  if (CLOSING.test(plain) && !/\b(but|however|also)\b/.test(plain)) return 'closes the conversation';
  if (RESOLVED.test(plain) && !GOES_ON.test(plain) && !cleanedMessage.includes('?')) return 'reports the problem solved';
  // "My phone was stolen", "change my address": the customer's own things are a problem, not a look-up.
  const own = /\bmy\b(?! mind)|\b(mine|change|update|edit|wrong|lost|stolen)\b/.test(plain);
  if (RECORD_DETAIL.test(plain) && !own) return "asks for a record's details";
  const booking = BOOKING_DETAIL.test(plain) || CLOCK_TIME.test(lower) || (BOOKING_VERB.test(plain) && !cleanedMessage.includes('?'));
  if (booking && !own) return 'books or schedules';
  if (CONFIRMATION.test(plain) && !cleanedMessage.includes('?') && plain.split(' ').length <= MAX_CONFIRMATION_WORDS) return 'confirms';
  if (!own && ((SEARCH_REQUEST.test(plain) && !cleanedMessage.includes('?')) || RECOMMEND.test(plain) || FIND_REQUEST.test(plain))) return 'asks to find something by its features';
  if (!own && SEARCH_CRITERIA_STATED.test(plain) && !cleanedMessage.includes('?')) return 'states what to search for';
  return null;
}

export type ScopeClass =
  | { verdict: 'out'; reason: 'out_of_scope'; detail: string }
  | { verdict: 'in'; detail: string }
  | { verdict: 'unsure'; detail: string };

/**
 * The rule-based scope verdict with its certainty: `out` (small talk, a status ping, too short), `in` (a
 * question, or words of a problem or request), or `unsure` (anything else: the LLM decides when it runs;
 * retrieval-only mode treats it as in scope, as before).
 */
export function classifyScope(cleanedMessage: string, answering: string | null = null): ScopeClass {
  const verdict = checkScope(cleanedMessage);
  // "No, and yes I am." is too short to describe a problem, and reads as a confirmation, but it answers the
  // analyst's diagnostic question: with that question it narrows the problem down (issue 16), so it is in scope.
  // Thanks, goodbyes and the empty message stay out; so does a "yes" to an offer ("Would you like me to book it?").
  const plain = tokenize(cleanedMessage).join(' ');
  // An answer that books, confirms or asks for a record's details asks for no knowledge, whatever it answers.
  const action = actionTurn(cleanedMessage, answering);
  if (answering && plain && !action && isDiagnosticQuestion(answering) && !answersNothing(plain) && !CLOSING.test(plain)) {
    return { verdict: 'in', detail: "answers the analyst's question" };
  }
  if (!verdict.inScope) return { verdict: 'out', reason: 'out_of_scope', detail: verdict.detail };
  // "Crystal Minh" after "May I have your name?": the details asked for, not a problem (ABCD, 3 of its dialogues).
  if (answering && asksForDetails(answering) && !cleanedMessage.includes('?') && !PROBLEM_WORDS.test(plain)) {
    return { verdict: 'out', reason: 'out_of_scope', detail: 'gives the details the analyst asked for' };
  }
  if (action) return { verdict: 'out', reason: 'out_of_scope', detail: `${action}: no knowledge asked for` };
  // Thanks and acceptance with nothing else ("Alright. Thanks for the help."), or a pick among the options offered
  // ("The Ashley Hotel will work for me."): after the diagnostic check above, so that "yes" to the analyst's
  // question about the problem stays in.
  if (!cleanedMessage.includes('?') && acknowledgesOnly(plain)) return { verdict: 'out', reason: 'out_of_scope', detail: 'thanks or accepts: no knowledge asked for' };
  if (!cleanedMessage.includes('?') && choosesOrWishes(plain)) return { verdict: 'out', reason: 'out_of_scope', detail: 'picks an option or states a wish: no knowledge asked for' };
  if (cleanedMessage.includes('?')) return { verdict: 'in', detail: 'a question' };
  if (PROBLEM_WORDS.test(plain)) return { verdict: 'in', detail: 'describes a problem or a request' };
  return { verdict: 'unsure', detail: 'no question and no problem words' };
}

/** An analyst's offer or wrap-up, which a "yes" accepts: not a question about the problem. */
const OFFER =
  /\b(would you like|do you want|shall i|should i|can i help|may i help|anything else|is there anything|what else|want me to|like me to|how can i help|how may i help|can i assist|may i have|can i have|could i have|could you (give|provide|send)|can you (give|provide|send))\b/;

/**
 * An analyst's question about what the customer wants found or booked (a price range, an area, a day, how many
 * people): the answer narrows a search, not a problem. DSTC11 fit half: most answers that spoke without seeking
 * knowledge answered such a question ("In the east, please.", "I don't have a preference.").
 */
const SEARCH_CRITERIA =
  /\b(preference|preferences|prefer|price range|pricerange|budget|in mind|what area|which area|part of town|side of town|what type|which type|what kind|what sort|type of food|cuisine|how many (people|nights|tickets|guests)|what day|which day|what time|departure|departing|destination|arrive by|leave after|star rating|stars)\b/;

/** The customer's own identifying details, which an analyst asks for to look the account up. */
const IDENTITY_DETAILS =
  /\b(full name|your name|username|user name|user id|email|e mail|email address|order id|order number|account id|account number|membership level|date of birth)\b/;

/**
 * Does this analyst turn ask for the customer's identifying details ("May I have your full name, username and
 * order ID?")? The answer ("Crystal Minh") says nothing about the problem. (Leaving such turns out of the
 * conversation query too was tried: ABCD MRR 0.206 → 0.210 and no R@1 gained, DSTC11 held-out quick R@1 0.481 →
 * 0.462, so the query keeps them.)
 */
export function asksForDetails(analystText: string): boolean {
  const plain = tokenize(analystText).join(' ');
  // "would you give me your full name or account ID" asks without a question mark.
  return (analystText.includes('?') || /\b(give|provide|send|tell|confirm|need)( me)? your\b/.test(plain)) && IDENTITY_DETAILS.test(plain);
}

/** Is this analyst turn a diagnostic question (a question about the problem, not an offer or a request for details)? */
export function isDiagnosticQuestion(analystText: string): boolean {
  const plain = tokenize(analystText).join(' ');
  return analystText.includes('?') && !OFFER.test(plain) && !RECORD_DETAIL.test(plain) && !SEARCH_CRITERIA.test(plain);
}
