/**
 * The knowledge browser, built, in Debian's Chromium, against the real engine behind the IPC contract (bridgeHost):
 * browse the knowledge, open a learned entry, read its provenance and history, edit it by keyboard, and find the
 * edit with the search. The screenshot `knowledge-browser.png` goes to `test-results/screenshots/`
 * (`npm run screenshots` refreshes docs/screenshots).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import { ServiceHost } from '../../electron/main/serviceHost';
import { ARTICLES } from '../fixtures/storeEntries';
import { closedTicket } from '../core/learn/learnTickets';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

const LEARNED_QUESTION = 'The badge reader at the side door rejects my badge every morning';
const EDITED_ANSWER = 'Re-enrol the badge at the security desk; the side door reader lost its sync with the badge server.';

describe.runIf(browserAvailable())('the knowledge browser in Chromium, on the real engine', () => {
  let work: string;
  let workspace: Workspace;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;
  let learnedId: string;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-knowledge-');
    const seed = join(work, 'team-articles.jsonl');
    await writeFile(seed, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    workspace = await Workspace.open({ dataDir: join(work, 'data') });
    await workspace.service.importEntries(seed);
    // A precedent learned from a ticket a connector delivered, approved by a colleague: provenance and history.
    const learned = await workspace.service.learnFromClosedTicket(
      closedTicket('desk:T-300', LEARNED_QUESTION, 'Ask the security desk to re-enrol the badge, then try the side door again.'),
      'review',
    );
    learnedId = learned.entryIds.find((id) => id.startsWith('qa-')) as string;
    expect(learnedId).toBeDefined();
    await workspace.service.learning.approveEntry(learnedId, 'maria');

    host = new ServiceHost(async () => workspace);
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(rendererDir, await appHandlers(host, { work, dataDir: join(work, 'data'), actor: () => 'omar' }), (listener) =>
      workspace.desk.onEvent(listener),
    );
    page = await openAppPage(browser, bridge.url, { width: 1280, height: 900 });
  }, 120_000);

  afterAll(() => closeAppSession({ browser, bridge, host, work }));

  it('lists the knowledge newest first with counts per status, and filters by source', async () => {
    await page.getByRole('tab', { name: 'Knowledge' }).click();
    const list = page.getByRole('list', { name: 'Knowledge entries' });
    await list.getByRole('button').first().waitFor();
    // The learned Q&A and its case changed last; the imported articles follow.
    expect(await list.getByRole('button').first().getAttribute('aria-label')).toBe(LEARNED_QUESTION);
    expect(await list.getByRole('button').count()).toBe(ARTICLES.length + 2);
    expect(await page.getByLabel('Entries per status').textContent()).toBe(`${ARTICLES.length + 1} approved · 1 proposed · 0 retired`);
    await page.getByLabel('Source', { exact: true }).selectOption('imported');
    await expect.poll(() => list.getByRole('button').count()).toBe(ARTICLES.length);
    await page.getByLabel('Source', { exact: true }).selectOption('');
    await expect.poll(() => list.getByRole('button').count()).toBe(ARTICLES.length + 2);
  });

  it('opens a learned entry by keyboard and shows where it came from and its history', async () => {
    const list = page.getByRole('list', { name: 'Knowledge entries' });
    await list.getByRole('button').nth(1).focus();
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    const detail = page.getByRole('region', { name: 'Entry detail' });
    await detail.getByRole('heading', { name: LEARNED_QUESTION }).waitFor();
    expect(await detail.getByLabel('Provenance').textContent()).toContain('Learned from ticket desk:T-300 (connector desk)');
    expect(await detail.getByLabel('Provenance').textContent()).toContain('maria');
    const history = detail.getByRole('list', { name: 'History' });
    expect(await history.textContent()).toMatch(/v2 · approved by maria.*v1 · learned by/);
  });

  it('edits the entry with E and Ctrl+Enter, records the analyst in its history, and the search finds the edit', async () => {
    const detail = page.getByRole('region', { name: 'Entry detail' });
    await page.keyboard.press('e');
    const form = detail.getByRole('form', { name: 'Edit entry' });
    await form.getByLabel('Answer').fill(EDITED_ANSWER);
    await form.getByLabel('Tags, separated by commas').fill('badge, access');
    await form.getByLabel('Answer').press('Control+Enter');
    await expect.poll(() => detail.locator('.entry-body').textContent()).toBe(EDITED_ANSWER);
    expect(await detail.getByRole('list', { name: 'Tags' }).textContent()).toBe('badgeaccess');
    await expect.poll(() => detail.getByRole('list', { name: 'History' }).textContent()).toContain('v3 · edited by omar');
    const stored = await workspace.service.knowledge.entryDetail(learnedId);
    expect(stored?.content).toMatchObject({ body: EDITED_ANSWER, tags: ['badge', 'access'], status: 'approved' });
    await shoot(page, 'knowledge-browser.png');

    // The edit is searchable at once, from the search box above the browser and from its word filter.
    await page.getByLabel('Search approved knowledge').fill('side door badge rejected');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    expect(await results.getByRole('article').first().textContent()).toContain('Re-enrol the badge at the security desk');
    // The proposed case learned from the same ticket asks the same question: approved entries only.
    await page.getByLabel('Status', { exact: true }).selectOption('approved');
    await page.getByLabel('Filter by words').fill('badge reader side door');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Knowledge entries' }).getByRole('button').first().textContent()).toContain('Re-enrol the badge');
  });

  it('follows the dark theme: the panels take the dark surface and text colours', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    // The page's getComputedStyle, reached through globalThis so this Node-typed file needs no DOM types.
    type Styles = { getComputedStyle(element: unknown): { backgroundColor: string; color: string } };
    const colours = (selector: string) =>
      page
        .locator(selector)
        .first()
        .evaluate((el) => {
          const style = (globalThis as unknown as Styles).getComputedStyle(el);
          return `${style.backgroundColor} / ${style.color}`;
        });
    // --surface and --text of the dark theme (styles.css).
    await expect.poll(() => colours('.entry-detail')).toBe('rgb(32, 35, 39) / rgb(230, 231, 233)');
    expect(await colours('.entry-list')).toBe('rgb(32, 35, 39) / rgb(230, 231, 233)');
    if (process.env['VIGIL_DARK_SHOT']) await page.screenshot({ path: process.env['VIGIL_DARK_SHOT'] });
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => colours('.entry-detail')).toBe('rgb(255, 255, 255) / rgb(29, 31, 35)');
  });

  it('retires the entry and approves it again, each reaching the store', async () => {
    const list = page.getByRole('list', { name: 'Knowledge entries' });
    await list.locator(`button[data-entry-id="${learnedId}"]`).click();
    const actions = page.getByRole('region', { name: 'Entry detail' }).getByRole('group', { name: 'Entry actions' });
    await actions.getByRole('button', { name: 'Retire' }).click();
    await expect.poll(async () => (await workspace.service.knowledge.entryDetail(learnedId))?.content.status).toBe('retired');
    await actions.getByRole('button', { name: 'Approve again' }).click();
    await expect.poll(async () => (await workspace.service.knowledge.entryDetail(learnedId))?.content.status).toBe('approved');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('region', { name: 'Entry detail' }).count()).toBe(0);
  });
});
