import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, redact, totalRedactions, type RedactionKind } from '../../../core/privacy/redaction';

const RUNS = { numRuns: 150 };

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (n: number): fc.Arbitrary<string> => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
const lowerWord = fc.stringMatching(/^[a-z][a-z0-9]{1,10}$/);

/** A number that passes Luhn: `body` plus its check digit. */
function withLuhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

const cardNumber = fc
  .tuple(fc.constantFrom(['4', 16], ['4', 19], ['51', 16], ['55', 16], ['2221', 16], ['2720', 16], ['34', 15], ['37', 15], ['6011', 16], ['35', 16], ['36', 14]), fc.integer({ min: 0, max: 1e9 }))
  .chain(([[prefix, length]]) => digits((length as number) - (prefix as string).length - 1).map((rest) => withLuhnDigit((prefix as string) + rest)));

function groupCard(number: string, separator: string): string {
  const groups = number.length === 15 ? [4, 6, 5] : number.length === 14 ? [4, 6, 4] : [4, 4, 4, 4, 3].slice(0, Math.ceil(number.length / 4));
  const out: string[] = [];
  let at = 0;
  for (const g of groups) {
    if (at >= number.length) break;
    out.push(number.slice(at, at + g));
    at += g;
  }
  if (at < number.length) out.push(number.slice(at));
  return out.join(separator);
}

const IBAN_LENGTHS: Record<string, number> = { DE: 22, FR: 27, GB: 22, NL: 18, ES: 24, IT: 27, CH: 21, BE: 16, AT: 20, PL: 28 };

/** An IBAN with correct check digits: `CC` + `kk` + BBAN, kk = 98 − (BBAN CC 00 mod 97). */
const iban = fc.constantFrom(...Object.keys(IBAN_LENGTHS)).chain((country) =>
  fc.stringMatching(new RegExp(`^[A-Z0-9]{${IBAN_LENGTHS[country]! - 4}}$`)).map((bban) => {
    const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
    let r = 0;
    for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
    return `${country}${String(98 - r).padStart(2, '0')}${bban}`;
  }),
);

const phone = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 99 }), digits(3), digits(3), digits(4)).map(([cc, a, b, c]) => `+${cc} ${a} ${b} ${c}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `${a}-${b}-${c}`),
  fc.tuple(digits(2), digits(4), digits(4)).map(([a, b, c]) => `+44 ${a} ${b} ${c}`),
  fc.tuple(digits(2), digits(2), digits(2), digits(2)).map(([a, b, c, d]) => `01 ${a} ${b} ${c} ${d}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `${a}.${b}.${c}`),
);

const email = fc
  .tuple(fc.array(lowerWord, { minLength: 1, maxLength: 3 }), fc.constantFrom('.', '_', '+', '-'), fc.array(lowerWord, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'org', 'de', 'co.uk', 'io'))
  .map(([local, sep, domain, tld]) => `${local.join(sep)}@${domain.join('.')}.${tld}`);

const alnum = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[A-Za-z0-9]{${n}}$`));
const secretToken = fc.oneof(
  alnum(36).map((s) => `ghp_${s}`),
  alnum(40).map((s) => `sk-${s}`),
  alnum(24).map((s) => `sk_live_${s}`),
  fc.stringMatching(/^[A-Z0-9]{16}$/).map((s) => `AKIA${s}`),
  fc.tuple(alnum(20), alnum(30), alnum(43)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`),
  alnum(30).map((s) => `xoxb-${s}`),
);

const name = fc.tuple(fc.stringMatching(/^[A-Z][a-z]{2,9}$/), fc.stringMatching(/^[A-Z][a-z]{2,11}$/)).map(([first, last]) => ({ first, last }));

/** Wraps `value` in customer prose and checks it is gone, counted once as `kind`, and nothing else changed. */
function expectRedacted(value: string, kind: RedactionKind, prose = (v: string) => `Hello, my details: ${v}. Please help!`): void {
  const { text, counts } = redact(prose(value));
  expect(text).not.toContain(value);
  expect(counts[kind]).toBe(1);
  expect(totalRedactions(counts)).toBe(1);
  expect(text).toBe(prose(`[${kind.toUpperCase()}]`));
}

describe('redaction detectors (properties)', () => {
  it('replaces every Luhn-valid card number, with or without separators', () => {
    fc.assert(
      fc.property(cardNumber, fc.constantFrom('', ' ', '-'), (n, sep) => expectRedacted(sep ? groupCard(n, sep) : n, 'card')),
      RUNS,
    );
  });

  it('never calls a number that fails the Luhn check a card', () => {
    fc.assert(
      fc.property(cardNumber, fc.integer({ min: 1, max: 9 }), (n, shift) => {
        const broken = n.slice(0, -1) + String((Number(n.at(-1)) + shift) % 10);
        expect(luhnValid(broken)).toBe(false);
        expect(redact(`card ${broken} declined`).counts.card).toBe(0);
      }),
      RUNS,
    );
  });

  it('replaces every IBAN with valid check digits, grouped or not', () => {
    fc.assert(
      fc.property(iban, fc.boolean(), (value, grouped) => {
        expect(ibanValid(value)).toBe(true);
        expectRedacted(grouped ? value.replace(/(.{4})(?!$)/g, '$1 ') : value, 'iban', (v) => `Please refund to ${v} thanks`);
      }),
      RUNS,
    );
  });

  it('rejects an IBAN with any one digit changed (ISO 7064 mod 97 catches every single-digit error)', () => {
    fc.assert(
      fc.property(iban, fc.nat(), fc.integer({ min: 1, max: 9 }), (value, at, by) => {
        const positions = [...value].map((ch, i) => (i >= 2 && /\d/.test(ch) ? i : -1)).filter((i) => i >= 0);
        const i = positions[at % positions.length]!;
        const mutated = value.slice(0, i) + String((Number(value[i]) + by) % 10) + value.slice(i + 1);
        expect(ibanValid(mutated)).toBe(false);
        expect(redact(`to ${mutated} please`).counts.iban).toBe(0);
      }),
      RUNS,
    );
  });

  it('replaces e-mail addresses', () => {
    fc.assert(fc.property(email, (value) => expectRedacted(value, 'email')), RUNS);
  });

  it('replaces phone numbers in common national and international formats', () => {
    fc.assert(fc.property(phone, (value) => expectRedacted(value, 'phone', (v) => `You can call me on ${v} after lunch`)), RUNS);
  });

  it('replaces IPv4 and IPv6 addresses', () => {
    fc.assert(fc.property(fc.ipV4(), (value) => expectRedacted(value, 'ip', (v) => `the gateway ${v} drops packets`)), RUNS);
    fc.assert(
      fc.property(
        fc.ipV6().filter((v) => /\d/.test(v)),
        (value) => expectRedacted(value, 'ip', (v) => `the gateway ${v} drops packets`),
      ),
      RUNS,
    );
  });

  it('replaces API keys and tokens', () => {
    fc.assert(fc.property(secretToken, (value) => expectRedacted(value, 'secret', (v) => `my key is ${v} sorry`)), RUNS);
  });

  it("replaces the requester's name and its parts, but not the same word in lower case", () => {
    fc.assert(
      fc.property(name, ({ first, last }) => {
        const { text, counts } = redact(`Hi, I'm ${first} ${last}. ${last.toUpperCase()} is on the account, ${first} again. ${first.toLowerCase()}`, {
          requesterName: `${first} ${last}`,
        });
        expect(text).toBe(`Hi, I'm [NAME]. [NAME] is on the account, [NAME] again. ${first.toLowerCase()}`);
        expect(counts.name).toBe(3);
      }),
      RUNS,
    );
  });

  it('is idempotent and never grows a placeholder out of a placeholder', () => {
    const mixed = fc.tuple(email, phone, cardNumber, iban, fc.ipV4(), secretToken, name).map(
      ([e, p, c, i, ip, s, n]) => ({ text: `${n.first} ${n.last} <${e}> tel ${p}, card ${c}, IBAN ${i}, from ${ip}, token=${s}`, requester: `${n.first} ${n.last}` }),
    );
    fc.assert(
      fc.property(mixed, ({ text, requester }) => {
        const once = redact(text, { requesterName: requester });
        expect(once.counts).toEqual({ secret: 1, email: 1, iban: 1, card: 1, ip: 1, phone: 1, name: 1 });
        const twice = redact(once.text, { requesterName: requester });
        expect(twice.text).toBe(once.text);
        expect(totalRedactions(twice.counts)).toBe(0);
      }),
      RUNS,
    );
  });
});

/** Ways of writing the same characters that a person and a model read as the plain ones. */
const FULL_WIDTH = (v: string): string => v.replace(/[0-9A-Za-z@.:+-]/g, (ch) => String.fromCodePoint(ch.codePointAt(0)! + 0xfee0));
const ZERO_WIDTH = (v: string, marks: readonly string[]): string => [...v].map((ch, i) => ch + (i % 2 === 0 ? marks[i % marks.length] : '')).join('');
const DIGIT_SCRIPTS: Readonly<Record<string, number>> = { 'Arabic-Indic': 0x660, Devanagari: 0x966, Bengali: 0x9e6, Thai: 0xe50, 'mathematical bold': 0x1d7ce, 'mathematical monospace': 0x1d7f6 };
const SCRIPT_DIGITS = (v: string, zero: number): string => v.replace(/[0-9]/g, (d) => String.fromCodePoint(zero + Number(d)));
const invisible = fc.array(fc.constantFrom('\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u{E0020}', '\uFE0F'), { minLength: 1, maxLength: 4 });
const unicodeVariant = fc.oneof(
  fc.constant((v: string) => FULL_WIDTH(v)),
  invisible.map((marks) => (v: string) => ZERO_WIDTH(v, marks)),
  fc.constantFrom(...Object.values(DIGIT_SCRIPTS)).map((zero) => (v: string) => SCRIPT_DIGITS(v, zero)),
);

describe('redaction of data written with look-alike or invisible characters', () => {
  /** The variant is gone (in no form), counted once as `kind`, and the prose around it is kept. */
  function expectVariantRedacted(value: string, variant: (v: string) => string, kind: RedactionKind, prose: (v: string) => string): void {
    const written = variant(value);
    const { text, counts } = redact(prose(written));
    expect(text).toBe(prose(`[${kind.toUpperCase()}]`));
    expect(counts[kind]).toBe(1);
    expect(totalRedactions(counts)).toBe(1);
  }

  it('replaces a card number written in full-width digits, split by zero-width characters or in another script', () => {
    fc.assert(
      fc.property(cardNumber, fc.constantFrom('', ' ', '-'), unicodeVariant, (n, sep, variant) =>
        expectVariantRedacted(sep ? groupCard(n, sep) : n, variant, 'card', (v) => `my card ${v} was charged twice`),
      ),
      RUNS,
    );
  });

  it('replaces IPv4 addresses, phone numbers, IBANs and e-mail addresses written that way', () => {
    fc.assert(fc.property(fc.ipV4(), unicodeVariant, (v, variant) => expectVariantRedacted(v, variant, 'ip', (x) => `the gateway ${x} drops packets`)), RUNS);
    fc.assert(fc.property(phone, unicodeVariant, (v, variant) => expectVariantRedacted(v, variant, 'phone', (x) => `You can call me on ${x} after lunch`)), RUNS);
    fc.assert(fc.property(iban, unicodeVariant, (v, variant) => expectVariantRedacted(v, variant, 'iban', (x) => `refund to ${x} please`)), RUNS);
    fc.assert(fc.property(email, unicodeVariant, (v, variant) => expectVariantRedacted(v, variant, 'email', (x) => `write to ${x} today`)), RUNS);
  });

  it('replaces a token split by invisible characters', () => {
    fc.assert(fc.property(secretToken, invisible, (v, marks) => expectVariantRedacted(v, (x) => ZERO_WIDTH(x, marks), 'secret', (x) => `my key is ${x} sorry`)), RUNS);
  });

  it('replaces the two attacks the security review sent into a prompt', () => {
    expect(redact('card ４１１１ １１１１ １１１１ １１１１ thanks').text).toBe('card [CARD] thanks');
    expect(redact('card 4\u200B111\u200B1111\u200B1111\u200B1111 thanks').text).toBe('card [CARD] thanks');
  });

  it('keeps a text it finds nothing in exactly as written, invisible characters and other scripts included', () => {
    for (const text of ['مرحبا، الطلب رقم ١٢٣ وصل', 'ｆｕｌｌ ｗｉｄｔｈ ok', 'emoji 👍🏽 and \u200Bzero width', 'version ４.２.１']) {
      const result = redact(text);
      expect(result.text).toBe(text);
      expect(totalRedactions(result.counts)).toBe(0);
    }
  });

  it('is idempotent on every variant', () => {
    fc.assert(
      fc.property(cardNumber, fc.ipV4(), unicodeVariant, (card, ip, variant) => {
        const once = redact(`card ${variant(card)} from ${variant(ip)} \u200B`);
        const twice = redact(once.text);
        expect(twice.text).toBe(once.text);
        expect(totalRedactions(twice.counts)).toBe(0);
      }),
      RUNS,
    );
  });
});

describe('redaction of IP addresses after words that end like "ver"', () => {
  it.each(['server', 'Server', 'driver', 'observer', 'resolver', 'rebuild', 'dev'])('replaces the address after "%s"', (word) => {
    fc.assert(fc.property(fc.ipV4(), (value) => expectRedacted(value, 'ip', (v) => `the ${word} ${v} drops packets`)), { numRuns: 30 });
  });

  it.each(['version 10.0.0.1', 'ver 10.0.0.1', 'ver. 10.0.0.1', 'v10.0.0.1', 'build 10.0.0.1', 'Version 1.2.3.4'])('keeps the version number in "%s"', (text) => {
    expect(redact(text).text).toBe(text);
  });
});

describe('redaction keeps what is not personal', () => {
  it.each([
    'Client version 5.2.1 on Windows 10.0.19045, build 22631.3007',
    'Updating to v10.4.2.1 fixed it; version 1.2.3.4 still crashes',
    'Order ORD-99887 and #48213 belong to ticket T-1042 (INC-20931)',
    'order number 123456789012 never arrived',
    'Invoice INV-2026-000123 was paid on 2026-03-01 at 10:30',
    'Lower the tunnel MTU to 1380 and retry',
    'Error E4031 at 2026-03-01T09:00:00Z, then HTTP 404 on port 8080',
    'Commit 3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39 and UUID 123e4567-e89b-12d3-a456-426614174000',
    'Tracking 1Z999AA10123456784, EAN 4006381333931 and 4006381333932',
    'We shipped 1 250 000 units; 12-345-678 is the batch',
    'Dates 01/03/2026 and 2026.03.01 are fine',
    'Python 3.11.4, Node 20.19.0, error 0x80070005',
    'Use std::vector and Foo::Bar in the plugin',
    'Between 10 and 20 users see it on 3 of 4 servers',
    'the password reset link expired',
    'MAC 00:1A:2B:3C:4D:5E on the dock',
    // File paths in error messages and logs: the file must stay named (its parts are words, not keys).
    '/home/alice/Downloads/entries-2026.jsonl:3: question: Required',
    '/tmp/vigil-cli-log-MIp32C/tickets/T-1042.json: not valid JSON',
    '/srv/Vigil/Team-Packs/network-FAQ-v2.vpack: signature does not verify',
  ])('%s', (text) => {
    const result = redact(text);
    expect(result.text).toBe(text);
    expect(totalRedactions(result.counts)).toBe(0);
  });

  it('still removes a key inside a path, and a key that holds slashes', () => {
    // The whole path goes: which part held the key is not worth the risk of leaving some of it.
    expect(redact('read /srv/cache/Kq8ZrT2mXw9LpV4nB7cY1dF6gH3jS5aQ0eR/blob').text).toBe('read [SECRET]');
    expect(redact('key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY9 leaked').text).toBe('key [SECRET] leaked');
  });

  it('keeps a label when it removes the secret after it', () => {
    expect(redact('Authorization: Bearer abc.def.ghi123').text).toBe('Authorization: Bearer [SECRET]');
    expect(redact('password: hunter22, api_key="Zx9kQ"').text).toBe('password: [SECRET], api_key="[SECRET]"');
    expect(redact('see https://admin:s3cret@intranet.example.com/path').text).toBe('see https://[SECRET]@intranet.example.com/path');
  });

  it('redacts a realistic customer message fully and counts by kind', () => {
    const message = [
      'Hi team, this is Maria Lopez (maria.lopez@example.com, +34 612 345 678).',
      'My card 4111 1111 1111 1111 was charged twice; refund to ES91 2100 0418 4502 0005 1332 please.',
      'I was on 192.168.1.20 behind fe80::1ff:fe23:4567:890a. Lopez',
    ].join('\n');
    const { text, counts } = redact(message, { requesterName: 'Maria Lopez' });
    expect(text).toBe(
      [
        'Hi team, this is [NAME] ([EMAIL], [PHONE]).',
        'My card [CARD] was charged twice; refund to [IBAN] please.',
        'I was on [IP] behind [IP]. [NAME]',
      ].join('\n'),
    );
    expect(counts).toEqual({ secret: 0, email: 1, iban: 1, card: 1, ip: 2, phone: 1, name: 2 });
  });
});
