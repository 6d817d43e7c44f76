import { stat, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  checkPack,
  compareVersions,
  encodePack,
  PackError,
  parseHeader,
  readPackFile,
  readPackHeader,
  resignPack,
} from '../../../core/packs/packFormat';
import { tempFolder } from '../../support/tempFolder';
import { keyIdOf, readPrivateKey, readPublicKey, writeKeyPair } from '../../../core/packs/packKeys';
import { INFO, NETWORK_ENTRIES, newKey } from './packFixtures';

function refusal(run: () => unknown): PackError {
  try {
    run();
  } catch (err) {
    if (err instanceof PackError) return err;
    throw err;
  }
  throw new Error('expected the pack to be refused');
}

describe('pack file format', () => {
  it('round-trips entries, manifest and signature, unknown fields included', () => {
    const key = newKey();
    const entries = [...NETWORK_ENTRIES, { id: 'x-extra', kind: 'article' as const, body: 'Body', 'x-owner': 'net-ops' }];
    const bytes = encodePack({ ...INFO, description: 'Network basics' }, entries, key.privateKey);
    const pack = checkPack(bytes, 'net.vpack');
    expect(pack.manifest).toMatchObject({ format: 1, name: 'network-basics', version: '1.0.0', team: 'network', entries: 4, description: 'Network basics' });
    expect(pack.signature).toMatchObject({ algorithm: 'ed25519', keyId: keyIdOf(key.publicKey), publicKey: key.publicKey });
    expect(pack.entries.map((e) => e.entry)).toEqual(entries);
    expect(pack.entries.map((e) => e.line)).toEqual([2, 3, 4, 5]);
  });

  it('signs canonical bytes: key order and spacing do not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 'é' }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":"é","z":0}]},"b":1}');
    const key = newKey();
    const bytes = encodePack(INFO, NETWORK_ENTRIES, key.privateKey);
    const newline = bytes.indexOf(0x0a);
    const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as { manifest: Record<string, unknown> };
    // The same manifest with its keys reversed and pretty-printed still verifies.
    const reordered = Object.fromEntries(Object.entries(header.manifest).reverse());
    const rewritten = Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, manifest: reordered })}\n`), bytes.subarray(newline + 1)]);
    expect(checkPack(rewritten, 'net.vpack').manifest.name).toBe('network-basics');
  });

  it('compares versions numerically', () => {
    expect(compareVersions('1.10.0', '1.9.3')).toBe(1);
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
    expect(compareVersions('0.9.9', '1.0.0')).toBe(-1);
  });

  it('refuses bad names, versions and duplicate ids when building, naming the field', () => {
    expect(refusal(() => encodePack({ ...INFO, name: '../etc' }, NETWORK_ENTRIES)).message).toMatch(/^pack name: must be 1 to 64 characters/);
    expect(refusal(() => encodePack({ ...INFO, version: '1.0' }, NETWORK_ENTRIES)).message).toMatch(/^pack version: must be MAJOR\.MINOR\.PATCH/);
    expect(refusal(() => encodePack(INFO, [NETWORK_ENTRIES[0]!, NETWORK_ENTRIES[0]!])).message).toMatch(/"net-vpn-mtu" appears twice/);
  });

  it('refuses an unsigned pack unless asked only to inspect it, and signs it later', () => {
    const bytes = encodePack(INFO, NETWORK_ENTRIES);
    expect(refusal(() => checkPack(bytes, 'u.vpack')).code).toBe('unsigned');
    expect(checkPack(bytes, 'u.vpack', { allowUnsigned: true }).signature).toBeNull();
    const key = newKey();
    const signed = resignPack(bytes, 'u.vpack', key.privateKey);
    expect(checkPack(signed, 'u.vpack').signature?.publicKey).toBe(key.publicKey);
    // Re-signing replaces the header only: the entries are byte for byte the same.
    expect(signed.subarray(signed.indexOf(0x0a))).toEqual(bytes.subarray(bytes.indexOf(0x0a)));
  });

  it('will not re-sign a pack whose entries were changed', () => {
    const bytes = Buffer.from(encodePack(INFO, NETWORK_ENTRIES).toString('utf8').replace('1380', '1280'));
    expect(refusal(() => resignPack(bytes, 'u.vpack', newKey().privateKey)).code).toBe('entries_changed');
  });

  it('reads only the header to learn a file’s name and version', async () => {
    const dir = await tempFolder();
    const file = join(dir, 'p.vpack');
    await writeFile(file, encodePack(INFO, NETWORK_ENTRIES, newKey().privateKey));
    expect((await readPackHeader(file)).manifest).toMatchObject({ name: 'network-basics', version: '1.0.0' });
    await writeFile(file, 'not a pack at all');
    await expect(readPackHeader(file)).rejects.toMatchObject({ code: 'truncated' });
    expect(() => parseHeader(Buffer.from('{"hello": 1}\n'), 'h.vpack')).toThrow(/^h\.vpack:1: header field vigilPack/);
  });

  it('refuses a file over the size limit before reading it', async () => {
    const dir = await tempFolder();
    const file = join(dir, 'big.vpack');
    await writeFile(file, encodePack(INFO, NETWORK_ENTRIES, newKey().privateKey));
    await expect(readPackFile(file, 100)).rejects.toMatchObject({ code: 'too_large', message: expect.stringMatching(/more than the 100 bytes a pack may be/) });
    expect((await readPackFile(file)).length).toBe((await stat(file)).size);
  });
});

describe('signing keys', () => {
  it('writes a key pair with a private file only its owner can read, and never overwrites it', async () => {
    const dir = await tempFolder();
    const made = await writeKeyPair(join(dir, 'net'));
    expect((await stat(made.privateKey)).mode & 0o777).toBe(0o600);
    const privateKey = await readPrivateKey(made.privateKey);
    const publicKey = await readPublicKey(made.publicKey);
    expect(keyIdOf(privateKey)).toBe(made.keyId);
    expect(keyIdOf(publicKey)).toBe(made.keyId);
    await expect(writeKeyPair(join(dir, 'net'))).rejects.toThrow(/already exists; a signing key is never overwritten/);
    expect(await readFile(made.privateKey, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses to trust a private key file or something that is not a key', async () => {
    const dir = await tempFolder();
    const made = await writeKeyPair(join(dir, 'k'));
    await expect(readPublicKey(made.privateKey)).rejects.toThrow(/is a private key\. Share and trust only the \.public\.pem file/);
    const junk = join(dir, 'junk.pem');
    await writeFile(junk, 'hello');
    await expect(readPublicKey(junk)).rejects.toThrow(/junk\.pem is not an Ed25519 public key/);
    await expect(readPrivateKey(made.publicKey)).rejects.toThrow(/is not a private key in PEM format/);
  });
});
