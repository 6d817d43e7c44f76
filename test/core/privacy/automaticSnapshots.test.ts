/**
 * Before a re-index, a pack install and a bulk delete the engine tags the store by itself, and a rollback to that
 * snapshot returns to the state before: the old embedder and its index, the previous pack version, every deleted
 * entry. Only the last five automatic snapshots are kept; hand-made ones stay.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { main } from '../../../core/cli/vigil';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { tableNameFor } from '../../../core/knowledge/entryTable';
import { readPrivateKey, writeKeyPair } from '../../../core/packs/packKeys';
import { readAuditLog } from '../../../core/privacy/auditLog';
import { AUTOMATIC_SNAPSHOTS_KEPT, createSnapshot, listSnapshots, rollbackToSnapshot } from '../../../core/privacy/rollback';
import { NETWORK_ENTRIES, writePack } from '../packs/packFixtures';

const services: CopilotService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

async function open(dataDir: string, extra: Partial<Parameters<typeof CopilotService.open>[0]> = {}): Promise<CopilotService> {
  const service = await CopilotService.open({ dataDir, reindex: 'wait', ...extra });
  services.push(service);
  return service;
}

async function closeAll(): Promise<void> {
  for (const s of services.splice(0)) await s.close();
}

async function withEntries(dataDir: string): Promise<void> {
  const file = join(dataDir, '..', `${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(file, NETWORK_ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
  const service = await open(dataDir);
  await service.importEntries(file);
  await closeAll();
}

async function tableNames(dataDir: string): Promise<string[]> {
  const db = await lancedb.connect(join(dataDir, 'lancedb'));
  try {
    return await db.tableNames();
  } finally {
    db.close();
  }
}

describe('automatic snapshots before risky operations', () => {
  it('tags the store before a re-index, and rolling back returns to the old embedder and index after the old table was dropped', async () => {
    const dataDir = join(await tempFolder('vigil-auto-reindex-'), 'data');
    await withEntries(dataDir);
    const builtin = new HashedEmbedder();
    const small = new HashedEmbedder({ dimensions: 128 });

    const reindexed = await open(dataDir, { embedder: small });
    expect((await reindexed.status()).embedderId).toBe(small.id);
    await closeAll();
    // The re-index finished: the old table is gone from LanceDB.
    expect(await tableNames(dataDir)).toEqual([tableNameFor(small.id)]);
    const [snapshot] = await listSnapshots(dataDir);
    expect(snapshot).toMatchObject({ automatic: true, reason: `before re-index to ${small.id}` });
    expect(snapshot!.name).toMatch(/^auto-\d{8}T\d{9}Z-reindex$/);
    // Opening again with the new embedder is no new re-index: no second snapshot.
    await open(dataDir, { embedder: small });
    await closeAll();
    expect(await listSnapshots(dataDir)).toHaveLength(1);

    const out = { log: (_: string) => undefined, error: (_: string) => undefined };
    expect(await main(['store', 'rollback', snapshot!.name, '--data-dir', dataDir], out)).toBe(0);
    const progress: string[] = [];
    const back = await open(dataDir, { embedder: builtin, onProgress: (m) => progress.push(m) });
    const status = await back.status();
    expect(status).toMatchObject({ embedderId: builtin.id, entries: NETWORK_ENTRIES.length });
    expect(progress.filter((m) => /re-?index/i.test(m))).toEqual([]); // the old index is in charge, nothing re-embedded
    expect((await back.knowledge.searchKnowledge('vpn disconnects at the hotel', 1))[0]?.id).toBe('net-vpn-mtu');
    await closeAll();
    const admin = (await readAuditLog(dataDir, { type: 'admin' })).records.map((r) => (r.type === 'admin' ? [r.action, r.detail['automatic'] ?? null] : []));
    expect(admin).toEqual([['store_tag', true], ['store_rollback', null]]);
  });

  it('tags the store before a pack install, and rolling back reinstates the previous pack version', async () => {
    const dir = await tempFolder('vigil-auto-pack-');
    const dataDir = join(dir, 'data');
    const keys = await writeKeyPair(join(dir, 'net'));
    const key = await readPrivateKey(keys.privateKey);
    const v1 = await writePack(dir, 'v1.vpack', NETWORK_ENTRIES.slice(0, 2), { version: '1.0.0' }, key);
    const v2 = await writePack(dir, 'v2.vpack', NETWORK_ENTRIES, { version: '1.2.0' }, key);
    const service = await open(dataDir);
    await service.packs.trustKeyFile(keys.publicKey, 'Network team');
    await service.packs.install(v1);
    await service.packs.install(v2);
    await expect(service.packs.install(v2)).resolves.toMatchObject({ outcome: 'unchanged' }); // nothing to tag
    expect(service.packs.list().map((p) => [p.name, p.version, p.entries])).toEqual([['network-basics', '1.2.0', 3]]);
    await closeAll();

    const snapshots = await listSnapshots(dataDir);
    expect(snapshots.map((s) => s.reason)).toEqual(['before installing pack network-basics 1.0.0', 'before installing pack network-basics 1.2.0 over 1.0.0']);
    expect(await rollbackToSnapshot(dataDir, snapshots[1]!.name)).toMatchObject({ restored: { name: snapshots[1]!.name } });

    const back = await open(dataDir);
    expect(back.packs.list().map((p) => [p.name, p.version, p.entries, p.problem])).toEqual([['network-basics', '1.0.0', 2, null]]);
    const [hit] = await back.knowledge.searchKnowledge('vpn disconnects at the hotel', 1);
    expect(hit).toMatchObject({ id: 'net-vpn-mtu', pack: { name: 'network-basics', version: '1.0.0' } });
    await closeAll();

    // Before the first install there was no pack at all.
    await rollbackToSnapshot(dataDir, snapshots[0]!.name);
    const none = await open(dataDir);
    expect(none.packs.list()).toEqual([]);
  });

  it('tags the store before a bulk delete, records each entry’s history, and rolling back brings every entry back', async () => {
    const dataDir = join(await tempFolder('vigil-auto-delete-'), 'data');
    await withEntries(dataDir);
    const service = await open(dataDir);
    const retired = await service.learning.deleteEntries(['net-dns', 'no-such-entry'], 'Ana');
    expect(retired).toMatchObject({ mode: 'retire', changed: ['net-dns'], missing: ['no-such-entry'] });
    expect((await service.getEntries(['net-dns'])).get('net-dns')?.status).toBe('retired');
    expect(service.learning.entryHistory('net-dns').at(-1)).toMatchObject({ action: 'retired', actor: 'Ana' });

    const deleted = await service.learning.deleteEntries(['net-vpn-mtu', 'net-wifi-cert'], 'Ana', { mode: 'delete', reason: 'outdated' });
    expect(deleted.changed.sort()).toEqual(['net-vpn-mtu', 'net-wifi-cert']);
    expect((await service.status()).entries).toBe(1);
    expect(service.learning.entryHistory('net-vpn-mtu').at(-1)?.note).toMatch(/^outdated; deleted permanently .*vigil store rollback auto-/);
    expect(await service.learning.deleteEntries([], 'Ana')).toMatchObject({ changed: [], snapshot: null });
    await closeAll();

    const snapshots = await listSnapshots(dataDir);
    expect(snapshots.map((s) => s.reason)).toEqual(['before retiring 1 entry', 'before deleting 2 entries']);
    expect(deleted.snapshot).toBe(snapshots[1]!.name);
    await rollbackToSnapshot(dataDir, snapshots[1]!.name);
    let back = await open(dataDir);
    expect((await back.status()).entries).toBe(3);
    expect((await back.getEntries(['net-dns'])).get('net-dns')?.status).toBe('retired'); // retired before that snapshot
    await closeAll();
    await rollbackToSnapshot(dataDir, snapshots[0]!.name);
    back = await open(dataDir);
    expect((await back.status()).byStatus).toMatchObject({ approved: 3, retired: 0 });
    await closeAll();

    const audit = (await readAuditLog(dataDir, { type: 'admin' })).records.map((r) => (r.type === 'admin' ? r.action : ''));
    expect(audit).toEqual(['store_tag', 'bulk_retire', 'store_tag', 'bulk_delete']); // the rollbacks above were given no log
  });

  it(`keeps only the last ${AUTOMATIC_SNAPSHOTS_KEPT} automatic snapshots and never deletes one made by hand`, async () => {
    const dataDir = join(await tempFolder('vigil-auto-bound-'), 'data');
    await withEntries(dataDir);
    await createSnapshot(dataDir, 'keep-me', { reason: 'by hand' });
    const service = await open(dataDir);
    const made: string[] = [];
    const ids = ['net-dns', 'net-vpn-mtu', 'net-wifi-cert'];
    for (let i = 0; i < 7; i++) {
      // Alternate retire and restore so each call changes something and takes a snapshot.
      const id = ids[i % 3]!;
      const result = await service.learning.deleteEntries([id], 'Ana');
      made.push(result.snapshot!);
      const history = service.learning.entryHistory(id);
      await service.learning.restoreEntry(id, history.at(-2)!.version, 'Ana');
    }
    await closeAll();
    const names = (await listSnapshots(dataDir)).map((s) => s.name);
    expect(names).toEqual(['keep-me', ...made.slice(-AUTOMATIC_SNAPSHOTS_KEPT)]);
    expect(new Set(made).size).toBe(7);
  });
});
