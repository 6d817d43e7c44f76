import * as lancedb from '@lancedb/lancedb';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { KnowledgeStore } from '../../../core/knowledge/knowledgeStore';
import { AuditLog, readAuditLog } from '../../../core/privacy/auditLog';
import { cleanupCutoff, createSnapshot, deleteSnapshot, listSnapshots, rollbackToSnapshot } from '../../../core/privacy/rollback';
import { ARTICLES, stored } from '../../fixtures/storeEntries';

async function everyEntryWith(dataDir: string, embedder: HashedEmbedder): Promise<string[]> {
  const store = await KnowledgeStore.open(dataDir, embedder);
  try {
    const found: string[] = [];
    for await (const entry of store.entries()) found.push(entry.id);
    return found;
  } finally {
    await store.close();
  }
}

async function ids(dataDir: string): Promise<string[]> {
  return (await everyEntryWith(dataDir, new HashedEmbedder())).sort();
}

async function withStore(dataDir: string, run: (store: KnowledgeStore) => Promise<void>): Promise<void> {
  const store = await KnowledgeStore.open(dataDir, new HashedEmbedder());
  try {
    await run(store);
  } finally {
    await store.close();
  }
}

describe('store snapshots and rollback', () => {
  it('rolls a bulk delete back, and the rollback itself can be undone: nothing is lost', async () => {
    const dataDir = await tempFolder('vigil-rollback-');
    await withStore(dataDir, (store) => store.upsert(ARTICLES));
    const audit = await AuditLog.open(dataDir);
    const snapshot = await createSnapshot(dataDir, 'before-cleanup', { reason: 'before bulk delete', audit });
    expect(Object.keys(snapshot.tables)).toHaveLength(1);

    await withStore(dataDir, async (store) => {
      await store.remove(['kb-pin', 'kb-refund']);
      await store.upsert([stored({ id: 'kb-new', body: 'Learned after the snapshot.' })]);
    });
    expect(await ids(dataDir)).toEqual(['kb-err-4031', 'kb-new', 'kb-topup', 'kb-vpn-mtu']);

    const { safety } = await rollbackToSnapshot(dataDir, 'before-cleanup', { audit });
    expect(await ids(dataDir)).toEqual(ARTICLES.map((a) => a.id).sort());

    await rollbackToSnapshot(dataDir, safety.name, { audit });
    expect(await ids(dataDir)).toEqual(['kb-err-4031', 'kb-new', 'kb-topup', 'kb-vpn-mtu']);

    const names = (await listSnapshots(dataDir)).map((s) => s.name);
    expect(names[0]).toBe('before-cleanup');
    expect(names).toContain(safety.name);
    await audit.close();
    expect((await readAuditLog(dataDir, { type: 'admin' })).records.map((r) => r.type === 'admin' && r.action)).toEqual([
      'store_tag',
      'store_rollback',
      'store_rollback',
    ]);
  });

  it('rolls a re-index back: the old index is in charge again and nothing is re-embedded', async () => {
    const dataDir = await tempFolder('vigil-rollback-');
    await withStore(dataDir, (store) => store.upsert(ARTICLES));
    await createSnapshot(dataDir, 'before-reindex', { reason: 'before switching embedder' });
    const small = new HashedEmbedder({ dimensions: 128 });
    expect((await everyEntryWith(dataDir, small)).length).toBe(ARTICLES.length); // re-indexed into a new table

    await rollbackToSnapshot(dataDir, 'before-reindex');
    const progress: string[] = [];
    const store = await KnowledgeStore.open(dataDir, new HashedEmbedder(), (m) => progress.push(m));
    try {
      expect(progress).toEqual([]); // the 512-dimension table is active again: no re-index
      expect((await store.search('vpn disconnects on hotel wifi'))[0]?.entry.id).toBe('kb-vpn-mtu');
    } finally {
      await store.close();
    }
  });

  it('waits for the folder to be free, and explains bad names and unknown snapshots', async () => {
    const dataDir = await tempFolder('vigil-rollback-');
    const store = await KnowledgeStore.open(dataDir, new HashedEmbedder());
    try {
      await expect(createSnapshot(dataDir, 'x')).rejects.toThrow(/in use by another Vigil process/);
    } finally {
      await store.close();
    }
    await expect(createSnapshot(dataDir, '../escape')).rejects.toThrow(/cannot name a snapshot/);
    await expect(rollbackToSnapshot(dataDir, 'never-made')).rejects.toThrow(/no snapshot named "never-made".*vigil store tags/);
    await createSnapshot(dataDir, 'twice');
    await expect(createSnapshot(dataDir, 'twice')).rejects.toThrow(/already exists/);
    await deleteSnapshot(dataDir, 'twice');
    expect(await listSnapshots(dataDir)).toEqual([]);
  });

  it("keeps compaction working with tags: LanceDB refuses to clean a tagged version, the cutoff avoids it", async () => {
    const db = await lancedb.connect(await tempFolder('vigil-cutoff-'));
    const table = await db.createTable('t', [{ id: 'a' }]);
    await table.add([{ id: 'b' }]);
    await (await table.tags()).create('vigil-snap', await table.version());
    await table.add([{ id: 'c' }]);
    await table.delete("id = 'a'");
    await expect(table.optimize({ cleanupOlderThan: new Date(Date.now() + 1000) })).rejects.toThrow(/tagged version/);
    await table.optimize({ cleanupOlderThan: await cleanupCutoff(table, -1 / 86400) });
    await table.checkout('vigil-snap');
    expect(await table.countRows()).toBe(2);
    table.close();
    db.close();
  });
});
