import { describe, expect, it } from 'vitest';
import { CHARS_PER_TOKEN, estimateTokens, newestThatFit } from '../../../core/llm/promptBudget';

describe('prompt budget', () => {
  it('estimates tokens from the same characters the audit counts, rounding up', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('x'.repeat(CHARS_PER_TOKEN))).toBe(1);
    expect(estimateTokens('x'.repeat(CHARS_PER_TOKEN + 1))).toBe(2);
  });

  it('keeps the newest items that fit, in their order, dropping the oldest first', () => {
    const items = ['a', 'b', 'c'].map((ch) => ch.repeat(10 * CHARS_PER_TOKEN - 1));
    // Each item with its separator is 10 tokens.
    expect(newestThatFit(items, 20, 1)).toEqual([items[1], items[2]]);
    expect(newestThatFit(items, 30, 1)).toEqual(items);
    expect(newestThatFit(items, 9, 1)).toEqual([]);
  });

  it('stops at an item that alone does not fit, so no older item skips ahead of it', () => {
    expect(newestThatFit(['old', 'x'.repeat(300), 'new'], 10, 1)).toEqual(['new']);
  });
});
