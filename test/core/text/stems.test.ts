import { describe, expect, it } from 'vitest';
import { stemOf, stemsOf } from '../../../core/text/stems';

describe('word stems for scoring', () => {
  it('gives the inflections of a word one stem', () => {
    expect(new Set(stemsOf(['charge', 'charged', 'charges', 'charging']))).toEqual(new Set(['charg']));
    expect(stemOf('cards')).toBe(stemOf('card'));
    expect(stemOf('refunded')).toBe(stemOf('refund'));
  });

  it('leaves numbers, codes and words in other scripts as they are', () => {
    expect(stemsOf(['403', '5g', 'переводы', '振込'])).toEqual(['403', '5g', 'переводы', '振込']);
  });
});
