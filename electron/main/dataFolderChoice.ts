/**
 * Which team data folder the desktop app opens, and whether a folder the analyst picked may become it.
 *
 * The choice is the analyst's own preference, kept in the per-user application folder as `data-folder.json`
 * (beside ui-preferences.json), never in a data folder: a data folder may be shared by an admin or moved, and it
 * must not decide where Vigil looks for it. `VIGIL_DATA_DIR` still wins (tests, portable installs), then the
 * choice, then the default (`core/app/dataDir.ts`, the folder the CLI uses too).
 *
 * A picked folder is accepted when Vigil can write to it and it is an existing Vigil data folder (opened as it
 * is), one an admin prepared (only Vigil's settings files), or empty (initialised: made readable by its owner
 * only, the store created when Vigil opens it). A folder holding anything else is refused: Vigil never mixes a
 * team's tickets with other files, and never adopts a folder it did not make. No Electron import: the handlers'
 * tests run it on real folders.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { writeJsonAtomic } from '../../core/formats/durableFile';
import { errorMessage } from '../../core/formats/errorMessage';
import { DATA_FOLDER_CHOICE_FILE, defaultDataDir, readDataFolderChoiceSync } from '../../core/formats/dataDir';
import { lockDataFolder } from '../../core/knowledge/folderLock';
import { readMeta } from '../../core/knowledge/storeMeta';
import { securePrivateFolder } from '../../core/privacy/dataFolder';
import type { DataFolderChoiceView } from '../ipc/contract';

export { DATA_FOLDER_CHOICE_FILE, readDataFolderChoiceSync, type DataFolderChoice } from '../../core/formats/dataDir';

/** Records the choice (null: the default), replacing the file atomically so a crash leaves the old or the new one. */
export async function saveDataFolderChoice(userDataDir: string, dataDir: string | null, now: Date = new Date()): Promise<void> {
  const file = join(userDataDir, DATA_FOLDER_CHOICE_FILE);
  await writeJsonAtomic(file, { dataDir, chosenAt: now.toISOString() }, { mode: 0o600 });
}

/** The folder this run opens and how it was chosen. */
export interface ResolvedDataFolder {
  dataDir: string;
  source: DataFolderChoiceView['source'];
  defaultDir: string;
  /** Why the stored choice was not usable (then the default is used), or null. */
  warning: string | null;
}

/** `VIGIL_DATA_DIR`, else the analyst's choice, else the default team folder. */
export function resolveDataFolder(userDataDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedDataFolder {
  const defaultDir = defaultDataDir('default', { ...env, VIGIL_DATA_DIR: '' });
  const override = env['VIGIL_DATA_DIR'];
  if (override) return { dataDir: override, source: 'environment', defaultDir, warning: null };
  const choice = readDataFolderChoiceSync(userDataDir);
  if (choice.dataDir) return { dataDir: choice.dataDir, source: 'chosen', defaultDir, warning: null };
  return { dataDir: defaultDir, source: 'default', defaultDir, warning: choice.warning };
}

/**
 * Why a chosen folder cannot be opened now, or null. Vigil never creates a chosen folder that has gone: it may be
 * on a volume that is not mounted, and creating it would put the team's data on the wrong disk, unencrypted.
 */
export function chosenFolderProblem(folder: ResolvedDataFolder): string | null {
  if (folder.source !== 'chosen') return null;
  if (!existsSync(folder.dataDir)) {
    return (
      `The team data folder ${folder.dataDir} is not there (a volume not mounted, a share not connected?). ` +
      'Vigil does not create it, so nothing is written to the wrong disk: connect it and restart Vigil, or use the default folder in Settings → Team data folder.'
    );
  }
  if (!statSync(folder.dataDir).isDirectory()) {
    return `The team data folder ${folder.dataDir} is a file, not a folder. Choose another folder in Settings → Team data folder.`;
  }
  return null;
}

/** What a picked folder holds. */
export type FolderKind = 'existing' | 'prepared' | 'empty';

/** Files and folders Vigil writes at the top of a data folder (core/*: store, desk, learning, audit, packs, watch). */
const VIGIL_ENTRIES = new Set([
  'meta.json',
  'lancedb',
  'desk',
  'learn',
  'audit',
  'assist',
  'watch',
  'feedback',
  'packs',
  'snapshots',
  'fresh-log.jsonl',
  'writer.lock',
  'settings.json',
  'connectors.json',
  'secrets.json',
  'trusted-keys.json',
  'pack-subscriptions.json',
  'pins.json',
]);

/** What an admin may put in a folder before anyone opened it: the team's settings, no data. */
const PREPARED_ENTRIES = new Set(['settings.json', 'connectors.json', 'trusted-keys.json', 'pack-subscriptions.json', 'packs']);

/** What operating systems and file systems put in folders on their own; an otherwise empty folder is still empty. */
const SYSTEM_ENTRIES = new Set(['lost+found', '.DS_Store', '.Trashes', '.Spotlight-V100', '.fseventsd', 'Thumbs.db', 'desktop.ini', '$RECYCLE.BIN', 'System Volume Information']);

function isInside(child: string, parent: string): boolean {
  const path = relative(parent, child);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/**
 * Checks a folder the analyst picked and says what it holds; throws, saying why and what to do, when it cannot be
 * the team's data folder. `inUse` is the folder open now: one data folder is never put inside another.
 */
export async function inspectDataFolder(dir: string, inUse: string | null = null): Promise<FolderKind> {
  if (!isAbsolute(dir)) throw new Error(`"${dir}" is not a full path. Choose the folder in the dialog.`);
  const folder = resolve(dir);
  let info;
  try {
    info = await stat(folder);
  } catch (error) {
    throw new Error(`Vigil cannot open ${folder} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}). Choose a folder that exists and that you can open.`);
  }
  if (!info.isDirectory()) throw new Error(`${folder} is a file, not a folder. Choose a folder.`);
  if (inUse && (isInside(folder, resolve(inUse)) || isInside(resolve(inUse), folder))) {
    throw new Error(`${folder} is ${isInside(folder, resolve(inUse)) ? 'inside' : 'around'} the data folder in use (${inUse}); one data folder cannot hold another. Choose a folder elsewhere.`);
  }
  // Writable: a file created and removed again (an access check alone misses read-only mounts and ACLs).
  const probe = join(folder, `.vigil-write-check-${process.pid}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
    await unlink(probe);
  } catch (error) {
    throw new Error(
      `Vigil cannot write to ${folder} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}). Choose a folder you can write to, or ask your admin for write access.`,
    );
  }
  const entries = (await readdir(folder)).filter((name) => !SYSTEM_ENTRIES.has(name) && !name.startsWith('.Trash-'));
  if (entries.includes('meta.json')) {
    // A damaged description is an error that names the file and says to restore it or choose another folder.
    if (await readMeta(folder)) return 'existing';
  }
  if (entries.length === 0) return 'empty';
  const foreign = entries.filter((name) => !VIGIL_ENTRIES.has(name));
  if (foreign.length > 0) {
    const named = foreign
      .slice(0, 3)
      .map((n) => `"${n}"`)
      .join(', ');
    throw new Error(
      `${folder} already holds other files (${named}${foreign.length > 3 ? `, and ${foreign.length - 3} more` : ''}) and is not a Vigil data folder. ` +
        'Choose an empty folder, or the folder your admin set up for the team; Vigil never mixes the team’s data with other files.',
    );
  }
  return entries.every((name) => PREPARED_ENTRIES.has(name)) ? 'prepared' : 'existing';
}

/**
 * Makes a checked folder ready to be opened at the next start: an existing one must not be held by another Vigil
 * (its writer lock is taken and given back, which also clears one left by a crash); an empty or prepared one is
 * made readable by its owner only, as every data folder is (core/privacy/dataFolder.ts). Returns a warning to
 * show, or null.
 */
export async function prepareDataFolder(dir: string, kind: FolderKind): Promise<string | null> {
  if (kind === 'existing') {
    const lock = await lockDataFolder(dir);
    await lock.release();
  }
  return (await securePrivateFolder(dir)).warning;
}
