/**
 * The Import panel, built, in Debian's Chromium, against the real engine behind the IPC contract (bridgeHost): a
 * folder of articles and a connected Zendesk's help center (a loopback fake following Zendesk Guide's API), their
 * progress pushed to the page as desk events, and every skipped file or draft counted by reason.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskEvent } from '../../core/app/deskTypes';
import { Workspace } from '../../core/app/workspace';
import { MemorySecretStore } from '../../core/secrets/secretStore';
import { ServiceHost } from '../../electron/main/serviceHost';
import { tempFolder } from '../support/tempFolder';
import { serveZendeskGuide, type HelpArticle } from '../support/vendors/helpCenters';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from '../support/vendors/zendesk';
import { appHandlers, closeAppSession, openAppPage } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

/** 1,200 published articles and 3 drafts: more than two of the engine's 500-entry batches, so progress is pushed. */
const ARTICLES: HelpArticle[] = Array.from({ length: 1_203 }, (_, i) => ({
  id: i + 1,
  title: i === 0 ? 'Reset a forgotten password' : `Printer model ${i + 1}: replacing the toner`,
  html: i === 0 ? '<p>Open <b>Sign in</b> and choose <i>Forgot password</i>.</p>' : `<p>Open the front cover of model ${i + 1} and swap the cartridge.</p>`,
  draft: i >= 1_200,
}));

describe.runIf(browserAvailable())('the Import panel in Chromium, on the real engine', () => {
  let work: string;
  let workspace: Workspace;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;
  let zd: FakeZendesk;
  let picked: string | null = null;
  const progress: number[] = [];

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-import-');
    const dataDir = join(work, 'data');
    await mkdir(dataDir, { recursive: true });
    zd = await new FakeZendesk().start();
    serveZendeskGuide(zd.server, ARTICLES);
    await writeFile(
      join(dataDir, 'connectors.json'),
      JSON.stringify({ format: 1, connectors: [{ id: 'zd', kind: 'zendesk', baseUrl: zd.url, email: ZENDESK_EMAIL, token: { secret: 'zd-token' }, enabled: false }] }),
    );
    const secrets = new MemorySecretStore();
    await secrets.set('zd-token', ZENDESK_TOKEN);
    workspace = await Workspace.open({ dataDir, delayedReviewEveryMs: 0, llm: null });
    host = new ServiceHost(async () => workspace);
    // The app routes import progress to its windows as desk events; so does this bridge.
    const pushed = new Set<(event: DeskEvent) => void>();
    const handlers = await appHandlers(host, {
      work,
      dataDir,
      connectors: { secrets, pickConnectorFolder: async () => null },
      pickImportPath: async () => picked,
      onImportProgress: (p) => {
        progress.push(p.imported);
        for (const listener of pushed) listener({ type: 'import-progress', source: p.source, imported: p.imported });
      },
    });
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(rendererDir, handlers, (listener) => {
      pushed.add(listener);
      const off = workspace.desk.onEvent(listener);
      return () => {
        pushed.delete(listener);
        off();
      };
    });
    page = await openAppPage(browser, bridge.url, { width: 1100, height: 800 });
  }, 120_000);

  afterAll(async () => {
    await closeAppSession({ browser, bridge, host, work });
    await zd?.close();
  });

  it('imports a folder of articles, one entry per file, and counts the file that is not an article', async () => {
    picked = join(work, 'team-articles');
    await mkdir(join(picked, 'network'), { recursive: true });
    await writeFile(join(picked, 'vpn.md'), '# VPN drops every few minutes\n\nLower the MTU to 1400 in the VPN client.\n');
    await writeFile(join(picked, 'network', 'wifi.html'), '<h1>Guest Wi-Fi</h1><p>The guest password is at the front desk.</p>');
    await writeFile(join(picked, 'diagram.png'), 'PNG');
    await page.getByRole('button', { name: 'Import knowledge: entries, a spreadsheet export, articles or a help center' }).click();
    const panel = page.getByRole('region', { name: 'Import knowledge' });
    await panel.getByRole('button', { name: 'Choose a folder of articles…' }).click();
    const report = panel.getByRole('status', { name: 'Import report' });
    await report.waitFor();
    expect(await report.textContent()).toContain('Imported 2 entries from team-articles. 1 skipped:');
    expect(await report.getByRole('list', { name: 'Skipped, by reason' }).textContent()).toBe('1 × not a Markdown, HTML or text article');
    expect(await report.getByRole('list', { name: 'First skipped' }).textContent()).toBe('diagram.png: not a Markdown, HTML or text article (.md, .html, .txt)');
    await expect.poll(() => page.getByRole('region', { name: 'Engine status' }).textContent()).toContain('2 knowledge entries');
  });

  it('imports a connected Zendesk’s published articles, read-only, with progress pushed as they are stored and the drafts counted', async () => {
    progress.splice(0);
    const panel = page.getByRole('region', { name: 'Import knowledge' });
    await panel.getByRole('button', { name: 'Import more…' }).click();
    const centers = panel.getByRole('group', { name: 'Help centers' });
    expect(await centers.textContent()).toContain(zd.url);
    await centers.getByRole('button', { name: 'Import Zendesk Guide (zd)' }).click();
    const report = panel.getByRole('status', { name: 'Import report' });
    await report.waitFor();
    expect(await report.textContent()).toContain('Imported 1,200 entries from Zendesk Guide (zd). 3 skipped:');
    expect(await report.getByRole('list', { name: 'Skipped, by reason' }).textContent()).toBe('3 × draft: a draft, not published');
    expect(await report.getByRole('list', { name: 'First skipped' }).textContent()).toContain(`${zd.url}/hc/en-us/articles/1201, draft: a draft, not published`);
    expect(progress).toEqual([500, 1000, 1200]);
    expect(zd.server.requests.every((r) => r.method === 'GET')).toBe(true);
    await expect.poll(() => page.getByRole('region', { name: 'Engine status' }).textContent()).toContain('1,202 knowledge entries');

    await page.getByLabel('Search approved knowledge').fill('forgot my password');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    expect((await results.getByRole('heading').allTextContents())[0]).toBe('Reset a forgotten password');
  });
});
