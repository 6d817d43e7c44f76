/**
 * The quality rules every learned entry must meet, whoever extracted it (rules or the LLM): a general,
 * self-contained question and an actionable answer, one problem per entry, with no customer names, ticket
 * numbers, dates or status talk, and no "maybe", "contact someone" or "we'll look into it" as an answer.
 *
 * `scrubEntryText` removes what can be removed (names, identifiers, dates, pleasantries and status sentences);
 * `checkEntryQuality` then refuses what is still wrong, naming each problem.
 */
import { removeIdentifiers } from '../text/queryCleaner';
import { STOPWORDS, tokenize } from '../text/tokenize';

export type QualityProblem =
  | 'question_too_short'
  | 'answer_too_short'
  | 'answer_is_a_question'
  | 'non_answer'
  | 'contains_identifier'
  | 'contains_name'
  | 'contains_date'
  | 'status_talk';

export interface QualityIssue {
  field: 'question' | 'answer';
  problem: QualityProblem;
  detail: string;
}

/** Fewer content words than this cannot state a problem or a fix ("card declined" is 2; "it works" is 1). */
const MIN_QUESTION_WORDS = 2;
const MIN_ANSWER_WORDS = 3;

/** Answers that promise, hedge or hand off instead of resolving. */
const NON_ANSWERS: readonly RegExp[] = [
  /\b(we|i)\s*('ll|will|are going to|am going to)\s+(look|check|dig)\s+into\b/i,
  /\b(we|i)\s*('ll|will)\s+(get back to you|follow up|keep you (posted|updated)|let you know)\b/i,
  /\b(contact|reach out to|ask|call|email|e-mail)\s+(someone|somebody|support|the (team|helpdesk|help desk|service desk)|your (bank|admin|administrator|it department|manager))\b/i,
  /\b(escalat(ed|ing|e) (this|it|the (ticket|case|issue))|passed (this|it) on|forwarded (this|it) to)\b/i,
  /^\s*(maybe|perhaps|possibly|not sure|no idea|i don'?t know|unsure)\b/i,
  /\b(maybe|perhaps) (try|it|you)\b/i,
];

/** Words around a confirmation that add nothing: "great", "thanks so much", "glad". */
const OPENER = "(ok(ay)?|great|perfect|awesome|brilliant|excellent|yes|yep|cool|glad|good|thanks?|thank you|thx|cheers|so|very|much|a lot|again|for me|to hear|(i'?m|we'?re) glad)";
/** "that fixed it", "it works now", "this did the trick", "that's solved it". */
const CONFIRMED =
  "(that|this|it|which)(('s| has| have| did| really| now)\\s+)?\\s*(fixed|solved|resolved|worked|works|did)( it| that| the trick| the problem| the issue)?( now)?( for me)?|(it )?works( again| now)+|all (good|sorted|working)( now)?";

/** Sentences about the ticket rather than the problem; dropped from answers and questions. */
const STATUS_SENTENCES: readonly RegExp[] = [
  /\b(ticket|case|request|incident)\s+(is|was|has been|will be|now)\s*(now\s+)?(closed|resolved|solved|opened|reopened|escalated|assigned|on hold|pending)\b/i,
  /\b(i('| a)m|i have|i've|we('| a)re|we have|we've)\s+(closing|closed|resolving|marking|marked|reopening|reopened|escalating|escalated)\b/i,
  /\b(marking|mark|set(ting)?) (this|it|the ticket) (as )?(solved|resolved|closed|pending)\b/i,
  /\b(let (me|us) know|feel free|don'?t hesitate|happy to help|glad (i|we) could help|hope (this|that) helps|have a (nice|good|great) (day|week|weekend))\b/i,
  /\b(any (update|news)|still waiting|following up|sorry for the (delay|wait)|thanks? (you )?for (your )?(patience|waiting|reaching out|contacting))\b/i,
  // A sentence that is only a pleasantry: "Thanks.", "Thank you so much!", "OK.", "Great,".
  /^\s*(thanks?|thank you|thx|cheers|ok(ay)?|great|perfect|cool|sure|hi|hello|hey)( (so|very) much)?( again)?\s*[.!,]*\s*$/i,
  // A confirmation, with or without thanks: "That fixed it, thanks!", "Great, glad that worked.", "Works now, thank
  // you!". It says the answer worked, not what the answer is; a learned answer once began with one (issue 20).
  new RegExp(`^\\s*(${OPENER}[,!.]*\\s+)*(${CONFIRMED})([,!.]*\\s+${OPENER})*\\s*[,!.]*\\s*$`, 'i'),
];

const MONTHS = 'jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?';
const DATES: readonly RegExp[] = [
  /\b\d{4}-\d{2}-\d{2}(t[\d:.]+z?)?\b/gi, // 2026-03-01, ISO times
  /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/g, // 3/1/2026, 01.03.26
  new RegExp(`\\b(${MONTHS})\\.?\\s+\\d{1,2}(st|nd|rd|th)?(,?\\s+\\d{4})?\\b`, 'gi'), // March 3rd, 2026
  new RegExp(`\\b\\d{1,2}(st|nd|rd|th)?\\s+(of\\s+)?(${MONTHS})\\b(\\s+\\d{4})?`, 'gi'), // 3rd of March
  /\b(on|since|last|this|next)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/gi,
  /\b(yesterday|today|tomorrow|this morning|last night|earlier today)\b/gi,
];

/** Ticket references with a word in front: "ticket 4821", "case #77", "order no. 5521". */
const TICKET_REFS = /\b(ticket|case|incident|order|ref(erence)?|request)\s*(no\.?|number|nr\.?|id)?\s*[:#]?\s*[a-z]{0,5}-?\d{2,}\b/gi;
const PHONE = /\+?\d[\d ()-]{7,}\d/g;

function splitSentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[\p{Lu}\d"'(])/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes what a knowledge entry must not carry: status and pleasantry sentences, people's names (replaced by
 * nothing when they address someone, by "the customer" otherwise), ticket and order references, identifiers,
 * phone numbers and dates. Whitespace and stray punctuation are tidied.
 */
export function scrubEntryText(text: string, names: readonly string[] = []): string {
  let sentences = splitSentences(text).filter((s) => !STATUS_SENTENCES.some((re) => re.test(s)));
  sentences = sentences.map((s) => {
    let out = s;
    for (const name of names) {
      const n = escapeRegExp(name);
      // "Thanks Ana," / "Hi Ana -" at the start: drop the address entirely.
      out = out.replace(new RegExp(`^(?:hi|hello|hey|dear|thanks|thank you|ok|okay)?[,!]?\\s*${n}\\b[,!:.-]*\\s*`, 'i'), '');
      out = out.replace(new RegExp(`,?\\s*\\b${n}\\b(?=[,.!?]?\\s*$)`, 'g'), '');
      out = out.replace(new RegExp(`\\b${n}('s|’s)?\\b`, 'g'), (_m, possessive: string | undefined) =>
        possessive ? "the customer's" : 'the customer',
      );
    }
    // "Ana Lopez's" became "the customer the customer's": one customer.
    out = out.replace(/\bthe customer\s+the customer('s)?/g, "the customer$1");
    out = out.replace(TICKET_REFS, ' ');
    for (const re of DATES) out = out.replace(new RegExp(`(\\b(on|since|from|until|by|at|as of)\\s+)?(${re.source})`, re.flags), ' ');
    out = removeIdentifiers(out).replace(PHONE, ' ');
    return out;
  });
  return sentences
    .join(' ')
    .replace(/\(\s*\)|\[\s*\]/g, ' ') // brackets emptied by the removals above
    .replace(/\s+([,.!?;:])/g, '$1')
    .replace(/([,;:])(?=[.!?])/g, '')
    .replace(/^[\s,.;:-]+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\p{Ll}/u, (c) => c.toUpperCase());
}

function contentWords(text: string): string[] {
  return tokenize(text).filter((w) => !STOPWORDS.has(w) && !/^\d+$/.test(w));
}

/**
 * Checks a (scrubbed) question and answer against the quality rules; an empty list means the entry may be
 * learned. `names` are the people of the source ticket, which must not appear in the entry.
 */
export function checkEntryQuality(question: string, answer: string, names: readonly string[] = []): QualityIssue[] {
  const issues: QualityIssue[] = [];
  const fields = { question, answer } as const;
  if (contentWords(question).length < MIN_QUESTION_WORDS) {
    issues.push({ field: 'question', problem: 'question_too_short', detail: 'the question does not state a problem' });
  }
  if (tokenize(answer).length < MIN_ANSWER_WORDS || contentWords(answer).length < 2) {
    issues.push({ field: 'answer', problem: 'answer_too_short', detail: 'the answer is too short to act on' });
  }
  const sentences = splitSentences(answer);
  if (sentences.length > 0 && sentences.every((s) => s.endsWith('?'))) {
    issues.push({ field: 'answer', problem: 'answer_is_a_question', detail: 'the answer only asks questions' });
  }
  const hedge = NON_ANSWERS.find((re) => re.test(answer));
  if (hedge) {
    issues.push({ field: 'answer', problem: 'non_answer', detail: `the answer promises, hedges or hands off ("${answer.match(hedge)?.[0] ?? ''}")` });
  }
  for (const field of ['question', 'answer'] as const) {
    const text = fields[field];
    if (STATUS_SENTENCES.some((re) => re.test(text))) {
      issues.push({ field, problem: 'status_talk', detail: 'talks about the ticket instead of the problem' });
    }
    TICKET_REFS.lastIndex = 0;
    if (TICKET_REFS.test(text) || removeIdentifiers(text) !== text) {
      issues.push({ field, problem: 'contains_identifier', detail: 'contains a ticket, order or account reference' });
    }
    TICKET_REFS.lastIndex = 0;
    if (DATES.some((re) => new RegExp(re.source, re.flags.replace('g', '')).test(text))) {
      issues.push({ field, problem: 'contains_date', detail: 'contains a date' });
    }
    const name = names.find((n) => new RegExp(`\\b${escapeRegExp(n)}\\b`).test(text));
    if (name) issues.push({ field, problem: 'contains_name', detail: `names a person (${name})` });
  }
  return issues;
}

/** One line per issue, for logs and the review queue. */
export function describeQualityIssues(issues: readonly QualityIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.detail}`).join('; ');
}
