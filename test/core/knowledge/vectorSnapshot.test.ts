import { copyFile, open as openFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeWithData } from '../../support/publicData';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { CorpusStats } from '../../../core/knowledge/freshTier';
import { KnowledgeStore, type PartitionSettings, type SearchHit } from '../../../core/knowledge/knowledgeStore';
import { VectorIndex } from '../../../core/knowledge/vectorIndex';
import { captureSnapshot, loadSnapshot, snapshotFile } from '../../../core/knowledge/vectorSnapshot';
import { loadBanking77 } from '../../bench/banking77Data';
import { ARTICLES, stored } from '../../fixtures/storeEntries';

const opened: KnowledgeStore[] = [];

async function openStore(dir: string, partition?: PartitionSettings): Promise<KnowledgeStore> {
  const store = await KnowledgeStore.open(dir, new HashedEmbedder(), { partition });
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

describeWithData(['banking77'], 'the partition in the int8 snapshot', () => {
  const embedder = new HashedEmbedder();
  let questions: string[];
  let queries: Float32Array[];
  beforeAll(() => {
    questions = loadBanking77('train').slice(0, 2000).map((q) => q.text);
    queries = loadBanking77('test').slice(0, 30).map((q) => embedder.embedOne(q.text));
    ENTRIES = questions.slice(0, 60).map((q, i) => stored({ id: `qa-${i}`, kind: 'qa', question: q, body: `Answer ${i}.` }));
  });

  it('is read back with the vectors, so the index searches the same lists without training them again', async () => {
    const index = new VectorIndex(embedder.dimensions);
    questions.forEach((q, i) => index.set(`q${i}`, embedder.embedOne(q), i % 10 === 9 ? 1 : 0));
    index.partition({ lists: 16 });
    for (let i = 0; i < 50; i++) index.delete(`q${i * 7}`); // holes inside the lists
    index.set('learned-before', embedder.embedOne('my card was swallowed by the machine'), 0); // the tail
    const key = { table: 'entries_t', tableVersion: 3, rows: index.size, embedderId: embedder.id, dimensions: embedder.dimensions };
    const file = join(await tempFolder('vigil-partition-'), 'vectors.entries_t.snapshot');
    expect(await captureSnapshot(key, index, new CorpusStats()).write(file)).toBe(true);

    const loaded = await loadSnapshot(file, key, () => new VectorIndex(embedder.dimensions));
    if (!loaded.ok) throw new Error(loaded.reason);
    expect(loaded.partition).toEqual({ restored: true, reason: null });
    const back = loaded.vectors;
    expect([back.partitionLists, back.partitionsBuilt, back.unpartitionedRows]).toEqual([16, 0, 1]);
    for (const q of queries) {
      // Two lists of sixteen: a different partition (or none) would answer differently.
      expect(back.search(q, new Set([0, 1]), 10, { probes: 2 })).toEqual(index.search(q, new Set([0, 1]), 10, { probes: 2 }));
      // The sign codes, computed again from the rows read back, pick the same candidates (30 of about 500 rows).
      expect(back.search(q, new Set([0]), 10, { probes: 4, rescore: 30 })).toEqual(index.search(q, new Set([0]), 10, { probes: 4, rescore: 30 }));
    }
    const differs = (q: Float32Array): boolean =>
      JSON.stringify(back.search(q, new Set([0]), 10, { probes: 2 })) !== JSON.stringify(back.search(q, new Set([0]), 10, { exact: true }));
    expect(queries.some(differs)).toBe(true); // so the probes are what is compared

    // A row written after reading goes to the tail, which every search scans, not into a hole of some list.
    const fresh = embedder.embedOne('how do I close my account for good');
    back.set('learned-after', fresh, 0);
    expect(back.unpartitionedRows).toBe(2);
    expect(back.search(fresh, new Set([0]), 1, { probes: 1 })[0]?.id).toBe('learned-after');
  });

  const PARTITION: PartitionSettings = { minRows: 40, lists: 4 };
  let ENTRIES: ReturnType<typeof stored>[];

  /** A folder whose store, partitioned at its second open, was closed with the partition in its snapshot. */
  async function partitionedFolder(): Promise<{ dir: string; before: unknown[] }> {
    const dir = await tempFolder('vigil-partition-');
    await (await openStore(dir, PARTITION)).upsert([...ARTICLES, ...ENTRIES]);
    await closeAll();
    const second = await openStore(dir, PARTITION);
    expect((await second.status()).vectorIndex).toMatchObject({ partitionLists: 4 });
    const before = await answers(second);
    await closeAll();
    return { dir, before };
  }

  async function partitionOf(store: KnowledgeStore): Promise<{ lists?: number; built?: number }> {
    const status = (await store.status()).vectorIndex;
    return { lists: status?.partitionLists, built: status?.partitionsBuilt };
  }

  it('lets a partitioned store reopen without training the partition again, with the same answers', async () => {
    const { dir, before } = await partitionedFolder();
    const store = await openStore(dir, PARTITION);
    expect(store.openedFrom()).toEqual({ source: 'snapshot', reason: null, partition: { restored: true, reason: null } });
    expect(await partitionOf(store)).toEqual({ lists: 4, built: 0 });
    expect(await answers(store)).toEqual(before);
    expect(before.flat().length).toBeGreaterThan(0);
  });

  it('partitions a store that an import brought to the partition\'s size before its snapshot, so the next open does not train it', async () => {
    const dir = await tempFolder('vigil-partition-');
    const first = await openStore(dir, PARTITION);
    await first.upsert([...ARTICLES, ...ENTRIES]);
    expect(await partitionOf(first)).toEqual({ lists: 0, built: 0 });
    await first.refreshIndexes(); // what the end of an import does
    expect(await partitionOf(first)).toEqual({ lists: 4, built: 1 });
    await closeAll();
    const store = await openStore(dir, PARTITION);
    expect(store.openedFrom()).toEqual({ source: 'snapshot', reason: null, partition: { restored: true, reason: null } });
    expect(await partitionOf(store)).toEqual({ lists: 4, built: 0 });
  });

  it('opens a snapshot of the format before partitions were kept, trains the partition again and keeps it', async () => {
    const { dir, before } = await partitionedFolder();
    const file = await snapshotOf(dir);
    await writeFile(file, withoutPartition(await readFile(file)));

    const store = await openStore(dir, PARTITION);
    expect(store.openedFrom()).toEqual({ source: 'snapshot', reason: null });
    expect(await partitionOf(store)).toEqual({ lists: 4, built: 1 });
    expect(await answers(store)).toEqual(before);
    await closeAll();
    const again = await openStore(dir, PARTITION);
    expect(await partitionOf(again)).toEqual({ lists: 4, built: 0 });
  });

  it('trains the partition again when the store asks for another number of lists than the snapshot kept', async () => {
    const { dir, before } = await partitionedFolder();
    const store = await openStore(dir, { ...PARTITION, lists: 8 });
    expect(store.openedFrom()).toMatchObject({ source: 'snapshot', partition: { restored: true } });
    expect(await partitionOf(store)).toEqual({ lists: 8, built: 1 });
    expect(await answers(store)).toEqual(before);
  });

  it('trains the partition again when its section is damaged or cut short, and keeps every entry', async () => {
    const { dir, before } = await partitionedFolder();
    const file = await snapshotOf(dir);
    const size = (await stat(file)).size;
    const handle = await openFile(file, 'r+');
    await handle.write(Buffer.from([0x5a]), 0, 1, size - 10); // inside the last centroid
    await handle.close();
    const damaged = await openStore(dir, PARTITION);
    expect(damaged.openedFrom()).toMatchObject({ source: 'snapshot', partition: { restored: false, reason: expect.stringContaining('checksum') } });
    expect(await partitionOf(damaged)).toEqual({ lists: 4, built: 1 });
    expect(await damaged.count()).toBe(ARTICLES.length + ENTRIES.length);
    expect(await answers(damaged)).toEqual(before);
    await closeAll();

    await truncate(file, (await stat(file)).size - 3); // into the section's checksum
    const short = await openStore(dir, PARTITION);
    expect(short.openedFrom()).toMatchObject({ source: 'snapshot', partition: { restored: false, reason: expect.stringContaining('truncated') } });
    expect(await partitionOf(short)).toEqual({ lists: 4, built: 1 });
    expect(await answers(short)).toEqual(before);
  });
});

/**
 * The same snapshot as a format-2 file (before the partition was kept): the header without `partitionBytes`, and
 * nothing after the trailer. The main checksum covers only what follows the header, so it stays right.
 */
function withoutPartition(file: Buffer): Buffer {
  const headerLength = file.readUInt32LE(8);
  const header = JSON.parse(file.subarray(12, 12 + headerLength).toString('utf8')) as Record<string, unknown>;
  expect(header).toMatchObject({ format: 3, partitionBytes: expect.any(Number) });
  const partitionBytes = header.partitionBytes as number;
  expect(partitionBytes).toBeGreaterThan(0);
  const { partitionBytes: _, ...rest } = header;
  const old = Buffer.from(JSON.stringify({ ...rest, format: 2 }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(old.length);
  return Buffer.concat([file.subarray(0, 8), length, old, file.subarray(12 + headerLength, file.length - partitionBytes - 4)]);
}
