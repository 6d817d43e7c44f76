import { describe, expect, it } from 'vitest';
import { SignCodes } from '../../../core/knowledge/signCodes';

/** `rows` int8 rows of `dimensions` random values (zero-padded to `width`), sparse like hashed embeddings, seeded. */
function rowsOf(rows: number, dimensions: number, width: number, seed: number): Int8Array {
  const out = new Int8Array(rows * width);
  let state = seed;
  const random = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < dimensions; k++) out[r * width + k] = random() < 0.6 ? 0 : Math.round((random() * 2 - 1) * 127);
  }
  return out;
}

/** Minus the Hamming distance of the sign bits (value above 0) that the codes stand for, computed directly. */
function signAgreement(a: Int8Array, at: number, b: Int8Array, bt: number, dimensions: number): number {
  let distance = 0;
  for (let k = 0; k < dimensions; k++) distance += (a[at + k] as number) > 0 !== (b[bt + k] as number) > 0 ? 1 : 0;
  return -distance;
}

describe('sign codes: the first stage of a partitioned vector search', () => {
  // 300 dimensions: rows of 304 bytes, so the last 128-dimension block is only partly used.
  const dimensions = 300;
  const width = 304;
  const rows = rowsOf(2000, dimensions, width, 11);
  const query = rowsOf(1, dimensions, width, 5);
  const statuses = Uint8Array.from({ length: 2000 }, (_, i) => (i % 5 === 4 ? 1 : 0));
  const wanted = new Uint8Array(256);
  wanted[0] = 1;
  const ranges = [
    [0, 700],
    [1200, 2000],
  ] as const;

  it('picks the rows whose sign bits agree best with the query, among wanted statuses in the ranges', () => {
    const codes = new SignCodes(dimensions);
    codes.build(rows, 0, width, 2000);
    const picked = codes.candidates(query, 0, ranges, statuses, wanted, 100);
    expect(picked).toHaveLength(100);
    const inRanges = (slot: number): boolean => ranges.some(([a, b]) => slot >= a && slot < b);
    expect(picked.every((slot) => inRanges(slot) && statuses[slot] === 0)).toBe(true);
    const score = (slot: number): number => signAgreement(query, 0, rows, slot * width, dimensions);
    const eligible = Array.from({ length: 2000 }, (_, slot) => slot).filter((slot) => inRanges(slot) && statuses[slot] === 0);
    const ranked = eligible.map(score).sort((a, b) => b - a);
    // The 100 picked are the 100 best scores (ties at the cut may be any of the tied rows).
    expect(picked.map(score).sort((a, b) => b - a)).toEqual(ranked.slice(0, 100));
  });

  it('gives the same candidates with the WebAssembly SIMD scan and the plain JS scan', () => {
    const simd = new SignCodes(dimensions);
    const js = new SignCodes(dimensions, 'js');
    expect([simd.kind, js.kind]).toEqual(['simd', 'js']);
    simd.build(rows, 0, width, 2000);
    js.build(rows, 0, width, 2000);
    for (const seed of [1, 2, 3]) {
      const q = rowsOf(1, dimensions, width, seed);
      expect(simd.candidates(q, 0, ranges, statuses, wanted, 50)).toEqual(js.candidates(q, 0, ranges, statuses, wanted, 50));
    }
  });

  it('returns every eligible row when fewer than asked for', () => {
    const codes = new SignCodes(dimensions);
    codes.build(rows, 0, width, 2000);
    expect(codes.candidates(query, 0, [[10, 30]], statuses, wanted, 100)).toHaveLength(16);
  });
});
