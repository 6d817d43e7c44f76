import { execFile, spawn } from 'node:child_process';
import { access, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { everyStoredEntry } from '../../support/storedEntries';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Entry } from '../../../core/formats/schemas';
import { PackError, encodePack } from '../../../core/packs/packFormat';
import { keyIdOf } from '../../../core/packs/packKeys';
import { PackLibrary, type InstallStage } from '../../../core/packs/packLibrary';
import { TrustList } from '../../../core/packs/trustList';
import { listSnapshots } from '../../../core/privacy/rollback';
import { INFO, NETWORK_ENTRIES, newKey, writePack } from './packFixtures';

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
  const dataDir = await tempFolder('vigil-packdata-');
  const files = await tempFolder('vigil-packfiles-');
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

/**
 * Crash safety of a pack install: a child process opens the engine as the app does and installs a pack, killing
 * itself with SIGKILL at one stage of the install (test/core/packs/crashInstaller.ts). After a restart the pack is
 * either completely installed (every entry once, searchable) or not at all (nothing of it visible, no folder left,
 * no index entry naming a missing folder); the team's own entries are untouched; installing again works.
 */
describe('what a trusted key may publish', () => {
  it('keeps a pack name with its first trusted publisher: another trusted key cannot take it over, even after a removal', async () => {
    const { dataDir, files, key, lib } = await setup();
    await lib.install(await writePack(files, 'a.vpack', NETWORK_ENTRIES, {}, key.privateKey));
    const other = newKey();
    await lib.trust.add(other.publicKey, 'Printer team');
    await lib.refreshTrust();
    await lib.remove('network-basics');
    const takeover = await writePack(files, 'b.vpack', NETWORK_ENTRIES.slice(0, 1), { version: '9.0.0' }, other.privateKey);
    const error = await refusal(lib.install(takeover));
    expect(error.code).toBe('name_claimed');
    expect(error.message).toContain(`the pack name network-basics belongs to key ${keyIdOf(key.publicKey)} ("Network team")`);
    expect(lib.list()).toEqual([]);
    // The admin says otherwise: the name is granted to the other key, which may then publish it.
    await new TrustList(dataDir).add(other.publicKey, 'Printer team', { packs: ['network-basics'] });
    expect((await lib.install(takeover)).pack).toMatchObject({ name: 'network-basics', version: '9.0.0', signer: 'Printer team' });
    expect(await lib.trust.claims()).toEqual({ 'network-basics': keyIdOf(other.publicKey) });
  });

  it('refuses a pack name outside the key’s list and a team other than the key’s', async () => {
    const { files, lib } = await setup();
    const hr = newKey();
    await lib.trust.add(hr.publicKey, 'HR team', { packs: ['hr-faq'], team: 'hr' });
    await lib.refreshTrust();
    const wrongName = await refusal(lib.install(await writePack(files, 'n.vpack', NETWORK_ENTRIES, { team: 'hr' }, hr.privateKey)));
    expect(wrongName).toMatchObject({ code: 'name_not_allowed', message: expect.stringContaining('which is trusted for hr-faq only') });
    const wrongTeam = await refusal(lib.install(await writePack(files, 'h.vpack', NETWORK_ENTRIES, { name: 'hr-faq', team: 'network' }, hr.privateKey)));
    expect(wrongTeam).toMatchObject({ code: 'wrong_team', message: expect.stringContaining('trusted for team "hr" only') });
    expect((await lib.install(await writePack(files, 'ok.vpack', NETWORK_ENTRIES, { name: 'hr-faq', team: 'hr' }, hr.privateKey))).outcome).toBe('installed');
  });

  it('refuses a second key under a name another trusted key already goes by', async () => {
    const { lib } = await setup();
    await expect(lib.trust.add(newKey().publicKey, 'network TEAM')).rejects.toThrow(/already has a key named "Network team"/);
  });

  it('refuses an untrusted pack on its header alone, before its entries are read', async () => {
    const { files, lib } = await setup();
    const stranger = newKey();
    const file = await writePack(files, 's.vpack', NETWORK_ENTRIES, {}, stranger.privateKey);
    // Damage the entries: a full check would say so first; the trust check comes before it.
    const bytes = await readFile(file);
    await writeFile(file, Buffer.concat([bytes.subarray(0, bytes.indexOf(0x0a) + 1), Buffer.from('not an entry\n')]));
    expect(await refusal(lib.install(file))).toMatchObject({ code: 'untrusted_signer' });
  });
});

describe('pack install killed (SIGKILL) at every stage', () => {
  /** Stages after which the new version is in charge: `installed.json` names it from `switched` on. */
  const STAGES: { stage: InstallStage; committed: boolean }[] = [
    { stage: 'verified', committed: false },
    { stage: 'copying', committed: false },
    { stage: 'copied', committed: false },
    { stage: 'building', committed: false }, // after the first of three batches
    { stage: 'built', committed: false },
    { stage: 'index-staged', committed: false },
    { stage: 'switched', committed: true },
    { stage: 'committed', committed: true },
  ];
  /** More than two of the install's 500-entry batches, so `building` is hit with the table half-built. */
  const PACK_ENTRIES: Entry[] = Array.from({ length: 1200 }, (_, i) => ({
    id: `pk-${i}`,
    kind: 'article',
    title: `Badge reader error E${i}`,
    body: `When the badge reader shows error E${i}, re-seat cable number ${i} and restart the controller.`,
  }));
  const TEAM_ENTRIES = Array.from({ length: 30 }, (_, i) => ({ id: `team-${i}`, kind: 'article', title: `Team note ${i}`, body: `Our own fix number ${i} for the coffee machine.` }));

  /** A data folder with the team's own entries and a trusted key; v1 of the pack installed when `upgrade`. */
  async function crashSetup(upgrade: boolean): Promise<{ dataDir: string; file: string }> {
    const dataDir = await tempFolder('vigil-packcrash-');
    const files = await tempFolder('vigil-packfiles-');
    const key = newKey();
    await new TrustList(dataDir).add(key.publicKey, 'Network team');
    const teamFile = join(files, 'team.jsonl');
    await writeFile(teamFile, `${TEAM_ENTRIES.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const service = await CopilotService.open({ dataDir });
    try {
      expect((await service.importEntries(teamFile)).imported).toBe(TEAM_ENTRIES.length);
      if (upgrade) await service.packs.install(await writePack(files, 'v1.vpack', NETWORK_ENTRIES, {}, key.privateKey));
    } finally {
      await service.close();
    }
    return { dataDir, file: await writePack(files, 'big.vpack', PACK_ENTRIES, { version: upgrade ? '1.1.0' : '1.0.0' }, key.privateKey) };
  }

  /** The index names only complete folders, and nothing else is left under packs/. */
  async function expectIndexMatchesFolders(dataDir: string): Promise<string[]> {
    const index = JSON.parse(await readFile(join(dataDir, 'packs', 'installed.json'), 'utf8').catch(() => '{"packs":[]}')) as { packs: { dir: string }[] };
    const dirs = index.packs.map((p) => p.dir);
    for (const dir of dirs) await expect(access(join(dataDir, 'packs', dir, 'pack.vpack'))).resolves.toBeUndefined();
    expect(await packFolders(dataDir)).toEqual([...dirs].sort());
    return dirs;
  }

  async function expectPackSearchable(service: CopilotService, version: string): Promise<void> {
    for (const i of [0, 499, 500, 1199]) {
      const hits = await service.knowledge.searchKnowledge(`badge reader shows error E${i}`, 5);
      expect(hits[0], `entry pk-${i}`).toMatchObject({ id: `pk-${i}`, pack: { name: 'network-basics', version } });
    }
  }

  async function expectNoPackEntryVisible(service: CopilotService): Promise<void> {
    for (const i of [0, 499, 500, 1199]) {
      const hits = await service.knowledge.searchKnowledge(`badge reader shows error E${i}`, 10);
      expect(hits.filter((h) => h.id.startsWith('pk-')), `entry pk-${i}`).toEqual([]);
    }
  }

  /**
   * After a killed install of `file`: the new version whole (when `committed`) or the state before it, the team's
   * entries untouched, and installing the file again ends with the new version whole.
   */
  async function expectAllOrNothing(dataDir: string, file: string, upgrade: boolean, committed: boolean): Promise<void> {
    // The data folder was tagged before the install changed anything, so an admin can roll it back.
    expect((await listSnapshots(dataDir)).map((s) => s.reason)).toContain(`before installing pack network-basics ${upgrade ? '1.1.0 over 1.0.0' : '1.0.0'}`);
    const newVersion = upgrade ? '1.1.0' : '1.0.0';
    const service = await CopilotService.open({ dataDir });
    try {
      const listed = service.packs.list().map((p) => [p.name, p.version, p.entries, p.problem]);
      if (committed) {
        expect(listed).toEqual([['network-basics', newVersion, PACK_ENTRIES.length, null]]);
        await expectPackSearchable(service, newVersion);
        expect((await service.knowledge.searchKnowledge('internal sites do not open', 10)).map((h) => h.id)).not.toContain('net-dns');
      } else {
        expect(listed).toEqual(upgrade ? [['network-basics', '1.0.0', NETWORK_ENTRIES.length, null]] : []);
        await expectNoPackEntryVisible(service);
        if (upgrade) expect((await service.knowledge.searchKnowledge('internal sites do not open', 5))[0]).toMatchObject({ id: 'net-dns', pack: { version: '1.0.0' } });
      }
      expect(await expectIndexMatchesFolders(dataDir)).toHaveLength(upgrade || committed ? 1 : 0);
      expect((await service.knowledge.searchKnowledge('own fix number 7 for the coffee machine', 3))[0]?.id).toBe('team-7');

      // Installing the same file again finishes the job, or finds it already done.
      const again = await service.packs.install(file);
      expect(again.outcome).toBe(committed ? 'unchanged' : upgrade ? 'upgraded' : 'installed');
      await expectPackSearchable(service, newVersion);
    } finally {
      await service.close();
    }

    const [dir] = await expectIndexMatchesFolders(dataDir);
    const packEntries = await everyStoredEntry(join(dataDir, 'packs', dir!), embedder);
    expect(packEntries.map((e) => e.id).sort()).toEqual(PACK_ENTRIES.map((e) => e.id).sort()); // each once, no others
    for (const entry of packEntries) expect(entry.body).toBe(PACK_ENTRIES[Number(entry.id.slice(3))]!.body);
    const teamEntries = await everyStoredEntry(dataDir, embedder);
    expect(teamEntries.map((e) => e.id).sort()).toEqual(TEAM_ENTRIES.map((e) => e.id).sort());
    for (const entry of teamEntries) expect(entry.body).toBe(TEAM_ENTRIES[Number(entry.id.slice(5))]!.body);
  }

  describe.each([
    { scenario: 'a first install', upgrade: false },
    { scenario: 'an upgrade', upgrade: true },
  ])('$scenario', ({ upgrade }) => {
    it.each(STAGES)('killed at $stage: all of the new version or none of it, the team\'s entries untouched', async ({ stage, committed }) => {
      const { dataDir, file } = await crashSetup(upgrade);
      const child = run(process.execPath, ['--import', 'tsx', 'test/core/packs/crashInstaller.ts', dataDir, file, stage], { cwd: process.cwd() });
      await expect(child).rejects.toMatchObject({ signal: 'SIGKILL' });
      await expectAllOrNothing(dataDir, file, upgrade, committed);
    });
  });

  /**
   * Killed from outside: the child reports each stage and the test kills it on hearing one, so the kill lands wherever
   * the install has got to by then (inside LanceDB's writes, an fsync, between two stages), not at a point the
   * install chose. Whether the new version made it is read from the index; either way it must be whole or absent.
   */
  it.each(['verified', 'copied', 'building', 'built'] as const)('killed from outside after "%s": all or nothing, whatever it was doing', async (trigger) => {
    const { dataDir, file } = await crashSetup(true);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/core/packs/crashInstaller.ts', dataDir, file, trigger, 'report'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const heard: string[] = [];
    const exit = new Promise<NodeJS.Signals | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (_code, signal) => resolve(signal));
    });
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += String(chunk);
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      heard.push(...lines);
      if (heard.includes(trigger)) child.kill('SIGKILL');
    });
    expect(await exit).toBe('SIGKILL');
    expect(heard).toContain(trigger);
    const index = JSON.parse(await readFile(join(dataDir, 'packs', 'installed.json'), 'utf8')) as { packs: { version: string }[] };
    await expectAllOrNothing(dataDir, file, true, index.packs[0]?.version === '1.1.0');
  });
});
