/**
 * The contract methods of the Import screen: choose a file or folder (the main process's dialog), describe it,
 * import it (a CSV file with the analyst's column mapping), and import a connected helpdesk's help center. Thin
 * hops to the workspace's `imports` (core/app/knowledgeImports.ts) like engineHandlers.ts, with no Electron runtime
 * import: the dialog and the connector secret store come in as dependencies.
 *
 * A chosen path never reaches the page: the page gets an opaque `sourceId` for it, and an import names that id, so
 * a page cannot make Vigil read a file the analyst did not choose.
 */
import { randomBytes } from 'node:crypto';
import type { IpcMainInvokeEvent } from 'electron';
import type { ImportProgressListener } from '../../core/app/knowledgeImports';
import type { SecretStore } from '../../core/secrets/secretStore';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';

/** Asks the analyst for a file or a folder to import; `null` when they cancel. */
export type ImportPathPicker = (event: IpcMainInvokeEvent, what: 'file' | 'folder') => Promise<string | null>;

export interface ImportDependencies {
  /** The open dialog (native in the app, scripted in the browser tests). */
  pickImportPath: ImportPathPicker;
  /** Where connector tokens are kept (the keychain in the app): a help center is read with its connector's token. */
  secrets: SecretStore;
  /** Hears an import's progress (the app pushes it to its windows as `import-progress` desk events). */
  onImportProgress?: ImportProgressListener;
}

/** Chosen sources remembered at once: the one on screen and a few earlier ones (another window, a retry). */
const REMEMBERED_SOURCES = 8;

/** The handlers of the Import screen's methods, backed by the engine in `host`. */
export function createImportHandlers(host: ServiceHost, deps: ImportDependencies) {
  const chosen = new Map<string, string>();
  return ipcHandlerGroup({
    chooseImportSource: async ({ what }, event) => {
      // The path comes from the dialog, never from the renderer.
      const path = await deps.pickImportPath(event, what);
      if (path === null) return null;
      const description = await host.use((w) => w.imports.describe(path));
      const sourceId = `src-${randomBytes(8).toString('hex')}`;
      chosen.set(sourceId, path);
      for (const old of [...chosen.keys()].slice(0, Math.max(0, chosen.size - REMEMBERED_SOURCES))) chosen.delete(old);
      return { ...description, sourceId };
    },
    importKnowledge: async ({ sourceId, mapping }) => {
      const path = chosen.get(sourceId);
      if (path === undefined) throw new Error('That file is no longer chosen (Vigil restarted, or many were chosen since); choose it again.');
      const columns = Object.fromEntries(Object.entries(mapping ?? {}).filter((pair): pair is [string, string] => pair[1] !== undefined));
      return host.use((w) => w.imports.importPath(path, columns, deps.onImportProgress));
    },
    helpCenters: () => host.use((w) => w.imports.helpCenters()),
    importHelpCenter: ({ connectorId }) => host.use((w) => w.imports.importHelpCenter(connectorId, deps.secrets, deps.onImportProgress)),
  });
}
