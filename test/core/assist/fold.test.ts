import { describe, expect, it } from 'vitest';
import { foldBySourceTicket } from '../../../core/assist/citedHits';
import type { SearchHit } from '../../../core/knowledge/knowledgeStore';
import { stored } from '../../fixtures/storeEntries';

const hit = (id: string, kind: 'qa' | 'case' | 'article', ticket: string | null, similarity: number): SearchHit => ({
  entry: stored({ id, kind, body: id, ...(ticket ? { source: { type: 'ticket', ref: ticket } } : {}) }),
  similarity,
  fused: similarity,
  textRank: null,
  vectorRank: null,
});

describe('one precedent per source ticket', () => {
  it('keeps each ticket at its best rank, said as its Q&A when the ticket has one', () => {
    const folded = foldBySourceTicket([
      hit('case-T-1', 'case', 'T-1', 0.9),
      hit('kb-a', 'article', null, 0.8),
      hit('qa-T-1', 'qa', 'T-1', 0.7),
      hit('case-T-2', 'case', 'T-2', 0.6),
      hit('case-T-2b', 'case', 'T-2', 0.5),
    ]);
    expect(folded.map((h) => h.entry.id)).toEqual(['qa-T-1', 'kb-a', 'case-T-2']);
  });
});
