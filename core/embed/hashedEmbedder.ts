/**
 * The built-in embedder: works offline on day one with no model files. It hashes word unigrams, word bigrams
 * and character n-grams of each word into a fixed-size signed vector (the "hashing trick"), with sublinear term
 * weights, and normalises to unit length so cosine similarity is a dot product.
 */
import type { EmbedMode, Embedder } from './embedder';
import { STOPWORDS, tokenize } from '../text/tokenize';
import { normalize } from './vectorMath';

/** Feature weights of the built-in embedder. */
export interface HashedEmbedderOptions {
  dimensions: number;
  /** Weight of a function word relative to a content word. */
  stopwordWeight: number;
  /** Weight of a word bigram relative to a unigram. */
  bigramWeight: number;
  /** Weight of each character n-gram of a content word: catches typos and inflections ("refunded", "refund"). */
  charGramWeight: number;
  minCharGram: number;
  maxCharGram: number;
}

/**
 * Chosen on BANKING77. Character n-grams from 2 to 5 letters at weight 0.5 (with the store's vector weight 2.0) were
 * the best 512-dimension setting on a dev split of the train set (8,000 documents, 2,003 queries: hybrid Recall@1
 * 0.834 against 0.826 for the earlier 3-5 letters at 0.4) and, read afterwards on the test set, 0.854 against 0.845
 * (`npm run bench:fusion-sweep`); the full replay went from 0.845 to 0.851 (BENCHMARKS.md). 1,024 dimensions were no
 * better on the dev split and would double the memory of the vector index.
 */
export const DEFAULT_HASHED_OPTIONS: HashedEmbedderOptions = {
  dimensions: 512,
  stopwordWeight: 0.3,
  bigramWeight: 0.7,
  charGramWeight: 0.5,
  minCharGram: 2,
  maxCharGram: 5,
};

/** 32-bit FNV-1a: fast, stable across platforms and releases (vectors on disk depend on it). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class HashedEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly options: HashedEmbedderOptions;

  constructor(options: Partial<HashedEmbedderOptions> = {}) {
    this.options = { ...DEFAULT_HASHED_OPTIONS, ...options };
    this.dimensions = this.options.dimensions;
    const o = this.options;
    // The id encodes every option: two differently configured embedders must never share a table.
    this.id = `builtin-hash-v1:${o.dimensions}:${o.stopwordWeight}:${o.bigramWeight}:${o.charGramWeight}:${o.minCharGram}-${o.maxCharGram}`;
  }

  /**
   * The embedder an id names (ids encode every option), or null when `id` is not a built-in embedder's id. Lets
   * the store keep searching a table written with other settings while it re-indexes.
   */
  static fromId(id: string): HashedEmbedder | null {
    const match = /^builtin-hash-v1:(\d+):([\d.]+):([\d.]+):([\d.]+):(\d+)-(\d+)$/.exec(id);
    if (!match) return null;
    const [dimensions, stopwordWeight, bigramWeight, charGramWeight, minCharGram, maxCharGram] = match.slice(1).map(Number);
    const embedder = new HashedEmbedder({ dimensions, stopwordWeight, bigramWeight, charGramWeight, minCharGram, maxCharGram });
    return embedder.id === id ? embedder : null;
  }

  /** The built-in model treats queries and documents alike. */
  async embed(texts: readonly string[], _mode: EmbedMode): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  /** Synchronous form, for callers that embed in a hot loop. */
  embedOne(text: string): Float32Array {
    const o = this.options;
    const counts = new Map<string, number>();
    const add = (feature: string, weight: number): void => {
      counts.set(feature, (counts.get(feature) ?? 0) + weight);
    };
    const words = tokenize(text);
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      const isStop = STOPWORDS.has(word);
      add(`w:${word}`, isStop ? o.stopwordWeight : 1);
      const next = words[i + 1];
      if (next !== undefined) {
        add(`b:${word} ${next}`, o.bigramWeight * (isStop && STOPWORDS.has(next) ? o.stopwordWeight : 1));
      }
      if (!isStop && o.charGramWeight > 0) {
        const padded = `<${word}>`;
        for (let n = o.minCharGram; n <= o.maxCharGram; n++) {
          for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`, o.charGramWeight);
        }
      }
    }
    const vector = new Float32Array(this.dimensions);
    for (const [feature, weight] of counts) {
      const hash = fnv1a(feature);
      // Sublinear weighting: a word said three times is not three times as important.
      const value = weight > 1 ? 1 + Math.log(weight) : weight;
      vector[hash % this.dimensions]! += hash & 0x80000000 ? -value : value;
    }
    normalize(vector);
    return vector;
  }
}
