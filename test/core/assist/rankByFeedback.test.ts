import { describe, expect, it } from 'vitest';
import { rankByFeedback } from '../../../core/assist/citedHits';
import type { SearchHit } from '../../../core/knowledge/knowledgeStore';
import { stored } from '../../fixtures/storeEntries';

const hit = (id: string, fused: number): SearchHit => ({ entry: stored({ id, body: id }), similarity: fused, fused, textRank: null, vectorRank: null });

describe('feedback in ranking', () => {
  it('lets an entry analysts keep dismissing fall below the next one, and keeps order otherwise', () => {
    const hits = [hit('dismissed-often', 0.03), hit('b', 0.025), hit('c', 0.02)];
    const factor = (id: string) => (id === 'dismissed-often' ? 0.5 : 1);
    expect(rankByFeedback(hits, factor).map((h) => h.entry.id)).toEqual(['b', 'c', 'dismissed-often']);
    expect(rankByFeedback(hits, () => 1).map((h) => h.entry.id)).toEqual(['dismissed-often', 'b', 'c']);
    expect(rankByFeedback(hits, null).map((h) => h.entry.id)).toEqual(['dismissed-often', 'b', 'c']);
    // Likes do not push an entry above a better match.
    expect(rankByFeedback(hits, (id) => (id === 'c' ? 1.1 : 1)).map((h) => h.entry.id)).toEqual(['dismissed-often', 'b', 'c']);
  });
});
