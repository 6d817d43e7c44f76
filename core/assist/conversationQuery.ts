/**
 * What to search for after a customer message of a running conversation (issue 16, item 1).
 *
 * The customer's latest message rarely stands alone: it answers the analyst's question ("No, I'm on hotel Wi-Fi"),
 * or asks about something named turns earlier, often by the analyst ("There is no free WiFi at The Missing Sock" →
 * "Does the restaurant serve alcohol?"). So the search weighs two queries: the *focus* (this message and the analyst
 * turn it answers) and the *whole* conversation (both sides). Then, when the conversation names the subject of some
 * candidate entries (their title), the most recently named subject is searched together with this message: the
 * question is about that subject, not about any entry that shares the question's words.
 */
import type { Message, Ticket } from '../formats/schemas';
import { STOPWORDS, tokenize } from '../text/tokenize';
import { cleanMessage } from '../text/queryCleaner';
import { lexicalCoverage } from './confidence';
import { fuseLists, searchLists, type KnowledgeSource, type MultiSearchResult, type WeightedQuery } from './knowledgeSource';

/**
 * Weight of the focus query against the whole conversation's and the customer's messages' (1 each). Measured on
 * 300 knowledge-seeking turns of the DSTC11 fit half, searching the store directly: the focus alone put the right
 * entity first on 0.620, the whole conversation alone on 0.420, the customer's messages alone (the old query) on
 * 0.237; with the named subject (below), focus 2 + whole 1 gave 0.877 and adding the customer's messages 0.883
 * (labelled snippet in the top 5: 0.353, 0.367), and on ABCD's 31 customer turns MRR 0.204 → 0.247.
 *
 * Regridded with the score-normalised fusion (`npm run bench:conversation-weights`; BENCHMARKS.md, "Conversation
 * query weights, regridded"): on all 1,120 knowledge-seeking turns of the DSTC11 fit half every setting with a
 * subject weight of 2 or more is within 0.01 of this one (Recall@1 0.496, best 0.506), and the best fell on the
 * held-out half's top 5. ABCD (no subject named) wants a light focus (0.5, with the customer's messages at 0.5:
 * Recall@1 0.355 → 0.484), but the multi-turn learning curve's fit part (tickets 1-600) falls with it, 0.560 →
 * 0.512, and with every lighter focus tried (0.478-0.525): kept as they were.
 */
export const FOCUS_WEIGHT = 2;
/** A customer message with this many content words or more gets the whole focus weight; fewer, a share of it. */
const FOCUS_FULL_WORDS = 3;
/** Weight of the "named subject + this message" query when the conversation names one. */
export const SUBJECT_WEIGHT = 3;

/** The weights of the queries a conversation turn is searched with (the fitted ones by default; benches grid them). */
export interface ConversationWeights {
  /** The focus: this message and the analyst turn it answers (scaled down for a message of few words). */
  focus: number;
  /** The whole conversation, both sides. */
  whole: number;
  /** The customer's messages so far. */
  customer: number;
  /** Each named subject with this message. */
  subject: number;
}

/** The fitted weights (see FOCUS_WEIGHT, SUBJECT_WEIGHT). */
export const CONVERSATION_WEIGHTS: Readonly<ConversationWeights> = { focus: FOCUS_WEIGHT, whole: 1, customer: 1, subject: SUBJECT_WEIGHT };
/** Names in as many candidate titles as this are generic ("hotel", "guest house"): they name no one subject. */
const GENERIC_IN_TITLES = 3;
/** Candidates whose titles may be named by the conversation. */
const SUBJECT_CANDIDATES = 60;
/**
 * A subject is a name that titles at least this many of the candidates: an entity the knowledge holds several
 * entries about (a hotel's FAQs and reviews). A title held by one entry alone names a topic ("Manage Change Name"),
 * and a turn that says one of its words ("may I have your name?") asks nothing about it. Anchoring on such titles
 * put the wrong guideline first on 30 of ABCD's 31 customer turns (Recall@1 0.032 → 0.484, searching the store
 * directly); on 300 knowledge-seeking turns of the DSTC11 fit half, where every entity has several entries, right
 * snippet first 0.517 → 0.520, right entity first 0.907 → 0.913.
 */
export const MIN_SUBJECT_ENTRIES = 2;
/** At most this many subjects named in the same turn are searched. */
const MAX_SUBJECTS = 2;

const speaks = (m: Message): boolean => m.author === 'customer' || m.author === 'analyst';

/** The customer message at `index` and the analyst turn just before it (the question it answers), cleaned. */
export function focusText(ticket: Ticket, index: number): string {
  const message = ticket.messages[index];
  if (!message) return '';
  const parts = [cleanMessage(message.text)];
  for (let j = index - 1; j >= 0; j--) {
    const before = ticket.messages[j]!;
    if (before.author === 'customer') break;
    if (before.author === 'analyst') {
      parts.unshift(cleanMessage(before.text));
      break;
    }
  }
  return parts.filter(Boolean).join('\n');
}

/** The subject and every customer and analyst turn up to `index`, cleaned. */
export function wholeText(ticket: Ticket, index: number): string {
  const parts = [ticket.subject ? cleanMessage(ticket.subject) : ''];
  for (const m of ticket.messages.slice(0, index + 1)) if (speaks(m)) parts.push(cleanMessage(m.text));
  return parts.filter(Boolean).join('\n');
}

/**
 * The queries for the customer message at `index`: the focus (weighted) and the whole conversation. On a first
 * message both are the same text and the search is the plain one.
 */
export function conversationQueries(ticket: Ticket, index: number, weights: Readonly<ConversationWeights> = CONVERSATION_WEIGHTS): WeightedQuery[] {
  const focus = focusText(ticket, index);
  const whole = wholeText(ticket, index);
  if (!ticket.subject && focus === whole) return [{ text: whole, weight: 1 }];
  // A message with few words of its own ("Username: cminh730", "I'm a bronze") says little that is new: the
  // conversation so far carries the problem, so the focus weighs less.
  const words = contentWords(cleanMessage(ticket.messages[index]?.text ?? '')).length;
  return [
    { text: focus, weight: weights.focus * Math.min(1, words / FOCUS_FULL_WORDS) },
    { text: whole, weight: weights.whole },
    { text: customerText(ticket, index), weight: weights.customer },
  ];
}

/** The subject and the customer's messages up to `index`, cleaned: what the customer has said so far. */
export function customerText(ticket: Ticket, index: number): string {
  const parts = [ticket.subject ? cleanMessage(ticket.subject) : ''];
  for (const m of ticket.messages.slice(0, index + 1)) if (m.author === 'customer') parts.push(cleanMessage(m.text));
  return parts.filter(Boolean).join('\n');
}

/** The name part of a title: before a parenthesised qualifier ("Acorn Guest House (review)" → "Acorn Guest House"). */
function nameOf(title: string): string {
  return title.replace(/\s*\([^)]*\)\s*$/, '').trim();
}

const contentWords = (text: string): string[] => tokenize(text).filter((w) => w.length > 1 && !STOPWORDS.has(w));

/**
 * The subjects (entry titles' names) that the turns before `index` name most recently, among the titles of
 * `candidates`. A name is named by a turn when the turn holds every one of its distinctive words (those not shared
 * by several candidate titles). Null when no turn names one.
 */
export function namedSubjects(ticket: Ticket, index: number, candidateTitles: readonly (string | undefined)[]): string[] | null {
  const entriesOf = new Map<string, number>();
  for (const t of candidateTitles) if (t && t.trim()) entriesOf.set(nameOf(t), (entriesOf.get(nameOf(t)) ?? 0) + 1);
  const names = [...entriesOf].filter(([, n]) => n >= MIN_SUBJECT_ENTRIES).map(([name]) => name);
  if (names.length === 0) return null;
  const titlesWith = new Map<string, number>();
  const wordsOf = new Map<string, string[]>();
  for (const name of names) {
    const words = [...new Set(contentWords(name))];
    wordsOf.set(name, words);
    for (const w of words) titlesWith.set(w, (titlesWith.get(w) ?? 0) + 1);
  }
  const distinctive = new Map<string, string[]>();
  for (const [name, words] of wordsOf) {
    const own = words.filter((w) => (titlesWith.get(w) ?? 0) < GENERIC_IN_TITLES);
    if (own.length > 0) distinctive.set(name, own);
  }
  // Only earlier turns name a subject: a name in this message is in the focus query already, and anchoring on it
  // cost an article knowledge base whose titles are topics ("card arrival") 8.6 points of right-first answers
  // (BANKING77 train as 77 articles, 500 queries, `npm run fit:gate -- --quick`: 66.3% → 57.7%).
  for (let j = Math.min(index, ticket.messages.length) - 1; j >= 0; j--) {
    const m = ticket.messages[j]!;
    if (!speaks(m)) continue;
    const said = new Set(tokenize(m.text));
    const named = [...distinctive].filter(([, words]) => words.every((w) => said.has(w))).map(([name]) => name);
    if (named.length === 0) continue;
    // "Acorn Guest House" said in full names it rather than "Cambridge Guest House", of which it says two words.
    const share = (name: string): number => {
      const words = wordsOf.get(name)!;
      return words.filter((w) => said.has(w)).length / words.length;
    };
    const best = Math.max(...named.map(share));
    return named.filter((name) => share(name) === best).slice(0, MAX_SUBJECTS);
  }
  return null;
}

/** The queries that ask this message about each named subject. */
export function subjectQueries(ticket: Ticket, index: number, subjects: readonly string[], weight: number = SUBJECT_WEIGHT): WeightedQuery[] {
  const message = ticket.messages[index];
  const text = message ? cleanMessage(message.text) : '';
  return subjects.map((subject) => ({ text: `${subject}\n${text}`, weight }));
}

/** What `searchConversation` found, and the subjects it asked about. */
export interface ConversationSearch extends MultiSearchResult {
  subjects: string[];
}

/**
 * Searches for the customer message at `index`: the conversation queries first; then, when the conversation names
 * the subject of some of the candidates, this message about that subject, fused with the first rankings.
 */
export async function searchConversation(
  sources: readonly KnowledgeSource[],
  ticket: Ticket,
  index: number,
  limit: number,
  weights: Readonly<ConversationWeights> = CONVERSATION_WEIGHTS,
): Promise<ConversationSearch> {
  const failures: MultiSearchResult['failures'] = [];
  // A first message names its subject in the query itself; later turns may name it turns earlier, so more
  // candidates are read for their titles (a first message is all of a single-message ticket: no cost there).
  const queries = conversationQueries(ticket, index, weights);
  const lists = await searchLists(sources, queries, queries.length > 1 ? Math.max(limit, SUBJECT_CANDIDATES) : limit, failures);
  const seen = new Map<string, string | undefined>();
  for (const l of lists) for (const h of l.hits) seen.set(h.entry.id, h.entry.title);
  const candidates = [...seen.values()];
  const subjects = namedSubjects(ticket, index, candidates) ?? [];
  if (subjects.length === 0) return { hits: fuseLists(lists, limit), failures, subjects };
  lists.push(...(await searchLists(sources, subjectQueries(ticket, index, subjects, weights.subject), limit, failures)));
  // The question is about the named subject: its entries come first, in fused order.
  const fused = fuseLists(lists, Math.max(limit, SUBJECT_CANDIDATES));
  const named = new Set(subjects);
  const about = (h: (typeof fused)[number]): boolean => h.entry.title !== undefined && named.has(nameOf(h.entry.title));
  // Among the subject's entries, the message's own words choose: "Does it have a good view?" wants the entry about
  // the view, whatever else the conversation said about the place.
  const message = cleanMessage(ticket.messages[index]?.text ?? '');
  const own = fused.filter(about).map((hit, rank) => ({ hit, rank, words: lexicalCoverage(message, hit) }));
  own.sort((a, b) => b.words - a.words || a.rank - b.rank);
  return { hits: [...own.map((o) => o.hit), ...fused.filter((h) => !about(h))].slice(0, limit), failures, subjects };
}
