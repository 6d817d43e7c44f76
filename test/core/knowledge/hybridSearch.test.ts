import { describe, expect, it } from 'vitest';
import { fuseHybrid, fuseRankings, legAgreement } from '../../../core/knowledge/hybridSearch';

describe('reciprocal-rank fusion', () => {
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

  it('lets the full-text leg lead when the two legs disagree, so a weak vector leg cannot pull its answer down', () => {
    // The legs share nothing in their first ten: with the former fixed vector weight 2.0 the vector leg's first
    // ("v0") would rank above the full-text leg's first ("t0").
    const text = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const vector = Array.from({ length: 10 }, (_, i) => `v${i}`);
    expect(fuseRankings([{ ids: text, weight: 1 }, { ids: vector, weight: 2 }])[0]?.id).toBe('v0');
    expect(legAgreement(text, vector)).toBe(0);
    expect(fuseHybrid(text, vector).slice(0, 3).map((r) => r.id)).toEqual(['t0', 't1', 't2']);
  });

  it('lets the vector leg lead when the legs agree on their candidates', () => {
    // Both legs hold a-e in their first ten, in different orders: the vector leg's order decides.
    const text = ['e', 'd', 'c', 'b', 'a', 'x1', 'x2', 'x3', 'x4', 'x5'];
    const vector = ['a', 'b', 'c', 'd', 'e', 'y1', 'y2', 'y3', 'y4', 'y5'];
    expect(legAgreement(text, vector)).toBe(5);
    expect(fuseHybrid(text, vector)[0]?.id).toBe('a');
    expect(fuseHybrid(text, vector, 0)[0]?.id).toBe('e'); // a fixed weight overrides the gate
  });
});
