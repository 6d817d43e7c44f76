import { describe, expect, it } from 'vitest';
import { voteOnPrecedents, voteWinner } from '../../../core/assist/precedentVote';
import type { SearchHit } from '../../../core/knowledge/knowledgeStore';
import { stored } from '../../fixtures/storeEntries';

/** A Q&A learned from `ticket` whose answer is `answer`. */
const precedent = (ticket: string, answer: string, similarity: number): SearchHit => ({
  entry: stored({ id: `qa-${ticket}`, kind: 'qa', title: `question of ${ticket}`, body: answer, source: { type: 'ticket', ref: ticket } }),
  similarity,
  fused: similarity,
  textRank: null,
  vectorRank: null,
});

/** An entry not learned from a ticket (an article or a FAQ): it votes for itself only. */
const knowledge = (id: string, kind: 'qa' | 'article', body: string, similarity: number): SearchHit => ({
  entry: stored({ id, kind, body }),
  similarity,
  fused: similarity,
  textRank: null,
  vectorRank: null,
});

const ids = (hits: readonly SearchHit[]): string[] => hits.map((h) => h.entry.id);

describe('the precedent vote', () => {
  it('puts first the resolution that three precedents share, over one slightly closer precedent with another', () => {
    const hits = [
      precedent('T-1', 'Reset the card PIN at an ATM.', 0.82),
      precedent('T-2', 'Order a replacement card in the app.', 0.8),
      precedent('T-3', 'order a replacement card   in the app.', 0.79),
      precedent('T-4', 'Order a replacement card in the app.', 0.78),
    ];
    // The engine's own vote (the fitted constants), as the analyst would see it.
    expect(ids(voteOnPrecedents(hits))).toEqual(['qa-T-2', 'qa-T-1', 'qa-T-3', 'qa-T-4']);
  });

  it('keeps a much closer precedent first when the agreeing ones are far below it', () => {
    const hits = [
      precedent('T-1', 'Reset the card PIN at an ATM.', 0.95),
      precedent('T-2', 'Order a replacement card in the app.', 0.2),
      precedent('T-3', 'Order a replacement card in the app.', 0.15),
    ];
    expect(ids(voteOnPrecedents(hits, { window: 10, discount: 1, power: 2 }))).toEqual(['qa-T-1', 'qa-T-2', 'qa-T-3']);
  });

  it('never re-orders articles and FAQs, even when their answers read the same', () => {
    const hits = [
      knowledge('faq-hotel-a', 'qa', 'Yes, parking is free.', 0.7),
      knowledge('faq-hotel-b', 'qa', 'Yes, parking is free.', 0.69),
      knowledge('faq-hotel-c', 'qa', 'Yes, parking is free.', 0.68),
      knowledge('kb-parking', 'article', 'Parking', 0.71),
    ].sort((a, b) => b.similarity - a.similarity);
    expect(ids(voteOnPrecedents(hits))).toEqual(['kb-parking', 'faq-hotel-a', 'faq-hotel-b', 'faq-hotel-c']);
  });

  it('never lets a lone hit overtake the first one, however similar (the order is the fused ranking, not similarity)', () => {
    const hits = [knowledge('kb-first', 'article', 'First', 0.5), knowledge('kb-closer', 'article', 'Closer', 0.9), precedent('T-1', 'A', 0.95)];
    expect(ids(voteOnPrecedents(hits))).toEqual(['kb-first', 'kb-closer', 'qa-T-1']);
  });

  it('counts only the voters inside the window', () => {
    const voters = [
      { key: 'a', similarity: 0.8 },
      { key: 'b', similarity: 0.7 },
      { key: 'b', similarity: 0.7 },
      { key: 'b', similarity: 0.7 },
    ];
    expect(voteWinner(voters, { window: 2, discount: 0, power: 1 })).toBe(0);
    expect(voteWinner(voters, { window: 4, discount: 0, power: 1 })).toBe(1);
  });

  it('leaves the order alone without a vote', () => {
    const hits = [precedent('T-1', 'A', 0.8), precedent('T-2', 'B', 0.7), precedent('T-3', 'B', 0.7)];
    expect(ids(voteOnPrecedents(hits, null))).toEqual(['qa-T-1', 'qa-T-2', 'qa-T-3']);
  });
});
