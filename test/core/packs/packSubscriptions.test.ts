import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { encodePack } from '../../../core/packs/packFormat';
import { PackLibrary } from '../../../core/packs/packLibrary';
import { PackFolderWatcher, Subscriptions, type ScanReport } from '../../../core/packs/packSubscriptions';
import { TrustList } from '../../../core/packs/trustList';
import { INFO, NETWORK_ENTRIES, newKey, writePack } from './packFixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup() {
  const dataDir = await tempFolder('vigil-subdata-');
  const share = await tempFolder('vigil-share-');
  const key = newKey();
  await new TrustList(dataDir).add(key.publicKey, 'Network team');
  const lib = await PackLibrary.open(dataDir, new HashedEmbedder());
  cleanup.push(() => lib.close());
  return { dataDir, share, key, lib };
}

describe('pack subscriptions', () => {
  it('records subscriptions per folder and refuses names that are not pack names', async () => {
    const dataDir = await tempFolder();
    const subs = new Subscriptions(dataDir);
    await subs.subscribe('/mnt/share', ['network-basics']);
    await subs.subscribe('/mnt/share', ['retail', 'network-basics']);
    expect(await subs.list()).toEqual([{ folder: '/mnt/share', packs: ['network-basics', 'retail'] }]);
    await expect(subs.subscribe('/mnt/share', ['../x'])).rejects.toThrow(/"\.\.\/x" is not a pack name/);
    await subs.unsubscribe('/mnt/share', ['retail']);
    expect(await subs.list()).toEqual([{ folder: '/mnt/share', packs: ['network-basics'] }]);
    await subs.unsubscribe('/mnt/share');
    expect(await subs.list()).toEqual([]);
    expect(JSON.parse(await readFile(subs.file, 'utf8'))).toEqual({ format: 1, subscriptions: [] });
  });

  it('installs the newest subscribed version in the folder, ignores other packs, and refuses bad files without stopping', async () => {
    const { share, key, lib } = await setup();
    await writePack(share, 'net-1.0.0.vpack', NETWORK_ENTRIES, { version: '1.0.0' }, key.privateKey);
    await writePack(share, 'net-1.2.0.vpack', NETWORK_ENTRIES, { version: '1.2.0' }, key.privateKey);
    await writePack(share, 'other.vpack', NETWORK_ENTRIES, { name: 'not-subscribed' }, key.privateKey);
    const tampered = encodePack({ ...INFO, version: '1.3.0' }, NETWORK_ENTRIES, key.privateKey).toString('utf8').replace('1380', '1280');
    await writeFile(join(share, 'net-1.3.0.vpack'), tampered);
    await writeFile(join(share, 'garbage.vpack'), 'hello');
    await writeFile(join(share, 'readme.txt'), 'not a pack, not looked at');

    const watcher = new PackFolderWatcher(lib, [{ folder: share, packs: ['network-basics'] }]);
    const [report] = await watcher.scan();
    expect(report!.installed.map((i) => [i.pack.version, i.outcome])).toEqual([['1.2.0', 'installed']]);
    expect(report!.refused.map((r) => [r.file.slice(share.length + 1), r.code])).toEqual([
      ['garbage.vpack', 'truncated'],
      ['net-1.3.0.vpack', 'entries_changed'],
    ]);
    expect(lib.list().map((p) => `${p.name}@${p.version}`)).toEqual(['network-basics@1.2.0']);

    // The next scan has nothing new to say about the same files.
    const [quiet] = await watcher.scan();
    expect(quiet).toMatchObject({ installed: [], refused: [], unreachable: null });
  });

  it('installs a file that was still being copied once the copy completes', async () => {
    const { share, key, lib } = await setup();
    const bytes = encodePack(INFO, NETWORK_ENTRIES, key.privateKey);
    const file = join(share, 'net.vpack');
    await writeFile(file, bytes.subarray(0, bytes.length - 50));
    const watcher = new PackFolderWatcher(lib, [{ folder: share, packs: ['network-basics'] }]);
    expect((await watcher.scan())[0]!.refused).toEqual([expect.objectContaining({ code: 'truncated' })]);
    await writeFile(file, bytes);
    expect((await watcher.scan())[0]!.installed).toEqual([expect.objectContaining({ outcome: 'installed' })]);
  });

  it('reports a folder that cannot be reached (a stick unplugged) and carries on', async () => {
    const { share, lib } = await setup();
    const watcher = new PackFolderWatcher(lib, [{ folder: join(share, 'gone'), packs: ['network-basics'] }]);
    expect((await watcher.scan())[0]!.unreachable).toMatch(/Cannot read the subscribed folder .*gone/);
  });

  it('retries a pack from an unknown signer once its key is trusted', async () => {
    const { share, lib } = await setup();
    const stranger = newKey();
    await writePack(share, 'net.vpack', NETWORK_ENTRIES, {}, stranger.privateKey);
    const watcher = new PackFolderWatcher(lib, [{ folder: share, packs: ['network-basics'] }]);
    expect((await watcher.scan())[0]!.refused).toEqual([expect.objectContaining({ code: 'untrusted_signer' })]);
    await lib.trust.add(stranger.publicKey, 'Stranger');
    await lib.refreshTrust();
    expect((await watcher.scan())[0]!.installed).toHaveLength(1);
  });

  it('reads a file refused for its signer once, not on every scan, until the trust list changes', async () => {
    const { share, lib } = await setup();
    const stranger = newKey();
    await writePack(share, 'net.vpack', NETWORK_ENTRIES, {}, stranger.privateKey);
    const install = vi.spyOn(lib, 'install');
    const watcher = new PackFolderWatcher(lib, [{ folder: share, packs: ['network-basics'] }]);
    expect((await watcher.scan())[0]!.refused).toEqual([expect.objectContaining({ code: 'untrusted_signer' })]);
    await watcher.scan();
    await watcher.scan();
    expect(install).toHaveBeenCalledTimes(1);
    await lib.trust.add(stranger.publicKey, 'Stranger');
    await lib.refreshTrust();
    expect((await watcher.scan())[0]!.installed).toHaveLength(1);
    expect(install).toHaveBeenCalledTimes(2);
  });

  it('watches the folder and installs a new version dropped into it', async () => {
    const { share, key, lib } = await setup();
    await writePack(share, 'net-1.0.0.vpack', NETWORK_ENTRIES, {}, key.privateKey);
    const reports: ScanReport[] = [];
    let notify: () => void = () => undefined;
    const watcher = new PackFolderWatcher(lib, [{ folder: share, packs: ['network-basics'] }], {
      debounceMs: 50,
      pollMs: 1000, // the fallback where a file system sends no change events
      onReport: (r) => {
        reports.push(r);
        notify();
      },
    });
    cleanup.push(() => watcher.stop());
    const installedVersion = (version: string): Promise<void> =>
      new Promise((resolve) => {
        notify = () => {
          if (reports.some((r) => r.installed.some((i) => i.pack.version === version))) resolve();
        };
        notify();
      });
    watcher.start();
    await installedVersion('1.0.0');
    await writePack(share, 'net-2.0.0.vpack', NETWORK_ENTRIES, { version: '2.0.0' }, key.privateKey);
    await installedVersion('2.0.0');
    expect(lib.list()[0]?.version).toBe('2.0.0');
  });
});
