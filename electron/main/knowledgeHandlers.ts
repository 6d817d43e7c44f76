/**
 * The knowledge browser's contract methods (browse, detail, edit, retire, restore): a thin hop to the workspace's `knowledge` (core/knowledge/entryBrowser.ts),
 * with no Electron runtime import, so the browser-test bridge (test/e2e) serves them too.
 */
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';

/** The contract methods of the knowledge browser. */
export type KnowledgeMethod = keyof ReturnType<typeof createKnowledgeHandlers>;

/**
 * The knowledge browser's handlers. `actor` names who made a change in the history: the signed-in user of this
 * machine, never a name the page sends.
 */
export function createKnowledgeHandlers(host: ServiceHost, actor: () => string) {
  return ipcHandlerGroup({
    listEntries: (request) => host.use((w) => w.knowledge.listEntries(request)),
    entryDetail: ({ entryId }) => host.use((w) => w.knowledge.entryDetail(entryId)),
    editEntry: ({ entryId, patch }) => host.use((w) => w.knowledge.reviseEntry(entryId, patch, actor())),
    setEntryStatus: ({ entryId, status, reason }) => host.use((w) => w.knowledge.setEntryStatus(entryId, status, actor(), reason)),
    restoreEntryVersion: ({ entryId, version }) => host.use((w) => w.knowledge.restoreEntryVersion(entryId, version, actor())),
  });
}
