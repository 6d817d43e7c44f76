/**
 * The Knowledge screen's entry browser over the team's store and installed packs: search, pages, detail, and edits
 * that go through learning's history first (core/knowledge/entryBrowser.ts).
 */
import { EntryBrowser } from '../knowledge/entryBrowser';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import type { Learning } from '../learn/learning';
import { mergeHits } from '../packs/packLibrary';
import type { PackAdmin } from '../packs/packAdmin';

/** The entry browser of one data folder's store, its learning and its packs. */
export function entryBrowserOf(store: KnowledgeStore, learning: Learning, packs: PackAdmin): EntryBrowser {
  return new EntryBrowser({
    store,
    searchPacks: (text, limit) => packs.library.search(text, { limit }),
    mergeHits,
    versions: (id) => learning.history.versions(id),
    feedbackOf: (id) => learning.feedback.of(id),
    now: learning.clock,
    // History first, as every change in core/learn: a crash after it leaves a version that can be restored.
    recordEdit: async (next, actor, at, before) => {
      await learning.history.record('edited', next, actor, { at, before, note: 'edited in the knowledge browser' });
      await store.upsert([next]);
    },
    retire: (id, actor, note) => learning.desk.retire(id, actor, note),
    approve: (id, actor) => learning.desk.approve(id, actor),
    restore: (id, version, actor) => learning.restoreEntry(id, version, actor),
    reinstate: (id) => learning.reinstate(id),
    onChanged: (ids) => learning.announce(ids),
  });
}
