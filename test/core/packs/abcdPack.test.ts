import { expect, it } from 'vitest';
import { describeWithData } from '../../support/publicData';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { checkPack, readPackFile } from '../../../core/packs/packFormat';
import { buildAbcdPack } from '../../demo/abcdPackBuilder';

describeWithData(['abcd'], 'the ABCD example pack', () => {
  it('holds one signed article per subflow and answers a real customer from an analyst copilot that installed it', async () => {
    const publisher = await tempFolder('vigil-abcd-pub-');
    const pack = await buildAbcdPack(publisher);
    const checked = checkPack(await readPackFile(pack.file), pack.file);
    expect(checked.manifest).toMatchObject({ name: 'abcd-retail', version: '1.0.0', entries: 55 });
    expect(checked.signature?.keyId).toBe(pack.keyId);

    const service = await CopilotService.open({ dataDir: await tempFolder('vigil-abcd-analyst-') });
    try {
      await service.packs.trustKeyFile(pack.publicKey, 'Retail guidelines team');
      expect(await service.packs.install(pack.file)).toMatchObject({ outcome: 'installed', pack: { entries: 55 } });
      const hits = await service.knowledge.searchKnowledge('just wanted to check on the status of a refund', 3);
      expect(hits.map((h) => h.id)).toContain('abcd-refund-status');
      expect(hits.every((h) => h.pack?.name === 'abcd-retail' && h.pack.version === '1.0.0')).toBe(true);
      expect((await service.status()).entries).toBe(0); // the team's own knowledge is untouched
    } finally {
      await service.close();
    }
  });
});
