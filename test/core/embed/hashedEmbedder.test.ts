import { describe, expect, it } from 'vitest';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';

function cosine(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, v, i) => sum + v * (b[i] as number), 0);
}

describe('the built-in embedder', () => {
  const embedder = new HashedEmbedder();

  it('returns unit-length vectors of its declared size, identical for identical text', async () => {
    const [a, b] = await embedder.embed(['My card has not arrived yet', 'My card has not arrived yet'], 'document');
    expect(a).toHaveLength(embedder.dimensions);
    expect(Math.sqrt(cosine(a!, a!))).toBeCloseTo(1, 5);
    expect(Array.from(a!)).toEqual(Array.from(b!));
  });

  it('puts paraphrases closer than unrelated requests', async () => {
    const [query, paraphrase, unrelated] = await embedder.embed(
      ['my new card still has not arrived', 'When will the card I ordered arrive?', 'How do I change my PIN at an ATM?'],
      'query',
    );
    expect(cosine(query!, paraphrase!)).toBeGreaterThan(cosine(query!, unrelated!) + 0.1);
  });

  it('tolerates inflections and typos through character n-grams', async () => {
    const [a, b, c] = await embedder.embed(['refunded payment', 'refund paymnet', 'exchange rate'], 'query');
    expect(cosine(a!, b!)).toBeGreaterThan(0.2);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!) + 0.15);
  });

  it('gives a zero vector for text without words', async () => {
    const [v] = await embedder.embed(['?!'], 'query');
    expect(Array.from(v!).every((x) => x === 0)).toBe(true);
  });

  it('encodes its settings in its id, so differently built vectors never share a table', () => {
    expect(new HashedEmbedder({ dimensions: 256 }).id).not.toBe(embedder.id);
    expect(new HashedEmbedder().id).toBe(embedder.id);
  });
});
