import { execFile } from 'node:child_process';
import { readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Entry } from '../../../core/formats/schemas';
import { PackError, encodePack } from '../../../core/packs/packFormat';
import { keyIdOf } from '../../../core/packs/packKeys';
import { PackLibrary } from '../../../core/packs/packLibrary';
import { TrustList } from '../../../core/packs/trustList';
import { INFO, NETWORK_ENTRIES, newKey, tempDir, writePack } from './packFixtures';

const run = promisify(execFile);
const embedder = new HashedEmbedder();
const opened: PackLibrary[] = [];

async function library(dataDir: string): Promise<PackLibrary> {
  const lib = await PackLibrary.open(dataDir, embedder);
  opened.push(lib);
  return lib;
}

afterEach(async () => {
  for (const lib of opened.splice(0)) await lib.close();
});

/** A data folder trusting one key, and a folder with that key's packs. */
async function setup(): Promise<{ dataDir: string; files: string; key: ReturnType<typeof newKey>; lib: PackLibrary }> {
  const dataDir = await tempDir('vigil-packdata-');
  const files = await tempDir('vigil-packfiles-');
  const key = newKey();
  await new TrustList(dataDir).add(key.publicKey, 'Network team');
  return { dataDir, files, key, lib: await library(dataDir) };
}

async function refusal(promise: Promise<unknown>): Promise<PackError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PackError) return err;
    throw err;
  }
  throw new Error('expected the pack to be refused');
}

/** What is on disk under packs/: the index and one folder per installed version, nothing else. */
async function packFolders(dataDir: string): Promise<string[]> {
  return (await readdir(join(dataDir, 'packs'))).filter((n) => n !== 'installed.json').sort();
}

describe('installed knowledge packs', () => {
  it('installs a signed pack as searchable knowledge that cites the pack and version, and removes it', async () => {
    const { dataDir, files, key, lib } = await setup();
    const file = await writePack(files, 'net-1.0.0.vpack', NETWORK_ENTRIES, {}, key.privateKey);
    const result = await lib.install(file);
    expect(result).toMatchObject({ outcome: 'installed', previousVersion: null, pack: { name: 'network-basics', version: '1.0.0', entries: 3, signer: 'Network team' } });

    const hits = await lib.search('vpn keeps disconnecting at the hotel');
    expect(hits[0]).toMatchObject({ pack: { name: 'network-basics', version: '1.0.0' }, entry: { id: 'net-vpn-mtu', status: 'approved', source: { type: 'pack', ref: 'network-basics@1.0.0' } } });
    expect(lib.list()).toEqual([expect.objectContaining({ name: 'network-basics', version: '1.0.0', problem: null })]);

    // Survives a restart.
    await lib.close();
    const again = await library(dataDir);
    expect((await again.search('internal sites do not open'))[0]?.entry.id).toBe('net-dns');

    expect(await again.remove('network-basics')).toMatchObject({ version: '1.0.0' });
    expect(again.list()).toEqual([]);
    expect(await again.search('vpn')).toEqual([]);
    expect(await packFolders(dataDir)).toEqual([]);
    await expect(again.remove('network-basics')).rejects.toMatchObject({ code: 'not_installed' });
  });

  it('replaces an installed version with a newer one, and keeps nothing of the old one', async () => {
    const { dataDir, files, key, lib } = await setup();
    await lib.install(await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey));
    const v2Entries: Entry[] = [...NETWORK_ENTRIES.slice(1), { id: 'net-proxy', kind: 'article', title: 'Proxy blocks the update server', body: 'Add the update server to the proxy bypass list.' }];
    const result = await lib.install(await writePack(files, 'v2.vpack', v2Entries, { version: '1.1.0' }, key.privateKey));
    expect(result).toMatchObject({ outcome: 'upgraded', previousVersion: '1.0.0', pack: { version: '1.1.0' } });
    expect((await lib.search('proxy blocks the update server'))[0]).toMatchObject({ pack: { version: '1.1.0' }, entry: { id: 'net-proxy' } });
    expect((await lib.search('vpn mtu hotel')).map((h) => h.entry.id)).not.toContain('net-vpn-mtu');
    expect(await packFolders(dataDir)).toEqual([expect.stringMatching(/^network-basics@1\.1\.0\./)]);
  });

  it('treats the same file installed twice as nothing to do', async () => {
    const { files, key, lib } = await setup();
    const file = await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey);
    await lib.install(file);
    expect(await lib.install(file)).toMatchObject({ outcome: 'unchanged', pack: { version: '1.0.0' } });
  });

  it('refuses an older version, a different signer and changed entries under the same version, saying which', async () => {
    const { dataDir, files, key, lib } = await setup();
    await lib.install(await writePack(files, 'v2.vpack', NETWORK_ENTRIES, { version: '2.0.0' }, key.privateKey));

    const older = await refusal(lib.install(await writePack(files, 'v1.vpack', NETWORK_ENTRIES, { version: '1.9.0' }, key.privateKey)));
    expect(older.code).toBe('downgrade');
    expect(older.message).toMatch(/network-basics 1\.9\.0 is older than the installed 2\.0\.0\. Refused: installing an older version is a downgrade/);

    const other = newKey();
    await lib.trust.add(other.publicKey, 'Someone else');
    await lib.refreshTrust();
    const signer = await refusal(lib.install(await writePack(files, 'v3-other.vpack', NETWORK_ENTRIES, { version: '3.0.0' }, other.privateKey)));
    expect(signer.code).toBe('different_signer');
    expect(signer.message).toContain(`installed signed by key ${keyIdOf(key.publicKey)} (Network team)`);
    expect(signer.message).toMatch(/\(Network team\), but this file is signed by key [0-9a-f]{16} \(Someone else\)/);

    const changed = [{ ...NETWORK_ENTRIES[0]!, body: 'Something else entirely.' }, ...NETWORK_ENTRIES.slice(1)];
    const same = await refusal(lib.install(await writePack(files, 'v2-changed.vpack', changed, { version: '2.0.0' }, key.privateKey)));
    expect(same.code).toBe('same_version_changed');
    expect(same.message).toMatch(/network-basics 2\.0\.0 is already installed with different entries.*must carry a new version number/);

    expect(lib.list().map((p) => `${p.name}@${p.version}`)).toEqual(['network-basics@2.0.0']);
    expect(await packFolders(dataDir)).toHaveLength(1);
    expect((await lib.search('vpn hotel mtu'))[0]?.pack.version).toBe('2.0.0');
  });

  it('refuses a pack signed by a key outside the trust list, and an unsigned one', async () => {
    const { dataDir, files, lib } = await setup();
    const stranger = newKey();
    const error = await refusal(lib.install(await writePack(files, 's.vpack', NETWORK_ENTRIES, {}, stranger.privateKey)));
    expect(error.code).toBe('untrusted_signer');
    expect(error.message).toMatch(/signed by key [0-9a-f]{16}, which is not in this team's trust list\. Nothing was installed\./);
    expect((await refusal(lib.install(await writePack(files, 'u.vpack', NETWORK_ENTRIES, {})))).code).toBe('unsigned');
    expect(lib.list()).toEqual([]);
    expect(await packFolders(dataDir)).toEqual([]);
  });

  it('refuses a pack with one byte changed in any entry, naming the entry, and installs nothing', async () => {
    const { dataDir, files, key, lib } = await setup();
    const bytes = encodePack(INFO, NETWORK_ENTRIES, key.privateKey);
    const lineStarts = [...bytes.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i + 1).slice(0, -1);
    for (const [index, start] of lineStarts.entries()) {
      const tampered = Buffer.from(bytes);
      const at = start + 40; // inside the entry's text
      tampered[at] = tampered[at] === 0x61 ? 0x62 : 0x61;
      const file = join(files, `tampered-${index}.vpack`);
      await writeFile(file, tampered);
      const error = await refusal(lib.install(file));
      expect(error.code).toBe('entries_changed');
      expect(error.message).toContain(`${file}:${index + 2}: entry "${NETWORK_ENTRIES[index]!.id}" was changed after pack network-basics 1.0.0 was signed`);
    }
    expect(lib.list()).toEqual([]);
    expect(await packFolders(dataDir)).toEqual([]);
  });

  it('refuses an edited manifest and a swapped signature', async () => {
    const { files, key, lib } = await setup();
    const text = encodePack(INFO, NETWORK_ENTRIES, key.privateKey).toString('utf8');
    const edited = join(files, 'edited.vpack');
    await writeFile(edited, text.replace('"version":"1.0.0"', '"version":"9.0.0"'));
    const e1 = await refusal(lib.install(edited));
    expect(e1.code).toBe('bad_signature');
    expect(e1.message).toMatch(/signature of pack network-basics 9\.0\.0 does not match its manifest.*the manifest was edited or the signature comes from another pack/);

    // A valid signature by the same trusted key, taken from another pack.
    const donor = encodePack({ ...INFO, version: '1.0.1' }, NETWORK_ENTRIES.slice(0, 1), key.privateKey).toString('utf8');
    const signatureOf = (pack: string): string => JSON.stringify((JSON.parse(pack.slice(0, pack.indexOf('\n'))) as { signature: unknown }).signature);
    const swapped = join(files, 'swapped.vpack');
    await writeFile(swapped, text.replace(signatureOf(text), signatureOf(donor)));
    expect((await refusal(lib.install(swapped))).code).toBe('bad_signature');

    // The public key in the header swapped for another trusted key's, keeping the signature.
    const other = newKey();
    await lib.trust.add(other.publicKey, 'Other');
    const header = JSON.parse(text.slice(0, text.indexOf('\n'))) as { signature: { publicKey: string } };
    const keySwapped = join(files, 'key-swapped.vpack');
    await writeFile(keySwapped, text.replace(header.signature.publicKey, other.publicKey));
    expect(await refusal(lib.install(keySwapped))).toMatchObject({ code: 'bad_signature', message: expect.stringMatching(/keyId [0-9a-f]{16} does not belong to the public key/) });
    expect(lib.list()).toEqual([]);
  });

  it('refuses a truncated file wherever it was cut, and a file appended to', async () => {
    const { dataDir, files, key, lib } = await setup();
    const bytes = encodePack(INFO, NETWORK_ENTRIES, key.privateKey);
    const headerEnd = bytes.indexOf(0x0a) + 1;
    for (const cut of [0, 20, headerEnd - 1, headerEnd, headerEnd + 30, bytes.length - 1]) {
      const file = join(files, `cut-${cut}.vpack`);
      await writeFile(file, bytes.subarray(0, cut));
      const error = await refusal(lib.install(file));
      expect(error.code, `cut at ${cut}`).toBe('truncated');
      expect(error.message).toMatch(/truncated|is empty/);
    }
    const appended = join(files, 'appended.vpack');
    await writeFile(appended, Buffer.concat([bytes, Buffer.from('{"id":"evil","kind":"article","body":"x"}\n')]));
    expect(await refusal(lib.install(appended))).toMatchObject({ code: 'entries_changed', message: expect.stringMatching(/appended after signing/) });
    expect(lib.list()).toEqual([]);
    expect(await packFolders(dataDir)).toEqual([]);
  });

  it('refuses a huge file without reading it', async () => {
    const { files, lib } = await setup();
    const file = join(files, 'huge.vpack');
    await writeFile(file, '');
    await truncate(file, 2 * 1024 * 1024 * 1024); // sparse: 2 GiB on paper, nothing on disk
    const error = await refusal(lib.install(file));
    expect(error.code).toBe('too_large');
    expect(error.message).toMatch(/huge\.vpack is 2048\.0 MiB, more than the 64\.0 MiB a pack may be/);
    expect(lib.list()).toEqual([]);
  });

  it('keeps the old version when an install fails after building, and cleans up what it built', async () => {
    const { dataDir, files, key, lib } = await setup();
    await lib.install(await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey));
    const v2 = await writePack(files, 'v2.vpack', NETWORK_ENTRIES.slice(0, 1), { version: '1.1.0' }, key.privateKey);
    await expect(
      lib.install(v2, {
        onStage: (stage) => {
          if (stage === 'built') throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(lib.list().map((p) => p.version)).toEqual(['1.0.0']);
    expect((await lib.search('internal sites do not open'))[0]?.entry.id).toBe('net-dns');
    expect(await packFolders(dataDir)).toEqual([expect.stringMatching(/^network-basics@1\.0\.0\./)]);
  });

  it('after a crash mid-install (SIGKILL) the next open has the old version and no leftovers', async () => {
    const { dataDir, files, key, lib } = await setup();
    await lib.install(await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey));
    await lib.close();
    const v2 = await writePack(files, 'v2.vpack', NETWORK_ENTRIES.slice(0, 1), { version: '1.1.0' }, key.privateKey);
    const child = run(process.execPath, ['--import', 'tsx', 'test/core/packs/crashInstaller.ts', dataDir, v2, 'built'], { cwd: process.cwd() });
    await expect(child).rejects.toMatchObject({ signal: 'SIGKILL' });
    expect((await packFolders(dataDir)).length).toBe(2); // the half-made version is on disk…

    const after = await library(dataDir);
    expect(after.list().map((p) => p.version)).toEqual(['1.0.0']); // …but was never installed
    expect((await after.search('internal sites do not open'))[0]).toMatchObject({ entry: { id: 'net-dns' }, pack: { version: '1.0.0' } });
    expect(await packFolders(dataDir)).toEqual([expect.stringMatching(/^network-basics@1\.0\.0\./)]);
    expect(JSON.parse(await readFile(join(dataDir, 'packs', 'installed.json'), 'utf8'))).toMatchObject({ packs: [{ version: '1.0.0' }] });
  });

  it('stops searching a pack whose signer is removed from the trust list, and says why', async () => {
    const { files, key, lib } = await setup();
    await lib.install(await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey));
    await lib.trust.remove('Network team');
    await lib.refreshTrust();
    expect(lib.list()[0]?.problem).toMatch(/no longer in the trust list/);
    expect(await lib.search('vpn hotel mtu')).toEqual([]);
  });

  it('starts without a pack whose folder was deleted, says so, and rebuilds it from the same file', async () => {
    const { dataDir, files, key, lib } = await setup();
    const file = await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey);
    const { pack } = await lib.install(file);
    await lib.close();
    await rm(join(dataDir, 'packs', pack.dir), { recursive: true });

    const after = await library(dataDir);
    expect(after.list()[0]?.problem).toMatch(/folder .* is missing or incomplete; install the pack again/);
    expect(await after.search('vpn hotel mtu')).toEqual([]);
    expect(await after.install(file)).toMatchObject({ outcome: 'repaired', previousVersion: '1.0.0' });
    expect(after.list()[0]?.problem).toBeNull();
    expect((await after.search('vpn hotel mtu'))[0]?.entry.id).toBe('net-vpn-mtu');
  });

  it('refuses to open an edited index that points outside the packs folder, naming the file and field', async () => {
    const { dataDir, files, key, lib } = await setup();
    await lib.install(await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey));
    await lib.close();
    const indexFile = join(dataDir, 'packs', 'installed.json');
    const index = JSON.parse(await readFile(indexFile, 'utf8')) as { packs: { dir: string }[] };
    index.packs[0]!.dir = '../../somewhere';
    await writeFile(indexFile, JSON.stringify(index));
    await expect(PackLibrary.open(dataDir, embedder)).rejects.toThrow(/installed\.json: packs\.0\.dir: must be a pack folder name/);
  });
});
