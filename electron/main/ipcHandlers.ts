/**
 * What each IPC method does in the main process: a thin hop to the engine, plus the native file dialog the
 * renderer is not allowed to open itself. No business logic lives here.
 */
import { BrowserWindow, dialog, type IpcMainInvokeEvent, type OpenDialogOptions } from 'electron';
import type { IpcHandlers } from './ipcRouter';
import type { ServiceHost } from './serviceHost';

/** Asks the analyst for the file to import; `null` when they cancel. */
export type EntriesFilePicker = (event: IpcMainInvokeEvent) => Promise<string | null>;

/** The handlers of every contract method, backed by the engine in `host`. */
export function createCopilotHandlers(host: ServiceHost, pickEntriesFile: EntriesFilePicker = showEntriesFileDialog): IpcHandlers {
  return {
    status: () => host.use((service) => service.status()),
    searchKnowledge: ({ query, limit }) => host.use((service) => service.searchKnowledge(query, limit)),
    importEntries: async (_request, event) => {
      // The path comes from the dialog, never from the renderer, so a page cannot make Vigil read any file.
      const file = await pickEntriesFile(event);
      if (file === null) return null;
      return host.use((service) => service.importEntries(file));
    },
  };
}

const ENTRIES_DIALOG: OpenDialogOptions = {
  title: 'Import knowledge entries',
  buttonLabel: 'Import',
  properties: ['openFile'],
  filters: [{ name: 'Knowledge entries (JSON Lines)', extensions: ['jsonl'] }],
};

/** Shows the open-file dialog for `.jsonl` entries, attached to the window that asked. */
export async function showEntriesFileDialog(event: IpcMainInvokeEvent): Promise<string | null> {
  const owner = BrowserWindow.fromWebContents(event.sender);
  const result = owner ? await dialog.showOpenDialog(owner, ENTRIES_DIALOG) : await dialog.showOpenDialog(ENTRIES_DIALOG);
  if (result.canceled) return null;
  return result.filePaths[0] ?? null;
}
