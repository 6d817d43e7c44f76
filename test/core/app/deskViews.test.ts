import { describe, expect, it } from 'vitest';
import { markSources, type StoredCitation } from '../../../core/app/deskViews';

function cited(entryId: string, score: number): StoredCitation {
  return { entryId, kind: 'qa', sourceTicketId: null, score, title: null, excerpt: '', available: true };
}

const sources = (citations: StoredCitation[]): string[] => markSources(citations).filter((c) => c.source).map((c) => c.entryId);

describe('which citations a suggestion shows as its sources', () => {
  it('takes the best one and those close to it, and leaves weak candidates out', () => {
    expect(sources([cited('a', 0.83), cited('b', 0.61), cited('c', 0.12)])).toEqual(['a', 'b']);
    expect(sources([cited('a', 0.5), cited('b', 0.3), cited('c', 0.29)])).toEqual(['a', 'b']);
  });

  it('leaves out candidates far below the best and those scoring below zero; a lone weak one is still the source', () => {
    const marked = markSources([cited('a', 0.5), cited('b', 0.35), cited('c', 0.1), cited('d', -0.02)]);
    expect(marked.filter((c) => c.source).map((c) => c.entryId)).toEqual(['a', 'b']);
    expect(marked.filter((c) => !c.source).map((c) => c.entryId)).toEqual(['c', 'd']);
    expect(sources([cited('only', 0.05)])).toEqual(['only']);
  });

  it('shows at most three, in the order they were cited', () => {
    expect(sources([cited('a', 0.9), cited('b', 0.88), cited('c', 0.87), cited('d', 0.86)])).toEqual(['a', 'b', 'c']);
  });

  it('always shows the first, even when no score was measured, and never a zero-score runner-up', () => {
    expect(sources([cited('a', 0), cited('b', 0)])).toEqual(['a']);
    expect(sources([])).toEqual([]);
  });

  it('keeps every citation, marked, so the others stay one click away', () => {
    const marked = markSources([cited('a', 0.8), cited('b', 0.1)]);
    expect(marked.map((c) => [c.entryId, c.source])).toEqual([['a', true], ['b', false]]);
  });
});
