/**
 * Conversational acts of a customer turn that ask for no knowledge although they are worded as questions or
 * requests (issue 16, item 3): asking the analyst to book something, to pick among the options offered, to search
 * again with other criteria, asking a field the place's record lists, or only thanking and accepting. The scope gate
 * (`scopeGate.ts`) silences a turn when every question it asks is one of these.
 *
 * Written from the DSTC11 validation fit half only (the turns the engine still spoke on that are labelled as needing
 * no knowledge; the held-out half was not read) and checked on BANKING77's 10,003 train queries and ABCD's customer
 * turns; the count each act silences there is in BENCHMARKS.md ("Scope rules for the other turns").
 */
import { STOPWORDS } from '../text/tokenize';

/**
 * A request that the analyst book, reserve or schedule something already named ("Can you book that for me?",
 * "Could you schedule a taxi to take me there?"). What is booked is not asked about: "Can you book me a room with a
 * great view?" asks whether one exists, so a "with" or a "that has" keeps the turn in.
 */
const BOOKING_REQUEST =
  /\b(can|could|would|will) (you|we|i)( please)?( go ahead and)? (book|reserve|schedule|arrange)( me| us)?( a| the| that| this| one)? (it|that|this|one|them|room|rooms|table|booking|reservation|taxi|cab|ticket|tickets|train|for)\b|\b(can|could|would|will) you( please)? make (a|the|that|my) (booking|reservation)\b|^(please )?(book|reserve) (it|that|this|one|them)\b/;
/** "Do they have a table available for 3 people at 11:00 on Monday?": a booking asked as a question. */
const AVAILABLE_FOR = /\bavailab\w*\b.*\bfor (\d+|one|two|three|four|five|six|seven|eight) (people|persons|guests|adults|nights?)\b/;
const ASKS_WHAT_IS_BOOKED = /\b(with|that has|which has|that have|where|view|quiet)\b/;

/**
 * Asking the analyst to pick among the options just offered ("Which one would you recommend?", "Which one is
 * better?", "What do you suggest?"): the answer is a choice, not a fact. "What do you suggest I do?" asks how to
 * solve a problem and stays in (the question must end at the verb).
 */
const PICK_FOR_ME =
  /\bwhich (one|ones|of (them|those|these|the two|the \w+))( (would|do|should|can|could) you)? (recommend|suggest|prefer|like best)$|\bwhich (one|of (them|those|these)) (is|s|would be|sounds) (better|best|nicer|the best)\b|\bwhat (would|do|can|could) you (recommend|suggest)$|\bif you were me\b/;

/**
 * Searching the options again with other criteria, asked after the analyst found none or offered one: "How about
 * an Italian restaurant in the south?", "Could you try for the center part of town?", "Do you have anything on the
 * North side?". Without an analyst turn before it ("What about an auto top-up?", a BANKING77 train query) the turn
 * stays in: it is the analyst's offer or empty result that makes it a new search.
 */
const NEW_SEARCH =
  /^(how|what) about\b|\b(can|could|would) you (try|check|look|search)( again)? (for|in) the\b|\binstead$|\bdo you have (any|anything|something|one|ones)( else| other| more)? (in|on|at|near|around)\b|\bwhat (else|other \w+) (is|are|do you have)( there)?( available)?$|\bwhat (else )?do you have$/;
/** An analyst turn offering an option or saying none was found: what makes "how about …?" a new search. */
const ANALYST_OFFERS_OR_FINDS_NONE =
  /\b(no|not|none|nothing|sorry|unfortunately|would you like|do you want|how about|what about|is that|does that|there (is|are)|i have|we have|i found|i recommend|i suggest|another)\b/;

/**
 * A question about a field the place's record lists: where it is, its price class, its rating or its kind ("What
 * side of town are they in?", "How expensive is it?", "How many stars is the hotel rated?", "Is this a hotel or a
 * guesthouse?"). The analyst reads it off the record. Asked of "it", "that" or a named place only: "How expensive
 * is it to send money abroad?" asks about a fee and stays in (the question must end there).
 */
const RECORD_FIELD_QUESTION =
  /\b(what|which) (area|part of town|side of town|part of the city|side of the city|area of town) (is|are|s|do|does)\b|\b(what|which) (area|part of town|side of town)$|\b(what|which) (area|part|side)( of town)? (is|are) (it|that|they|this|the \w+)( \w+)? (in|located)\b|\bwhat area (is|are) (it|they|that)( \w+)?( located)?$|\bis (it|that|this|they)( \w+)? (in|on) the (north|south|east|west|centre|center|city centre)( part| side)?( of town)?$|\bwhere (is|are) (it|that|they|this) located$|\bprice range\b|\bhow (expensive|pricey|cheap) (is|are) (it|that|this|they|the \w+)( \w+)?$|\b(is|are) (it|that|this|they|the \w+)( \w+)? (a |an )?(cheap|expensive|moderately priced|pricey|affordable|reasonable|reasonably priced)( \w+)?$|\bhow many stars\b|\b(its|their|the) (star )?rating\b|\b(is|are) (it|that|this|they|the \w+)( both| all)? (\d|one|two|three|four|five) stars?$|\bstar rating\b|\b(is|s) (it|this|that)( \w+)? a (hotel|guest ?house|guesthouse|restaurant) or (a )?\w+\b|\b(is|are) (it|that|this|they|the \w+)( \w+)? a (guest ?house|guesthouse|hotel|bed and breakfast)\b|\b(post ?codes?|phone numbers?|reference numbers?)\b|\b(?<!\b(ip|mac|email|e mail|web|server|network|proxy|gateway|dns|ipv4|ipv6|billing|shipping|return) )(addresses|address)\b/;
/** A question of how to do something is never a record's field ("How do I input a new address?", BANKING77 train). */
const HOW_TO = /\b(how|why) (do|can|could|should|would|did|does|is|are) (i|we|you|it)\b|\bhow to\b/;
/** A way, a method or an option to do something: a question of how, whatever criteria it states. */
const WAY = /\b(way|ways|method|methods|option|options|solution|fix|to (send|pay|get|make|do|use|transfer))\b/;
/** "I need a place to stay! Can you help?": a search for a place, not a question about one. */
const PLACE_SEARCH = /\b(need|want|like|looking for|find) (a|some|another) (place|somewhere) to (stay|eat|dine|go|visit)\b/;

/**
 * What a question asks for, when it is an act that needs no knowledge: `null` for a question that may need it.
 * `question` is one tokenized question of the turn; `answering` the analyst turn before it, if any.
 */
export function questionAct(question: string, answering: string | null, searchCriteria: RegExp | null = null): string | null {
  const q = question.replace(/^((and|also|so|then|ok|okay|great|thanks|thank you|yes|no|maybe|actually|alright|oh|that s okay|thats okay)\s+)+/, '');
  if (/\b(not|cant|cannot|didnt|doesnt|wrong|lost|stolen|error|fail\w*)\b/.test(q)) return null;
  if ((BOOKING_REQUEST.test(q) && !ASKS_WHAT_IS_BOOKED.test(q)) || AVAILABLE_FOR.test(q)) return 'asks the analyst to book';
  // The customer's own things are a problem, not a record ("my refund", "report a change of address"); "I changed my
  // mind" is not.
  if (/\bmy\b(?! mind| choices| options)|\b(mine|change|update|edit|report)\b/.test(q)) return null;
  if (PICK_FOR_ME.test(q)) return 'asks the analyst to pick among the options';
  if (answering && ANALYST_OFFERS_OR_FINDS_NONE.test(answering.toLowerCase()) && NEW_SEARCH.test(q)) return 'searches again with other criteria';
  if (PLACE_SEARCH.test(q)) return 'asks to find a place';
  // "Is there a cheap place in the north part of town?", "What places are in the south?": which options match.
  // "Is there a cheap way to send money abroad?" asks for a way, which is knowledge.
  if (searchCriteria?.test(q) && /^(are there|is there|do you have|does \w+ have|what|which|any)\b/.test(q) && !WAY.test(q)) return 'asks which options match';
  if (RECORD_FIELD_QUESTION.test(q) && !HOW_TO.test(q)) return "asks a field of the place's record";
  return null;
}

/**
 * Phrases of thanks and acceptance: "Thanks for the help.", "Perfect, that will work for me, thanks so much.", "I'll
 * look forward to hearing from them." A turn of these and nothing else asks for nothing.
 */
const ACKNOWLEDGEMENT =
  /\b(thanks?|thank you|thx|cheers)( (so|very) much)?( for (all )?(the |your )?(trying to )?(help|helping|info|information|assistance|time|that information|the information)( today)?)?\b|\b(that|this|it|which|that one|that place|this one)( (will|would|should|ll|does|sounds))? (work|do|be)( (fine|great|perfect|good|ok|okay))?( for (me|us))?\b|\bi (will|ll) (try|take) (that|it|this)( one| place)?\b|\b(sounds|that sounds|looks) (good|great|perfect|fine|lovely)\b|\b(i |ill )?(will |ll )?look forward to hearing (from \w+|back)\b|\blet me know\b|\b(ok(ay)?|alright|all right|great|perfect|wonderful|excellent|awesome|good|fine|sure|yes|yeah|oh|well|no worries|exactly|lovely|nice)\b/g;

/** Does a tokenized turn only thank or accept, with no content word left once those phrases are gone? */
export function acknowledgesOnly(plain: string): boolean {
  const rest = plain.replace(ACKNOWLEDGEMENT, ' ');
  return rest !== plain && rest.split(/\s+/).every((w) => !w || STOPWORDS.has(w));
}

/**
 * A statement that picks an offered option or states a wish for the search, not a problem: "Let's try the Hobson's
 * House please.", "The Ashley Hotel will work for me.", "As long as it has free wifi", "I want it to be a
 * guesthouse", "I am going to Cambridge from Ely."
 */
const CHOICE_OR_WISH =
  /^(lets|let us|well|we ll|i ll|ill|i will|id like to|i would like to) (try|go with|take|choose|pick)\b|\b(will|would|should) work (for me|for us|fine)$|^as long as (it|they|the \w+) (has|have|is|are|offers?)\b|^i (want|would like|d like|prefer) (it|one|them) (to be a|to be an|in|near|close to)\b|\b(i am|im|we are|were) (going|travell?ing|heading|headed) (to|from) \w+( \w+)? (to|from) \w+/;

/** Does a tokenized statement (no question) pick an offered option or state a wish for the search? */
export function choosesOrWishes(plain: string): boolean {
  return CHOICE_OR_WISH.test(plain) && !/\b(not|cant|didnt|doesnt|error|problem|issue|wrong|broken|my)\b/.test(plain);
}
