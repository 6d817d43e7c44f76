import { describe, expect, it } from 'vitest';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { dot } from '../../../core/embed/vectorMath';
import { VectorIndex } from '../../../core/knowledge/vectorIndex';
import { loadBanking77, type LabelledQuery } from '../../bench/banking77Data';
import { itWithData } from '../../support/publicData';

const embedder = new HashedEmbedder();

/** BANKING77 queries and the vectors of 3,000 training questions, read once by the tests that use them (not at import, so the file loads without ../shared/data). */
let banking: { queries: LabelledQuery[]; vectors: Float32Array[] } | undefined;
function bankingData(): { queries: LabelledQuery[]; vectors: Float32Array[] } {
  banking ??= {
    queries: loadBanking77('test').slice(0, 60),
    vectors: loadBanking77('train').slice(0, 3000).map((q) => embedder.embedOne(q.text)),
  };
  return banking;
}

function exactTop(query: Float32Array, k: number): string[] {
  return bankingData().vectors
    .map((v, i) => ({ id: `e${i}`, score: dot(query, v) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((h) => h.id);
}

describe('in-memory int8 vector index', () => {
  itWithData(['banking77'], 'finds what an exact float scan finds, with cosines within 0.015', () => {
    const { queries, vectors } = bankingData();
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

  itWithData(['banking77'], 'gives the same answers with the WebAssembly SIMD scan and the plain JS scan', () => {
    const { queries, vectors } = bankingData();
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

  itWithData(['banking77'], 'grows past its first allocation without losing rows', () => {
    const { vectors } = bankingData();
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

  describe('partitioned (IVF)', () => {
    /** A generated set: 12,000 unit vectors of 64 dimensions around 150 random directions, seeded. */
    function generated(): { index: VectorIndex; rows: Float32Array[]; queries: Float32Array[] } {
      let seed = 7;
      const random = (): number => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        return seed / 2 ** 32 - 0.5;
      };
      const unit = (v: Float32Array): Float32Array => {
        const norm = Math.hypot(...v);
        return v.map((x) => x / norm);
      };
      const centres = Array.from({ length: 150 }, () => unit(Float32Array.from({ length: 64 }, random)));
      const near = (i: number): Float32Array => unit(centres[i % 150]!.map((x) => x + random() * 0.25));
      // Clusters of very different sizes (the first ones hold most rows), as topics are in a helpdesk.
      const rows = Array.from({ length: 12_000 }, (_, i) => near(Math.floor(150 * (i / 12_000) ** 3)));
      const index = new VectorIndex(64);
      rows.forEach((v, i) => index.set(`r${i}`, v, 0));
      return { index, rows, queries: Array.from({ length: 100 }, (_, i) => near(i * 13 + 5)) };
    }

    function recallAt10(index: VectorIndex, queries: Float32Array[], probes: number, rescore = 0): number {
      let overlap = 0;
      for (const q of queries) {
        const exact = index.search(q, new Set([0]), 10, { exact: true }).map((h) => h.id);
        overlap += index.search(q, new Set([0]), 10, { probes, rescore }).filter((h) => exact.includes(h.id)).length;
      }
      return overlap / (queries.length * 10);
    }

    it('finds at least 95% of what the exact scan finds while scanning a fraction of the lists', () => {
      const { index, queries } = generated();
      index.partition({ lists: 64 });
      expect(index.partitionLists).toBe(64);
      expect(index.unpartitionedRows).toBe(0);
      expect(recallAt10(index, queries, 8)).toBeGreaterThanOrEqual(0.95);
      expect(recallAt10(index, queries, 64)).toBe(1); // every list probed: the exact answer
      expect(recallAt10(index, queries, 1)).toBeLessThan(1); // so the probes are what is measured
    });

    it('picks candidates by their sign codes and scores them on the int8 rows: 95% of the exact top 10 from a tenth of the probed rows', () => {
      const { index, queries } = generated();
      index.partition({ lists: 64 });
      // 16 of 64 lists hold about 3,000 of the 12,000 rows; 300 of them are scored on their int8 rows.
      expect(recallAt10(index, queries, 16, 300)).toBeGreaterThanOrEqual(0.95);
      expect(recallAt10(index, queries, 16, 10)).toBeLessThan(recallAt10(index, queries, 16, 300)); // so the codes are what is measured
      // With room for every probed row, the two stages answer exactly as the one-stage scan of the probed lists.
      for (const q of queries.slice(0, 20)) {
        expect(index.search(q, new Set([0]), 10, { probes: 16, rescore: 12_000 })).toEqual(index.search(q, new Set([0]), 10, { probes: 16, rescore: 0 }));
      }
    });

    it('never returns a deleted or rewritten row of the partition by its old code, and scans the rows written since in full', () => {
      const { index, rows } = generated();
      index.partition({ lists: 64 });
      const two = { probes: 4, rescore: 20 };
      expect(index.search(rows[5]!, new Set([0]), 1, two)[0]).toMatchObject({ id: 'r5', score: expect.closeTo(1, 1) });
      index.delete('r5');
      expect(index.search(rows[5]!, new Set([0]), 20, two).map((h) => h.id)).not.toContain('r5');
      index.setStatus('r6', 1);
      expect(index.search(rows[6]!, new Set([0]), 20, two).map((h) => h.id)).not.toContain('r6');
      expect(index.search(rows[6]!, new Set([1]), 1, two)[0]?.id).toBe('r6');
      const moved = rows[7]!.map((x) => -x);
      index.set('r7', moved, 0); // to the tail; its old row in the partition is a hole
      expect(index.search(rows[7]!, new Set([0]), 20, two).map((h) => h.id)).not.toContain('r7');
      expect(index.search(moved, new Set([0]), 1, two)[0]).toMatchObject({ id: 'r7', score: expect.closeTo(1, 1) });
      // Many new rows in the tail: every one is found, none is dropped by a candidate cut.
      for (let i = 0; i < 200; i++) index.set(`new${i}`, rows[100 + i]!.map((x, k) => (k % 3 ? x : -x)), 0);
      for (let i = 0; i < 200; i += 17) expect(index.search(rows[100 + i]!.map((x, k) => (k % 3 ? x : -x)), new Set([0]), 1, two)[0]?.id).toBe(`new${i}`);
    });

    it('keeps every row and its passages under its id after reordering the rows', () => {
      const { index, rows } = generated();
      index.set('with-passages', rows[3]!, 0, [rows[4]!, rows[5]!]);
      index.delete('r10');
      index.partition({ lists: 32 });
      expect(index.size).toBe(12_000); // 12,000 - r10 + with-passages
      expect(index.rows).toBe(12_002);
      expect(index.search(rows[5]!, new Set([0]), 1, { probes: 32 })[0]).toMatchObject({ score: expect.closeTo(1, 1), passage: expect.any(Number) });
      const scored = index.scores(rows[11]!, ['r11', 'with-passages', 'r10']);
      expect(scored.get('r11')?.score).toBeCloseTo(1, 1);
      expect(scored.has('r10')).toBe(false);
      expect(index.scores(rows[5]!, ['with-passages']).get('with-passages')).toMatchObject({ passage: 2 });
    });

    it('finds a row written after the partition at once, and a rewritten row by its new vector', () => {
      const { index, rows } = generated();
      index.partition({ lists: 64 });
      const fresh = rows[1]!.map((x, k) => (k % 2 ? -x : x));
      index.set('learned', fresh, 0);
      expect(index.unpartitionedRows).toBe(1);
      expect(index.search(fresh, new Set([0]), 1, { probes: 1 })[0]?.id).toBe('learned');
      index.set('r20', rows[1]!.map((x) => -x), 0); // moved far from its list
      expect(index.search(rows[1]!.map((x) => -x), new Set([0]), 1, { probes: 1 })[0]?.id).toBe('r20');
      index.delete('learned');
      expect(index.search(fresh, new Set([0]), 5, { probes: 64 }).map((h) => h.id)).not.toContain('learned');
    });
  });
});
