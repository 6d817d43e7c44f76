import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { CitationSchema } from '../../../core/formats/schemas';
import { writeKeyPair, readPrivateKey } from '../../../core/packs/packKeys';
import type { ScanReport } from '../../../core/packs/packSubscriptions';
import { NETWORK_ENTRIES, writePack } from './packFixtures';

const services: CopilotService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

async function open(dataDir?: string): Promise<CopilotService> {
  const service = await CopilotService.open({ dataDir: dataDir ?? (await tempFolder('vigil-admin-')) });
  services.push(service);
  return service;
}

describe('packs through CopilotService', () => {
  it('exports the team’s knowledge as a signed pack that another team’s copilot verifies and installs', async () => {
    const dir = await tempFolder('vigil-admin-files-');
    const keys = await writeKeyPair(join(dir, 'net'));
    const publisher = await open();
    const entries = join(dir, 'entries.jsonl');
    await writeFile(entries, NETWORK_ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
    await publisher.importEntries(entries);
    const file = join(dir, 'net.vpack');
    const exported = await publisher.packs.exportTeamPack(file, { name: 'network-basics', version: '1.0.0', team: 'network', privateKey: await readPrivateKey(keys.privateKey) });
    expect(exported).toMatchObject({ entries: 3, considered: 3, signedBy: keys.keyId });

    const analyst = await open();
    expect(await analyst.packs.verify(file)).toMatchObject({ name: 'network-basics', version: '1.0.0', entries: 3, keyId: keys.keyId, trustedAs: null });
    await analyst.packs.trustKeyFile(keys.publicKey, 'Network team');
    expect((await analyst.packs.verify(file)).trustedAs).toBe('Network team');
    await analyst.packs.install(file);
    const [hit] = await analyst.knowledge.searchKnowledge('vpn disconnects at the hotel', 1);
    expect(hit).toMatchObject({ id: 'net-vpn-mtu', pack: { name: 'network-basics', version: '1.0.0' } });
  });

  it('starts watching a folder as soon as it is subscribed, and refuses a huge file there without stopping', async () => {
    const dir = await tempFolder('vigil-admin-files-');
    const share = await tempFolder('vigil-admin-share-');
    const keys = await writeKeyPair(join(dir, 'net'));
    const service = await open();
    await service.packs.trustKeyFile(keys.publicKey, 'Network team');
    const reports: ScanReport[] = [];
    let wake: () => void = () => undefined;
    await service.packs.watchSubscriptions({
      debounceMs: 50,
      pollMs: 1000, // the fallback where a file system sends no change events
      onReport: (r) => {
        reports.push(r);
        wake();
      },
    });
    const huge = join(share, 'huge.vpack');
    await writeFile(huge, '');
    await truncate(huge, 1024 * 1024 * 1024);
    await writePack(share, 'net.vpack', NETWORK_ENTRIES, {}, await readPrivateKey(keys.privateKey));
    const installed = new Promise<void>((resolve) => {
      wake = () => {
        if (reports.some((r) => r.installed.length > 0)) resolve();
      };
    });
    await service.packs.subscribe(share, ['network-basics']);
    await installed;
    expect(service.packs.list().map((p) => p.version)).toEqual(['1.0.0']);
    expect(reports.flatMap((r) => r.refused)).toEqual([expect.objectContaining({ file: huge, code: 'too_large' })]);
  });

  it('lets a citation name the pack it comes from, leaving the spec’s fields as they are', () => {
    const base = { entryId: 'net-dns', kind: 'qa', sourceTicketId: null, score: 0.8 };
    expect(CitationSchema.parse(base)).toEqual(base);
    expect(CitationSchema.parse({ ...base, pack: { name: 'network-basics', version: '1.0.0' } }).pack).toEqual({ name: 'network-basics', version: '1.0.0' });
    expect(() => CitationSchema.parse({ ...base, pack: { name: 'x' } })).toThrow();
  });
});
