/**
 * Fuzzing the knowledge-pack reader (core/packs/packFormat.ts): whatever bytes a `.vpack` file holds, `checkPack`
 * returns the signed entries or refuses with a PackError that names the file; it never throws anything else.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPack, encodePack, PackError } from '../../../core/packs/packFormat';
import { jsonlLine, validEntry } from './jsonArbitraries';

const FILE = 'fuzz.vpack';
const { privateKey } = generateKeyPairSync('ed25519');
const INFO = { name: 'fuzz-pack', version: '1.2.3', team: 'qa', created: '2026-03-01T00:00:00Z' };

/** A valid signed pack of 1–5 distinct entries. */
const signedPack = fc
  .uniqueArray(validEntry, { minLength: 1, maxLength: 5, selector: (e) => (e as { id: string }).id })
  .map((entries) => ({ entries, bytes: encodePack(INFO, entries as never, privateKey) }));

function outcome(bytes: Buffer, allowUnsigned = false): { ok: true; ids: string[] } | { ok: false; error: unknown } {
  try {
    return { ok: true, ids: checkPack(bytes, FILE, { allowUnsigned }).entries.map((e) => e.entry.id) };
  } catch (error) {
    return { ok: false, error };
  }
}

function expectClearRefusal(error: unknown): void {
  expect(error).toBeInstanceOf(PackError);
  expect((error as PackError).message).toContain(FILE);
  expect((error as PackError).message).not.toMatch(/\[object Object\]|undefined is not|Cannot read prop/);
}

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('fuzzing the pack reader', () => {
  it('reads back every valid signed pack', () => {
    fc.assert(
      fc.property(signedPack, ({ entries, bytes }) => {
        expect(outcome(bytes)).toEqual({ ok: true, ids: entries.map((e) => (e as { id: string }).id) });
      }),
      { numRuns: 40 },
    );
  });

  it('refuses any changed byte with a PackError naming the file', () => {
    fc.assert(
      fc.property(signedPack, fc.nat(), fc.integer({ min: 1, max: 255 }), ({ bytes }, at, delta) => {
        const changed = Buffer.from(bytes);
        const i = at % changed.length;
        changed[i] = (changed[i]! + delta) % 256;
        const result = outcome(changed);
        if (!result.ok) expectClearRefusal(result.error);
        else {
          // Accepted only when nothing signed changed: the same manifest and entries. (Base64 decoding ignores the
          // spare low bits of a key's or signature's last character, so those spellings decode to the same bytes.)
          const before = checkPack(bytes, FILE);
          const after = checkPack(changed, FILE);
          expect(JSON.stringify([after.manifest, after.entries])).toBe(JSON.stringify([before.manifest, before.entries]));
          expect(Buffer.from(after.signature!.publicKey, 'base64')).toEqual(Buffer.from(before.signature!.publicKey, 'base64'));
          expect(Buffer.from(after.signature!.value, 'base64')).toEqual(Buffer.from(before.signature!.value, 'base64'));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses truncated and extended files', () => {
    fc.assert(
      fc.property(signedPack, fc.nat(), fc.string({ minLength: 1, maxLength: 20 }), ({ bytes }, at, extra) => {
        const cut = outcome(bytes.subarray(0, at % bytes.length));
        expect(cut.ok).toBe(false);
        if (!cut.ok) expectClearRefusal(cut.error);
        const longer = outcome(Buffer.concat([bytes, Buffer.from(extra)]));
        expect(longer.ok).toBe(false);
        if (!longer.ok) expectClearRefusal(longer.error);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses arbitrary bytes and arbitrary JSON Lines', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.array(jsonlLine(validEntry), { maxLength: 6 }).map((l) => Buffer.from(l.join('\n')))), (bytes) => {
        const result = outcome(bytes, true);
        if (!result.ok) expectClearRefusal(result.error);
      }),
      { numRuns: 150 },
    );
  });

  it('checks every entry of a correctly hashed unsigned pack, naming the bad line and field', () => {
    fc.assert(
      fc.property(fc.array(jsonlLine(validEntry).filter((l) => !l.includes('\n') && !l.includes('\r')), { minLength: 1, maxLength: 6 }), (lines) => {
        const section = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
        const manifest = { format: 1, ...INFO, entries: lines.length, entriesBytes: section.length, entriesSha256: sha(section), entryHashes: lines.map((l) => sha(l)) };
        const bytes = Buffer.concat([Buffer.from(`${JSON.stringify({ vigilPack: 1, manifest, signature: null })}\n`), section]);
        const result = outcome(bytes, true);
        if (result.ok) expect(result.ids).toHaveLength(lines.length);
        else {
          expectClearRefusal(result.error);
          expect((result.error as PackError).message).toMatch(/^fuzz\.vpack:\d+: /);
        }
      }),
      { numRuns: 100 },
    );
  });
});
