/**
 * Settings → Team data folder: shows the folder in use and lets the analyst choose another (one on an encrypted
 * volume or a share their admin provides) or go back to the default.
 *
 * The folder is picked in the main process's native dialog, never typed by the page, and checked
 * (dataFolderChoice.ts) before it is recorded. Then Vigil restarts on it rather than switching in place: the data
 * folder is fixed for the life of the process in the keychain-backed secret store, the connector, settings and
 * privacy handlers and the renderer's state, and a restart is the one way to be sure nothing of the old folder is
 * left in any of them. The restart is the ordinary quit (index.ts drains the calls in flight and closes the
 * workspace, which commits its writes and releases the folder's lock) followed by a new start.
 * Like settingsHandlers.ts, no Electron runtime import: the dialog and the restart are injected.
 */
import type { IpcMainInvokeEvent } from 'electron';
import type { DataFolderChoiceView, DataFolderSwitchResult } from '../ipc/contract';
import {
  chosenFolderProblem,
  inspectDataFolder,
  prepareDataFolder,
  readDataFolderChoiceSync,
  saveDataFolderChoice,
  type FolderKind,
  type ResolvedDataFolder,
} from './dataFolderChoice';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';

/** The contract methods this file answers. */
export type DataFolderMethod = keyof ReturnType<typeof createDataFolderHandlers>;

/** Asks for a folder; null when the analyst cancels. */
export type DataFolderPicker = (event: IpcMainInvokeEvent) => Promise<string | null>;

export interface DataFolderDependencies {
  /** The per-user application folder, where the choice is kept. */
  userDataDir: string;
  /** The folder this run opened, and how (index.ts resolves it at start). */
  current: ResolvedDataFolder;
  /** The native folder dialog (scripted in tests). */
  pickFolder: DataFolderPicker;
  /**
   * Quits cleanly and starts Vigil again on the recorded folder. Called after the choice is saved; the app defers
   * the quit so the answer reaches the page first.
   */
  restartApp: () => void;
}

const FOUND_WORDS: Record<FolderKind, string> = {
  existing: 'It holds a Vigil data folder, which Vigil opens as it is.',
  prepared: 'It holds the team’s settings prepared by your admin; Vigil creates the knowledge store beside them.',
  empty: 'It was empty: Vigil made it readable by you only and creates the team’s knowledge store in it.',
};

/** The real path of `dir` (links resolved), or its absolute path when it does not exist. */
async function canonical(dir: string): Promise<string> {
  return realpath(dir).catch(() => resolve(dir));
}

/** The handlers of the Team data folder section. */
export function createDataFolderHandlers(deps: DataFolderDependencies) {
  const { current } = deps;
  /** Refuses a change while `VIGIL_DATA_DIR` decides, since the app's choice would be ignored. */
  const assertChangeable = (): void => {
    if (current.source === 'environment') {
      throw new Error(
        `The VIGIL_DATA_DIR environment variable sets the data folder (${current.dataDir}), so a folder chosen here would not be used. Start Vigil without it to choose the folder here.`,
      );
    }
  };
  const overview = (): DataFolderChoiceView => {
    const stored = readDataFolderChoiceSync(deps.userDataDir);
    const next = current.source === 'environment' ? current.dataDir : (stored.dataDir ?? current.defaultDir);
    const problems = [current.warning, stored.warning, chosenFolderProblem(current)].filter((p): p is string => p !== null);
    if (current.source === 'environment') problems.push(`The VIGIL_DATA_DIR environment variable sets this folder; start Vigil without it to choose the folder here.`);
    return {
      inUse: current.dataDir,
      source: current.source,
      defaultDir: current.defaultDir,
      next: resolve(next) === resolve(current.dataDir) ? null : next,
      problem: problems.length > 0 ? [...new Set(problems)].join(' ') : null,
    };
  };
  /** Records `dataDir` (null: the default) and restarts on it, unless it is already the folder in use. */
  const switchTo = async (dataDir: string | null, found: DataFolderSwitchResult['found'], warning: string | null): Promise<DataFolderSwitchResult> => {
    const target = dataDir ?? current.defaultDir;
    await saveDataFolderChoice(deps.userDataDir, dataDir);
    if (resolve(target) === resolve(current.dataDir) && chosenFolderProblem(current) === null) {
      return { view: overview(), found: 'in-use', restarting: false, message: `${target} is already the team’s data folder.` };
    }
    deps.restartApp();
    const what = found === 'default' ? 'Vigil goes back to the default data folder.' : FOUND_WORDS[found as FolderKind];
    return {
      view: overview(),
      found,
      restarting: true,
      message: `${what} Vigil now closes the current folder (saving everything) and starts again on ${target}.${warning ? ` ${warning}` : ''}`,
    };
  };
  return ipcHandlerGroup({
    dataFolderOverview: async () => overview(),
    chooseDataFolder: async (_request, event) => {
      assertChangeable();
      const picked = await deps.pickFolder(event);
      if (picked === null) return null;
      // Compared by their real paths: the folder in use reached through a link is still the folder in use (whose
      // lock this process holds), not a folder "in use by another Vigil".
      const folder = await canonical(picked);
      const inUse = await canonical(current.dataDir);
      const defaultDir = await canonical(current.defaultDir);
      const isDefault = folder === defaultDir;
      if (folder === inUse && chosenFolderProblem(current) === null) return switchTo(isDefault ? null : folder, 'in-use', null);
      const kind = await inspectDataFolder(folder, chosenFolderProblem(current) === null ? inUse : null);
      const warning = await prepareDataFolder(folder, kind);
      // Choosing the default folder by hand is the same as "Use the default folder".
      return switchTo(isDefault ? null : folder, kind, warning);
    },
    useDefaultDataFolder: async () => {
      assertChangeable();
      return switchTo(null, 'default', null);
    },
  });
}

/**
 * The section's handlers for a process whose data folder is fixed by its caller (tests, tools that serve the
 * handlers without the app's preferences): it shows the folder and refuses to change it, saying why.
 */
export function fixedDataFolderHandlers(dataDir: string) {
  const refuse = (): Promise<never> =>
    Promise.reject(new Error(`This Vigil was started on the data folder ${dataDir} by its caller and cannot choose another one. Start the desktop app to choose the team's folder.`));
  return ipcHandlerGroup({
    dataFolderOverview: async () => ({ inUse: dataDir, source: 'default', defaultDir: dataDir, next: null, problem: null }),
    chooseDataFolder: refuse,
    useDefaultDataFolder: refuse,
  });
}
