/**
 * Settings → Privacy and the audit log, built, in Debian's Chromium, against the real engine behind the IPC
 * contract (bridgeHost): offline mode switched on the egress policy, a snapshot tagged, the audit log opened
 * with that snapshot's record in it, and its chain verified. The process guard is installed only for a moment
 * here (to record one real refusal): Chromium and the bridge talk over loopback, which it allows anyway, but the
 * test runner's other work should not depend on it.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import { EgressDeniedError, EgressPolicy } from '../../core/net/egress';
import { installEgressGuard } from '../../core/net/processGuard';
import { EgressDenialLog } from '../../core/privacy/egressDenials';
import { ServiceHost } from '../../electron/main/serviceHost';
import { ARTICLES } from '../fixtures/storeEntries';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

describe.runIf(browserAvailable())('Settings → Privacy and the audit log in Chromium, on the real engine', () => {
  let work: string;
  let dataDir: string;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;
  let egress: EgressPolicy;

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-privacy-');
    dataDir = join(work, 'data');
    const seed = join(work, 'seed.jsonl');
    await writeFile(seed, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeFile(join(dataDir, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'rt', kind: 'rt', baseUrl: 'https://rt.example.com', token: { secret: 'rt-token' } }] }));
    egress = new EgressPolicy({ allowHosts: ['rt.example.com'] });
    // On the process's policy, as the app opens it (workspaceOpener.ts): documentation hosts are allowed there.
    host = new ServiceHost(() => Workspace.open({ dataDir, delayedReviewEveryMs: 0, llm: null, egress }));
    await host.use((w) => w.imports.importPath(seed));

    // One real refusal, recorded as the app records them: a library's telemetry call, stopped before DNS.
    const workspace = await host.use(async (w) => w as Workspace);
    const denials = new EgressDenialLog();
    const detach = denials.attach(workspace.service.audit);
    const guard = installEgressGuard(egress, { onAttempt: denials.onAttempt });
    try {
      await expect(fetch('https://telemetry.example.net/collect')).rejects.toThrow(EgressDeniedError);
    } finally {
      guard.uninstall();
    }
    await detach();
    // And one decision of the engine, whose record names the entries it cited (never the ticket's text).
    await workspace.service.assistOnMessage(
      { id: 'rt:7', subject: 'VPN drops', status: 'open', requester: 'Dana Smith', messages: [{ id: 'm1', author: 'customer', text: 'My VPN disconnects every few minutes on the hotel wifi. What can I do?' }] },
      0,
    );

    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(rendererDir, await appHandlers(host, { work, dataDir, egress }));
    page = await openAppPage(browser, bridge.url);
  });

  afterAll(() => closeAppSession({ browser, bridge, host, work }));

  it('shows what may leave the machine and switches offline mode on the running policy', async () => {
    await page.getByRole('region', { name: 'Engine status' }).waitFor();
    await page.keyboard.press('Alt+4');
    const privacy = page.getByRole('region', { name: 'Privacy' });
    const allowed = privacy.getByRole('list', { name: 'Allowed destinations' });
    await allowed.filter({ hasText: 'rt.example.com' }).waitFor();
    expect(await allowed.textContent()).toContain('Used by the connector rt');
    expect(await privacy.getByLabel('Refused connections', { exact: true }).textContent()).toBe('1 connection attempt was refused; the latest:');
    expect(await privacy.getByRole('list', { name: 'Latest refused connections' }).textContent()).toContain('telemetry.example.net (fetch)');
    expect(await privacy.getByRole('group', { name: 'Data folder protection' }).textContent()).toContain('Readable by you only (mode 0700).');

    // The switch shows the saved setting: it turns on once the main process has applied it (hence click, not check).
    const offline = privacy.getByRole('checkbox', { name: 'Offline mode' });
    await offline.click();
    await privacy.getByRole('status').filter({ hasText: 'Offline mode is on' }).waitFor();
    expect(await offline.isChecked()).toBe(true);
    expect(egress.check('rt.example.com')).toMatchObject({ allowed: false, reason: 'offline mode allows only this machine (loopback)' });
    expect(await privacy.getByRole('group', { name: 'What may leave this machine' }).textContent()).toContain('Paused while offline: rt (rt.example.com)');
    expect(await allowed.textContent()).not.toContain('rt.example.com');
  });

  it('tags a snapshot by hand and lists it', async () => {
    const privacy = page.getByRole('region', { name: 'Privacy' });
    await privacy.getByLabel('Snapshot name').fill('before-cleanup');
    await privacy.getByLabel('Why (optional)').fill('before removing old VPN answers');
    await privacy.getByRole('button', { name: 'Tag now' }).click();
    const snapshot = privacy.getByRole('listitem', { name: /^before-cleanup/ });
    await snapshot.waitFor();
    expect(await snapshot.textContent()).toContain('by hand');
    expect(await snapshot.textContent()).toContain('before removing old VPN answers');
    await shoot(privacy, 'privacy.png');
  });

  it('opens the audit log, shows the snapshot’s record and verifies the chain', async () => {
    const privacy = page.getByRole('region', { name: 'Privacy' });
    await privacy.getByRole('button', { name: 'Open audit log' }).click();
    const audit = page.getByRole('region', { name: 'Audit log' });
    const records = audit.getByRole('list', { name: 'Audit records' });
    const tagRecord = records.getByRole('listitem', { name: /Administration: store tag$/ });
    await tagRecord.waitFor();
    expect(await tagRecord.textContent()).toContain('namebefore-cleanup');
    expect(await records.getByRole('listitem').first().getAttribute('aria-label')).toMatch(/^Record \d+: Administration: store tag$/);
    await records.getByRole('listitem', { name: /Refused a connection to telemetry\.example\.net \(fetch\)/ }).waitFor();
    const suggestion = records.getByRole('listitem', { name: /Suggestion on rt:7/ });
    expect(await suggestion.textContent()).toContain('kb-vpn-mtu');
    expect(await suggestion.textContent()).toContain('Modelnone (retrieval only)');
    expect(await records.textContent()).not.toContain('hotel wifi'); // ids and counts only, never the ticket's words

    await audit.getByLabel('Kind').selectOption('egress_denied');
    await records.getByRole('listitem').filter({ hasText: 'telemetry.example.net' }).waitFor();
    await expect.poll(async () => records.getByRole('listitem').count(), { timeout: 30_000 }).toBe(1);
    await audit.getByLabel('Kind').selectOption('');
    await tagRecord.waitFor();

    await audit.getByRole('button', { name: 'Verify chain' }).click();
    const verified = audit.getByRole('status').filter({ hasText: 'Chain intact' });
    await verified.waitFor();
    const count = (await host.use((w) => w.privacy.verifyAudit())).records;
    expect(await verified.textContent()).toBe(`Chain intact: ${count} records, each chained to the one before.`);
    await shoot(audit, 'audit-log.png');
  });

  it('rolls back to the snapshot after a confirmation that says what will be lost, reopening the workspace', async () => {
    const later = join(work, 'later.jsonl');
    await writeFile(later, JSON.stringify({ id: 'kb-later', kind: 'article', title: 'Printer offline', body: 'Remove the printer and add it again.' }) + '\n');
    await host.use((w) => w.imports.importPath(later));
    const before = await host.use(async (w) => w);
    const privacy = page.getByRole('region', { name: 'Privacy' });
    await privacy.getByRole('button', { name: 'Roll back to before-cleanup' }).click();
    const dialog = privacy.getByRole('alertdialog', { name: 'Confirm rolling back to before-cleanup' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('1 entry learned or imported since then will be gone');
    await dialog.getByRole('button', { name: 'Yes, roll back' }).click();
    await privacy.getByRole('status').filter({ hasText: 'Rolled back to before-cleanup' }).waitFor();
    expect(await host.use(async (w) => w)).not.toBe(before); // the store was closed and opened again
    expect((await host.use((w) => w.service.status())).entries).toBe(ARTICLES.length);
    const safety = privacy.getByRole('listitem', { name: /^before-rollback-before-cleanup-/ });
    await safety.waitFor();
    expect(await safety.textContent()).toContain('automatic');
  });

  it('saves the documentation hosts whose shared links become article candidates, on the running policy at once', async () => {
    const privacy = page.getByRole('region', { name: 'Privacy' });
    const field = privacy.getByLabel('Documentation hosts whose links become article candidates');
    await field.fill('Docs.Example.com, kb.example.org');
    await privacy.getByRole('button', { name: 'Save documentation hosts' }).click();
    await privacy.getByRole('status').filter({ hasText: 'Links analysts share from docs.example.com, kb.example.org' }).waitFor();
    expect(await field.inputValue()).toBe('docs.example.com, kb.example.org');
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'))).toMatchObject({ privacy: { documentationHosts: ['docs.example.com', 'kb.example.org'] } });
    // Offline mode came back with the rollback: the section says nothing is fetched, and the policy refuses the hosts.
    await privacy.getByRole('note').filter({ hasText: 'Offline mode is on: no shared link is fetched until it is off.' }).waitFor();
    expect(egress.check('docs.example.com')).toMatchObject({ allowed: false });

    // Offline mode off: the running policy allows them (no restart), and the section lists them as documentation hosts.
    await privacy.getByRole('checkbox', { name: 'Offline mode' }).click();
    await privacy.getByRole('status').filter({ hasText: 'Offline mode is off' }).waitFor();
    expect(egress.check('docs.example.com')).toEqual({ allowed: true, host: 'docs.example.com', rule: 'documentation' });
    const allowed = privacy.getByRole('list', { name: 'Allowed destinations' });
    await allowed.filter({ hasText: 'docs.example.comA documentation host: links analysts share from it are fetched' }).waitFor();

    await field.fill('https://docs.example.com/guide');
    await privacy.getByRole('button', { name: 'Save documentation hosts' }).click();
    await privacy.getByRole('alert').filter({ hasText: '"https://docs.example.com/guide" is not a host name' }).waitFor();
    expect(egress.check('docs.example.com')).toMatchObject({ allowed: true, rule: 'documentation' });
  });
});
