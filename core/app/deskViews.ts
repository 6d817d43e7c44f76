/**
 * What the desk shows of its tickets and suggestions, as plain data for the app (deskTypes.ts): a ticket's line in
 * the queue, a cited entry's title and excerpt, and which of a suggestion's citations count as its sources.
 */
import type { Suggestion, Ticket } from '../formats/schemas';
import type { StoredEntry } from '../knowledge/storedEntry';
import type { ShownRecord } from './deskJournal';
import type { CitationView, FeedbackAction, ShownSuggestion, TicketSummary } from './deskTypes';

/** Characters of the customer's latest message in the queue, and of a cited entry's excerpt. */
const PREVIEW_CHARS = 160;
const EXCERPT_CHARS = 280;

/**
 * A citation counts as a source when its score is at least this share of the best one's (the first citation always
 * does), and a suggestion shows at most MAX_SOURCES: weak candidates stay one click further, so they never look like
 * support. The values are the suggestion card's since it first showed sources; no measurement has tuned them.
 */
const SOURCE_SHARE = 0.6;
const MAX_SOURCES = 3;

/** A cited entry as the journal keeps it: everything but whether it counts as a source. */
export type StoredCitation = Omit<CitationView, 'source'>;

/**
 * Marks which citations count as the suggestion's sources: the first (best) one, and those scoring at least
 * SOURCE_SHARE of it, at most MAX_SOURCES in all, in the citations' order.
 */
export function markSources(citations: readonly StoredCitation[]): CitationView[] {
  const best = citations[0]?.score ?? 0;
  let taken = 0;
  return citations.map((citation, i) => {
    const strong = i === 0 || (citation.score > 0 && citation.score >= best * SOURCE_SHARE);
    const source = strong && taken < MAX_SOURCES;
    if (source) taken++;
    return { ...citation, source };
  });
}

/** A journal record's suggestion as the ticket view shows it, with the feedback given so far. */
export function shownView(shown: ShownRecord, feedback: FeedbackAction[] = []): ShownSuggestion {
  return { id: shown.id, shownAt: shown.at, suggestion: shown.suggestion, citations: markSources(shown.citations), feedback };
}

/** The text flattened to one line and cut at `max` characters. */
export function flatten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The cited entries (`entries`, looked up by id) as the suggestion panel shows them. */
export function citationViews(suggestion: Suggestion, entries: ReadonlyMap<string, StoredEntry>): StoredCitation[] {
  return suggestion.citations.map((citation) => {
    const entry = entries.get(citation.entryId);
    const text = entry ? (typeof entry['resolution'] === 'string' ? entry['resolution'] : entry.body) : '';
    return {
      ...citation,
      title: entry?.title ?? entry?.question ?? null,
      excerpt: flatten(text, EXCERPT_CHARS),
      available: entry !== undefined && entry.status !== 'retired',
    };
  });
}

/** A ticket's line in the queue; `seenAt` stands in for when it changed when neither the ticket nor a message says. */
export function ticketSummary(ticket: Ticket, seenAt: string, waiting: number): TicketSummary {
  const lastCustomer = [...ticket.messages].reverse().find((m) => m.author === 'customer');
  return {
    id: ticket.id,
    subject: ticket.subject ?? null,
    status: ticket.status,
    requester: ticket.requester ?? null,
    updatedAt: ticket.updatedAt ?? ticket.messages.at(-1)?.at ?? seenAt,
    preview: flatten(lastCustomer?.text ?? '', PREVIEW_CHARS),
    waiting,
  };
}
