/**
 * The knowledge-pack demo on real data: an admin signs the ABCD retailer's guidelines (55 articles, one per
 * subflow) as a pack; an analyst's copilot with an empty knowledge base trusts the admin's key, installs the pack
 * offline, and answers the first customer message of each ABCD sample dialogue from it, citing pack and version.
 *
 *   npm run demo:pack                 # everything in a temporary folder
 *   npm run demo:pack -- --out DIR    # keep the pack and its key pair in DIR (it must not hold them already)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CopilotService } from '../../core/app/copilotService';
import { abcdTickets } from '../bench/abcdData';
import { buildAbcdPack } from './abcdPackBuilder';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const work = await mkdtemp(join(tmpdir(), 'vigil-pack-demo-'));
const outDir = values.out ? resolve(values.out) : join(work, 'publisher');
await mkdir(outDir, { recursive: true });
try {
  const pack = await buildAbcdPack(outDir);
  console.log(`admin: built ${pack.file}`);
  console.log(`       ${pack.result.selected} articles, signed by key ${pack.keyId}; redaction replaced ${pack.result.redacted.length === 0 ? 'nothing' : pack.result.redacted.map((r) => r.id).join(', ')}`);

  const service = await CopilotService.open({ dataDir: join(work, 'analyst') });
  try {
    const trusted = await service.packs.trustKeyFile(pack.publicKey, 'Retail guidelines team');
    console.log(`analyst: trusted key ${trusted.key.id} as "${trusted.key.name}"`);
    const installed = await service.packs.install(pack.file);
    console.log(`analyst: installed ${installed.pack.name} ${installed.pack.version} (${installed.pack.entries} entries), no network used\n`);
    for (const ticket of abcdTickets()) {
      const first = ticket.messages.find((m) => m.author === 'customer' && m.text.split(/\s+/).length > 4);
      if (!first) continue;
      const hits = await service.knowledge.searchKnowledge(first.text, 3);
      console.log(`${ticket.id} (${ticket.tags?.[1] ?? '?'}) customer: ${first.text.slice(0, 70)}`);
      if (hits.length === 0) console.log('    nothing found');
      for (const hit of hits) {
        const from = hit.pack ? `${hit.pack.name}@${hit.pack.version} › ` : '';
        console.log(`    → ${from}${hit.id} (similarity ${hit.score}): ${hit.title ?? ''}`);
      }
    }
  } finally {
    await service.close();
  }
  if (values.out) console.log(`\nThe pack and its key pair are in ${outDir}; keep the .private.pem file secret.`);
} finally {
  await rm(work, { recursive: true, force: true });
}
