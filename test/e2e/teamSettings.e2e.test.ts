/**
 * Settings → Team store, built, in Debian's Chromium, against the app's real handlers behind the IPC contract and a
 * real workspace: creating a team store on a shared folder links the workspace (it restarts), the top bar and the
 * section show its state, and leaving takes the folder out again.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { readTeamConfig } from '../../core/team/teamConfig';
import { ServiceHost } from '../../electron/main/serviceHost';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

describe.runIf(browserAvailable())('Settings → Team store in Chromium', () => {
  let work: string;
  let dataDir: string;
  let share: string;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-team-');
    dataDir = join(work, 'data');
    // A team share mounted in the analyst's home (the test's folder stands for it, and Settings writes it from ~).
    share = join(work, 'TeamShare', 'vigil-team');
    await mkdir(share, { recursive: true });
    host = new ServiceHost(() => Workspace.open({ dataDir, embedder: new HashedEmbedder(), delayedReviewEveryMs: 0, llm: null, team: { syncEveryMs: 0 } }));
    await host.use(async () => undefined);
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(rendererDir, await appHandlers(host, { work, dataDir }));
    page = await openAppPage(browser, bridge.url);
  });

  afterAll(() => closeAppSession({ browser, bridge, host, work }));

  it('creates a team store on a shared folder, shows it in sync in Settings and the top bar, then leaves it', async () => {
    await page.getByRole('region', { name: 'Engine status' }).waitFor();
    await page.keyboard.press('Alt+4');
    const section = page.getByRole('region', { name: 'Team store' });
    await section.getByText('This data folder is personal').waitFor();
    await section.getByRole('radio', { name: 'Create a new team store' }).check();
    await section.getByLabel('Store (s3://bucket/prefix or a shared folder)').fill(share);
    await section.getByLabel('Your name (shown on what you teach)').fill('Ana Diaz');
    await section.getByRole('button', { name: 'Create and join' }).click();
    await section.getByText('Created and joined the team store as Ana Diaz.').waitFor();
    expect(await readTeamConfig(dataDir)).toMatchObject({ uri: share, analyst: 'Ana Diaz' });
    expect(await host.use(async (w) => w.team !== null)).toBe(true);

    await section.getByRole('button', { name: 'Sync now' }).click();
    await section.getByRole('status', { name: 'Team store state' }).filter({ hasText: 'In sync' }).waitFor();
    await section.getByText('Store: ~/TeamShare/vigil-team as Ana Diaz').waitFor();
    await page.getByRole('region', { name: 'Engine status' }).getByText('Team: In sync').waitFor();
    await shoot(section, 'team-store.png');

    await section.getByRole('button', { name: 'Leave the team store' }).click();
    await section.getByText('Left the team store ~/TeamShare/vigil-team; this folder’s knowledge stays as it is.').waitFor();
    expect(await readTeamConfig(dataDir)).toBeNull();
  });
});
