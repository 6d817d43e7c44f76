/**
 * The example pack: the ABCD online retailer's agent guidelines (../shared/data/abcd, MIT), one article per
 * subflow, as a signed knowledge pack. Used by `npm run demo:pack`, the docs (docs/packs.md) and its test.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportPack, type ExportResult } from '../../core/packs/packExport';
import { readPrivateKey, writeKeyPair } from '../../core/packs/packKeys';
import { abcdArticles, ABCD_DIR } from '../bench/abcdData';

export const ABCD_PACK = { name: 'abcd-retail', version: '1.0.0', team: 'retail-support' } as const;

export interface BuiltPack {
  file: string;
  publicKey: string;
  keyId: string;
  result: ExportResult;
}

/** Makes a signing key in `dir`, builds and signs the ABCD pack there, and returns where everything is. */
export async function buildAbcdPack(dir: string, abcdDir: string = ABCD_DIR): Promise<BuiltPack> {
  const keys = await writeKeyPair(join(dir, 'retail-guidelines'));
  const result = await exportPack(abcdArticles(abcdDir), {
    ...ABCD_PACK,
    description: 'ABCD retailer agent guidelines: one article per subflow (Chen et al., NAACL 2021, MIT)',
    privateKey: await readPrivateKey(keys.privateKey),
  });
  const file = join(dir, `${ABCD_PACK.name}-${ABCD_PACK.version}.vpack`);
  await writeFile(file, result.bytes);
  return { file, publicKey: keys.publicKey, keyId: keys.keyId, result };
}
