import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { dot } from '../../../core/embed/vectorMath';
import { KnowledgeStore } from '../../../core/knowledge/knowledgeStore';
import { matchTextOf } from '../../../core/knowledge/storedEntry';
import { ARTICLES, stored } from '../../fixtures/storeEntries';

const run = promisify(execFile);
const open: KnowledgeStore[] = [];

async function newStore(dir?: string, embedder = new HashedEmbedder()): Promise<KnowledgeStore> {
  const store = await KnowledgeStore.open(dir ?? (await tempFolder('vigil-store-')), embedder);
  open.push(store);
  return store;
}

afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => undefined);
});

describe('knowledge store', () => {
  it('finds a paraphrased problem and an exact error code', async () => {
    const store = await newStore();
    await store.upsert(ARTICLES);
    const vpn = await store.search('my vpn keeps disconnecting at the hotel');
    expect(vpn[0]?.entry.id).toBe('kb-vpn-mtu');
    const code = await store.search('getting E4031 when I log in');
    expect(code[0]?.entry.id).toBe('kb-err-4031');
    expect(code[0]?.textRank).toBe(0);
  });

  it('scores full-text hits by the entries alone, whether they wait in memory, are committed, or indexed', async () => {
    // "refund" is rare among the entries indexed first and common among those written later. LanceDB scores
    // indexed rows with the index's statistics (refund: rare, so worth much) and later rows with the table's, which
    // used to put the old "refund" entry above the new "fee" entry until the next index refresh, and below it after.
    const entry = (id: string, body: string) => stored({ id, title: '', body });
    const first = [
      entry('a-refund', 'refund'),
      ...Array.from({ length: 4 }, (_, i) => entry(`f-fee-${i}`, 'fee atm cash shop')),
      ...Array.from({ length: 75 }, (_, i) => entry(`f-${i}`, 'atm cash shop limit')),
    ];
    const later = [
      entry('b-fee', 'fee'),
      ...Array.from({ length: 30 }, (_, i) => entry(`l-refund-${i}`, 'refund pending transfer card')),
      ...Array.from({ length: 9 }, (_, i) => entry(`l-${i}`, 'atm cash')),
    ];
    const order = async (store: KnowledgeStore): Promise<string[]> =>
      (await store.search('refund fee', { limit: 10, vectorWeight: 0 })).map((h) => h.entry.id).filter((id) => id === 'a-refund' || id === 'b-fee');

    const store = await newStore();
    await store.upsert(first);
    await store.flush();
    await store.refreshIndexes();
    await store.upsert(later);
    const fresh = await order(store); // the later entries in memory
    await store.flush();
    const unindexed = await order(store); // committed since the index was built
    await store.refreshIndexes();
    const indexed = await order(store); // all indexed
    // Over the whole store "refund" is common (31 of 120 entries) and "fee" rare (5): the "fee" entry ranks first.
    expect(indexed).toEqual(['b-fee', 'a-refund']);
    expect(unindexed).toEqual(indexed);
    expect(fresh).toEqual(indexed);
  });

  it('scores words by their stems, so "charges refunded" matches "refund" and "charge" whether in memory or committed', async () => {
    const entry = (id: string, body: string) => stored({ id, title: '', body });
    const entries = [
      // Shares the plain word "refunded" with the query, and "charge" only by its stem.
      entry('inflected', 'refunded after the charge on my card statement'),
      // Shares the plain word "charges", and nothing else.
      entry('plain', 'charges'),
      ...Array.from({ length: 20 }, (_, i) => entry(`other-${i}`, 'atm cash limit for my card')),
    ];
    const order = async (store: KnowledgeStore): Promise<string[]> =>
      (await store.search('charges refunded', { limit: 5, vectorWeight: 0 })).map((h) => h.entry.id);
    const store = await newStore();
    await store.upsert(entries);
    const fresh = await order(store);
    await store.flush();
    await store.refreshIndexes();
    const indexed = await order(store);
    // Plain tokens would put the one-word "charges" first (one match each, and it is far shorter); on stems the
    // entry about a refunded charge matches both of the customer's words.
    expect(fresh.slice(0, 2)).toEqual(['inflected', 'plain']);
    expect(indexed).toEqual(fresh);
  });

  it('ranks the same way before and after the fresh tier is flushed to LanceDB', async () => {
    const store = await newStore();
    await store.upsert(ARTICLES);
    const before = (await store.search('card refund after return')).map((h) => h.entry.id);
    await store.flush();
    const after = (await store.search('card refund after return')).map((h) => h.entry.id);
    expect(before[0]).toBe('kb-refund');
    expect(after[0]).toBe('kb-refund');
  });

  it('replaces an entry with the same id instead of adding a twin', async () => {
    const store = await newStore();
    await store.upsert(ARTICLES);
    await store.flush();
    await store.upsert([stored({ id: 'kb-pin', title: 'Unblock a PIN', body: 'Call the card line to unblock a PIN.' })]);
    expect((await store.get('kb-pin'))?.body).toBe('Call the card line to unblock a PIN.');
    const hits = await store.search('PIN blocked unblock');
    expect(hits.filter((h) => h.entry.id === 'kb-pin')).toHaveLength(1);
    await store.flush();
    expect(await store.count()).toBe(ARTICLES.length);
    expect((await store.search('PIN blocked unblock')).filter((h) => h.entry.id === 'kb-pin')).toHaveLength(1);
  });

  it('keeps proposed and retired entries out of search unless asked', async () => {
    const store = await newStore();
    await store.upsert([
      stored({ id: 'p', status: 'proposed', title: 'Proposed answer about chargebacks', body: 'chargeback steps' }),
      stored({ id: 'r', status: 'retired', title: 'Retired answer about chargebacks', body: 'old chargeback steps' }),
    ]);
    expect(await store.search('chargeback')).toEqual([]);
    const all = await store.search('chargeback', { statuses: ['proposed', 'retired'] });
    expect(all.map((h) => h.entry.id).sort()).toEqual(['p', 'r']);
  });

  it('keeps everything, including unknown fields and provenance, across a restart', async () => {
    const dir = await tempFolder('vigil-store-');
    const first = await newStore(dir);
    const custom = stored({ id: 'kb-x', body: 'Restart the sync agent.', 'x-owner': 'netops', provenance: { sourceTicketIds: ['T-9'], createdAt: '2026-02-02T00:00:00Z' } });
    await first.upsert([...ARTICLES, custom]);
    await first.close();

    const second = await newStore(dir);
    expect(await second.count()).toBe(ARTICLES.length + 1);
    const back = await second.get('kb-x');
    expect(back?.['x-owner']).toBe('netops');
    expect(back?.provenance.sourceTicketIds).toEqual(['T-9']);
    const hit = (await second.search('vpn disconnects on hotel wifi'))[0];
    expect(hit?.entry.id).toBe('kb-vpn-mtu');
    expect(hit?.vectorRank).toBe(0); // the vectors were read back into memory
    expect(hit?.similarity).toBeCloseTo(dot(new HashedEmbedder().embedOne('vpn disconnects on hotel wifi'), new HashedEmbedder().embedOne(matchTextOf(ARTICLES[0]!))), 2);
  });

  it('acknowledges writes while a slow commit runs, and keeps them across a crash-free restart', async () => {
    const dir = await tempFolder('vigil-slow-');
    const store = await newStore(dir);
    await store.upsert(ARTICLES.slice(0, 2));
    const table = (store as unknown as { active: { table: { add: (rows: unknown) => Promise<unknown> } } }).active.table;
    const real = table.add.bind(table);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const committing = new Promise<void>((resolve) => (entered = resolve));
    const spy = vi.spyOn(table, 'add').mockImplementation(async (rows: unknown) => {
      entered();
      await gate; // a commit that takes as long as the test wants
      return real(rows);
    });
    const flushing = store.flush();
    await committing;
    await store.upsert(ARTICLES.slice(2)); // resolves while the commit is still held
    expect((await store.search('getting E4031 when I log in'))[0]?.entry.id).toBe('kb-err-4031');
    release();
    await flushing;
    spy.mockRestore();
    await store.close();
    open.splice(0);
    const again = await newStore(dir);
    expect(await again.count()).toBe(ARTICLES.length);
  });

  it('loses no acknowledged write when the process is killed before a flush', async () => {
    const dir = await tempFolder('vigil-crash-');
    const child = run(process.execPath, ['--import', 'tsx', 'test/fixtures/crashWriter.ts', dir, '25'], { cwd: process.cwd() });
    await expect(child).rejects.toMatchObject({ signal: 'SIGKILL', stdout: 'acknowledged\n' });
    const log = await readFile(join(dir, 'fresh-log.jsonl'), 'utf8');
    expect(log.trim().split('\n')).toHaveLength(25);

    const store = await newStore(dir);
    expect(await store.count()).toBe(25);
    expect((await store.search('crash entry number 7', { limit: 25 })).some((h) => h.entry.id === 'crash-7')).toBe(true);
    expect(await readFile(join(dir, 'fresh-log.jsonl'), 'utf8')).toBe('');
  });

  it('keeps acknowledged entries searchable and reports the problem when a commit to LanceDB fails', async () => {
    const store = await newStore();
    // Failure injection: LanceDB refuses commits, as a full disk would, until the disk is "freed".
    const table = (store as unknown as { active: { table: { add: () => Promise<unknown> } } }).active.table;
    const spy = vi.spyOn(table, 'add').mockRejectedValue(new Error('No space left on device'));
    await store.upsert(ARTICLES);
    await expect(store.flush()).rejects.toThrow('No space left on device');
    const failed = await store.status();
    expect(failed.lastWriteError).toMatch(/No space left on device/);
    expect(failed.pendingWrites).toBe(ARTICLES.length);
    expect((await store.search('PIN blocked after wrong attempts'))[0]?.entry.id).toBe('kb-pin');

    spy.mockRestore();
    await store.flush();
    const healed = await store.status();
    expect(healed).toMatchObject({ entries: ARTICLES.length, pendingWrites: 0, lastWriteError: null });
  });

  it('lets one process at a time write to a data folder, and takes over the lock of a crashed one', async () => {
    const dir = await tempFolder('vigil-lock-');
    const first = await newStore(dir);
    await expect(KnowledgeStore.open(dir, new HashedEmbedder())).rejects.toThrow(
      new RegExp(`in use by another Vigil process \\(pid ${process.pid} `),
    );
    await first.close();
    const second = await newStore(dir);
    await second.close();

    const { writeFile } = await import('node:fs/promises');
    const { hostname } = await import('node:os');
    // A lock left by a process that no longer exists (pid far above any live one).
    await writeFile(join(dir, 'writer.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const third = await newStore(dir);
    expect(await third.count()).toBe(0);
  });

  it('builds its indexes with the first commit and folds later entries into them on request', async () => {
    const store = await newStore();
    expect((await store.status()).indexed).toBe(false);
    await store.upsert(ARTICLES.slice(0, 3));
    await store.flush();
    expect(await store.status()).toMatchObject({ indexed: true, unindexedRows: 0 });
    await store.upsert(ARTICLES.slice(3));
    await store.flush();
    expect((await store.status()).unindexedRows).toBe(2); // still found, by a scan
    expect((await store.search('getting E4031 when I log in'))[0]?.entry.id).toBe('kb-err-4031');
    await store.refreshIndexes();
    expect((await store.status()).unindexedRows).toBe(0);
    expect((await store.search('getting E4031 when I log in'))[0]?.entry.id).toBe('kb-err-4031');
  });

  it('refuses writes after close with a clear message', async () => {
    const store = await KnowledgeStore.open(await tempFolder('vigil-store-'), new HashedEmbedder());
    await store.close();
    await expect(store.upsert(ARTICLES)).rejects.toThrow(/closed/);
  });

  it('explains a damaged data-folder description instead of overwriting it', async () => {
    const dir = await tempFolder('vigil-meta-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'meta.json'), '{"format": 9}');
    await expect(KnowledgeStore.open(dir, new HashedEmbedder())).rejects.toThrow(/meta\.json.*backup/);
  });
});
