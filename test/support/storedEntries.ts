/** Reading a knowledge store's entries back in a test, once the engine that wrote them is closed. */
import type { Embedder } from '../../core/embed/embedder';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import type { StoredEntry } from '../../core/knowledge/storedEntry';

/** Every entry of the store in `dataDir`, opened with `embedder` (the store's own, or it re-indexes). */
export async function everyStoredEntry(dataDir: string, embedder: Embedder = new HashedEmbedder()): Promise<StoredEntry[]> {
  const store = await KnowledgeStore.open(dataDir, embedder);
  try {
    const all: StoredEntry[] = [];
    for await (const entry of store.entries()) all.push(entry);
    return all;
  } finally {
    await store.close();
  }
}
