import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { EmbedMode, Embedder } from '../../../core/embed/embedder';
import { CopilotService } from '../../../core/app/copilotService';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { KnowledgeStore, type OpenOptions } from '../../../core/knowledge/knowledgeStore';
import { ARTICLES, stored } from '../../fixtures/storeEntries';

const open: KnowledgeStore[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close().catch(() => undefined);
});

async function openStore(dir: string, embedder: Embedder, options: OpenOptions = {}): Promise<KnowledgeStore> {
  const store = await KnowledgeStore.open(dir, embedder, { resolveEmbedder: (id) => HashedEmbedder.fromId(id), ...options });
  open.push(store);
  return store;
}

/** A folder holding ARTICLES, written with a 256-dimension built-in embedder, then closed. */
async function folderWithOldEmbedder(): Promise<string> {
  const dir = await tempFolder('vigil-reindex-');
  const store = await KnowledgeStore.open(dir, new HashedEmbedder({ dimensions: 256 }));
  await store.upsert(ARTICLES);
  await store.close();
  return dir;
}

/** The built-in embedder, except that embedding documents waits until the test opens the gate. */
class GatedEmbedder implements Embedder {
  readonly inner = new HashedEmbedder({ dimensions: 512 });
  readonly id = this.inner.id;
  readonly dimensions = this.inner.dimensions;
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  started!: () => void;
  readonly waiting = new Promise<void>((resolve) => (this.started = resolve));

  async embed(texts: readonly string[], mode: EmbedMode): Promise<Float32Array[]> {
    if (mode === 'document') {
      this.started();
      await this.gate;
    }
    return this.inner.embed(texts, mode);
  }

  open(): void {
    this.release();
  }
}

async function activeTable(dir: string): Promise<{ activeTable: string; tables: Record<string, { dimensions: number }> }> {
  return JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as { activeTable: string; tables: Record<string, { dimensions: number }> };
}

describe('re-indexing after a change of embedder', () => {
  it('keeps searching the old table while it re-indexes, then switches over atomically', async () => {
    const dir = await folderWithOldEmbedder();
    const before = await activeTable(dir);
    const embedder = new GatedEmbedder();
    const progress: string[] = [];
    const store = await openStore(dir, embedder, { onProgress: (m) => progress.push(m) });
    await embedder.waiting;

    // Meanwhile: the old 256-dimension table answers, by vector and by text, and meta.json still names it.
    const during = await store.status();
    expect(during).toMatchObject({ dimensions: 256, entries: ARTICLES.length, reindex: { state: 'running', total: ARTICLES.length, done: 0 } });
    const hits = await store.search('PIN blocked after wrong attempts');
    expect(hits[0]?.entry.id).toBe('kb-pin');
    expect(hits[0]?.vectorRank).toBe(0);
    expect((await activeTable(dir)).activeTable).toBe(before.activeTable);

    embedder.open();
    expect(await store.waitForReindex()).toMatchObject({ state: 'done', done: ARTICLES.length, total: ARTICLES.length });
    const after = await store.status();
    expect(after).toMatchObject({ dimensions: 512, embedderId: embedder.id, entries: ARTICLES.length, reindex: { state: 'done' } });
    expect((await store.search('PIN blocked after wrong attempts'))[0]?.entry.id).toBe('kb-pin');
    const meta = await activeTable(dir);
    expect(meta.activeTable).not.toBe(before.activeTable);
    expect(Object.values(meta.tables).map((t) => t.dimensions)).toEqual([512]); // never mixed
    expect(progress.at(-1)).toMatch(/5\/5 \(done\)/);

    await store.close();
    open.splice(0);
    const tables = await readdir(join(dir, 'lancedb'));
    expect(tables.filter((t) => t.startsWith('entries_'))).toEqual([`${meta.activeTable}.lance`]); // the old one is dropped
    const reopened = await openStore(dir, new HashedEmbedder({ dimensions: 512 }));
    expect(reopened.reindexProgress()).toBeNull(); // nothing left to do
    expect(await reopened.count()).toBe(ARTICLES.length);
  });

  it('carries writes and removals made during the re-index into the new table', async () => {
    const dir = await folderWithOldEmbedder();
    const embedder = new GatedEmbedder();
    const store = await openStore(dir, embedder);
    await embedder.waiting;

    await store.upsert([stored({ id: 'kb-chargeback', title: 'Dispute a card payment', body: 'Open a chargeback from the card screen.' })]);
    await store.upsert([stored({ id: 'kb-refund', title: 'Refund for a returned item', body: 'Refunds now take 3 working days.' })]);
    await store.remove(['kb-topup']);
    // Searchable at once, before any index build or switch.
    expect((await store.search('how do I dispute a card payment'))[0]?.entry.id).toBe('kb-chargeback');

    embedder.open();
    expect(await store.waitForReindex()).toMatchObject({ state: 'done' });
    expect((await store.status()).dimensions).toBe(512);
    expect(await store.count()).toBe(ARTICLES.length); // +1 chargeback, -1 top-up
    expect(await store.get('kb-topup')).toBeNull();
    expect((await store.get('kb-refund'))?.body).toBe('Refunds now take 3 working days.');
    const hit = (await store.search('how do I dispute a card payment'))[0];
    expect(hit?.entry.id).toBe('kb-chargeback');
    expect(hit?.vectorRank).toBe(0);
    // A write right after the switch lands in the new table too.
    await store.upsert([stored({ id: 'kb-late', title: 'Freeze a lost card', body: 'Freeze it in the app.' })]);
    expect((await store.search('I lost my card, freeze it'))[0]?.entry.id).toBe('kb-late');
  });

  it('stops on cancel, keeps the old table in charge, and starts again on the next open', async () => {
    const dir = await folderWithOldEmbedder();
    const before = await activeTable(dir);
    const embedder = new GatedEmbedder();
    const store = await openStore(dir, embedder);
    await embedder.waiting;
    const cancelling = store.cancelReindex();
    embedder.open();
    expect(await cancelling).toBe(true);
    expect(store.reindexProgress()).toMatchObject({ state: 'cancelled', error: null });
    expect(await store.cancelReindex()).toBe(false);
    expect((await store.status()).dimensions).toBe(256);
    expect((await store.search('card refund after return'))[0]?.entry.id).toBe('kb-refund');
    expect(await activeTable(dir)).toEqual(before);
    await store.close();
    open.splice(0);

    const again = await openStore(dir, new HashedEmbedder({ dimensions: 512 }), { reindex: 'wait' });
    expect(again.reindexProgress()).toMatchObject({ state: 'done', done: ARTICLES.length });
    expect((await again.status()).dimensions).toBe(512);
  });

  it('searches the old table by full text when its embedder is unknown, and still re-indexes', async () => {
    const dir = await folderWithOldEmbedder();
    const embedder = new GatedEmbedder();
    const store = await openStore(dir, embedder, { resolveEmbedder: () => null });
    await embedder.waiting;
    const hits = await store.search('getting E4031 when I log in');
    expect(hits[0]?.entry.id).toBe('kb-err-4031');
    expect(hits[0]?.vectorRank).toBeNull();
    expect((await store.status()).vectorIndex).toBeNull();
    await store.upsert([stored({ id: 'kb-new', title: 'Reset two-factor login', body: 'Use a backup code.' })]);
    expect((await store.search('reset two-factor login'))[0]?.entry.id).toBe('kb-new');

    embedder.open();
    await store.waitForReindex();
    const hit = (await store.search('reset two-factor login'))[0];
    expect(hit?.entry.id).toBe('kb-new');
    expect(hit?.vectorRank).toBe(0);
    expect(hit?.similarity).toBeGreaterThan(0.5);
  });

  it('is visible and cancellable through the service, which resolves the built-in embedder from its id', async () => {
    const dir = await folderWithOldEmbedder();
    const embedder = new GatedEmbedder();
    const service = await CopilotService.open({ dataDir: dir, embedder });
    try {
      await embedder.waiting;
      const status = await service.status();
      expect(status.reindex).toMatchObject({ state: 'running', toEmbedderId: embedder.id, total: ARTICLES.length });
      expect(status.vectorIndex).toMatchObject({ entries: ARTICLES.length }); // the old table, searched by vector
      expect((await service.knowledge.searchKnowledge('PIN blocked after wrong attempts'))[0]?.id).toBe('kb-pin');
      const cancelled = service.cancelReindex();
      embedder.open();
      expect(await cancelled).toBe(true);
      expect((await service.status()).reindex).toMatchObject({ state: 'cancelled' });
    } finally {
      await service.close();
    }
  });
});
