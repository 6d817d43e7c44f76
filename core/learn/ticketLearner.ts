/**
 * What a closed ticket teaches, as entries: the ticket kept as a `case` (a precedent with its provenance) and
 * the Q&A entries an extractor found in it (rules here; the LLM extractor produces the same candidates). This is
 * a pure function; deduplication against the store, review policy and history are the learning loop's
 * (learningLoop.ts).
 */
import type { Entry, Ticket } from '../formats/schemas';
import type { EntryStatus, PathTurn, StoredEntry } from '../knowledge/storedEntry';
import { cleanMessage } from '../text/queryCleaner';
import { peopleNamesIn } from '../text/peopleNames';
import { pathBetween } from './resolutionPath';
import { extractWithRules, problemMessages, resolutionMessage, type EntryCandidate, type Extraction } from './ruleExtractor';

/**
 * How learned entries enter the knowledge base: `auto` approves them (replay), `review` proposes them all,
 * `team` follows the team's learning settings (learningSettings.ts). `learnFromTicket` treats `team` as `review`.
 */
export type LearnPolicy = 'auto' | 'review' | 'team';

export interface LearnedEntries {
  entries: StoredEntry[];
  /** Why no Q&A was extracted, when none was. */
  skippedQa: string | null;
}

/** The customer's problem: their first messages (before the analyst replied), cleaned. */
export function problemOf(ticket: Ticket): string {
  return [ticket.subject ?? '', ...problemMessages(ticket).map((m) => m.text)].map(cleanMessage).filter(Boolean).join('\n');
}

/** The resolution: the closing note if the analyst wrote one, else their last substantive message. */
export function resolutionOf(ticket: Ticket): string | null {
  return resolutionMessage(ticket)?.text ?? null;
}

/** The path from the customer's problem to the ticket's resolution (resolutionPath.ts), scrubbed of its people. */
export function ticketPathOf(ticket: Ticket): PathTurn[] {
  const opening = new Set(problemMessages(ticket).map((m) => m.id));
  const end = resolutionMessage(ticket)?.index ?? ticket.messages.length;
  return pathBetween(ticket.messages, 0, end, peopleNamesIn(ticket), opening);
}

/**
 * The `case` entry of a closed ticket: the problem, the path that led to the resolution (resolutionPath.ts) and
 * the resolution, kept as a precedent.
 */
export function caseEntryOf(ticket: Ticket, at: string): Entry | null {
  const problem = problemOf(ticket);
  const resolved = resolutionMessage(ticket);
  const resolution = resolved?.text ?? null;
  if (!problem && !resolution) return null;
  const title = ticket.subject ? cleanMessage(ticket.subject) : undefined;
  const path = ticketPathOf(ticket);
  return {
    id: `case-${ticket.id}`,
    kind: 'case',
    ...(title ? { title } : {}),
    question: problem,
    body: [problem, resolution ? `Resolution: ${resolution}` : ''].filter(Boolean).join('\n\n'),
    tags: ticket.tags ?? [],
    source: { type: 'ticket', ref: ticket.id },
    updatedAt: at,
    ...(resolution ? { resolution } : {}),
    ...(path.length > 0 ? { path } : {}),
  };
}

/** Id of the n-th (0-based) Q&A learned from a ticket: `qa-<ticket>`, then `qa-<ticket>-2`, … */
export function qaIdFor(ticketId: string, n: number): string {
  return n === 0 ? `qa-${ticketId}` : `qa-${ticketId}-${n + 1}`;
}

/** A candidate as a `qa` entry (status and provenance added by the caller). */
export function qaEntryOf(candidate: EntryCandidate, id: string, at: string): Entry {
  return {
    id,
    kind: 'qa',
    ...(candidate.title ? { title: candidate.title } : {}),
    question: candidate.question,
    body: candidate.answer,
    tags: candidate.tags,
    source: { type: 'ticket', ref: candidate.sourceTicketId },
    updatedAt: at,
    learned: { origin: candidate.origin, confidence: candidate.confidence },
    ...(candidate.path?.length ? { path: candidate.path } : {}),
  };
}

/**
 * The entries a closed ticket teaches, without looking at the store. Their status follows `policy`: `auto`
 * approves them at once (as the replay does), `review` proposes them for the analyst's review queue.
 * `extraction` defaults to the rule-based extractor's.
 */
export function learnFromTicket(
  ticket: Ticket,
  policy: LearnPolicy,
  now: Date = new Date(),
  extraction: Extraction = extractWithRules(ticket),
): LearnedEntries {
  const at = now.toISOString();
  const status: EntryStatus = policy === 'auto' ? 'approved' : 'proposed';
  const provenance = {
    sourceTicketIds: [ticket.id],
    createdAt: at,
    approvedBy: policy === 'auto' ? 'policy:auto' : null,
    approvedAt: policy === 'auto' ? at : null,
  };
  const kase = caseEntryOf(ticket, at);
  if (!kase) return { entries: [], skippedQa: 'the ticket has neither a described problem nor a resolution' };
  const entries: StoredEntry[] = [{ ...kase, status, provenance }];
  extraction.candidates.forEach((candidate, n) => {
    entries.push({ ...qaEntryOf(candidate, qaIdFor(ticket.id, n), at), status, provenance });
  });
  return { entries, skippedQa: extraction.candidates.length > 0 ? null : extraction.skipped };
}
