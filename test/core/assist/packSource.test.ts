import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { readPrivateKey, writeKeyPair } from '../../../core/packs/packKeys';
import { NETWORK_ENTRIES } from '../packs/packFixtures';

describe('installed knowledge packs in the proactive pipeline', () => {
  it('cites an entry of an installed pack after a customer message, in a copilot whose own knowledge is empty', async () => {
    const dir = await tempFolder('vigil-pack-src-');
    const keys = await writeKeyPair(join(dir, 'net'));
    const publisher = await CopilotService.open({ dataDir: join(dir, 'publisher') });
    const analyst = await CopilotService.open({ dataDir: join(dir, 'analyst') });
    try {
      const entries = join(dir, 'entries.jsonl');
      await writeFile(entries, NETWORK_ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
      await publisher.importEntries(entries);
      const file = join(dir, 'net.vpack');
      await publisher.packs.exportTeamPack(file, { name: 'network-basics', version: '1.0.0', team: 'network', privateKey: await readPrivateKey(keys.privateKey) });
      await analyst.packs.trustKeyFile(keys.publicKey, 'Network team');
      await analyst.packs.install(file);

      const decision = await analyst.assistOnMessage(
        { id: 'T-1', status: 'open', messages: [{ id: '1', author: 'customer', text: 'My VPN disconnects every few minutes on the hotel network' }] },
        0,
      );
      expect(decision.citations[0]).toMatchObject({ entryId: 'net-vpn-mtu', kind: 'article' });
      expect(decision.gates.find((g) => g.gate === 'retrieval')?.detail).toMatch(/candidates from team, packs$/);
    } finally {
      await publisher.close();
      await analyst.close();
    }
  });
});
