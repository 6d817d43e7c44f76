import { describe, expect, it } from 'vitest';
import { extractWithRules } from '../../core/learn/ruleExtractor';
import { benchTicket } from './learningCurve';

describe('the learning-curve benchmark tickets', () => {
  it('give the learning loop a Q&A to learn, with the intent as the answer and no name in a dressed ticket', () => {
    const query = { text: 'When will my new card arrive?', intent: 'card_arrival' };
    const plain = extractWithRules(benchTicket(query, 'held-1', false, 0));
    expect(plain.candidates.map((c) => [c.question, c.answer])).toEqual([['When will my new card arrive?', 'This is about card arrival.']]);
    const dressed = benchTicket(query, 'held-1', true, 0);
    expect(dressed.messages[0]?.text).toBe('Hello,\nWhen will my new card arrive?\nThanks,\nAna');
    expect(extractWithRules(dressed).candidates.map((c) => [c.question, c.answer])).toEqual([['When will my new card arrive?', 'This is about card arrival.']]);
  });
});
