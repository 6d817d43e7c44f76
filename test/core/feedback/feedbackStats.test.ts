import { describe, expect, it } from 'vitest';
import { FeedbackStats } from '../../../core/feedback/feedbackStats';
import type { SuggestionEvent, SuggestionEventType } from '../../../core/feedback/suggestionEvents';

let minute = 0;
function event(type: SuggestionEventType, entryId = 'qa-1'): SuggestionEvent {
  minute++;
  return { type, ticketId: `T-${minute}`, entryIds: [entryId, 'other'], at: new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString(), ...(type === 'disliked' ? { reason: 'not relevant' } : {}) };
}

describe('feedback statistics and the dismissal rule', () => {
  it('ranks an entry lower the more it is dismissed, and a little higher when liked', () => {
    const stats = new FeedbackStats();
    expect(stats.boost('qa-1')).toBe(1);
    const boosts: number[] = [];
    for (let i = 0; i < 4; i++) {
      stats.add(event('shown'));
      stats.add(event('dismissed'));
      boosts.push(stats.boost('qa-1'));
    }
    expect(boosts).toEqual([...boosts].sort((a, b) => b - a));
    expect(boosts[0]).toBeLessThan(1);
    expect(boosts[3]).toBeGreaterThanOrEqual(0.5);
    stats.add(event('liked', 'qa-2'));
    expect(stats.boost('qa-2')).toBeGreaterThan(1);
    expect(stats.boost('qa-2')).toBeLessThanOrEqual(1.1);
    // Blame and credit go to the entry whose text was shown, not to the other cited candidates.
    expect(stats.boost('other')).toBe(1);
  });

  it('retires after repeated dismissals without any positive signal, and not before', () => {
    const stats = new FeedbackStats();
    for (let i = 0; i < 4; i++) {
      stats.add(event('shown'));
      stats.add(event('dismissed'));
    }
    expect(stats.shouldRetire('qa-1')).toBe(false);
    stats.add(event('shown'));
    stats.add(event('dismissed'));
    expect(stats.shouldRetire('qa-1')).toBe(true);

    const liked = new FeedbackStats();
    liked.add(event('inserted'));
    for (let i = 0; i < 6; i++) liked.add(event('dismissed'));
    expect(liked.shouldRetire('qa-1')).toBe(false);
  });

  it('starts a new window when a retired entry is reinstated, so old dismissals do not retire it again', () => {
    const stats = new FeedbackStats();
    for (let i = 0; i < 5; i++) stats.add(event('dismissed'));
    expect(stats.shouldRetire('qa-1')).toBe(true);
    stats.reinstate('qa-1', new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString());
    expect(stats.shouldRetire('qa-1')).toBe(false);
    expect(stats.boost('qa-1')).toBe(1);
    expect(stats.of('qa-1').dismissed).toBe(5); // the history of counts is kept
  });
});
