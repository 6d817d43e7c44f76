/**
 * The real renderer, built, in Debian's Chromium, against the real engine behind the IPC contract (bridgeHost).
 * Screenshots of the screens go to `test-results/screenshots/` (`npm run screenshots` refreshes docs/screenshots).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import { ServiceHost } from '../../electron/main/serviceHost';
import type { Ticket } from '../../core/formats/schemas';
import { MemorySecretStore } from '../../core/secrets/secretStore';
import { ARTICLES } from '../fixtures/storeEntries';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

const HOSTILE_BODY = 'Reset the router. <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe.runIf(browserAvailable())('the desktop UI in Chromium, on the real engine', () => {
  let work: string;
  let service: Workspace;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;
  let pickedFile: string | null = null;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-');
    const seed = join(work, 'seed.jsonl');
    const articles = ARTICLES.map(({ id, kind, title, body }) => ({ id, kind, title, body }));
    await writeFile(seed, articles.map((e) => JSON.stringify(e)).join('\n') + '\n');
    service = await Workspace.open({ dataDir: join(work, 'data') });
    await service.service.importEntries(seed);
    host = new ServiceHost(async () => service);
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(rendererDir, await appHandlers(host, { work, dataDir: join(work, 'data'), pickImportPath: async () => pickedFile }), (listener) =>
      service.desk.onEvent(listener),
    );
    page = await openAppPage(browser, bridge.url, { width: 1100, height: 760 });
  });

  afterAll(() => closeAppSession({ browser, bridge, host, work }));

  it('shows what the engine holds in the header', async () => {
    const status = page.getByRole('region', { name: 'Engine status' });
    await expect.poll(() => status.textContent()).toContain('5 knowledge entries');
    expect(await status.textContent()).toContain('Answers from your knowledge');
  });

  it('searches the knowledge and shows the best precedent first', async () => {
    await page.getByRole('tab', { name: 'Knowledge' }).click();
    await page.getByLabel('Search approved knowledge').fill('VPN keeps disconnecting on the hotel wifi');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    await results.waitFor();
    const headings = await results.getByRole('heading').allTextContents();
    expect(headings[0]).toBe('VPN drops on networks with small MTU');
    await shoot(page, 'knowledge-search.png');
  });

  it('refuses a malformed request with the same words as the Electron main process', async () => {
    // The page's own `window.vigil`, reached through a string so this Node-typed file needs no DOM types.
    const message = await page.evaluate(
      "window.vigil.searchKnowledge({ query: '   ' }).then(() => 'accepted', (error) => error.message)",
    );
    expect(message).toContain('vigil:searchKnowledge received a malformed request: query: the search query is empty');
  });

  it('imports a spreadsheet export: the analyst maps its columns, a missing answer column is named, the bad line is counted and named', async () => {
    pickedFile = join(work, 'faq.csv');
    await writeFile(pickedFile, 'Question,Response text,Labels\n"Two-factor codes not arriving?","Resync the phone clock, then ask for a new code.",2fa\nA row without an answer,,x\n');
    await page.getByRole('button', { name: 'Import knowledge: entries, a spreadsheet export, articles or a help center' }).click();
    const panel = page.getByRole('region', { name: 'Import knowledge' });
    await panel.getByRole('button', { name: 'Choose a file…' }).click();
    const form = panel.getByRole('form', { name: 'Columns of faq.csv' });
    await form.waitFor();
    expect(await form.getByLabel('Question').inputValue()).toBe('Question');
    expect(await form.getByLabel('Tags').inputValue()).toBe('Labels');

    // No column is named like an answer: importing now is refused, naming the field and the file's columns.
    await form.getByRole('button', { name: 'Import faq.csv' }).click();
    await expect.poll(() => panel.getByRole('alert').textContent()).toContain('Choose the column that holds the answer (body): faq.csv has no column named "body"');

    await form.getByLabel('Answer (body, needed)').selectOption('Response text');
    await shoot(panel, 'import-mapping.png');
    await form.getByRole('button', { name: 'Import faq.csv' }).click();
    const report = panel.getByRole('status', { name: 'Import report' });
    await report.waitFor();
    expect(await report.textContent()).toContain('Imported 1 entry from faq.csv. 1 skipped:');
    expect(await report.getByRole('list', { name: 'Skipped, by reason' }).textContent()).toBe('1 × body: must not be empty');
    expect(await report.getByRole('list', { name: 'First skipped' }).textContent()).toBe('faq.csv line 3, body: must not be empty');
    await expect.poll(() => page.getByRole('region', { name: 'Engine status' }).textContent()).toContain('6 knowledge entries');
    await shoot(page, 'import-report.png');
    expect(bridge.calls.filter((c) => c.method === 'importKnowledge')).toEqual([
      { method: 'importKnowledge', ok: false },
      { method: 'importKnowledge', ok: true },
    ]);
    await panel.getByRole('button', { name: 'Done' }).click();
  });

  it('a ticket file lands in a watched folder: toast, cited precedent, like, close, review, approve, and the next ticket gets it', async () => {
    await page.getByRole('tab', { name: 'Desk' }).click();
    const queue = page.getByRole('navigation', { name: 'Ticket queue' });
    await expect.poll(() => queue.textContent()).toContain('No watched tickets yet');

    // The real path: a folder connector watched by the workspace's watcher, as configured in connectors.json.
    const inbox = join(work, 'data', 'tickets');
    await mkdir(inbox, { recursive: true });
    await writeFile(join(work, 'data', 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: 'tickets' }] }));
    expect(await service.connectors.startWatching({ secrets: new MemorySecretStore() })).toEqual(['demo']);
    const ticket: Ticket = {
      id: 'T-200',
      subject: 'VPN keeps dropping at the hotel',
      status: 'open',
      messages: [{ id: 'm1', author: 'customer', text: 'My VPN disconnects every few minutes on the hotel wifi. What can I do?' }],
    };
    await writeFile(join(inbox, 'T-200.json'), JSON.stringify(ticket));

    const toast = page.getByRole('region', { name: 'New suggestions' }).getByRole('status');
    await toast.waitFor();
    expect(await toast.textContent()).toContain('VPN keeps dropping at the hotel');
    // The toast covers nothing: the page's content ends left of it.
    const toastBox = (await toast.boundingBox())!;
    for (const region of [page.locator('.app-header'), page.locator('main')]) {
      const box = (await region.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(toastBox.x);
    }
    expect(await queue.getByLabel('1 suggestion waiting').count()).toBe(1);
    await shoot(page, 'desk-toast.png');

    await toast.getByRole('button', { name: 'Open ticket' }).click();
    const card = page.getByRole('region', { name: 'Suggestions' }).getByRole('article').first();
    await card.waitFor();
    await card.locator('summary').first().click();
    expect(await card.getByRole('list', { name: 'Cited knowledge' }).textContent()).toContain('VPN drops on networks with small MTU');
    await card.getByRole('button', { name: 'Like', exact: true }).click();
    await expect.poll(() => card.getByRole('button', { name: 'Like', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await shoot(page, 'desk-ticket.png');
    const stored = await service.desk.openTicket('demo:T-200');
    expect(stored!.suggestions[0]!.feedback).toEqual(['expanded', 'liked']);

    const closed: Ticket = {
      ...ticket,
      status: 'closed',
      messages: [...ticket.messages, { id: 'm2', author: 'analyst', text: 'Set the VPN client MTU to 1380 and reconnect; hotel networks often use a smaller MTU.' }],
    };
    const learned = new Promise<string[]>((resolve) => {
      const off = service.desk.onEvent((event) => {
        if (event.type === 'knowledge-changed') {
          off();
          resolve(event.entryIds);
        }
      });
    });
    await writeFile(join(inbox, 'T-200.json'), JSON.stringify(closed));
    const entries = await service.service.getEntries(await learned);
    expect([...entries.values()].map((e) => e.status)).toEqual(expect.arrayContaining(['proposed']));

    // The learned Q&A waits in the review queue; the analyst approves it with one key press.
    await page.getByRole('tab', { name: 'Knowledge' }).click();
    const review = page.getByRole('list', { name: 'Entries to review' });
    const proposed = review.getByRole('article').filter({ hasText: 'Set the VPN client MTU to 1380' });
    await proposed.waitFor();
    await shoot(page, 'review-queue.png');
    // What learning proposed from this ticket (the case, and a Q&A unless it merged into knowledge it repeats).
    const waiting = (await service.learning.reviewQueue()).filter((item) => item.sourceTicketIds.includes('demo:T-200'));
    expect(waiting.length).toBeGreaterThan(0);
    const reviewedId = waiting[0]!.id;
    // Named by its heading: the ticket's subject, the first line of the learned question.
    const heading = (waiting[0]!.question ?? waiting[0]!.title ?? reviewedId).split('\n')[0]!;
    await review.getByRole('article', { name: heading, exact: true }).focus();
    await page.keyboard.press('a');
    await expect.poll(async () => (await service.service.getEntries([reviewedId])).get(reviewedId)?.status).toBe('approved');
    await expect.poll(async () => (await service.learning.reviewQueue()).some((item) => item.id === reviewedId)).toBe(false);

    // A similar ticket now gets the approved answer, citing the ticket it was learned from.
    const similar: Ticket = {
      id: 'T-201',
      subject: 'VPN drops on hotel wifi',
      status: 'open',
      messages: [{ id: 'm1', author: 'customer', text: 'The VPN keeps disconnecting every few minutes on the hotel wifi.' }],
    };
    await page.getByRole('tab', { name: 'Desk' }).click();
    await writeFile(join(inbox, 'T-201.json'), JSON.stringify(similar));
    await expect.poll(async () => (await service.desk.openTicket('demo:T-201'))?.suggestions.length ?? 0, { timeout: 30_000 }).toBe(1);
    const suggestion = (await service.desk.openTicket('demo:T-201'))!.suggestions[0]!;
    expect(suggestion.citations.map((c) => c.sourceTicketId)).toContain('demo:T-200');
    await page.getByRole('navigation', { name: 'Ticket queue' }).getByRole('button', { name: /VPN drops on hotel wifi/ }).click();
    await page.getByRole('region', { name: 'Suggestions' }).getByRole('article').first().waitFor();
    await shoot(page, 'desk-learned.png');
  });

  // Last, so no screenshot shows the attack: an entry whose text is markup and script.
  it('shows hostile entry text as text: no markup, no script runs', async () => {
    const hostile = join(work, 'hostile.jsonl');
    await writeFile(hostile, `${JSON.stringify({ id: 'kb-router', kind: 'article', title: 'Router keeps rebooting', body: HOSTILE_BODY })}\n`);
    await service.service.importEntries(hostile);
    await page.getByRole('tab', { name: 'Knowledge' }).click();
    await page.getByLabel('Search approved knowledge').fill('router reboot');
    await page.getByRole('button', { name: 'Search' }).click();
    const entry = page.getByRole('article', { name: 'Router keeps rebooting' });
    await entry.waitFor();
    expect(await entry.textContent()).toContain('<img src=x onerror=');
    expect(await entry.locator('img, script').count()).toBe(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    // The screenshot check itself can fail: with the payload on screen, no screenshot is taken.
    await expect(shoot(page, 'hostile-entry.png')).rejects.toThrow(/would show test fixtures: <script, onerror=/);
  });
});
