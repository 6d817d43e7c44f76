/**
 * The desktop app's handlers: the engine handlers (engineHandlers.ts) with the native open-file dialog the
 * renderer is not allowed to open itself.
 */
import { BrowserWindow, dialog, type IpcMainInvokeEvent, type OpenDialogOptions } from 'electron';
import { createEngineHandlers, type EntriesFilePicker, type TicketOpenedListener } from './engineHandlers';
import type { IpcHandlers } from './ipcRouter';
import type { ServiceHost } from './serviceHost';

/** The handlers of every contract method, backed by the engine in `host`. */
export function createCopilotHandlers(
  host: ServiceHost,
  pickEntriesFile: EntriesFilePicker = showEntriesFileDialog,
  onTicketOpened?: TicketOpenedListener,
): IpcHandlers {
  return createEngineHandlers(host, pickEntriesFile, onTicketOpened);
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
