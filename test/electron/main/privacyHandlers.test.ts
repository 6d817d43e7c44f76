/**
 * Settings → Privacy and the audit view's handlers over the real engine (a Workspace on a temporary folder)
 * and the real egress policy; Electron is mocked (test/electron/fakeElectron.ts) for the native save dialog.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { Workspace } from '../../../core/app/workspace';
import { EgressPolicy } from '../../../core/net/egress';
import { AUDIT_ANCHOR_SECRET, readAuditLog } from '../../../core/privacy/auditLog';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';
import { createCopilotHandlers, showAuditExportDialog } from '../../../electron/main/ipcHandlers';
import { PreferencesStore } from '../../../electron/main/preferencesStore';
import { createPrivacyHandlers } from '../../../electron/main/privacyHandlers';
import { ServiceHost } from '../../../electron/main/serviceHost';
import { ARTICLES } from '../../fixtures/storeEntries';
import { fakeElectron, resetFakeElectron } from '../fakeElectron';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const event = { sender: {} } as unknown as IpcMainInvokeEvent;

describe('privacy request validation', () => {
  it('accepts well-formed requests', () => {
    expect(parseIpcRequest('setPrivacySettings', [{ offline: true }])).toEqual({ offline: true });
    expect(parseIpcRequest('setPrivacySettings', [{ documentationHosts: ['docs.example.com'] }])).toEqual({ documentationHosts: ['docs.example.com'] });
    expect(parseIpcRequest('tagSnapshot', [{ name: 'before-cleanup', reason: '  monthly  ' }])).toEqual({ name: 'before-cleanup', reason: 'monthly' });
    expect(parseIpcRequest('auditPage', [{ before: 1024, limit: 50, type: 'future_kind' }])).toEqual({ before: 1024, limit: 50, type: 'future_kind' });
    expect(parseIpcRequest('auditPage', [{}])).toEqual({});
    expect(parseIpcRequest('exportAudit', [{ format: 'csv' }])).toEqual({ format: 'csv' });
  });

  it('refuses bad payloads, naming the field', () => {
    expect(() => parseIpcRequest('setPrivacySettings', [{ offline: 'yes' }])).toThrow('offline: offline must be true or false');
    expect(() => parseIpcRequest('setPrivacySettings', [{}])).toThrow('name the setting to change');
    expect(() => parseIpcRequest('setPrivacySettings', [{ offline: true, telemetry: true }])).toThrow(/Unrecognized key/);
    expect(() => parseIpcRequest('tagSnapshot', [{ name: '../../etc' }])).toThrow('name: a snapshot name is 1 to 64 letters');
    expect(() => parseIpcRequest('tagSnapshot', [{ name: 'a..b' }])).toThrow('name: a snapshot name cannot contain ".."');
    expect(() => parseIpcRequest('tagSnapshot', [{ name: 'ok', reason: 'x'.repeat(201) }])).toThrow('reason: the reason is longer than 200 characters');
    expect(() => parseIpcRequest('rollbackSnapshot', [{ name: '' }])).toThrow('name: a snapshot name');
    expect(() => parseIpcRequest('auditPage', [{ before: -1 }])).toThrow('before: the page position cannot be negative');
    expect(() => parseIpcRequest('auditPage', [{ limit: 10_000 }])).toThrow('limit: the page size must be at most 200');
    expect(() => parseIpcRequest('auditPage', [{ type: 'Robert"); DROP' }])).toThrow('type: a record type is a name');
    expect(() => parseIpcRequest('exportAudit', [{ format: 'xlsx' }])).toThrow('format: the format must be jsonl or csv');
    expect(() => parseIpcRequest('exportAudit', [{ format: 'csv', file: '/etc/passwd' }])).toThrow(/Unrecognized key/);
    expect(() => parseIpcRequest('verifyAudit', [{}])).toThrow('this method takes no arguments');
    expect(() => parseIpcRequest('setPrivacySettings', [{ documentationHosts: 'docs.example.com' }])).toThrow('documentationHosts: documentationHosts must be a list of host names');
    expect(() => parseIpcRequest('setPrivacySettings', [{ documentationHosts: [42] }])).toThrow('documentationHosts.0: each documentation host must be text');
  });
});

describe('privacy handlers on the real engine', () => {
  let root: string;
  let dataDir: string;
  let host: ServiceHost;
  let egress: EgressPolicy;
  let picked: string | null;
  const offlineChanges: boolean[] = [];

  beforeAll(async () => {
    root = await tempFolder('vigil-privacy-handlers-');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    resetFakeElectron();
    dataDir = await mkdtemp(join(root, 'data-'));
    const seed = join(dataDir, '..', `${Math.random().toString(36).slice(2)}.jsonl`);
    await writeFile(seed, ARTICLES.slice(0, 2).map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    host = new ServiceHost(() => Workspace.open({ dataDir, delayedReviewEveryMs: 0, llm: null }));
    await host.use((w) => w.imports.importPath(seed));
    egress = new EgressPolicy({ allowHosts: ['rt.example.com'] });
    picked = null;
    offlineChanges.length = 0;
  });
  afterEach(async () => {
    await host.close();
  });

  function handlers() {
    return createPrivacyHandlers(host, {
      dataDir,
      egress,
      pickExportFile: async () => picked,
      onOfflineChanged: async (offline) => {
        offlineChanges.push(offline);
      },
    });
  }

  it('switches the running policy to offline at once, saves it, and lists what may leave the machine', async () => {
    const h = handlers();
    const before = await h.privacyOverview(undefined, event);
    expect(before.network).toMatchObject({ offline: false, allowedHosts: [{ host: 'rt.example.com', connectors: [], documentation: false }] });
    const after = await h.setPrivacySettings({ offline: true }, event);
    expect(egress.check('rt.example.com')).toMatchObject({ allowed: false, reason: 'offline mode allows only this machine (loopback)' });
    expect(after.settings.offline).toBe(true);
    expect(after.network).toMatchObject({ offline: true, allowedHosts: [] });
    expect(offlineChanges).toEqual([true]);
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'))).toMatchObject({ privacy: { offline: true } });
    await h.setPrivacySettings({ offline: false }, event);
    expect(egress.check('rt.example.com')).toMatchObject({ allowed: true });
    expect(offlineChanges).toEqual([true, false]);
  });

  it('saves the documentation hosts and allows them on the running policy at once, without reopening the workspace', async () => {
    await host.close();
    // As the app opens it (workspaceOpener.ts): on the process's policy, which shared links are fetched through.
    let opened: Workspace | null = null;
    host = new ServiceHost(async () => (opened = await Workspace.open({ dataDir, delayedReviewEveryMs: 0, llm: null, egress })));
    const h = handlers();
    const first = await host.use(async (w) => w);
    expect(egress.check('docs.example.com')).toMatchObject({ allowed: false });

    const overview = await h.setPrivacySettings({ documentationHosts: ['Docs.Example.com', 'kb.example.org'] }, event);
    expect(overview.settings.documentationHosts).toEqual(['docs.example.com', 'kb.example.org']);
    expect(overview.network.allowedHosts).toContainEqual({ host: 'docs.example.com', connectors: [], documentation: true });
    expect(egress.check('docs.example.com')).toEqual({ allowed: true, host: 'docs.example.com', rule: 'documentation' });
    expect(await host.use(async (w) => w)).toBe(first);
    expect(opened!.service.documentationHosts()).toEqual(['docs.example.com', 'kb.example.org']);

    await expect(h.setPrivacySettings({ documentationHosts: ['docs.example.com', 'https://kb.example.org/x'] }, event)).rejects.toThrow(
      '"https://kb.example.org/x" is not a host name',
    );
    expect(opened!.service.documentationHosts()).toEqual(['docs.example.com', 'kb.example.org']);

    // Offline mode refuses them like any host on another machine; a connector's host stays when the list shrinks.
    await h.setPrivacySettings({ offline: true }, event);
    expect(egress.check('docs.example.com')).toMatchObject({ allowed: false, reason: 'offline mode allows only this machine (loopback)' });
    await h.setPrivacySettings({ offline: false, documentationHosts: [] }, event);
    expect(egress.check('docs.example.com')).toMatchObject({ allowed: false });
    expect(egress.check('rt.example.com')).toMatchObject({ allowed: true, rule: 'connector' });
  });

  it('reopens the workspace when "redact before storage" changes, so the engine uses it', async () => {
    const h = handlers();
    const first = await host.use(async (w) => w);
    const overview = await h.setPrivacySettings({ redactBeforeStorage: true }, event);
    expect(overview).toMatchObject({ settings: { redactBeforeStorage: true }, redactingBeforeStorage: true });
    expect(await host.use(async (w) => w)).not.toBe(first);
    expect(offlineChanges).toEqual([]);
  });

  it('tags a snapshot and rolls back to it through a restart, which brings back its offline setting too', async () => {
    const h = handlers();
    const tagged = await h.tagSnapshot({ name: 'before-cleanup', reason: 'by hand' }, event);
    expect(tagged.snapshots).toMatchObject([{ name: 'before-cleanup', reason: 'by hand', automatic: false }]);
    await expect(h.tagSnapshot({ name: 'before-cleanup' }, event)).rejects.toThrow('already exists');
    await h.setPrivacySettings({ offline: true }, event);
    const seed = join(dataDir, '..', 'more.jsonl');
    await writeFile(seed, ARTICLES.slice(2, 4).map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    await host.use((w) => w.imports.importPath(seed));
    expect(await h.rollbackPreview({ name: 'before-cleanup' }, event)).toMatchObject({ entriesAddedSince: 2 });

    const report = await h.rollbackSnapshot({ name: 'before-cleanup' }, event);
    expect(report.restored.name).toBe('before-cleanup');
    expect(report.safety.name).toMatch(/^before-rollback-before-cleanup-/);
    expect((await host.use((w) => w.service.status())).entries).toBe(2);
    expect(egress.offline).toBe(false); // settings.json as it was when tagged
    await expect(h.rollbackSnapshot({ name: 'no-such-snapshot' }, event)).rejects.toThrow('There is no snapshot named "no-such-snapshot"');
    expect((await host.use((w) => w.service.status())).entries).toBe(2); // the workspace was opened again all the same

    const admin = await h.auditPage({ type: 'admin' }, event);
    expect(admin.records.map((r) => r.fields['action'])).toEqual(['store_rollback', 'store_tag']);
  });

  it('keeps the audit anchor in the keychain through a rollback, and verifies against it', async () => {
    const keychain = new MemorySecretStore();
    await host.close();
    host = new ServiceHost(() => Workspace.open({ dataDir, delayedReviewEveryMs: 0, llm: null, auditKeyring: keychain }));
    const h = createPrivacyHandlers(host, { dataDir, egress, pickExportFile: async () => picked, auditKeyring: keychain });
    await h.tagSnapshot({ name: 'before-cleanup' }, event);
    await h.rollbackSnapshot({ name: 'before-cleanup' }, event);
    const { records } = await readAuditLog(dataDir);
    // The rollback's own record, written while the workspace is closed, reached the keychain too.
    expect(JSON.parse((await keychain.get(AUDIT_ANCHOR_SECRET))!)).toMatchObject({ seq: records.at(-1)!.seq, hash: records.at(-1)!.hash });
    expect(records.at(-1)).toMatchObject({ type: 'admin', action: 'store_rollback' });
    expect(await h.verifyAudit(undefined, event)).toMatchObject({ ok: true });
  });

  it('pages the audit log, verifies it, and exports to the file chosen in the save dialog', async () => {
    const h = handlers();
    for (const name of ['one', 'two', 'three']) await h.tagSnapshot({ name }, event);
    const first = await h.auditPage({ limit: 2 }, event);
    expect(first.records.map((r) => r.fields['detail'])).toMatchObject([{ name: 'three' }, { name: 'two' }]);
    const second = await h.auditPage({ before: first.next, limit: 2 }, event);
    expect(second.records.map((r) => r.seq)).toEqual([1]);
    expect(second.next).toBeNull();
    expect(await h.verifyAudit(undefined, event)).toMatchObject({ ok: true, records: 3 });

    expect(await h.exportAudit({ format: 'jsonl' }, event)).toBeNull();
    picked = join(root, 'audit-export.jsonl');
    expect(await h.exportAudit({ format: 'jsonl' }, event)).toEqual({ file: picked, exported: 3, format: 'jsonl' });
    expect((await readFile(picked, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3]);
  });

  it('asks for the export file in the native save dialog, offering the chosen format', async () => {
    fakeElectron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: '/home/ana/audit.csv' });
    await expect(showAuditExportDialog(event, 'csv')).resolves.toBe('/home/ana/audit.csv');
    const options = fakeElectron.dialog.showSaveDialog.mock.calls[0]?.at(-1) as { filters: Array<{ extensions: string[] }>; defaultPath: string };
    expect(options.filters[0]?.extensions).toEqual(['csv']);
    expect(options.defaultPath).toMatch(/^vigil-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    await expect(showAuditExportDialog(event, 'jsonl')).resolves.toBeNull(); // cancelled

    // The app's handlers use that dialog: a cancelled one exports nothing.
    const all = createCopilotHandlers({ host, settings: { preferences: await PreferencesStore.open(root), dataDir }, privacy: { egress } });
    await expect(all.exportAudit({ format: 'csv' }, event)).resolves.toBeNull();
    expect(fakeElectron.dialog.showSaveDialog).toHaveBeenCalledTimes(3);
  });
});
