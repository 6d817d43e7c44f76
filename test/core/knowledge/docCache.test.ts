import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { DocCache } from '../../../core/knowledge/docCache';
import { KnowledgeStore } from '../../../core/knowledge/knowledgeStore';
import { ARTICLES, stored } from '../../fixtures/storeEntries';

describe('document cache of search hits', () => {
  it('drops the least recently used document beyond its capacity', () => {
    const cache = new DocCache(2);
    cache.putIfCurrent('a', 'A', cache.epoch);
    cache.putIfCurrent('b', 'B', cache.epoch);
    expect(cache.get('a')).toBe('A'); // a is now the most recently used
    cache.putIfCurrent('c', 'C', cache.epoch);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c')]).toEqual(['A', 'C']);
  });

  it('refuses a document read before a write, which may be the old version', () => {
    const cache = new DocCache(10);
    const before = cache.epoch;
    cache.invalidate('a');
    cache.putIfCurrent('a', 'old A', before);
    expect(cache.get('a')).toBeUndefined();
    cache.putIfCurrent('a', 'new A', cache.epoch);
    expect(cache.get('a')).toBe('new A');
  });

  it('never lets the store answer with the old version of an edited or removed entry', async () => {
    const store = await KnowledgeStore.open(await tempFolder('vigil-doccache-'), new HashedEmbedder());
    try {
      await store.upsert(ARTICLES);
      await store.flush();
      const first = await store.search('PIN blocked unblock');
      expect(first.find((h) => h.entry.id === 'kb-pin')).toBeDefined(); // its document is cached now
      expect((await store.get('kb-pin'))?.body).not.toBe('Call the card line to unblock a PIN.');

      await store.upsert([stored({ id: 'kb-pin', title: 'Unblock a PIN', body: 'Call the card line to unblock a PIN.' })]);
      await store.flush(); // out of the fresh tier: read from the table (or the cache) again
      const edited = (await store.search('PIN blocked unblock')).find((h) => h.entry.id === 'kb-pin');
      expect(edited?.entry.body).toBe('Call the card line to unblock a PIN.');
      expect((await store.get('kb-pin'))?.body).toBe('Call the card line to unblock a PIN.');

      await store.remove(['kb-pin']);
      expect((await store.search('PIN blocked unblock')).find((h) => h.entry.id === 'kb-pin')).toBeUndefined();
      expect(await store.get('kb-pin')).toBeNull();
    } finally {
      await store.close();
    }
  });
});
