/**
 * What "Insert" puts into the reply box and "Copy" on the clipboard: the suggestion's text, then its sources as
 * plain references the analyst can keep, edit or delete (the reply goes to a helpdesk as plain text; nothing here
 * is HTML). Which citations count as sources is decided by the engine (core/app/deskViews.ts `markSources`) and
 * carried on each citation, so the card and the reply box agree.
 */
import type { CitationView, ShownSuggestion } from '../api/contractTypes';

/**
 * A decision carries every candidate it considered (spec: citations, best first). The card shows as sources those
 * the engine marked (`source`), and keeps the rest one click further, so weak candidates never look like support.
 */
export function splitCitations(citations: readonly CitationView[]): { sources: CitationView[]; others: CitationView[] } {
  return { sources: citations.filter((c) => c.source), others: citations.filter((c) => !c.source) };
}

/** The suggestion's text with its cited sources (the strong ones the card shows, still available) as references. */
export function insertionText(shown: ShownSuggestion): string {
  const { sources } = splitCitations(shown.citations);
  const references = sources
    .filter((c) => c.available)
    .map((c, i) => `[${i + 1}] ${c.title ?? c.entryId}${c.sourceTicketId ? ` (ticket ${c.sourceTicketId})` : ''}`);
  const text = shown.suggestion.text.trim();
  return references.length > 0 ? `${text}\n\nReferences:\n${references.join('\n')}` : text;
}

/**
 * `insert` placed over the selection `start`..`end` of `text`, set apart from the text around it by a blank line
 * when it would otherwise run into it; returns the new text and where the cursor goes (after the insertion).
 */
export function spliceReply(text: string, start: number, end: number, insert: string): { text: string; cursor: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  const before = text.slice(0, from);
  const after = text.slice(to);
  const lead = before === '' || before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
  const trail = after === '' || after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
  const placed = `${lead}${insert}`;
  return { text: `${before}${placed}${trail}${after}`, cursor: before.length + placed.length };
}
