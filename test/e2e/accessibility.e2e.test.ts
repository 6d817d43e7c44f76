/**
 * Accessible names on every control, checked in Chromium's own accessibility tree (accessibleNames.ts) on each
 * screen of the built renderer, against the real engine behind the IPC contract (bridgeHost): the desk with an
 * open ticket and its suggestions, the knowledge screen (review queue, search, an entry being edited), Insights,
 * every section of Settings (connectors with the add form open, notifications, packs, models, the local LLM,
 * privacy and the audit log, the data folder) and the assist bubble's page. The same run takes the screenshots
 * `insights.png`, `assist-bubble.png` and `settings-models.png` (`npm run screenshots` refreshes docs/screenshots).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import type { TicketEvent } from '../../core/connectors/connector';
import type { Ticket } from '../../core/formats/schemas';
import { MemorySecretStore } from '../../core/secrets/secretStore';
import { ServiceHost } from '../../electron/main/serviceHost';
import { closedTicket } from '../core/learn/learnTickets';
import { ARTICLES } from '../fixtures/storeEntries';
import { startOllamaServer, type FakeOllama } from '../support/ollamaServer';
import { auditAccessibleNames, describeUnnamed } from './accessibleNames';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

/** A customer's first message on a new ticket, as the folder connector delivers it. */
function opened(id: string, subject: string, text: string): TicketEvent {
  const at = new Date().toISOString();
  const ticket: Ticket = { id: `desk:${id}`, subject, status: 'open', messages: [{ id: 'm1', author: 'customer', text, at }] };
  return { id: `${id}#1`, type: 'ticket_opened', ticketId: ticket.id, at, ticket, messageId: 'm1' };
}

/** Fails with every unnamed control of the page, by role and where it is. */
async function expectEveryControlNamed(page: Page, screen: string, atLeast: number): Promise<void> {
  const { checked, unnamed } = await auditAccessibleNames(page);
  expect(unnamed, describeUnnamed(screen, unnamed)).toEqual([]);
  // The audit saw the screen it names (a blank or half-loaded page would pass vacuously).
  expect(checked, `controls checked on ${screen}`).toBeGreaterThanOrEqual(atLeast);
}

describe.runIf(browserAvailable())('accessible names on every control, in Chromium, on the real engine', () => {
  let work: string;
  let dataDir: string;
  let workspace: Workspace;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let ollama: FakeOllama;
  let page: Page;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-a11y-');
    dataDir = join(work, 'data');
    const modelsDir = join(work, 'models');
    // Only the manifests Vigil ships (no test model): the models section as a team sees it before installing one.
    // Ollama runs with a small chat model, but not the one the team configured.
    ollama = await startOllamaServer({ models: [{ name: 'qwen2.5:1.5b', parameterSize: '1.5B', family: 'qwen2' }] });
    const seed = join(work, 'team-articles.jsonl');
    await writeFile(seed, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    // The team's model is not pulled yet: Settings offers "Pull", and suggestions come from retrieval meanwhile.
    workspace = await Workspace.open({ dataDir, delayedReviewEveryMs: 0, llm: { model: 'llama3.2:3b', host: ollama.host } });
    await workspace.service.importEntries(seed);
    await mkdir(join(work, 'inbox'));

    // A precedent learned from a closed ticket and approved by a colleague, and one learned entry still waiting.
    const learned = await workspace.service.learnFromClosedTicket(
      closedTicket('desk:T-150', 'My VPN disconnects every few minutes on the hotel wifi', 'Set the VPN client MTU to 1380 and reconnect; hotel networks often use a smaller MTU.'),
      'review',
    );
    await workspace.service.learning.approveEntry(learned.entryIds.find((id) => id.startsWith('qa-'))!, 'maria');
    await workspace.service.learnFromClosedTicket(
      closedTicket('desk:T-160', 'The badge reader at the side door rejects my badge every morning', 'Ask the security desk to re-enrol the badge, then try the side door again.'),
      'review',
    );

    // New tickets through the desk, as the watcher delivers them: the engine decides what to show on each.
    await workspace.desk.ingest(opened('T-200', 'VPN keeps dropping at the hotel', 'My VPN disconnects every few minutes on the hotel wifi. What can I do?'));
    await workspace.desk.ingest(opened('T-201', 'Refund still missing', 'I returned the headphones last week. When will the refund for the returned item reach my card?'));
    await workspace.desk.ingest(
      opened('T-202', 'Whole office cannot connect', 'The whole office cannot connect to the VPN since this morning; we are losing sales. Error E-4031 on login.'),
    );
    // What the analyst did with some of them, for Insights.
    const vpn = (await workspace.desk.openTicket('desk:T-200'))!.suggestions[0]!;
    await workspace.desk.feedback({ ticketId: 'desk:T-200', suggestionId: vpn.id, action: 'expanded' });
    await workspace.desk.feedback({ ticketId: 'desk:T-200', suggestionId: vpn.id, action: 'liked' });
    const refund = (await workspace.desk.openTicket('desk:T-201'))?.suggestions[0];
    if (refund) await workspace.desk.feedback({ ticketId: 'desk:T-201', suggestionId: refund.id, action: 'copied' });

    host = new ServiceHost(async () => workspace);
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    const secrets = new MemorySecretStore();
    bridge = await startBridgeHost(
      rendererDir,
      await appHandlers(host, { work, dataDir, modelsDir, ollamaHost: ollama.host, connectors: { secrets, pickConnectorFolder: async () => join(work, 'inbox') } }),
      (listener) => workspace.desk.onEvent(listener),
    );
  }, 120_000);

  afterAll(() => closeAppSession({ browser, bridge, host, others: [ollama], work }));

  it('finds an unnamed control and says which and where (the check itself can fail)', async () => {
    const probe = await browser.newPage();
    await probe.setContent(
      '<main><section aria-label="Probe"><h2>Probe</h2><p>Search the knowledge</p><input type="text"><button></button>' +
        '<label>Named <input type="checkbox"></label><button aria-label="Close"></button><select><option></option></select></section></main>',
    );
    const { checked, unnamed } = await auditAccessibleNames(probe);
    await probe.close();
    expect(checked).toBe(5);
    expect(unnamed.map((u) => u.role)).toEqual(['textbox', 'button', 'combobox']);
    expect(unnamed[0]!.hint).toBe('<input[type=text]> in "Probe", near "Probe Search the knowledge Named"');
    expect(describeUnnamed('the probe', unnamed)).toContain('  - button: <button> in "Probe"');
  });

  it('the assist bubble: the ticket with help waiting and its suggestions', async () => {
    // The bubble's window is 380 x 520 (electron/main/bubble.ts); it opens the ticket with help waiting itself.
    const bubble = await openAppPage(browser, `${bridge.url}#bubble`, { width: 380, height: 520 });
    const main = bubble.getByRole('main', { name: 'Vigil assist' });
    await main.getByRole('heading', { level: 1 }).waitFor();
    await main.getByRole('article').first().waitFor();
    await expectEveryControlNamed(bubble, 'the assist bubble', 6);
    await shoot(bubble, 'assist-bubble.png');
    await bubble.close();
  });

  it('the desk: queue, an open ticket with its sources open, the reply box and the dislike reason', async () => {
    page = await openAppPage(browser, bridge.url, { width: 1280, height: 900 });
    await page.getByRole('region', { name: 'Engine status' }).waitFor();
    const queue = page.getByRole('navigation', { name: 'Ticket queue' });
    await queue.getByRole('button', { name: /VPN keeps dropping at the hotel/ }).click();
    const card = page.getByRole('region', { name: 'Suggestions' }).getByRole('article').first();
    await card.waitFor();
    await card.locator('summary').first().click();
    await card.getByRole('list', { name: 'Cited knowledge' }).waitFor();
    await card.getByRole('button', { name: 'Dislike', exact: true }).click();
    await card.getByRole('form', { name: 'Why is this suggestion wrong?' }).waitFor();
    await page.getByRole('textbox', { name: 'Reply text' }).waitFor();
    await expectEveryControlNamed(page, 'the desk', 12);
    await page.keyboard.press('Escape');
  });

  it('knowledge: review queue, search results and an entry open for editing', async () => {
    await page.getByRole('tab', { name: 'Knowledge' }).click();
    await page.getByRole('list', { name: 'Entries to review' }).getByRole('article').first().waitFor();
    await page.getByLabel('Search approved knowledge').fill('VPN keeps disconnecting on the hotel wifi');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('list', { name: 'Search results' }).waitFor();
    const list = page.getByRole('list', { name: 'Knowledge entries' });
    await list.getByRole('button').first().click();
    const detail = page.getByRole('region', { name: 'Entry detail' });
    await detail.getByRole('list', { name: 'History' }).waitFor();
    // Help arrives for another ticket meanwhile: its toast has buttons of its own.
    await workspace.desk.ingest(opened('T-203', 'VPN drops at the airport hotel', 'My VPN disconnects every few minutes on the hotel wifi. What can I do?'));
    await page.getByRole('region', { name: 'New suggestions' }).getByRole('button', { name: 'Open ticket' }).waitFor();
    await expectEveryControlNamed(page, 'the knowledge screen (an entry with its history, a toast)', 20);
    await detail.getByRole('group', { name: 'Entry actions' }).getByRole('button', { name: 'Edit' }).click();
    await detail.getByRole('form', { name: 'Edit entry' }).waitFor();
    await expectEveryControlNamed(page, 'the knowledge screen (editing an entry)', 20);
  });

  it('insights: totals and charts of suggestions and knowledge', async () => {
    await page.getByRole('tab', { name: 'Insights' }).click();
    await page.locator('.insights svg[role="img"]').first().waitFor();
    await expect.poll(() => page.locator('.insights').textContent()).toContain('Acceptance rate');
    await expectEveryControlNamed(page, 'Insights', 4);
    await shoot(page, 'insights.png', { fullPage: true });
    // The gate's controls, over the real engine: the switch and "Start over" change the sentence beside them.
    const gate = page.getByRole('group', { name: 'Confidence gate' });
    const sentence = gate.locator('.gate-calibration');
    const recalibrate = gate.getByRole('checkbox', { name: 'Recalibrate the gate from our feedback' });
    await recalibrate.uncheck();
    await expect.poll(() => sentence.textContent()).toContain('gate recalibration is off for this team');
    await recalibrate.check();
    await expect.poll(() => sentence.textContent()).toContain('using the default gate');
    await gate.getByRole('button', { name: 'Start over…' }).click();
    const confirm = gate.getByRole('alertdialog', { name: 'Confirm starting the gate’s recalibration over' });
    await expectEveryControlNamed(page, 'Insights (confirming Start over)', 6);
    await confirm.getByRole('button', { name: 'Yes, start over' }).click();
    await expect.poll(() => sentence.textContent()).toBe('Confidence gate: using the default gate (0 of 30 reactions needed).');
  });

  it('settings: every section, the connector form and the audit log open', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    const models = page.getByRole('region', { name: 'Embedding model' });
    await models.getByRole('listitem', { name: 'Model all-minilm-l6-v2' }).waitFor();
    const llm = page.getByRole('region', { name: 'Local LLM (Ollama)' });
    await llm.getByRole('list', { name: 'Models installed in Ollama' }).getByText('qwen2.5:1.5b', { exact: false }).waitFor();
    await llm.getByRole('button', { name: 'Pull llama3.2:3b' }).waitFor();
    // Settings → Models: the embedding model and the local LLM, the two sections together.
    await page.evaluate('window.scrollTo(0, 0)');
    const [top, bottom] = [await models.boundingBox(), await llm.boundingBox()];
    const x = Math.min(top!.x, bottom!.x);
    await shoot(page, 'settings-models.png', {
      fullPage: true,
      clip: { x, y: top!.y, width: Math.max(top!.x + top!.width, bottom!.x + bottom!.width) - x, height: bottom!.y + bottom!.height - top!.y },
    });

    await page.getByRole('region', { name: 'Notifications' }).getByRole('checkbox').first().waitFor();
    await page.getByRole('region', { name: 'Privacy' }).getByRole('button', { name: 'Open audit log' }).click();
    await page.getByRole('region', { name: 'Audit log' }).waitFor();
    await page.getByRole('region', { name: 'Connectors' }).getByRole('button', { name: 'Add connector' }).click();
    await page.getByRole('form', { name: 'Add a connector' }).waitFor();
    await expectEveryControlNamed(page, 'Settings', 30);
  });

  it('settings once things exist: a saved connector and a snapshot, each with its own buttons', async () => {
    const form = page.getByRole('form', { name: 'Add a connector' });
    await form.getByLabel('Connector id').fill('desk-inbox');
    await form.getByRole('button', { name: 'Choose folder…' }).click();
    await expect.poll(() => form.getByLabel('Ticket folder').inputValue()).toBe('~/inbox');
    await form.getByRole('button', { name: 'Save connector' }).click();
    const connectors = page.getByRole('region', { name: 'Connectors' });
    await connectors.getByText('desk-inbox').first().waitFor();
    const privacy = page.getByRole('region', { name: 'Privacy' });
    await privacy.getByLabel('Snapshot name').fill('before-cleanup');
    await privacy.getByRole('button', { name: 'Tag now' }).click();
    await privacy.getByRole('button', { name: 'Roll back to before-cleanup' }).waitFor();
    const notifications = page.getByRole('region', { name: 'Notifications' });
    await notifications.getByRole('checkbox', { name: 'Do not disturb' }).check();
    await notifications.getByRole('combobox').first().waitFor();
    await expectEveryControlNamed(page, 'Settings with a connector and a snapshot', 35);
  });
});
