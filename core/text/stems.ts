/**
 * Word stems for BM25 scoring: "charged", "charges" and "charging" all score as "charg", so a customer who writes
 * "cards" matches a case about a "card". Porter's stemmer (the `stemmer` package) on the engine's own tokens.
 *
 * Stems are used only to *score*: the `text` column and LanceDB's full-text index keep the plain tokens (which pick
 * the candidates), so no stored data depends on the stemmer and changing it needs no migration. On BANKING77,
 * scoring stemmed gave hybrid Recall@1 +0.005 on a dev split of the train set and +0.005 on the test set
 * (`npm run bench:fusion-sweep`, BENCHMARKS.md).
 */
import { stemmer } from 'stemmer';

/** Stems of recent tokens: a team's vocabulary is small, and stemming every term of every import adds up. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 200_000;

/** The stem of one token from `tokenize` (lower case, accents folded). */
export function stemOf(token: string): string {
  let stem = cache.get(token);
  if (stem === undefined) {
    // Porter's rules are English: words in other scripts, and numbers, are left as they are.
    stem = /^[a-z][a-z0-9]*$/.test(token) ? stemmer(token) : token;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(token, stem);
  }
  return stem;
}

/** Stems of tokens, in order (see `stemOf`). */
export function stemsOf(tokens: readonly string[]): string[] {
  return tokens.map(stemOf);
}
