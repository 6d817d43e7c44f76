/**
 * Settings → Rules and Insights → What if, built, in Debian's Chromium, against the real engine behind the IPC
 * contract (bridgeHost): an admin adds an interest rule, sees a mistyped field refused beside the field, tests the
 * rule on the desk's recent tickets, saves it into the data folder's rules file and disables it; then replays a
 * recorded queue in Insights and sees the report's four charts drawn by the app's own Chart.js, and saves the HTML
 * report. Screenshots `settings-rules.png` and `insights-what-if.png` go to `test-results/screenshots/`
 * (`npm run screenshots` refreshes docs/screenshots).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../core/app/workspace';
import type { Ticket } from '../../core/formats/schemas';
import { rulesPath } from '../../core/rules/ruleFile';
import { ServiceHost } from '../../electron/main/serviceHost';
import { tempFolder } from '../support/tempFolder';
import { auditAccessibleNames, describeUnnamed } from './accessibleNames';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

/** What the desk has watched lately: two customers threaten a chargeback, two ask ordinary questions. */
const RECENT: Ticket[] = [
  { id: 'desk:T-310', subject: 'Double charge on my invoice', status: 'open', messages: [{ id: '1', author: 'customer', text: 'You charged me twice. Refund it today or I file a chargeback with my bank.' }] },
  { id: 'desk:T-311', subject: 'Printer on floor 3', status: 'open', messages: [{ id: '1', author: 'customer', text: 'The printer on floor 3 keeps jamming on A3 paper.' }] },
  { id: 'desk:T-312', subject: 'Cancelled order still billed', status: 'open', messages: [{ id: '1', author: 'customer', text: 'Still billed for a cancelled order; my bank says a charge back is the way.' }] },
  { id: 'desk:T-313', subject: 'VPN after sleep', status: 'open', messages: [{ id: '1', author: 'customer', text: 'The VPN drops whenever my laptop wakes from sleep.' }] },
];

/** A recorded queue of closed tickets, 20 minutes apart, the analyst answering 6 minutes after each question. */
function recordedQueue(count: number): Ticket[] {
  const questions = [
    ['My VPN disconnects every time the laptop wakes from sleep', 'Turn off power saving for the Wi-Fi adapter in Device Manager, then reconnect the VPN.'],
    ['Outlook keeps asking for my password after the update', 'Remove the saved credentials in Credential Manager and sign in to Outlook again.'],
    ['The printer on floor 3 jams on A3 paper', 'Use tray 2 for A3; tray 1 only feeds A4 and jams on larger sheets.'],
  ] as const;
  const start = Date.parse('2026-03-02T08:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const [question, answer] = questions[i % questions.length]!;
    const at = start + i * 20 * 60_000;
    return {
      id: `Q-${i + 1}`,
      status: 'closed',
      messages: [
        { id: '1', author: 'customer', text: question, at: new Date(at).toISOString() },
        { id: '2', author: 'analyst', text: answer, at: new Date(at + 6 * 60_000).toISOString() },
      ],
    };
  });
}

describe.runIf(browserAvailable())('the rule centre and the what-if report in Chromium, on the real engine', () => {
  let work: string;
  let dataDir: string;
  let workspace: Workspace;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;
  let queueFile: string;
  let reportFile: string;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-rules-');
    dataDir = join(work, 'data');
    await mkdir(join(dataDir, 'desk'), { recursive: true });
    // The desk journal as the desk writes it when a connector brings tickets in (core/app/deskJournal.ts).
    const journal = RECENT.map((ticket) => JSON.stringify({ t: 'event', key: `${ticket.id}|1`, at: '2026-12-01T09:00:00Z', ticket, shown: null, alerts: [] }));
    await writeFile(join(dataDir, 'desk', 'journal.jsonl'), `${journal.join('\n')}\n`);
    queueFile = join(work, 'recorded-queue.jsonl');
    await writeFile(queueFile, `${recordedQueue(36).map((t) => JSON.stringify(t)).join('\n')}\n`);
    reportFile = join(work, 'what-if.html');
    workspace = await Workspace.open({ dataDir, delayedReviewEveryMs: 0 });
    host = new ServiceHost(async () => workspace);
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(
      rendererDir,
      await appHandlers(host, { work, dataDir, pickTicketsFile: async () => queueFile, pickReportFile: async () => reportFile }),
      (listener) => workspace.desk.onEvent(listener),
    );
    page = await openAppPage(browser, bridge.url, { width: 1280, height: 1000 });
  }, 120_000);

  afterAll(() => closeAppSession({ browser, bridge, host, work }));

  it('lists the built-in rules in Settings → Rules', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    const rules = page.getByRole('list', { name: 'Interest rules' });
    await rules.waitFor();
    expect(await rules.getByRole('listitem', { name: 'Rule Business impact' }).textContent()).toContain('from team');
  });

  it('refuses a mistyped id beside the field, tests the rule on recent tickets, and saves it into the data folder', async () => {
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Id', { exact: true }).fill('Chargeback Threat');
    await form.getByLabel('Name', { exact: true }).fill('Customer threatens a chargeback');
    await form.getByLabel('Kind').selectOption('regex');
    await form.getByLabel('Pattern').fill('\\bcharge ?back\\b');
    await form.getByLabel('Priority').selectOption('P0');
    await form.getByText('An internal note on the ticket').click();
    await form.getByRole('button', { name: 'Save rule' }).click();
    const id = form.getByLabel('Id', { exact: true });
    await expect.poll(() => id.getAttribute('aria-invalid')).toBe('true');
    expect(await id.getAttribute('aria-describedby')).toContain('error');
    expect(await form.locator('.field-error').first().textContent()).toBe('must be lower-case letters, digits and dashes');
    expect(existsSync(rulesPath(dataDir))).toBe(false);

    await id.fill('chargeback-threat');
    await form.getByRole('button', { name: 'Test on recent tickets' }).click();
    const results = form.getByRole('region', { name: 'Test on recent tickets' });
    await results.waitFor();
    expect(await results.getByRole('status').textContent()).toBe(
      'Matches 2 of 4 customer messages, on 2 of the 4 most recent tickets; as configured it would raise 2 alerts.',
    );
    const matched = await results.locator('.rule-test-tickets > li').allTextContents();
    expect(matched[0]).toContain('desk:T-310 — Double charge on my invoice');
    expect(matched[0]).toContain('Why: the pattern found “chargeback”');
    expect(matched[1]).toContain('Why: the pattern found “charge back”');
    // Every control of the rule list, the form and the test results has a name a screen reader can say.
    const names = await auditAccessibleNames(page);
    expect(names.unnamed, describeUnnamed('Settings → Rules with the form open', names.unnamed)).toEqual([]);
    // The rule list's 11 buttons and the form's 17 controls at least: the audit saw the section.
    expect(names.checked).toBeGreaterThanOrEqual(28);
    await shoot(page.locator('.settings-section', { has: page.getByRole('heading', { name: 'Rules', exact: true }) }), 'settings-rules.png');

    await form.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('listitem', { name: 'Rule Customer threatens a chargeback' }).waitFor();
    const stored = JSON.parse(await readFile(rulesPath(dataDir), 'utf8')) as { rules: Array<{ id: string; priority: string; deliver: unknown[]; enabled: boolean }> };
    expect(stored.rules.find((r) => r.id === 'chargeback-threat')).toMatchObject({ priority: 'P0', deliver: [{ type: 'note' }], enabled: true });
  });

  it('disables the rule, in the file and for the running engine', async () => {
    const item = page.getByRole('listitem', { name: 'Rule Customer threatens a chargeback' });
    await item.getByRole('button', { name: 'Disable Customer threatens a chargeback' }).click();
    await item.getByRole('button', { name: 'Enable Customer threatens a chargeback' }).waitFor();
    const stored = JSON.parse(await readFile(rulesPath(dataDir), 'utf8')) as { rules: Array<{ id: string; enabled: boolean }> };
    expect(stored.rules.find((r) => r.id === 'chargeback-threat')?.enabled).toBe(false);
    const alerts = await workspace.service.checkAlerts(RECENT[0]!, 0, Date.now());
    expect(alerts.map((a) => a.reason)).not.toContain('chargeback-threat');
  });

  it('replays a recorded queue in Insights and draws the report’s four charts with the app’s Chart.js, then saves the HTML report', async () => {
    await page.getByRole('tab', { name: 'Insights' }).click();
    const panel = page.getByRole('region', { name: 'What if: Vigil on your recorded queue' });
    await panel.getByRole('button', { name: 'Replay a tickets file…' }).click();
    await panel.locator('.whatif-report').waitFor({ timeout: 60_000 });
    expect(await panel.getByLabel('What Vigil would have done').textContent()).toContain('of 36 tickets');
    const canvases = panel.locator('canvas');
    expect(await canvases.count()).toBe(4);
    // Drawn: Chart.js (a chunk loaded with the first report) sized each canvas and painted pixels on it.
    const painted = () =>
      canvases.evaluateAll((list) =>
      list.map((c) => {
        // A canvas, typed by hand: the tests compile without the DOM's types.
        const canvas = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        return canvas.width > 0 && pixels.some((value, i) => i % 4 === 3 && value > 0);
      }),
      );
    await expect.poll(painted).toEqual([true, true, true, true]);
    const names = await auditAccessibleNames(page);
    expect(names.unnamed, describeUnnamed('Insights → What if with a report', names.unnamed)).toEqual([]);
    expect(names.checked).toBeGreaterThanOrEqual(4);
    await shoot(panel, 'insights-what-if.png');

    await panel.getByRole('button', { name: 'Save the report as HTML…' }).click();
    await expect.poll(() => panel.getByRole('status').last().textContent()).toBe('Report saved to ~/what-if.html. It opens in any browser, offline.');
    const html = await readFile(reportFile, 'utf8');
    expect(html).toContain('<title>What Vigil would have done: recorded-queue.jsonl</title>');
    expect(html).toContain('id="report-charts"');
  }, 90_000);
});
