/**
 * The redaction pass run before team knowledge leaves the team in a pack: personal and internal data that
 * entries learned from tickets tend to carry (e-mail addresses, phone numbers, card numbers, IBANs, IP addresses,
 * and any terms the admin lists, such as customer or host names) is replaced by a placeholder such as `[email]`.
 * It is a safety net for the admin's review, not a guarantee: the export prints what it replaced, per entry.
 */
import type { Entry } from '../formats/schemas';

export type RedactionKind = 'email' | 'card' | 'iban' | 'phone' | 'ip' | 'term';

interface Rule {
  kind: RedactionKind;
  pattern: RegExp;
  /** Extra check on a match (card numbers must pass the Luhn check, phone numbers need enough digits). */
  accept?: (match: string) => boolean;
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const digitsOf = (s: string): string => s.replace(/\D/g, '');

/** Order matters: card numbers and IBANs before phone numbers, which would otherwise swallow them. */
const RULES: readonly Rule[] = [
  { kind: 'email', pattern: /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g },
  { kind: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g },
  {
    kind: 'card',
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    accept: (m) => luhn(digitsOf(m)),
  },
  {
    kind: 'phone',
    // "+44 20 7946 0958", "(555) 123-4567", "555.123.4567": 9 to 15 digits with separators.
    pattern: /(?:\+|\b)\d[\d ().-]{7,18}\d\b/g,
    accept: (m) => {
      const n = digitsOf(m).length;
      // ISO dates (2026-03-01) and times have fewer than 9 digits; version strings use only dots.
      return n >= 9 && n <= 15 && !/^\d+(?:\.\d+)+$/.test(m);
    },
  },
  { kind: 'ip', pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g },
];

/** What one redaction pass replaced, by kind. */
export type RedactionCounts = Partial<Record<RedactionKind, number>>;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Redacts one text; `terms` are replaced case-insensitively as whole words. */
export function redactText(text: string, terms: readonly string[] = [], counts: RedactionCounts = {}): string {
  let result = text;
  const cleanTerms = terms.map((t) => t.trim()).filter(Boolean);
  if (cleanTerms.length > 0) {
    const pattern = new RegExp(`(?<![\\w])(?:${cleanTerms.map(escapeRegExp).join('|')})(?![\\w])`, 'gi');
    result = result.replace(pattern, () => {
      counts.term = (counts.term ?? 0) + 1;
      return '[redacted]';
    });
  }
  for (const rule of RULES) {
    result = result.replace(rule.pattern, (match) => {
      if (rule.accept && !rule.accept(match)) return match;
      counts[rule.kind] = (counts[rule.kind] ?? 0) + 1;
      return `[${rule.kind}]`;
    });
  }
  return result;
}

/** Fields never redacted: they identify and classify the entry, and carry no free text. */
const STRUCTURAL = new Set(['id', 'kind', 'updatedAt', 'source', 'tags']);

function redactValue(value: unknown, terms: readonly string[], counts: RedactionCounts): unknown {
  if (typeof value === 'string') return redactText(value, terms, counts);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, terms, counts));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, terms, counts)]));
  }
  return value;
}

/** Redacts every free-text field of an entry (title, question, body, resolution, and unknown fields). */
export function redactEntry(entry: Entry, terms: readonly string[] = []): { entry: Entry; counts: RedactionCounts } {
  const counts: RedactionCounts = {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) out[key] = STRUCTURAL.has(key) ? value : redactValue(value, terms, counts);
  return { entry: out as Entry, counts };
}
