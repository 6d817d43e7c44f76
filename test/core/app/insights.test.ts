import { describe, expect, it } from 'vitest';
import type { ShownSuggestion } from '../../../core/app/deskTypes';
import { computeInsights } from '../../../core/app/insights';

const shown = (shownAt: string, feedback: ShownSuggestion['feedback']): ShownSuggestion =>
  ({ id: shownAt, shownAt, suggestion: {} as ShownSuggestion['suggestion'], citations: [], feedback }) as ShownSuggestion;

describe('insights', () => {
  const now = new Date('2026-11-22T12:00:00Z');

  it('counts shown, used and rejected per day, and the acceptance rate over judged suggestions', () => {
    const insights = computeInsights(
      [
        shown('2026-11-22T09:00:00Z', ['expanded', 'liked']),
        shown('2026-11-22T10:00:00Z', ['dismissed']),
        shown('2026-11-21T10:00:00Z', ['copied', 'disliked']),
        shown('2026-11-21T11:00:00Z', []),
        shown('2026-10-01T10:00:00Z', ['published']),
      ],
      [],
      now,
      3,
    );
    expect(insights.suggestions).toEqual([
      { day: '2026-11-20', shown: 0, used: 0, rejected: 0 },
      { day: '2026-11-21', shown: 2, used: 1, rejected: 0 },
      { day: '2026-11-22', shown: 2, used: 1, rejected: 1 },
    ]);
    // Used wins over a later dislike; unjudged suggestions do not count against the rate.
    expect(insights.totals).toEqual({ shown: 5, used: 3, rejected: 1, acceptanceRate: 0.75 });
  });

  it('has no acceptance rate before any feedback', () => {
    expect(computeInsights([shown('2026-11-22T09:00:00Z', ['expanded'])], [], now, 1).totals.acceptanceRate).toBeNull();
  });

  it('tracks knowledge growth, counting older entries in the starting total', () => {
    const created = ['2025-01-01T00:00:00Z', '2026-11-20T08:00:00Z', '2026-11-22T08:00:00Z', '2026-11-22T09:00:00Z', 'not a date'];
    expect(computeInsights([], created, now, 3).knowledge).toEqual([
      { day: '2026-11-20', count: 1, total: 3 },
      { day: '2026-11-21', count: 0, total: 3 },
      { day: '2026-11-22', count: 2, total: 5 },
    ]);
  });
});
