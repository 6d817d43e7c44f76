/**
 * Word tokenisation shared by the built-in embedder and the query cleaner: lower-case, accents folded,
 * apostrophes joined ("don't" → "dont"), split on anything that is not a letter or digit.
 */

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased, accent-folded word tokens of `text`. */
export function tokenize(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '');
  return folded.match(WORD) ?? [];
}

/**
 * Function words that carry little meaning for matching support questions. Not removed, only down-weighted by
 * the built-in embedder: "not" and "how" still matter in phrases ("not working", "how long").
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the i im ive id me my mine myself we us our you your he she it its they them their this that these those ' +
    'is are was were be been being am do does did doing have has had having will would shall should can could may might must ' +
    'to of and or in on for with at from by about as into onto than then so if but because while ' +
    'there here what which who whom when where why how any some all just also too very really please hi hello hey thanks thank ' +
    'not no get got'
  ).split(' '),
);
