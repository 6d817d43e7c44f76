import { describe, expect, it } from 'vitest';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { dot } from '../../../core/embed/vectorMath';
import { VectorIndex } from '../../../core/knowledge/vectorIndex';
import { loadBanking77 } from '../../bench/banking77Data';

const embedder = new HashedEmbedder();
const train = loadBanking77('train').slice(0, 3000);
const queries = loadBanking77('test').slice(0, 60);
const vectors = train.map((q) => embedder.embedOne(q.text));

function exactTop(query: Float32Array, k: number): string[] {
  return vectors
    .map((v, i) => ({ id: `e${i}`, score: dot(query, v) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((h) => h.id);
}

describe('in-memory int8 vector index', () => {
  it('finds what an exact float scan finds, with cosines within 0.015', () => {
    const index = new VectorIndex(embedder.dimensions);
    vectors.forEach((v, i) => index.set(`e${i}`, v, 0));
    let overlap = 0;
    for (const q of queries) {
      const qv = embedder.embedOne(q.text);
      const hits = index.search(qv, new Set([0]), 10);
      const exact = exactTop(qv, 10);
      overlap += hits.filter((h) => exact.includes(h.id)).length;
      for (const hit of hits) expect(Math.abs(hit.score - dot(qv, vectors[Number(hit.id.slice(1))]!))).toBeLessThan(0.015);
      expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    }
    expect(overlap / (queries.length * 10)).toBeGreaterThan(0.97);
  });

  it('gives the same answers with the WebAssembly SIMD scan and the plain JS scan', () => {
    const simd = new VectorIndex(embedder.dimensions);
    const js = new VectorIndex(embedder.dimensions, { kernel: 'js' });
    expect(js.kernelKind).toBe('js');
    vectors.slice(0, 500).forEach((v, i) => {
      simd.set(`e${i}`, v, i % 2);
      js.set(`e${i}`, v, i % 2);
    });
    for (const q of queries.slice(0, 10)) {
      const qv = embedder.embedOne(q.text);
      expect(simd.search(qv, new Set([0, 1]), 20)).toEqual(js.search(qv, new Set([0, 1]), 20));
    }
  });

  it('filters by status, replaces a vector in place, and forgets deleted rows', () => {
    const index = new VectorIndex(embedder.dimensions);
    index.set('refund', embedder.embedOne('refund for a returned item'), 0);
    index.set('pin', embedder.embedOne('my card pin is blocked'), 1);
    const query = embedder.embedOne('pin blocked');
    expect(index.search(query, new Set([0]), 5).map((h) => h.id)).toEqual(['refund']);
    expect(index.search(query, new Set([0, 1]), 5)[0]?.id).toBe('pin');

    index.setStatus('pin', 0);
    expect(index.search(query, new Set([0]), 5)[0]?.id).toBe('pin');
    index.set('refund', embedder.embedOne('pin blocked after three attempts'), 0);
    expect(index.size).toBe(2);
    index.delete('pin');
    expect(index.search(query, new Set([0, 1]), 5).map((h) => h.id)).toEqual(['refund']);
    index.set('top-up', embedder.embedOne('top up by transfer'), 0); // reuses the freed slot
    expect(index.size).toBe(2);
  });

  it('grows past its first allocation without losing rows', () => {
    const index = new VectorIndex(embedder.dimensions);
    vectors.forEach((v, i) => index.set(`e${i}`, v, 0));
    expect(index.size).toBe(vectors.length);
    const target = vectors[2999]!;
    expect(index.search(target, new Set([0]), 1)[0]?.id).toBe('e2999');
    expect(index.search(vectors[0]!, new Set([0]), 1)[0]?.id).toBe('e0');
  });

  it('refuses a vector of other dimensions', () => {
    const index = new VectorIndex(8);
    expect(() => index.set('x', new Float32Array(16), 0)).toThrow(/16 dimensions.*8/);
  });
});
