import { describe, expect, it } from 'vitest';
import { fuseHybrid, fuseRankings, legAgreement, textShare } from '../../../core/knowledge/hybridSearch';

describe('fusing the legs of hybrid search', () => {
  it('ranks an id found by both legs above ids found by one', () => {
    const fused = fuseRankings([
      { ids: ['a', 'b', 'c'], weight: 1 },
      { ids: ['d', 'b', 'e'], weight: 1 },
    ]);
    expect(fused[0]?.id).toBe('b');
    expect(fused[0]?.ranks).toEqual([1, 1]);
    expect(fused.map((f) => f.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('lets a heavier list win a tie of ranks', () => {
    const fused = fuseRankings([
      { ids: ['text-first'], weight: 1 },
      { ids: ['vector-first'], weight: 1.5 },
    ]);
    expect(fused.map((f) => f.id)).toEqual(['vector-first', 'text-first']);
  });

  it('counts an id listed twice in one list once, at its best rank', () => {
    const fused = fuseRankings([{ ids: ['a', 'a', 'b'], weight: 1 }], 60);
    expect(fused[0]).toEqual({ id: 'a', fused: 1 / 61, ranks: [0] });
  });

  const leg = (prefix: string, scores: number[]): { id: string; score: number }[] => scores.map((score, i) => ({ id: `${prefix}${i}`, score }));

  it('keeps first the full-text hit that leg is sure of, against a vector leg whose hits all score alike', () => {
    // The legs share nothing in their first ten: with the former fixed vector weight 2.0 the vector leg's first
    // ("v0") would rank above the full-text leg's first ("t0") whatever the scores.
    const text = leg('t', [10, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    const vector = leg('v', [0.31, 0.31, 0.3, 0.3, 0.3, 0.3, 0.29, 0.29, 0.29, 0.29]);
    expect(fuseRankings([{ ids: text.map((h) => h.id), weight: 1 }, { ids: vector.map((h) => h.id), weight: 2 }])[0]?.id).toBe('v0');
    expect(legAgreement(text.map((h) => h.id), vector.map((h) => h.id))).toBe(0);
    expect(fuseHybrid(text, vector, { similarity: new Map([['t0', 0.1]]) })[0]?.id).toBe('t0');
  });

  it('lifts the vector hit that leg is sure of above the full-text leg’s first, when the full-text hits all score alike', () => {
    // "v0" is also the full-text leg's last hit; the legs disagree (one shared id), so they count the same.
    const text = [...leg('t', [5, 4.9, 4.9, 4.8, 4.8, 4.8, 4.7, 4.7, 4.7]), { id: 'v0', score: 4.7 }];
    const vector = leg('v', [0.9, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
    expect(fuseHybrid(text, vector, { similarity: new Map([['t0', 0.2]]) })[0]?.id).toBe('v0');
  });

  it('gives the vector leg the larger share when the legs agree on their candidates', () => {
    // Both legs hold a-e in their first ten, in opposite orders, with close full-text scores: the vector leg decides.
    const text = [...['e', 'd', 'c', 'b', 'a'].map((id, i) => ({ id, score: 5 - i * 0.1 })), ...leg('x', [1, 1, 1, 1, 1])];
    const vector = [...['a', 'b', 'c', 'd', 'e'].map((id, i) => ({ id, score: 0.8 - i * 0.1 })), ...leg('y', [0.1, 0.1, 0.1, 0.1, 0.1])];
    expect(legAgreement(text.map((h) => h.id), vector.map((h) => h.id))).toBe(5);
    expect(fuseHybrid(text, vector)[0]?.id).toBe('a');
    expect(fuseHybrid(text, vector, { vectorWeight: 0 })[0]?.id).toBe('e'); // a fixed weight fuses by rank instead
  });

  it('gives the full-text leg more share as the query grows long, up to 0.5 agreed and 0.7 disagreed', () => {
    expect(textShare(5, 12)).toBe(0.3);
    expect(textShare(0, 12)).toBe(0.5);
    expect(textShare(5, 40)).toBe(0.3);
    expect(textShare(5, 63)).toBeCloseTo(0.4, 2); // halfway between 40 and 100 words on a log scale
    expect(textShare(5, 100)).toBeCloseTo(0.5, 10);
    expect(textShare(0, 400)).toBeCloseTo(0.7, 10);
  });

  it('lets the full-text leg decide a long query the vector leg would decide if it were short', () => {
    // The legs agree (a-e in both first tens); "a" leads the full-text leg by 10 %, "b" the vector leg by 5 %.
    const text = [{ id: 'a', score: 10 }, { id: 'b', score: 9 }, ...['c', 'd', 'e'].map((id) => ({ id, score: 5 }))];
    const vector = [{ id: 'b', score: 0.8 }, { id: 'a', score: 0.76 }, ...['c', 'd', 'e'].map((id) => ({ id, score: 0.5 }))];
    expect(fuseHybrid(text, vector, { queryWords: 12 })[0]?.id).toBe('b');
    expect(fuseHybrid(text, vector, { queryWords: 150 })[0]?.id).toBe('a');
  });

  it('ranks by the full-text leg alone when there is no vector leg (the embedder is unavailable)', () => {
    const fused = fuseHybrid(leg('t', [3, 2, 1]), []);
    expect(fused.map((r) => r.id)).toEqual(['t0', 't1', 't2']);
    expect(fused[0]?.ranks).toEqual([0, null]);
  });
});
