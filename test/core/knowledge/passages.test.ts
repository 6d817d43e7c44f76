import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { KnowledgeStore } from '../../../core/knowledge/knowledgeStore';
import { passagesOf, vectorTextsOf } from '../../../core/knowledge/passages';
import { snapshotFile } from '../../../core/knowledge/vectorSnapshot';
import { ARTICLES, RUNBOOK_ARTICLE, stored } from '../../fixtures/storeEntries';

const RUNBOOK = stored(RUNBOOK_ARTICLE);

const open: KnowledgeStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => undefined);
});

async function openStore(dir: string): Promise<KnowledgeStore> {
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  open.push(store);
  return store;
}

describe('long entries as passages', () => {
  it('splits a long article at its steps, each passage led by the title; short articles and Q&A stay whole', () => {
    const passages = passagesOf(RUNBOOK);
    expect(passages.length).toBeGreaterThan(1);
    expect(passages.some((p) => p.includes('docking station') && !p.includes('email signature'))).toBe(true);
    expect(vectorTextsOf(RUNBOOK).slice(1).every((t) => t.startsWith('New laptop handover runbook\n'))).toBe(true);
    expect(passagesOf(ARTICLES[0]!)).toEqual([]);
    expect(passagesOf(stored({ id: 'qa', kind: 'qa', question: 'Why?', body: RUNBOOK.body }))).toEqual([]);
  });

  it('cites the long article for a question about one of its steps, with the step that matched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-passages-'));
    const store = await openStore(dir);
    await store.upsert([...ARTICLES, RUNBOOK]);
    const check = async (s: KnowledgeStore): Promise<void> => {
      const hits = await s.search('my docking station stopped charging the laptop');
      expect(hits[0]?.entry.id).toBe('kb-new-laptop');
      expect(hits[0]?.passage?.text).toContain('docking station does not charge');
      expect(hits[0]?.entry.body).toBe(RUNBOOK.body); // the parent entry, whole
      const short = (await s.search('vpn disconnects on the hotel network')).find((h) => h.entry.id === 'kb-vpn-mtu');
      expect(short?.passage).toBeUndefined(); // a short article is matched as a whole
    };
    await check(store); // fresh (uncommitted)
    await store.close();
    const fromSnapshot = await openStore(dir);
    expect(fromSnapshot.openedFrom().source).toBe('snapshot');
    await check(fromSnapshot);
    const table = (await fromSnapshot.status()).table;
    await fromSnapshot.close();
    await rm(snapshotFile(dir, table));
    const fromTable = await openStore(dir);
    expect(fromTable.openedFrom().source).toBe('table');
    await check(fromTable);
  });

  it('drops an entry’s passages when it is shortened or removed', async () => {
    const store = await openStore(await mkdtemp(join(tmpdir(), 'vigil-passages-')));
    await store.upsert([...ARTICLES, RUNBOOK]);
    await store.upsert([{ ...RUNBOOK, body: 'Hand the laptop over with its charger.' }]);
    const hits = await store.search('docking station firmware 90 watt power brick');
    expect(hits.find((h) => h.entry.id === 'kb-new-laptop')?.passage).toBeUndefined();
    await store.remove(['kb-new-laptop']);
    expect((await store.search('hand the laptop over with its charger')).map((h) => h.entry.id)).not.toContain('kb-new-laptop');
  });
});
