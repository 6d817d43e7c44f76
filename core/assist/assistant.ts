/**
 * The proactive pipeline in retrieval-only mode, run after every customer message: scope gate → query cleaning
 * → hybrid retrieval → confidence from the scores → repeat gate → one decision in the spec's suggestion shape,
 * shown or not. This is what the app falls back to when no LLM is running.
 */
import type { Citation, Suggestion, SuggestionKind, Ticket } from '../formats/schemas';
import type { KnowledgeStore, SearchHit } from '../knowledge/knowledgeStore';
import { sourceTicketOf } from '../knowledge/storedEntry';
import { cleanMessage } from '../text/queryCleaner';
import { confidenceFeatures, confidenceOf, SHOW_THRESHOLD } from './confidence';
import { RepeatGate } from './repeatGate';
import { checkScope } from './scopeGate';

/** Citations kept per decision: the candidates considered, best first. */
export const MAX_CITATIONS = 10;
/** Hits fetched before citations of the same source ticket are folded together. */
const FETCH_HITS = 30;
/** Longest excerpt of an article or case put in a suggestion's text. */
const EXCERPT_CHARS = 400;

/** The query for a ticket as of one message: its subject and every customer message so far, cleaned. */
export function buildQuery(ticket: Ticket, uptoIndex: number): string {
  const parts = [ticket.subject ? cleanMessage(ticket.subject) : ''];
  for (const message of ticket.messages.slice(0, uptoIndex + 1)) {
    if (message.author === 'customer') parts.push(cleanMessage(message.text));
  }
  return parts.filter(Boolean).join('\n');
}

/** Keeps the best hit per source ticket: a case and the Q&A learned from one ticket are one precedent. */
export function foldBySourceTicket(hits: readonly SearchHit[]): SearchHit[] {
  const seen = new Set<string>();
  const kept: SearchHit[] = [];
  for (const hit of hits) {
    const key = sourceTicketOf(hit.entry) ?? `entry:${hit.entry.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(hit);
  }
  return kept;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1)}…`;
}

/** What a hit would say to the analyst, and as which kind of suggestion. */
export function presentHit(hit: SearchHit): { kind: SuggestionKind; text: string } {
  const entry = hit.entry;
  switch (entry.kind) {
    case 'qa':
      return { kind: 'answer', text: entry.body };
    case 'article':
      return { kind: 'article', text: entry.title ? `${entry.title}: ${excerpt(entry.body)}` : excerpt(entry.body) };
    case 'case': {
      const resolution = typeof entry['resolution'] === 'string' ? entry['resolution'] : null;
      const source = sourceTicketOf(entry) ?? entry.id;
      return { kind: 'similar_case', text: `Similar resolved case ${source}: ${excerpt(resolution ?? entry.body)}` };
    }
  }
}

function toCitation(hit: SearchHit): Citation {
  return {
    entryId: hit.entry.id,
    kind: hit.entry.kind,
    sourceTicketId: sourceTicketOf(hit.entry),
    score: Math.round(hit.similarity * 1000) / 1000,
  };
}

export class Assistant {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly repeats: RepeatGate = new RepeatGate(),
  ) {}

  /**
   * Decides what to do after the customer message at `messageIndex` of `ticket` (a snapshot holding at least
   * the messages up to it). `arrivedAt` is the `performance.now()` at which the message arrived.
   */
  async onCustomerMessage(ticket: Ticket, messageIndex: number, arrivedAt: number): Promise<Suggestion> {
    const message = ticket.messages[messageIndex];
    if (!message) throw new Error(`Ticket ${ticket.id} has no message at position ${messageIndex}.`);
    const decide = (fields: Omit<Suggestion, 'ticketId' | 'afterMessageId' | 'latencyMs'>): Suggestion => ({
      ticketId: ticket.id,
      afterMessageId: message.id,
      ...fields,
      latencyMs: Math.round((performance.now() - arrivedAt) * 100) / 100,
    });

    const scope = checkScope(cleanMessage(message.text));
    if (!scope.inScope) {
      return decide({ shown: false, reason: scope.reason, kind: 'answer', text: '', confidence: 0, citations: [] });
    }

    const hits = foldBySourceTicket(await this.store.search(buildQuery(ticket, messageIndex), { limit: FETCH_HITS }));
    const features = confidenceFeatures(hits);
    const best = hits[0];
    if (!best || !features) {
      return decide({ shown: false, reason: 'no_match', kind: 'answer', text: '', confidence: 0, citations: [] });
    }
    const { kind, text } = presentHit(best);
    const confidence = Math.round(confidenceOf(features) * 1000) / 1000;
    const citations = hits.slice(0, MAX_CITATIONS).map(toCitation);
    if (confidence < SHOW_THRESHOLD) {
      return decide({ shown: false, reason: 'low_confidence', kind, text, confidence, citations });
    }
    if (this.repeats.isRepeat(ticket.id, best.entry.id, text)) {
      return decide({ shown: false, reason: 'duplicate', kind, text, confidence, citations });
    }
    this.repeats.remember(ticket.id, best.entry.id, text);
    return decide({ shown: true, reason: 'answerable', kind, text, confidence, citations });
  }

  /** Forgets per-ticket state once a ticket is closed. */
  onTicketClosed(ticketId: string): void {
    this.repeats.forget(ticketId);
  }
}
