/**
 * Settings → Connectors and the reply box, built, in Debian's Chromium, against the real engine behind the IPC
 * contract (bridgeHost): a folder connector is added through the form (its folder from the scripted "dialog"), is
 * watched at once, a ticket file dropped in its folder becomes a ticket with a suggestion, the suggestion is
 * inserted into the reply box, edited, kept across a reload, and posted as an internal note to the folder's outbox.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import type { Ticket } from '../../core/formats/schemas';
import { EgressPolicy } from '../../core/net/egress';
import { MemorySecretStore } from '../../core/secrets/secretStore';
import { ServiceHost } from '../../electron/main/serviceHost';
import { ARTICLES } from '../fixtures/storeEntries';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

describe.runIf(browserAvailable())('connectors and the reply box in Chromium, on the real engine', () => {
  let work: string;
  let dataDir: string;
  let inbox: string;
  let service: Workspace;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-connectors-');
    dataDir = join(work, 'data');
    inbox = join(work, 'inbox');
    await mkdir(inbox, { recursive: true });
    const seed = join(work, 'seed.jsonl');
    await writeFile(seed, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    service = await Workspace.open({ dataDir, delayedReviewEveryMs: 0 });
    await service.service.importEntries(seed);
    const secrets = new MemorySecretStore();
    // As the app starts: watching begins with no connectors.json, on the process's egress policy.
    expect(await service.connectors.startWatching({ secrets, egress: new EgressPolicy() })).toEqual([]);
    host = new ServiceHost(async () => service);
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(rendererDir, await appHandlers(host, { work, dataDir, connectors: { secrets, pickConnectorFolder: async () => inbox } }), (listener) =>
      service.desk.onEvent(listener),
    );
    page = await openAppPage(browser, bridge.url);
  });

  afterAll(() => closeAppSession({ browser, bridge, host, work }));

  it('adds a folder connector through the form, tests it, saves it and sees it healthy', async () => {
    await page.getByRole('region', { name: 'Engine status' }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const section = page.getByRole('region', { name: 'Connectors' });
    await section.getByText('No connectors yet').waitFor();
    await section.getByRole('button', { name: 'Add connector' }).click();
    const form = page.getByRole('form', { name: 'Add a connector' });
    await form.waitFor();
    expect(await form.getByLabel('Kind').inputValue()).toBe('folder');
    await form.getByLabel('Connector id').fill('demo');
    await form.getByRole('button', { name: 'Choose folder…' }).click();
    // Written from ~ (the test's folder stands for the home), the folder chosen in full on hover and in what is saved.
    await expect.poll(() => form.getByLabel('Ticket folder').inputValue()).toBe('~/inbox');
    expect(await form.getByLabel('Ticket folder').getAttribute('title')).toBe(inbox);
    await form.getByLabel('May post notes and replies').check();

    await form.getByRole('button', { name: 'Test connection' }).click();
    await form.getByRole('status').filter({ hasText: 'demo: connection and credentials work' }).waitFor();
    // The section alone: the whole form with the test's answer under it.
    await shoot(section, 'connector-add.png');

    await form.getByRole('button', { name: 'Save connector' }).click();
    await section.getByText('demo was added; Vigil is watching it now.').waitFor();
    const written = JSON.parse(await readFile(join(dataDir, 'connectors.json'), 'utf8')) as unknown;
    expect(written).toEqual({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: inbox, writeBack: true }] });

    // Watched without a restart: the first poll makes it healthy, and the list says so.
    await service.connectors.catchUp('demo');
    await section.getByRole('button', { name: 'Test demo' }).click();
    const item = section.getByRole('list', { name: 'Connectors' }).getByRole('listitem').filter({ hasText: 'demo' });
    await item.getByText(/Up to date/).waitFor();
    expect(await item.textContent()).toContain('demo (folder, may post notes)');
    expect(await item.textContent()).toContain('demo: connection and credentials work.');
  });

  it('turns a dropped ticket file into a suggestion, inserts it into the reply box, keeps the edit, and posts it', async () => {
    const ticket: Ticket = {
      id: 'T-300',
      subject: 'VPN keeps dropping at the hotel',
      status: 'open',
      requester: 'Dana Smith',
      messages: [{ id: 'm1', author: 'customer', text: 'My VPN disconnects every few minutes on the hotel wifi. What can I do?' }],
    };
    await writeFile(join(inbox, 'T-300.json'), JSON.stringify(ticket));
    await page.getByRole('tab', { name: 'Desk' }).click();
    const queue = page.getByRole('navigation', { name: 'Ticket queue' });
    await queue.getByRole('button', { name: /VPN keeps dropping at the hotel/ }).click();
    const card = page.getByRole('region', { name: 'Suggestions' }).getByRole('article').first();
    await card.waitFor();
    const suggestionText = (await card.locator('.suggestion-text').textContent())!;

    // Key I on the focused card puts the suggestion at the cursor of the reply box, and moves the focus there.
    // I works once the ticket's reply box has loaded (its Insert button shows then); pressing earlier does nothing.
    await card.getByRole('button', { name: 'Insert', exact: true }).waitFor();
    await card.focus();
    await page.keyboard.press('i');
    const box = page.getByLabel('Reply text');
    await expect.poll(() => box.inputValue()).toContain(suggestionText);
    expect(await box.inputValue()).toContain('References:\n[1] ');
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id')).toBe('reply-text');
    // The analyst edits: a greeting before, a sign-off after.
    await box.press('Control+Home');
    await box.pressSequentially('Hello Dana,\n\n');
    await box.press('Control+End');
    await box.pressSequentially('\n\nBest regards, Ana');
    const edited = await box.inputValue();
    expect(edited.startsWith(`Hello Dana,\n\n${suggestionText}`)).toBe(true);
    expect(edited.endsWith('Best regards, Ana')).toBe(true);

    // The draft is in the data folder: a reload of the window (as after a restart) brings it back.
    await expect
      .poll(async () => (JSON.parse(await readFile(join(dataDir, 'desk', 'drafts.json'), 'utf8').catch(() => '{"drafts":[]}')) as { drafts: Array<{ text: string }> }).drafts[0]?.text)
      .toBe(edited);
    await page.reload();
    await page.getByRole('navigation', { name: 'Ticket queue' }).getByRole('button', { name: /VPN keeps dropping at the hotel/ }).click();
    await expect.poll(() => page.getByLabel('Reply text').inputValue()).toBe(edited);
    await shoot(page, 'reply-box.png');

    await page.getByRole('group', { name: 'Reply actions' }).getByRole('button', { name: 'Post as internal note' }).click();
    await page.getByRole('status').filter({ hasText: 'Posted as an internal note.' }).waitFor();
    expect(await page.getByLabel('Reply text').inputValue()).toBe('');

    // What the folder connector wrote for the script that feeds it, and what the desk recorded.
    const outbox = (await readFile(join(inbox, 'outbox', 'replies.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outbox).toEqual([{ ticketId: 'T-300', type: 'note', text: edited, at: expect.any(String) }]);
    const stored = (await service.desk.openTicket('demo:T-300'))!.suggestions[0]!;
    expect(stored.feedback).toEqual(expect.arrayContaining(['inserted', 'published']));
    await page.getByRole('region', { name: 'Suggestions' }).getByRole('button', { name: 'Posted as note' }).waitFor();
  });
});
