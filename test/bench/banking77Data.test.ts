import { describe, expect, it } from 'vitest';
import { loadBanking77, parseBanking77Csv, seededShuffle } from './banking77Data';
import { itWithData } from '../support/publicData';

describe('BANKING77 loading', () => {
  it('parses quoted fields holding commas, quotes and newlines', () => {
    const csv = 'text,category\n"Hi, my card ""arrived""\nbroken",card_arrival\nplain text,pin_blocked\r\n';
    expect(parseBanking77Csv(csv)).toEqual([
      { text: 'Hi, my card "arrived"\nbroken', intent: 'card_arrival' },
      { text: 'plain text', intent: 'pin_blocked' },
    ]);
  });

  itWithData(['banking77'], 'reads the whole dataset as the data README counts it', () => {
    const train = loadBanking77('train');
    expect(train).toHaveLength(10003);
    expect(loadBanking77('test')).toHaveLength(3080);
    expect(new Set(train.map((q) => q.intent)).size).toBe(77);
  });

  it('shuffles the same way on every run', () => {
    expect(seededShuffle([1, 2, 3, 4, 5, 6], 7)).toEqual(seededShuffle([1, 2, 3, 4, 5, 6], 7));
    expect(seededShuffle([1, 2, 3, 4, 5, 6], 7).sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
