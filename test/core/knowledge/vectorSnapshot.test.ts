import { copyFile, open as openFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { KnowledgeStore, type SearchHit } from '../../../core/knowledge/knowledgeStore';
import { snapshotFile } from '../../../core/knowledge/vectorSnapshot';
import { ARTICLES, stored } from '../../fixtures/storeEntries';

const opened: KnowledgeStore[] = [];

async function openStore(dir: string): Promise<KnowledgeStore> {
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  opened.push(store);
  return store;
}

async function closeAll(): Promise<void> {
  for (const store of opened.splice(0)) await store.close().catch(() => undefined);
}

afterEach(closeAll);

async function snapshotOf(dir: string): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.snapshot'));
  expect(files).toHaveLength(1);
  return join(dir, files[0] as string);
}

const QUERIES = ['my vpn keeps disconnecting at the hotel', 'getting E4031 when I log in', 'card refund after return', 'PIN blocked unblock'];

/** Ids, ranks and similarities of a few searches, proposed entries included. */
async function answers(store: KnowledgeStore): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const query of QUERIES) {
    const hits = await store.search(query, { statuses: ['approved', 'proposed'] });
    out.push(hits.map((h: SearchHit) => [h.entry.id, h.textRank, h.vectorRank, Math.round(h.similarity * 1e6)]));
  }
  return out;
}

/** A folder with the fixture articles (one proposed) committed, closed (which writes the snapshot). */
async function filledFolder(): Promise<string> {
  const dir = await tempFolder('vigil-snapshot-');
  const store = await openStore(dir);
  await store.upsert(ARTICLES.map((a, i) => (i === 1 ? { ...a, status: 'proposed' as const } : a)));
  await closeAll();
  return dir;
}

describe('int8 snapshot of the knowledge table', () => {
  it('is written at close and used at the next open, with the same search results as reading the table', async () => {
    const dir = await filledFolder();
    const file = await snapshotOf(dir);
    expect(file).toBe(snapshotFile(dir, (await readdir(join(dir, 'lancedb'))).find((n) => n.startsWith('entries_'))!.replace(/\.lance$/, '')));

    const fromSnapshot = await openStore(dir);
    expect(fromSnapshot.openedFrom()).toEqual({ source: 'snapshot', reason: null });
    const viaSnapshot = await answers(fromSnapshot);
    expect((await fromSnapshot.status()).vectorIndex?.entries).toBe(ARTICLES.length);
    await closeAll();

    await writeFile(file, 'not a snapshot'); // forces a read of the table
    const fromTable = await openStore(dir);
    expect(fromTable.openedFrom().source).toBe('table');
    expect(await answers(fromTable)).toEqual(viaSnapshot);
    expect(viaSnapshot.flat().length).toBeGreaterThan(0);
  });

  it('is not used once the table has changed since it was written, and is rewritten', async () => {
    const dir = await filledFolder();
    const file = await snapshotOf(dir);
    await copyFile(file, `${file}.old`);
    const store = await openStore(dir);
    await store.upsert([stored({ id: 'kb-new', title: 'Reset a hardware token', body: 'Hold the token button for ten seconds.' })]);
    await closeAll();
    await copyFile(`${file}.old`, file); // as if the process had crashed before writing the newer snapshot

    const reopened = await openStore(dir);
    expect(reopened.openedFrom()).toMatchObject({ source: 'table', reason: expect.stringContaining('tableVersion') });
    expect((await reopened.search('reset my hardware token'))[0]?.entry.id).toBe('kb-new');
    await closeAll();

    const again = await openStore(dir);
    expect(again.openedFrom().source).toBe('snapshot');
    expect((await again.search('reset my hardware token'))[0]?.entry.id).toBe('kb-new');
  });

  it('detects a damaged snapshot by its checksum, reads the table instead and writes a good one', async () => {
    const dir = await filledFolder();
    const file = await snapshotOf(dir);
    const size = (await stat(file)).size;
    const handle = await openFile(file, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, size - 100); // inside the int8 matrix
    byte[0] = (byte[0] as number) ^ 0x5a;
    await handle.write(byte, 0, 1, size - 100);
    await handle.close();

    const store = await openStore(dir);
    expect(store.openedFrom()).toMatchObject({ source: 'table', reason: expect.stringContaining('checksum') });
    expect((await store.search('my vpn keeps disconnecting at the hotel'))[0]?.entry.id).toBe('kb-vpn-mtu');
    await closeAll();
    expect((await openStore(dir)).openedFrom().source).toBe('snapshot');
  });

  it('reads the table when the snapshot is cut short', async () => {
    const dir = await filledFolder();
    const file = await snapshotOf(dir);
    await truncate(file, (await stat(file)).size - 500);
    const store = await openStore(dir);
    expect(store.openedFrom()).toMatchObject({ source: 'table', reason: expect.stringContaining('truncated') });
    expect(await store.count()).toBe(ARTICLES.length);
  });

  it('keeps the previous snapshot usable when a crash interrupts the writing of the next one', async () => {
    const dir = await filledFolder();
    const file = await snapshotOf(dir);
    const good = await stat(file);
    // What a crash mid-write leaves: a partial temporary file next to the previous snapshot, never renamed.
    await writeFile(`${file}.tmp`, Buffer.alloc(4096, 7));
    const store = await openStore(dir);
    expect(store.openedFrom()).toEqual({ source: 'snapshot', reason: null });
    expect((await store.search('getting E4031 when I log in'))[0]?.entry.id).toBe('kb-err-4031');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect((await stat(file)).size).toBe(good.size);
  });
});
