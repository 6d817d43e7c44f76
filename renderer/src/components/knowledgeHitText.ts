/**
 * How a knowledge hit is worded in the results list.
 */
import type { KnowledgeHit } from '../api/contractTypes';

/** Characters of an entry's body shown under its heading: about three lines at the default width. */
export const EXCERPT_CHARS = 280;

const KIND_LABELS: Record<KnowledgeHit['kind'], string> = {
  article: 'Article',
  qa: 'Q&A',
  case: 'Case',
};

/** "Article", "Q&A" or "Case". */
export function kindLabel(hit: KnowledgeHit): string {
  return KIND_LABELS[hit.kind];
}

/** The entry's title, else its question, else a placeholder. */
export function hitHeading(hit: KnowledgeHit): string {
  return hit.title?.trim() || hit.question?.trim() || 'Untitled entry';
}

/** The start of the body, cut at a word boundary. */
export function hitExcerpt(hit: KnowledgeHit, maxChars: number = EXCERPT_CHARS): string {
  const body = hit.body.replace(/\s+/g, ' ').trim();
  if (body.length <= maxChars) return body;
  const cut = body.slice(0, maxChars);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxChars / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/** Where the entry was learned from. */
export function sourceLabel(hit: KnowledgeHit): string {
  return hit.sourceTicketId ? `Source ticket ${hit.sourceTicketId}` : 'No source ticket';
}
