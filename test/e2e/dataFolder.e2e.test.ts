/**
 * Settings → Team data folder, built, in Debian's Chromium, against the app's real handlers (the main process's
 * checks on real folders) behind the IPC contract: a folder holding other files is refused with its names, an
 * empty one is taken, the choice lands in the user's preferences and Vigil is asked to restart on it. The test's
 * folder stands for the analyst's home, laid out as one (the default data folder under ~/.config, an encrypted
 * ~/Private), and the section writes every folder under it from `~`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import { DATA_FOLDER_CHOICE_FILE } from '../../electron/main/dataFolderChoice';
import { ServiceHost } from '../../electron/main/serviceHost';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

describe.runIf(browserAvailable())('Settings → Team data folder in Chromium', () => {
  let work: string;
  let dataDir: string;
  let documents: string;
  let team: string;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;
  /** What the folder dialog answers next. */
  let picked: string | null = null;
  let restarts = 0;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-datafolder-');
    // Where Vigil keeps the default team's data on Linux (core/formats/dataDir.ts), under the home the test stands for.
    dataDir = join(work, '.config', 'Vigil Desktop', 'teams', 'default');
    documents = join(work, 'Documents');
    team = join(work, 'Private', 'vigil-team');
    await mkdir(documents, { recursive: true });
    await writeFile(join(documents, 'holiday-plan.odt'), 'x');
    await mkdir(team, { recursive: true });
    host = new ServiceHost(() => Workspace.open({ dataDir, delayedReviewEveryMs: 0, llm: null }));
    await host.use(async () => undefined);
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(
      rendererDir,
      await appHandlers(host, {
        work,
        home: work,
        dataDir,
        pickDataFolder: async () => picked,
        restartApp: () => {
          restarts++;
        },
      }),
    );
    page = await openAppPage(browser, bridge.url);
  });

  afterAll(() => closeAppSession({ browser, bridge, host, work }));

  it('refuses a folder of other files, then takes an empty one and restarts on it', async () => {
    await page.getByRole('region', { name: 'Engine status' }).waitFor();
    await page.keyboard.press('Alt+4');
    const section = page.getByRole('region', { name: 'Team data folder' });
    const folder = section.getByRole('group', { name: 'Folder in use' });
    await folder.filter({ hasText: 'Folder: ~/.config/Vigil Desktop/teams/default (the default folder)' }).waitFor();
    expect(await folder.locator('.path').first().getAttribute('title')).toBe(dataDir);

    picked = documents;
    await section.getByRole('button', { name: 'Choose folder…' }).click();
    await folder.getByRole('alert').filter({ hasText: 'already holds other files ("holiday-plan.odt")' }).waitFor();
    expect(restarts).toBe(0);

    picked = team;
    await section.getByRole('button', { name: 'Choose folder…' }).click();
    await section.getByRole('status').filter({ hasText: 'starts again on ~/Private/vigil-team.' }).waitFor();
    expect(await section.getByRole('status').textContent()).toContain('It was empty');
    expect(restarts).toBe(1);
    expect(JSON.parse(await readFile(join(work, DATA_FOLDER_CHOICE_FILE), 'utf8'))).toMatchObject({ dataDir: team });
    expect(await section.getByRole('button', { name: 'Choose folder…' }).isDisabled()).toBe(true);
    await shoot(section, 'data-folder.png');
  });
});
