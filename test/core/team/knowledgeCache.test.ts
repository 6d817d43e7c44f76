import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { KnowledgeStore } from '../../../core/knowledge/knowledgeStore';
import type { StoredEntry } from '../../../core/knowledge/storedEntry';
import { applyToKnowledge, shareEntries } from '../../../core/team/knowledgeCache';
import { TeamStore } from '../../../core/team/teamStore';
import { TeamSync } from '../../../core/team/teamSync';
import { tempFolder } from '../../support/tempFolder';

const open: KnowledgeStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function analyst(name: string, uri: string): Promise<{ store: KnowledgeStore; sync: TeamSync }> {
  const dataDir = await tempFolder(`vigil-team-kb-${name}-`);
  const store = await KnowledgeStore.open(dataDir, new HashedEmbedder());
  open.push(store);
  const sync = new TeamSync({ dataDir, uri, analyst: name, storageOptions: {}, apply: applyToKnowledge(store, name) });
  return { store, sync };
}

function entry(id: string, body: string): StoredEntry {
  return {
    id,
    kind: 'qa',
    question: 'my vpn keeps disconnecting at the hotel',
    body,
    status: 'approved',
    provenance: { sourceTicketIds: ['T-1'], createdAt: '2026-12-01T10:00:00.000Z' },
  };
}

async function teamUri(): Promise<string> {
  const uri = join(await tempFolder('vigil-team-kb-share-'), 'team');
  await mkdir(uri);
  await TeamStore.open(uri, {}, true);
  return uri;
}

describe('the team store feeding the local knowledge store', () => {
  it("an entry one analyst learned is found by the other's local search, naming who learned it", async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    await ana.store.upsert([entry('vpn-hotel', 'Switch the VPN to TCP 443; hotel networks block UDP.')]);
    await shareEntries(ana.sync, ana.store, 'ana', ['vpn-hotel']);
    await ana.sync.syncOnce();
    expect(await bo.store.search('vpn disconnecting hotel')).toEqual([]);
    await bo.sync.syncOnce();
    const hits = await bo.store.search('vpn disconnecting hotel');
    expect(hits[0]?.entry.id).toBe('vpn-hotel');
    expect(hits[0]?.entry.provenance).toMatchObject({ learnedBy: 'ana', sourceTicketIds: ['T-1'] });
  });

  it('when two analysts edit one entry, the later edit is current on both machines whatever order it arrives in', async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    const cy = await analyst('cy', uri);
    await ana.store.upsert([entry('vpn-hotel', 'first: use TCP 443')]);
    await bo.store.upsert([entry('vpn-hotel', 'later: use the hotel-safe profile')]);
    await shareEntries(bo.sync, bo.store, 'bo', ['vpn-hotel'], new Date('2026-12-02T10:00:00.000Z'));
    await shareEntries(ana.sync, ana.store, 'ana', ['vpn-hotel'], new Date('2026-12-01T10:00:00.000Z'));
    // bo's later edit reaches the store first; ana's earlier one after it.
    await bo.sync.syncOnce();
    await ana.sync.syncOnce();
    await cy.sync.syncOnce();
    await ana.sync.syncOnce();
    expect((await cy.store.get('vpn-hotel'))?.body).toBe('later: use the hotel-safe profile');
    expect((await ana.store.get('vpn-hotel'))?.body).toBe('later: use the hotel-safe profile');
    // bo's own later edit is not overwritten by ana's earlier one.
    await bo.sync.syncOnce();
    expect((await bo.store.get('vpn-hotel'))?.body).toBe('later: use the hotel-safe profile');
    expect((await bo.store.get('vpn-hotel'))?.provenance).toMatchObject({ learnedBy: 'bo' });
  });
});
