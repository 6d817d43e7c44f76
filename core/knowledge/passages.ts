/**
 * Long entries as passages. A long article (a runbook, a guideline, a review) is matched by the vector leg both
 * as a whole and through each of its passages (paragraphs, numbered steps), so a query about one step finds the
 * article even when the rest of it is about something else; the hit then carries the passage that matched, to be
 * cited with its parent entry. Every passage starts with the entry's title, so the title counts in every one of
 * them and weighs more than any single paragraph of the body.
 *
 * Q&A and cases are matched on their question alone (storedEntry.ts: `matchTextOf`) and stay one vector each.
 */
import type { Embedder } from '../embed/embedder';
import type { Entry } from '../formats/schemas';
import { matchTextOf } from './storedEntry';

/**
 * A body of at most this many words stays one vector (no passages): a short article is already one topic.
 * Passages are packed up to the same size. Chosen on the fit parts of `npm run bench:retrieval` (ABCD, DSTC11 first
 * 800 conversations; BENCHMARKS.md): fused R@1 60 words 0.455 / 0.175, 30 words 0.455 / 0.173 (twice the vectors),
 * 120 words 0.394 / 0.178 (most guideline articles left whole).
 */
export const PASSAGE_WORDS = 60;
/** At most this many passages per entry (the rest of a very long document is still matched by full text). */
export const MAX_PASSAGES = 32;

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/**
 * Splits a body into blocks: paragraphs (blank lines), and within a paragraph every numbered or bulleted step
 * ("1. ...", "- ...") starts a new block, with its indented sub-points kept under it.
 */
function blocksOf(body: string): string[] {
  const blocks: string[] = [];
  for (const paragraph of body.split(/\n\s*\n/)) {
    let current: string[] = [];
    for (const line of paragraph.split('\n')) {
      if (/^(\d+[.)]|[-*•])\s/.test(line) && current.length > 0) {
        blocks.push(current.join('\n'));
        current = [];
      }
      if (line.trim()) current.push(line);
    }
    if (current.length > 0) blocks.push(current.join('\n'));
  }
  return blocks;
}

/**
 * The passages of an entry's body, without the title, in order: consecutive blocks packed up to `PASSAGE_WORDS`
 * words (a longer block is a passage of its own). Empty when the entry is matched as a whole: a Q&A, a case with a
 * question, or a body no longer than one passage.
 */
export function passagesOf(entry: Entry): string[] {
  if (entry.question && entry.question.trim()) return [];
  if (wordCount(entry.body) <= PASSAGE_WORDS) return [];
  const passages: string[] = [];
  let current: string[] = [];
  let words = 0;
  for (const block of blocksOf(entry.body)) {
    const n = wordCount(block);
    if (current.length > 0 && words + n > PASSAGE_WORDS) {
      passages.push(current.join('\n'));
      current = [];
      words = 0;
    }
    current.push(block);
    words += n;
  }
  if (current.length > 0) passages.push(current.join('\n'));
  return passages.length > 1 ? passages.slice(0, MAX_PASSAGES) : [];
}

/**
 * The texts an entry's vectors are made of: its match text (the whole entry) first, then each passage with the
 * entry's title in front. Index 0 is the whole entry; index n ≥ 1 is `passagesOf(entry)[n - 1]`.
 */
export function vectorTextsOf(entry: Entry): string[] {
  const title = entry.title?.trim();
  return [matchTextOf(entry), ...passagesOf(entry).map((p) => (title ? `${title}\n${p}` : p))];
}

/** An entry's vectors: the whole entry's (the one stored in the table) and its passages' (memory only). */
export interface EntryVectors {
  vector: Float32Array;
  passages: Float32Array[];
}

/** Embeds entries as wholes and as passages, in one call to the embedder. */
export async function embedEntries(embedder: Embedder, entries: readonly Entry[]): Promise<EntryVectors[]> {
  const texts = entries.map(vectorTextsOf);
  const flat = await embedder.embed(texts.flat(), 'document');
  let at = 0;
  return texts.map((t) => {
    const vectors = flat.slice(at, at + t.length);
    at += t.length;
    return { vector: vectors[0] as Float32Array, passages: vectors.slice(1) };
  });
}
