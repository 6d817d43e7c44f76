/**
 * How ranked hits become what a decision cites and shows: one precedent per source ticket, feedback demotion, and
 * each hit said as an answer, an article excerpt or a similar case, with the passage that matched.
 */
import type { Citation, SuggestionKind } from '../formats/schemas';
import type { SearchHit } from '../knowledge/knowledgeStore';
import { sourceTicketOf } from '../knowledge/storedEntry';
import { filterUrls, stripInvisible } from '../llm/promptSafety';
import { RRF_K } from './knowledgeSource';

/** Longest excerpt of an article or case put in a suggestion's text. */
const EXCERPT_CHARS = 400;

/**
 * Re-orders hits, given best first, by their reciprocal rank × feedback factor (stable: equal products keep their
 * order). The rank is the hits' own order, not a store's fused score: the conversation search orders hits across
 * several queries and puts a named subject's entries first, and a store score would undo that.
 */
export function rankByFeedback<H extends SearchHit>(hits: readonly H[], factor: ((entryId: string) => number) | null): H[] {
  if (!factor) return [...hits];
  // Only demotion: a liked entry is not pushed above a better match (likes keep knowledge; they do not rank it).
  const scored = hits.map((hit, i) => ({ hit, i, score: Math.min(1, factor(hit.entry.id)) / (RRF_K + i + 1) }));
  return scored.sort((a, b) => b.score - a.score || a.i - b.i).map((s) => s.hit);
}

/** Keeps the best hit per source ticket: a case and the Q&A learned from one ticket are one precedent. */
export function foldBySourceTicket<H extends SearchHit>(hits: readonly H[]): H[] {
  const at = new Map<string, number>();
  const kept: H[] = [];
  for (const hit of hits) {
    const key = sourceTicketOf(hit.entry) ?? `entry:${hit.entry.id}`;
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, kept.length);
      kept.push(hit);
    } else if (kept[i]!.entry.kind === 'case' && hit.entry.kind === 'qa') {
      // One precedent, at its best rank, said as its answer: the Q&A says what to do, the case only what happened.
      kept[i] = hit;
    }
  }
  return kept;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1)}…`;
}

/**
 * What a hit would say to the analyst, and as which kind of suggestion. An entry's text is shown as a draft's is
 * (promptSafety.ts): links only on the team's documentation hosts (`allowHosts`), other URLs as plain text,
 * images and active HTML removed, invisible characters stripped, since an entry can be injected or learned.
 */
export function presentHit(hit: SearchHit, allowHosts: readonly string[] = []): { kind: SuggestionKind; text: string } {
  const { kind, text } = hitText(hit);
  return { kind, text: filterUrls(stripInvisible(text), { sources: [text], allowHosts }).text.replace(/[ \t]{2,}/g, ' ').trim() };
}

function hitText(hit: SearchHit): { kind: SuggestionKind; text: string } {
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

/**
 * A hit as a decision cites it. A long article matched through one of its passages is cited as the article, with
 * the passage that matched (`passage`, an optional field the spec's readers ignore), its text cleaned as a
 * suggestion's is: links as plain text, invisible characters stripped.
 */
export function toCitation(hit: SearchHit): Citation {
  const citation: Citation = {
    entryId: hit.entry.id,
    kind: hit.entry.kind,
    sourceTicketId: sourceTicketOf(hit.entry),
    score: Math.round(hit.similarity * 1000) / 1000,
  };
  if (hit.passage) {
    const text = stripInvisible(hit.passage.text);
    citation.passage = { index: hit.passage.index, text: filterUrls(text, { sources: [text], allowHosts: [] }).text.replace(/[ \t]{2,}/g, ' ').trim() };
  }
  return citation;
}
