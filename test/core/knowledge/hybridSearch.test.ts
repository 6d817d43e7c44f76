import { describe, expect, it } from 'vitest';
import { fuseRankings } from '../../../core/knowledge/hybridSearch';

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
});
