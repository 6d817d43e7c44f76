/**
 * The first learning step, run when a ticket closes: keep the ticket as a `case` (a precedent with its
 * provenance) and extract a Q&A entry from it (the customer's problem, the analyst's resolution), so that the
 * next similar ticket can cite it. This is the rule-based extractor; an LLM extractor comes in a later issue.
 */
import type { Entry, Message, Ticket } from '../formats/schemas';
import type { EntryStatus, StoredEntry } from '../knowledge/storedEntry';
import { cleanMessage } from '../text/queryCleaner';
import { tokenize } from '../text/tokenize';

/** How learned entries enter the knowledge base. */
export type LearnPolicy = 'auto' | 'review';

/** Customer messages (from the first) that together state the problem. */
const PROBLEM_MESSAGES = 3;

/**
 * Answers that promise instead of resolve teach nothing ("we'll look into it", "contact someone", "maybe"): a Q&A
 * is not extracted from them.
 */
const NON_ANSWERS: readonly RegExp[] = [
  /\b(we('| wi)ll|i('| wi)ll) (look|check) into (it|this)\b/i,
  /\b(contact|reach out to|ask) (someone|support|the team|your (bank|admin|administrator))\b/i,
  /^\s*(maybe|perhaps|not sure|no idea)\b/i,
];

export interface LearnedEntries {
  entries: StoredEntry[];
  /** Why no Q&A was extracted, when none was. */
  skippedQa: string | null;
}

/** The customer's problem: their first messages, cleaned of greetings, signatures and identifiers. */
export function problemOf(ticket: Ticket): string {
  const customer = ticket.messages.filter((m) => m.author === 'customer').slice(0, PROBLEM_MESSAGES);
  const parts = [ticket.subject ?? '', ...customer.map((m) => m.text)].map(cleanMessage).filter(Boolean);
  return parts.join('\n');
}

function isSubstantive(message: Message): boolean {
  return message.author === 'analyst' && tokenize(cleanMessage(message.text)).length >= 3;
}

/** The resolution: the closing note if the analyst wrote one, else their last substantive message. */
export function resolutionOf(ticket: Ticket): string | null {
  if (ticket.resolution && ticket.resolution.trim()) return ticket.resolution.trim();
  const last = [...ticket.messages].reverse().find(isSubstantive);
  return last ? cleanMessage(last.text) : null;
}

/**
 * The entries a closed ticket teaches. Their status follows `policy`: `auto` approves them at once (as the
 * replay and auto-approving teams do), `review` proposes them for the analyst's review queue.
 */
export function learnFromTicket(ticket: Ticket, policy: LearnPolicy, now: Date = new Date()): LearnedEntries {
  const at = now.toISOString();
  const status: EntryStatus = policy === 'auto' ? 'approved' : 'proposed';
  const provenance = {
    sourceTicketIds: [ticket.id],
    createdAt: at,
    approvedBy: policy === 'auto' ? 'policy:auto' : null,
    approvedAt: policy === 'auto' ? at : null,
  };
  const source = { type: 'ticket' as const, ref: ticket.id };
  const problem = problemOf(ticket);
  const resolution = resolutionOf(ticket);
  const tags = ticket.tags ?? [];
  const title = ticket.subject ? cleanMessage(ticket.subject) : undefined;

  if (!problem && !resolution) {
    return { entries: [], skippedQa: 'the ticket has neither a described problem nor a resolution' };
  }
  const caseBody = [problem, resolution ? `Resolution: ${resolution}` : ''].filter(Boolean).join('\n\n');
  const caseEntry: Entry = {
    id: `case-${ticket.id}`,
    kind: 'case',
    ...(title ? { title } : {}),
    question: problem,
    body: caseBody,
    tags,
    source,
    updatedAt: at,
    ...(resolution ? { resolution } : {}),
  };
  const entries: StoredEntry[] = [{ ...caseEntry, status, provenance }];

  let skippedQa: string | null = null;
  if (!problem) skippedQa = 'the customer never described a problem';
  else if (!resolution) skippedQa = 'no resolution: no closing note and no substantive analyst reply';
  else if (NON_ANSWERS.some((re) => re.test(resolution))) skippedQa = 'the resolution promises instead of resolving';
  if (!skippedQa && resolution) {
    entries.push({
      id: `qa-${ticket.id}`,
      kind: 'qa',
      question: problem,
      body: resolution,
      tags,
      source,
      updatedAt: at,
      status,
      provenance,
    });
  }
  return { entries, skippedQa };
}
