/** Settings → Team data folder in the main process: choosing, checking and recording the folder, on real folders. */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { chosenFolderProblem, DATA_FOLDER_CHOICE_FILE, inspectDataFolder, readDataFolderChoiceSync, resolveDataFolder, saveDataFolderChoice } from '../../../electron/main/dataFolderChoice';
import { createDataFolderHandlers, fixedDataFolderHandlers } from '../../../electron/main/dataFolderHandlers';
import type { ResolvedDataFolder } from '../../../electron/main/dataFolderChoice';

const event = {} as IpcMainInvokeEvent;
const META = { format: 1, activeTable: 'entries_abc', tables: { entries_abc: { embedderId: 'hashed-384', dimensions: 384, createdAt: '2026-11-01T00:00:00Z' } } };

let root: string;
let userData: string;
let defaultDir: string;

beforeEach(async () => {
  root = await tempFolder('vigil-datafolder-');
  userData = join(root, 'userData');
  defaultDir = join(userData, 'teams', 'default');
  await mkdir(defaultDir, { recursive: true });
});

/** A folder under the test's root holding `files` (name → content; a name ending in / is a folder). */
async function folder(name: string, files: Record<string, string> = {}): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (file.endsWith('/')) await mkdir(join(dir, file), { recursive: true });
    else await writeFile(join(dir, file), content);
  }
  return dir;
}

function handlers(pick: string | null, current: Partial<ResolvedDataFolder> = {}) {
  const restartApp = vi.fn();
  const pickFolder = vi.fn(async () => pick);
  const h = createDataFolderHandlers({
    userDataDir: userData,
    current: { dataDir: defaultDir, source: 'default', defaultDir, warning: null, ...current },
    pickFolder,
    restartApp,
  });
  return { ...h, restartApp, pickFolder };
}

const storedChoice = async (): Promise<unknown> => JSON.parse(await readFile(join(userData, DATA_FOLDER_CHOICE_FILE), 'utf8'));

describe('choosing the team data folder', () => {
  it('initialises an empty folder (readable by its owner only), records the choice in the user’s preferences and restarts on it', async () => {
    const chosen = await folder('encrypted-volume/vigil', {});
    const h = handlers(chosen);
    const result = await h.chooseDataFolder(undefined, event);
    expect(h.pickFolder).toHaveBeenCalledWith(event);
    expect(result).toMatchObject({ found: 'empty', restarting: true, view: { inUse: defaultDir, next: chosen, source: 'default' } });
    expect(result!.message).toContain('It was empty');
    expect(result!.message).toContain(`starts again on ${chosen}`);
    expect(h.restartApp).toHaveBeenCalledOnce();
    expect(await storedChoice()).toMatchObject({ dataDir: chosen });
    if (process.platform !== 'win32') expect((await stat(chosen)).mode & 0o777).toBe(0o700);
    // Nothing about the choice is written into the data folder itself.
    expect(await readdir(chosen)).toEqual([]);
    expect(await h.dataFolderOverview(undefined, event)).toEqual({ inUse: defaultDir, source: 'default', defaultDir, next: chosen, problem: null });
  });

  it('opens an existing Vigil data folder as it is', async () => {
    const chosen = await folder('share/team-a', { 'meta.json': JSON.stringify(META), 'lancedb/': '', 'desk/': '', 'settings.json': '{}' });
    const h = handlers(chosen);
    const result = await h.chooseDataFolder(undefined, event);
    expect(result).toMatchObject({ found: 'existing', restarting: true });
    expect(result!.message).toContain('It holds a Vigil data folder');
    expect((await readdir(chosen)).sort()).toEqual(['desk', 'lancedb', 'meta.json', 'settings.json']);
  });

  it('takes a folder an admin prepared with the team’s settings only', async () => {
    const chosen = await folder('prepared', { 'connectors.json': '{"connectors":[]}', 'settings.json': '{}', 'lost+found/': '' });
    const result = await handlers(chosen).chooseDataFolder(undefined, event);
    expect(result).toMatchObject({ found: 'prepared', restarting: true });
  });

  it('refuses a folder holding other files, naming them, and changes nothing', async () => {
    const chosen = await folder('Documents', { 'taxes-2025.pdf': 'x', 'notes.txt': 'x', 'photos/': '', 'cv.docx': 'x', 'settings.json': '{}' });
    const h = handlers(chosen);
    await expect(h.chooseDataFolder(undefined, event)).rejects.toThrow(
      new RegExp(`^${chosen.replace(/[/\\]/g, '.')} already holds other files \\("[^"]+", "[^"]+", "[^"]+", and 1 more\\) and is not a Vigil data folder\\. Choose an empty folder`),
    );
    expect(h.restartApp).not.toHaveBeenCalled();
    await expect(readFile(join(userData, DATA_FOLDER_CHOICE_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a data folder whose description is damaged, naming the file', async () => {
    const chosen = await folder('damaged', { 'meta.json': '{"format": 1, "activeTable": ' });
    await expect(handlers(chosen).chooseDataFolder(undefined, event)).rejects.toThrow(`${join(chosen, 'meta.json')} is damaged`);
  });

  it('refuses a data folder another running Vigil holds', async () => {
    // The parent process (vitest's) stands for a `vigil` command holding the folder.
    const chosen = await folder('busy', { 'meta.json': JSON.stringify(META), 'writer.lock': JSON.stringify({ pid: process.ppid, host: hostname(), since: '2026-11-22T08:00:00Z' }) });
    const h = handlers(chosen);
    await expect(h.chooseDataFolder(undefined, event)).rejects.toThrow(`The data folder ${chosen} is in use by another Vigil process (pid ${process.ppid}`);
    expect(h.restartApp).not.toHaveBeenCalled();
  });

  it('refuses a folder inside the one in use, and a file', async () => {
    const inside = join(defaultDir, 'spare');
    await mkdir(inside);
    await expect(handlers(inside).chooseDataFolder(undefined, event)).rejects.toThrow(`${inside} is inside the data folder in use (${defaultDir}); one data folder cannot hold another.`);
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    await expect(handlers(file).chooseDataFolder(undefined, event)).rejects.toThrow(`${file} is a file, not a folder.`);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === 0)('refuses a folder it cannot write to', async () => {
    const chosen = await folder('read-only');
    const { chmod } = await import('node:fs/promises');
    await chmod(chosen, 0o500);
    await expect(inspectDataFolder(chosen)).rejects.toThrow(`Vigil cannot write to ${chosen} (EACCES).`);
  });

  it('does nothing when the dialog is cancelled, or the folder in use is chosen again', async () => {
    const cancelled = handlers(null);
    expect(await cancelled.chooseDataFolder(undefined, event)).toBeNull();
    expect(cancelled.restartApp).not.toHaveBeenCalled();
    const same = handlers(defaultDir);
    expect(await same.chooseDataFolder(undefined, event)).toMatchObject({ found: 'in-use', restarting: false });
    expect(same.restartApp).not.toHaveBeenCalled();
    // Reached through a link, it is still the folder in use (whose lock this process holds), not another Vigil's.
    const { symlink } = await import('node:fs/promises');
    const link = join(root, 'link-to-data');
    await writeFile(join(defaultDir, 'writer.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-11-22T08:00:00Z' }));
    await writeFile(join(defaultDir, 'meta.json'), JSON.stringify(META));
    await symlink(defaultDir, link);
    const viaLink = handlers(link);
    expect(await viaLink.chooseDataFolder(undefined, event)).toMatchObject({ found: 'in-use', restarting: false });
    expect(viaLink.restartApp).not.toHaveBeenCalled();
  });

  it('goes back to the default folder, restarting only when another folder is in use', async () => {
    const chosen = await folder('team-b');
    await saveDataFolderChoice(userData, chosen);
    const h = handlers(null, { dataDir: chosen, source: 'chosen' });
    expect(await h.dataFolderOverview(undefined, event)).toMatchObject({ inUse: chosen, source: 'chosen', next: null });
    const result = await h.useDefaultDataFolder(undefined, event);
    expect(result).toMatchObject({ found: 'default', restarting: true, view: { inUse: chosen, next: defaultDir } });
    expect(await storedChoice()).toMatchObject({ dataDir: null });
    expect(h.restartApp).toHaveBeenCalledOnce();

    const onDefault = handlers(null);
    expect(await onDefault.useDefaultDataFolder(undefined, event)).toMatchObject({ found: 'in-use', restarting: false });
    expect(onDefault.restartApp).not.toHaveBeenCalled();
  });

  it('says VIGIL_DATA_DIR decides, and refuses to change the folder while it does', async () => {
    const h = handlers(await folder('elsewhere'), { dataDir: '/srv/vigil', source: 'environment' });
    expect((await h.dataFolderOverview(undefined, event)).problem).toContain('The VIGIL_DATA_DIR environment variable sets this folder');
    await expect(h.chooseDataFolder(undefined, event)).rejects.toThrow('The VIGIL_DATA_DIR environment variable sets the data folder (/srv/vigil)');
    await expect(h.useDefaultDataFolder(undefined, event)).rejects.toThrow('VIGIL_DATA_DIR');
    expect(h.pickFolder).not.toHaveBeenCalled();
  });

  it('shows, in a process with a fixed folder, that folder and refuses to change it', async () => {
    const fixed = fixedDataFolderHandlers('/tmp/test-data');
    expect(await fixed.dataFolderOverview(undefined, event)).toMatchObject({ inUse: '/tmp/test-data', problem: null });
    await expect(fixed.chooseDataFolder(undefined, event)).rejects.toThrow('cannot choose another one');
  });
});

describe('which data folder the app opens', () => {
  it('takes VIGIL_DATA_DIR, then the recorded choice, then the default', async () => {
    expect(resolveDataFolder(userData, { XDG_CONFIG_HOME: root })).toMatchObject({ source: 'default', warning: null });
    const chosen = await folder('team-c');
    await saveDataFolderChoice(userData, chosen);
    expect(resolveDataFolder(userData, {})).toMatchObject({ dataDir: chosen, source: 'chosen' });
    expect(resolveDataFolder(userData, { VIGIL_DATA_DIR: '/srv/override' })).toMatchObject({ dataDir: '/srv/override', source: 'environment' });
  });

  it('falls back to the default with a warning naming the file and field when the choice is damaged', async () => {
    await mkdir(userData, { recursive: true });
    await writeFile(join(userData, DATA_FOLDER_CHOICE_FILE), JSON.stringify({ dataDir: 'relative/path' }));
    expect(readDataFolderChoiceSync(userData)).toEqual({
      dataDir: null,
      warning: `${join(userData, DATA_FOLDER_CHOICE_FILE)}: dataDir: must be an absolute path; Vigil uses the default data folder. Choose the team's folder again in Settings → Team data folder.`,
    });
    await writeFile(join(userData, DATA_FOLDER_CHOICE_FILE), '{"dataDir": "/x"');
    const resolved = resolveDataFolder(userData, {});
    expect(resolved.source).toBe('default');
    expect(resolved.warning).toContain(`${join(userData, DATA_FOLDER_CHOICE_FILE)} is damaged`);
  });

  it('never creates a chosen folder that has gone (a volume not mounted), and says so', async () => {
    const gone = join(root, 'media', 'encrypted', 'vigil');
    const problem = chosenFolderProblem({ dataDir: gone, source: 'chosen', defaultDir, warning: null });
    expect(problem).toContain(`The team data folder ${gone} is not there (a volume not mounted, a share not connected?)`);
    expect(problem).toContain('use the default folder in Settings → Team data folder');
    await expect(stat(gone)).rejects.toThrow(/ENOENT/);
    expect(chosenFolderProblem({ dataDir: gone, source: 'default', defaultDir, warning: null })).toBeNull();
  });
});
