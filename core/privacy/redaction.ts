/**
 * Redaction: personal data and secrets in a customer's text are replaced by typed placeholders (`[EMAIL]`,
 * `[CARD]`...) before the text reaches a prompt or a log line, and, when the team asks for it, before it is
 * stored. Each detector is a pattern plus a check that keeps look-alikes: card numbers must pass the Luhn check
 * and start like a card, IBANs must pass ISO 13616's mod-97 check, phone numbers need a phone's shape (version
 * numbers, dates, amounts and order ids stay), IP addresses are validated by Node's parser.
 *
 * Detectors run in a fixed order (secrets first, the requester's name last), each on the text the previous ones
 * left, so a token that embeds an e-mail address is counted once, as a secret.
 *
 * Detectors read the folded text (core/text/unicode.ts: NFKC, invisible characters removed, digits of every script
 * as ASCII), never the raw one: a full-width card number or one split by zero-width spaces is the same card to a
 * model and to a person, so it must be the same card here (a security review got both into a prompt with the audit
 * saying `card:0`). A text in which nothing was found is returned exactly as given.
 */
import { isIP } from 'node:net';
import { foldForMatching } from '../text/unicode';

export const REDACTION_KINDS = ['secret', 'email', 'iban', 'card', 'ip', 'phone', 'name'] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];
export type RedactionCounts = Record<RedactionKind, number>;

/** The placeholder that replaces each kind of data. */
export const PLACEHOLDERS: Readonly<Record<RedactionKind, string>> = Object.freeze({
  secret: '[SECRET]',
  email: '[EMAIL]',
  iban: '[IBAN]',
  card: '[CARD]',
  ip: '[IP]',
  phone: '[PHONE]',
  name: '[NAME]',
});

export interface RedactOptions {
  /** The requester's name (or handle) as the helpdesk knows it: the whole name and each part are replaced. */
  requesterName?: string | null;
  /** Other names to remove (the analyst's, a colleague's mentioned in the ticket). */
  names?: readonly string[];
}

export interface Redaction {
  text: string;
  counts: RedactionCounts;
}

export function emptyCounts(): RedactionCounts {
  return { secret: 0, email: 0, iban: 0, card: 0, ip: 0, phone: 0, name: 0 };
}

/** Adds `b`'s counts into `a` and returns it. */
export function addCounts(a: RedactionCounts, b: RedactionCounts): RedactionCounts {
  for (const kind of REDACTION_KINDS) a[kind] += b[kind];
  return a;
}

/** Total number of replacements. */
export function totalRedactions(counts: RedactionCounts): number {
  return REDACTION_KINDS.reduce((sum, kind) => sum + counts[kind], 0);
}

// ── checks ───────────────────────────────────────────────────────────────────────────────────────────────────

/** Mixes upper case, lower case and digits, as generated keys do (and words, hex hashes and UUIDs do not). */
function randomLooking(text: string): boolean {
  return /[A-Z]/.test(text) && /[a-z]/.test(text) && /\d/.test(text);
}

/** The Luhn (mod 10) check digit test used by every payment card number. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (d < 0 || d > 9) return false;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/**
 * Whether a digit string starts and is as long as a payment card of a real scheme (ISO/IEC 7812 issuer
 * ranges): Visa 4, Mastercard 51–55 and 2221–2720, Amex 34/37, Discover/UnionPay/Maestro 6, JCB 35, Diners 30/36/38.
 * Numbers starting with 0, 1, 7, 8 or 9 are never cards, which keeps most long order and account ids.
 */
function cardLike(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === '4') return n === 16 || n === 19; // 13-digit Visa is retired; 13 digits are EAN barcodes
  if (two >= 51 && two <= 55) return n === 16;
  if (four >= 2221 && four <= 2720) return n === 16;
  if (two === 34 || two === 37) return n === 15;
  if (two === 30 || two === 36 || two === 38) return n >= 14 && n <= 19;
  if (two === 35) return n >= 16 && n <= 19;
  if (digits[0] === '6' || digits[0] === '5') return n >= 16 && n <= 19; // Discover, UnionPay, Maestro
  return false;
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, the whole mod 97 must be 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    remainder = value > 9 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

// ── detectors ────────────────────────────────────────────────────────────────────────────────────────────────

interface Detector {
  kind: RedactionKind;
  pattern: RegExp;
  /**
   * Decides on one match: the text to put back (a placeholder, or the match with its secret part replaced), or
   * null to keep the match as it is.
   */
  replace?: (match: RegExpExecArray, text: string) => string | null;
}

const NOT_WORD_BEFORE = String.raw`(?<![\p{L}\p{N}_])`;
const NOT_WORD_AFTER = String.raw`(?![\p{L}\p{N}_])`;

/** Words that announce a phone number; a bare run of digits is a phone only after one of them. */
const PHONE_CONTEXT = /(phone|tel|telephone|mobile|cell|call|fax|whatsapp|sms|text me|reach me|ring)\b[^\n\d]{0,20}$/i;

function isPhone(candidate: string, before: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (candidate.startsWith('+')) return digits.length >= 8;
  const context = PHONE_CONTEXT.test(before);
  // Dates (2026-03-01, 01/03/2026, 2026.03.01) and times are not phones.
  if (/^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/.test(candidate) || /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/.test(candidate)) return false;
  const separators = candidate.replace(/[\d]/g, '');
  if (separators === '') return context; // a bare number: an order or account id unless announced as a phone
  if (/^[.]+$/.test(separators)) return /^\d{3}\.\d{3}\.\d{4}$/.test(candidate) || context; // 1.2.3 is a version
  // Thousands groups (1 000 000, 12-345-678) are amounts and ids; phones end in a group of 2 or 4 digits.
  if (/^\d{1,3}([ -]\d{3})+$/.test(candidate)) return context;
  if (candidate.startsWith('(')) return true;
  return digits.length >= 9 || context;
}

/** `scheme://user:password@` at the start of a URL. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi;

/**
 * Only the credentials of URLs in `text` replaced (`https://[SECRET]@host/…`), everything else kept: for output
 * that must still name hosts and addresses (`vigil connectors test`), where full redaction would hide them.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_m, scheme: string) => `${scheme}${PLACEHOLDERS.secret}@`);
}

const DETECTORS: readonly Detector[] = [
  // Secrets. A private key block, then key-shaped tokens of well-known services, then "key: value" pairs.
  { kind: 'secret', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
  {
    kind: 'secret',
    pattern: new RegExp(
      NOT_WORD_BEFORE +
        '(?:' +
        [
          String.raw`sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}`, // OpenAI, Anthropic
          String.raw`(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}`, // Stripe
          String.raw`gh[pousr]_[A-Za-z0-9]{30,}`, // GitHub
          String.raw`github_pat_[A-Za-z0-9_]{30,}`,
          String.raw`glpat-[A-Za-z0-9_-]{20,}`, // GitLab
          String.raw`xox[abposr]-[A-Za-z0-9-]{10,}`, // Slack
          String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}`, // AWS access key id
          String.raw`AIza[0-9A-Za-z_-]{35}`, // Google API key
          String.raw`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, // JSON Web Token
        ].join('|') +
        ')' +
        NOT_WORD_AFTER,
      'gu',
    ),
  },
  {
    // `Authorization: Bearer x`, `token=x`, `password: x`, `api_key "x"`: the value goes, the label stays.
    kind: 'secret',
    pattern:
      /\b((?:authorization|proxy-authorization)\s*[:=]\s*(?:bearer|basic|token)?\s*|bearer\s+|(?:api[_-]?key|api[_-]?token|access[_-]?token|refresh[_-]?token|auth[_-]?token|client[_-]?secret|secret[_-]?key|secret|token|password|passwd|pwd|passcode|pin)\s*(?:is\s*)?[:=]\s*["']?)([^\s"',;]{4,})/gi,
    replace: (m) => (/^\[[A-Z]+\]$/.test(m[2]!) ? null : `${m[1]}${PLACEHOLDERS.secret}`), // already replaced above
  },
  {
    // Credentials inside a URL: https://user:password@host
    kind: 'secret',
    pattern: URL_CREDENTIALS,
    replace: (m) => `${m[1]}${PLACEHOLDERS.secret}@`,
  },
  {
    // Any other long random-looking token: 32+ characters mixing upper case, lower case and digits. Hex hashes,
    // UUIDs and words stay (they lack a class). An absolute file path ("/home/Ana/Downloads/entries-2026") has
    // that alphabet too; it is a token only if one of its parts is one, so an error naming a file keeps the name.
    kind: 'secret',
    pattern: new RegExp(NOT_WORD_BEFORE + String.raw`[A-Za-z0-9_+/=-]{32,}` + NOT_WORD_AFTER, 'gu'),
    replace: (m) => {
      const parts = m[0].startsWith('/') ? m[0].split('/').filter(Boolean) : [m[0]];
      return parts.some((part) => part.length >= 32 && randomLooking(part)) ? PLACEHOLDERS.secret : null;
    },
  },
  {
    kind: 'email',
    pattern: new RegExp(NOT_WORD_BEFORE + String.raw`[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}` + NOT_WORD_AFTER, 'gu'),
  },
  {
    kind: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}\b/g,
    replace: (m) => (ibanValid(m[0]) ? PLACEHOLDERS.iban : null),
  },
  {
    kind: 'card',
    pattern: /(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w]|[.,-]\d)/g,
    replace: (m) => {
      const digits = m[0].replace(/\D/g, '');
      return cardLike(digits) && luhnValid(digits) ? PLACEHOLDERS.card : null;
    },
  },
  {
    kind: 'ip',
    pattern: /(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,8}(?:\d{1,3}(?:\.\d{1,3}){3})?)(?:\/\d{1,3})?(?![\w.:]*[\w])/gi,
    replace: (m, text) => {
      const address = m[0].replace(/\/\d{1,3}$/, '');
      if (!isIP(address)) return null;
      // IPv6 needs a digit somewhere: C++'s `Foo::Bar` and `dead::beef` in code are not addresses worth a guess.
      if (isIP(address) === 6 && !/\d/.test(address)) return null;
      // "version 1.2.3.4" and "v10.0.0.1" are versions that happen to look like addresses.
      const before = text.slice(Math.max(0, m.index - 12), m.index);
      // The word boundary keeps "server 10.0.0.1", "driver 10.0.0.1" and "observer 10.0.0.1" addresses.
      if (/\b(?:v|version\s*|ver\.?\s*|build\s*)$/i.test(before)) return null;
      return PLACEHOLDERS.ip;
    },
  },
  {
    kind: 'phone',
    pattern: /(?<![\w.+\-/#:])(?:\+|\(\+?)?\d[\d ().-]{5,}\d(?![\w]|[.,-]\d|:\d)/g,
    replace: (m, text) => {
      const candidate = m[0];
      const open = (candidate.match(/\(/g) ?? []).length;
      const close = (candidate.match(/\)/g) ?? []).length;
      if (open !== close) return null;
      return isPhone(candidate, text.slice(Math.max(0, m.index - 40), m.index)) ? PLACEHOLDERS.phone : null;
    },
  },
];

/**
 * Capitalised words that follow "I am", "I'm", "this is" without being a name ("I am Unable to log in", "this is
 * Urgent", "I'm Running Windows").
 */
const NOT_A_NAME = new Set(
  'Not Unable Able Using Running Trying Getting Having Still Also Sure Sorry Urgent Afraid Back Here There Now Just Very So Really The A An In On At From With For It This That Your My Our Their Logged Locked Connected Stuck Working Waiting Writing Calling Contacting Following Windows Mac Linux Outlook Office Teams Chrome Firefox Safari Android iOS Ok OK Okay New Currently Again Unsure Happy Glad Confused Frustrated'.split(' '),
);

const NAME_WORD = String.raw`\p{Lu}[\p{Ll}'’-]+`;

/**
 * Personal data a sentence states without Vigil being told about it: a self-introduction ("my name is Crystal Minh",
 * "I'm Alessandro", "this is Dana") and a user name or login given as one ("username: cminh730"). The label stays,
 * the value becomes `[NAME]`. Run after the fixed detectors and before the names Vigil was given.
 */
const STATED: readonly Detector[] = [
  {
    kind: 'name',
    pattern: new RegExp(String.raw`\b((?:[Mm]y name is|[Nn]ame:|I am|I'm|I’m|[Tt]his is)\s+)(${NAME_WORD}(?:\s+${NAME_WORD})?)` + NOT_WORD_AFTER, 'gu'),
    replace: (m) => {
      const words = m[2]!.split(/\s+/);
      if (NOT_A_NAME.has(words[0]!)) return null;
      // A second capitalised word that is not a name ("I am Dana Using…") stays.
      const kept = words.length > 1 && NOT_A_NAME.has(words[1]!) ? ` ${words[1]}` : '';
      return `${m[1]}${PLACEHOLDERS.name}${kept}`;
    },
  },
  {
    kind: 'name',
    pattern: /\b((?:user ?name|user ?id|login|account)\s*:\s*|(?:user ?name|user ?id)\s+is\s+)([^\s,;]*[^\s,;.!?])/giu,
    replace: (m) => (/^\[[A-Z]+\]$/.test(m[2]!) ? null : `${m[1]}${PLACEHOLDERS.name}`),
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Patterns for the names to remove: each whole name in any case, and each part of two or more letters as
 * written with a capital (so "Will Smith" removes "Will" but not "will"), or in capitals.
 */
function namePatterns(names: readonly string[]): RegExp[] {
  const wholes = new Set<string>();
  const parts = new Set<string>();
  for (const raw of names) {
    const name = foldForMatching(raw).trim().replace(/\s+/g, ' ');
    if (name.length < 2) continue;
    wholes.add(name);
    for (const part of name.split(/[\s,]+/)) {
      if (part.replace(/[^\p{L}]/gu, '').length >= 2) parts.add(part);
    }
  }
  const patterns: RegExp[] = [];
  const byLength = (a: string, b: string): number => b.length - a.length;
  if (wholes.size > 0) {
    const alternatives = [...wholes].sort(byLength).map((w) => escapeRegExp(w).replace(/ /g, String.raw`\s+`));
    patterns.push(new RegExp(`${NOT_WORD_BEFORE}(?<!\\[)(?:${alternatives.join('|')})${NOT_WORD_AFTER}(?!\\])`, 'giu'));
  }
  for (const part of [...parts].sort(byLength)) {
    const capitalised = part.charAt(0).toLocaleUpperCase() + part.slice(1);
    const forms = new Set([part, capitalised, part.toLocaleUpperCase()].filter((f) => /^\p{Lu}/u.test(f)));
    if (forms.size === 0) continue;
    patterns.push(new RegExp(`${NOT_WORD_BEFORE}(?<!\\[)(?:${[...forms].map(escapeRegExp).join('|')})${NOT_WORD_AFTER}(?!\\])`, 'gu'));
  }
  return patterns;
}

function applyDetector(text: string, detector: Detector, counts: RedactionCounts): string {
  let result = '';
  let last = 0;
  detector.pattern.lastIndex = 0;
  for (let m = detector.pattern.exec(text); m !== null; m = detector.pattern.exec(text)) {
    if (m[0] === '') {
      detector.pattern.lastIndex++;
      continue;
    }
    const replacement = detector.replace ? detector.replace(m, text) : PLACEHOLDERS[detector.kind];
    if (replacement === null) continue;
    result += text.slice(last, m.index) + replacement;
    last = m.index + m[0].length;
    counts[detector.kind]++;
  }
  return last === 0 ? text : result + text.slice(last);
}

/**
 * Replaces e-mail addresses, phone numbers, card numbers (Luhn-checked), IBANs, IP addresses, API keys and
 * tokens, and the requester's name by typed placeholders, and counts each kind. Detection runs on the folded text
 * (NFKC, invisible characters removed, digits as ASCII); when something was replaced the result is that folded
 * text, otherwise `text` comes back unchanged. Idempotent: redacting the result again changes nothing.
 */
export function redact(text: string, options: RedactOptions = {}): Redaction {
  const counts = emptyCounts();
  const folded = foldForMatching(text);
  let result = folded;
  for (const detector of DETECTORS) result = applyDetector(result, detector, counts);
  for (const detector of STATED) result = applyDetector(result, detector, counts);
  const names = [...(options.requesterName ? [options.requesterName] : []), ...(options.names ?? [])];
  for (const pattern of namePatterns(names)) result = applyDetector(result, { kind: 'name', pattern }, counts);
  return { text: totalRedactions(counts) === 0 ? text : result, counts };
}

/** Redacts several texts with the same options; the counts are summed. */
export function redactAll(texts: readonly string[], options: RedactOptions = {}): { texts: string[]; counts: RedactionCounts } {
  const counts = emptyCounts();
  const out = texts.map((t) => {
    const r = redact(t, options);
    addCounts(counts, r.counts);
    return r.text;
  });
  return { texts: out, counts };
}

/** The text fields of a ticket that can carry personal data. */
interface RedactableTicket {
  subject?: string | undefined;
  requester?: string | undefined;
  resolution?: string | undefined;
  messages: readonly { text: string }[];
}

/**
 * A copy of `ticket` with its subject, messages and resolution redacted, the requester's name (from
 * `ticket.requester` and `options`) included. Used before a prompt is built, and before storage when the team
 * turned that on. Ids, authors and times are kept; unknown fields are kept as they are.
 */
export function redactTicket<T extends RedactableTicket>(ticket: T, options: RedactOptions = {}): { ticket: T; counts: RedactionCounts } {
  const names = [...(options.names ?? []), ...(ticket.requester ? [ticket.requester] : [])];
  const opts: RedactOptions = { ...options, names };
  const counts = emptyCounts();
  const one = (text: string): string => {
    const r = redact(text, opts);
    addCounts(counts, r.counts);
    return r.text;
  };
  const copy = {
    ...ticket,
    ...(ticket.subject !== undefined ? { subject: one(ticket.subject) } : {}),
    ...(ticket.resolution !== undefined ? { resolution: one(ticket.resolution) } : {}),
    messages: ticket.messages.map((m) => ({ ...m, text: one(m.text) })),
  };
  return { ticket: copy, counts };
}
