// @vitest-environment happy-dom
/** Settings → Team data folder: the folder in use, choosing another in the main process's dialog, going back. */
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { DataFolderSwitchResult } from '../../renderer/src/api/contractTypes';
import { fakeVigilApi, sampleDataFolder } from './fakeVigilApi';
import { button, byName, click, mountApp, section } from './mountApp';

async function openDataFolder(api = fakeVigilApi()) {
  const mounted = await mountApp(api, { view: 'settings' });
  await act(async () => undefined);
  return { ...mounted, data: section(mounted.container, 'Team data folder') };
}

const CHOSEN = '/media/ana/encrypted/vigil-team';

describe('Settings → Team data folder', () => {
  it('shows the folder in use and that it is the default; there is nothing to go back to', async () => {
    const { data, api } = await openDataFolder();
    expect(api.dataFolderOverview).toHaveBeenCalled();
    expect(byName(data, 'Folder in use').textContent).toContain(`Folder: ${sampleDataFolder.inUse} (the default folder)`);
    expect(button(data, 'Choose folder…').disabled).toBe(false);
    expect(() => button(data, 'Use the default folder')).toThrow('No button');
  });

  it('writes the folders under the analyst’s home from ~, in the section and in what a switch says, the full path on hover', async () => {
    const api = fakeVigilApi();
    api.homeFolder.mockResolvedValue('/home/ana');
    const chosen = '/home/ana/Private/vigil-team';
    api.chooseDataFolder.mockResolvedValueOnce({
      view: { ...sampleDataFolder, next: chosen },
      found: 'empty',
      restarting: true,
      message: `It was empty. Vigil now closes the current folder (saving everything) and starts again on ${chosen}.`,
    });
    const { data } = await openDataFolder(api);
    const folder = byName(data, 'Folder in use');
    expect(folder.textContent).toContain('Folder: ~/.config/Vigil Desktop/teams/default (the default folder)');
    expect(folder.querySelector('.path')?.getAttribute('title')).toBe(sampleDataFolder.inUse);
    expect(folder.textContent).not.toContain('/home/ana');
    await click(button(data, 'Choose folder…'));
    expect(data.querySelector('[role="status"]')?.textContent).toBe('It was empty. Vigil now closes the current folder (saving everything) and starts again on ~/Private/vigil-team.');
  });

  it('asks the main process to choose (sending no path), then says Vigil restarts on the folder', async () => {
    const api = fakeVigilApi();
    const result: DataFolderSwitchResult = {
      view: { ...sampleDataFolder, next: CHOSEN },
      found: 'empty',
      restarting: true,
      message: `It was empty: Vigil made it readable by you only and creates the team’s knowledge store in it. Vigil now closes the current folder (saving everything) and starts again on ${CHOSEN}.`,
    };
    api.chooseDataFolder.mockResolvedValueOnce(result);
    const { data } = await openDataFolder(api);
    await click(button(data, 'Choose folder…'));
    expect(api.chooseDataFolder).toHaveBeenCalledOnce();
    expect(api.chooseDataFolder.mock.calls[0]).toEqual([]);
    expect(data.querySelector('[role="status"]')?.textContent).toBe(result.message);
    // The window is about to close: nothing more can be pressed.
    expect(button(data, 'Choose folder…').disabled).toBe(true);
    expect(button(data, 'Use the default folder').disabled).toBe(true);
  });

  it('shows why a folder was refused, and changes nothing', async () => {
    const api = fakeVigilApi();
    api.chooseDataFolder.mockRejectedValueOnce(
      new Error(
        "Error invoking remote method 'vigil:chooseDataFolder': Error: /home/ana/Documents already holds other files (\"taxes.pdf\") and is not a Vigil data folder. Choose an empty folder, or the folder your admin set up for the team; Vigil never mixes the team’s data with other files.",
      ),
    );
    const { data } = await openDataFolder(api);
    await click(button(data, 'Choose folder…'));
    expect(byName(data, 'Folder in use').querySelector('[role="alert"]')?.textContent).toBe(
      '/home/ana/Documents already holds other files ("taxes.pdf") and is not a Vigil data folder. Choose an empty folder, or the folder your admin set up for the team; Vigil never mixes the team’s data with other files.',
    );
    expect(byName(data, 'Folder in use').textContent).toContain(`Folder: ${sampleDataFolder.inUse} (the default folder)`);
    expect(button(data, 'Choose folder…').disabled).toBe(false);
  });

  it('stays quiet when the dialog is cancelled', async () => {
    const { data, api } = await openDataFolder();
    await click(button(data, 'Choose folder…'));
    expect(api.chooseDataFolder).toHaveBeenCalledOnce();
    expect(data.querySelector('[role="status"]')).toBeNull();
    expect(data.querySelector('[role="alert"]')).toBeNull();
  });

  it('on a chosen folder that has gone, says so and offers the default folder', async () => {
    const api = fakeVigilApi();
    const problem = `The team data folder ${CHOSEN} is not there (a volume not mounted, a share not connected?). Vigil does not create it, so nothing is written to the wrong disk: connect it and restart Vigil, or use the default folder in Settings → Team data folder.`;
    api.dataFolderOverview.mockResolvedValue({ ...sampleDataFolder, inUse: CHOSEN, source: 'chosen', problem });
    api.useDefaultDataFolder.mockResolvedValueOnce({
      view: { ...sampleDataFolder, inUse: CHOSEN, source: 'chosen', next: sampleDataFolder.defaultDir, problem },
      found: 'default',
      restarting: true,
      message: `Vigil goes back to the default data folder. Vigil now closes the current folder (saving everything) and starts again on ${sampleDataFolder.defaultDir}.`,
    });
    const { data } = await openDataFolder(api);
    expect(byName(data, 'Folder in use').textContent).toContain(`Folder: ${CHOSEN} (chosen by you)`);
    expect(byName(data, 'Folder in use').querySelector('[role="alert"]')?.textContent).toBe(problem);
    await click(button(data, 'Use the default folder'));
    expect(api.useDefaultDataFolder).toHaveBeenCalledOnce();
    expect(data.querySelector('[role="status"]')?.textContent).toContain('Vigil goes back to the default data folder.');
  });

  it('under VIGIL_DATA_DIR, shows the folder and that it cannot be changed here', async () => {
    const api = fakeVigilApi();
    api.dataFolderOverview.mockResolvedValue({
      ...sampleDataFolder,
      inUse: '/srv/vigil',
      source: 'environment',
      problem: 'The VIGIL_DATA_DIR environment variable sets this folder; start Vigil without it to choose the folder here.',
    });
    const { data } = await openDataFolder(api);
    expect(byName(data, 'Folder in use').textContent).toContain('Folder: /srv/vigil (set by VIGIL_DATA_DIR)');
    expect(button(data, 'Choose folder…').disabled).toBe(true);
    expect(() => button(data, 'Use the default folder')).toThrow('No button');
  });

  it('still offers the choice when the engine could not open the folder', async () => {
    const api = fakeVigilApi();
    api.status.mockRejectedValue(new Error('Vigil could not open its knowledge store: The data folder /srv/team is in use by another Vigil process.'));
    const { data } = await openDataFolder(api);
    expect(data.textContent).toContain('in use by another Vigil process');
    expect(button(data, 'Choose folder…').disabled).toBe(false);
  });
});
