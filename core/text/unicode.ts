/**
 * Unicode folding for text that is checked by patterns (redaction, prompt fencing). A pattern written for ASCII
 * digits and letters misses the same data written with characters that look alike to a person and to a model:
 * full-width digits (`４１１１`), digits split by zero-width spaces, digits of another script (`٤١١١`). Each check
 * therefore runs on the folded text: NFKC (full-width and compatibility forms become their plain forms),
 * invisible characters removed, every decimal digit mapped to its ASCII digit.
 */

/**
 * Characters that change what a model or a pattern reads without changing what a person sees: zero-width
 * characters, bidi controls (Trojan Source, CVE-2021-42574), Unicode tag characters (invisible "ASCII smuggling"),
 * the byte-order mark, soft hyphen, other C0/C1 controls (tab, newline and carriage return are kept).
 */
// eslint-disable-next-line no-control-regex, no-misleading-character-class -- matching control characters and lone combining marks (variation selectors) is the point
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{1BCA0}-\u{1BCA3}\u{E0000}-\u{E0FFF}\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/gu;

/** Removes invisible and control characters (keeps tab, newline and carriage return). */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/**
 * The value of a decimal digit of any script. Unicode encodes each script's digits as one run of ten code points,
 * zero first (and runs sit next to each other, as the mathematical digits do), so the value is the distance from
 * the start of the run of digits, modulo ten.
 */
function digitValue(ch: string): number {
  let start = ch.codePointAt(0)!;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (ch.codePointAt(0)! - start) % 10;
}

/** Every decimal digit (`\p{Nd}`) of any script written as its ASCII digit. */
export function foldDigits(text: string): string {
  return text.replace(NON_ASCII_DIGIT, (ch) => String(digitValue(ch)));
}

/**
 * The form pattern checks read: NFKC, invisible characters removed, digits of every script as ASCII digits.
 * Idempotent. Changes text only where a look-alike or an invisible character was.
 */
export function foldForMatching(text: string): string {
  return foldDigits(stripInvisible(text).normalize('NFKC'));
}

/**
 * Untrusted text made safe to print on one terminal line: invisible and control characters removed (an escape
 * sequence could clear the screen, set the window title or move the cursor), line breaks and tabs made spaces (a
 * "\r" or "\n" could draw a fake line such as "integrity: VERIFIED OK").
 */
export function forTerminal(text: string): string {
  return stripInvisible(text).replace(/[\t\r\n]+/g, ' ');
}
