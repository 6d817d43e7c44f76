import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { networkView, readPrivacySettings, rollbackClosedStore, writePrivacySettings } from '../../../core/privacy/privacySettings';
import { Workspace } from '../../../core/app/workspace';
import { enabledConnectorHosts } from '../../../core/connectors/registry';
import { writeLlmSetting } from '../../../core/llm/llmSetting';
import { EgressDeniedError, EgressPolicy } from '../../../core/net/egress';
import { installEgressGuard, type EgressAttempt, type EgressGuard } from '../../../core/net/processGuard';
import { AuditLog, readAuditLog } from '../../../core/privacy/auditLog';
import { EgressDenialLog } from '../../../core/privacy/egressDenials';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { createAutomaticSnapshot } from '../../../core/privacy/rollback';
import { ARTICLES } from '../../fixtures/storeEntries';
import { installTripwire, type Tripwire } from '../net/egressHarness';
import { tempFolder } from '../../support/tempFolder';

let dir: string;

beforeEach(async () => {
  dir = await tempFolder('vigil-privacy-');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function connectError(options: net.NetConnectOpts): Promise<Error> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    socket.on('error', resolve);
    socket.on('connect', () => reject(new Error('connected')));
  });
}

describe('the privacy settings', () => {
  it('are saved under "privacy" in settings.json, beside the other settings, and read back', async () => {
    await writeLlmSetting(dir, { model: 'llama3.2:3b' });
    expect(await readPrivacySettings(dir)).toEqual({ offline: false, redactBeforeStorage: false, documentationHosts: [] });
    expect(await writePrivacySettings(dir, { offline: true })).toEqual({ offline: true, redactBeforeStorage: false, documentationHosts: [] });
    expect(await writePrivacySettings(dir, { redactBeforeStorage: true })).toEqual({ offline: true, redactBeforeStorage: true, documentationHosts: [] });
    const file = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(file).toEqual({ llm: { model: 'llama3.2:3b' }, privacy: { offline: true, redactBeforeStorage: true } });
  });

  it('keep the documentation hosts normalised and once each, beside the switches', async () => {
    await writePrivacySettings(dir, { offline: true });
    const saved = await writePrivacySettings(dir, { documentationHosts: ['Docs.Example.com.', 'kb.example.org', 'docs.example.com'] });
    expect(saved).toEqual({ offline: true, redactBeforeStorage: false, documentationHosts: ['docs.example.com', 'kb.example.org'] });
    const file = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
    expect(file['privacy']).toEqual({ offline: true, redactBeforeStorage: false, documentationHosts: ['docs.example.com', 'kb.example.org'] });
    expect(await readPrivacySettings(dir)).toEqual(saved);
  });

  it('refuse a documentation host that is not a host name, naming it, and keep the saved list', async () => {
    await writePrivacySettings(dir, { documentationHosts: ['docs.example.com'] });
    const before = await readFile(join(dir, 'settings.json'), 'utf8');
    await expect(writePrivacySettings(dir, { documentationHosts: ['kb.example.org', 'https://docs.example.com/guide'] })).rejects.toThrow(
      'documentationHosts: "https://docs.example.com/guide" is not a host name; write it as docs.example.com, without https://, a path or a port.',
    );
    await expect(writePrivacySettings(dir, { documentationHosts: ['*.example.com'] })).rejects.toThrow('"*.example.com" is not a host name');
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).toBe(before);
  });

  it('name the file and field of a bad documentation host edited by hand', async () => {
    await writeFile(join(dir, 'settings.json'), '{\n  "privacy": {"documentationHosts": ["docs.example.com", "docs example"]}\n}\n');
    await expect(readPrivacySettings(dir)).rejects.toThrow(`${join(dir, 'settings.json')}:2: privacy.documentationHosts.1: "docs example" is not a host name`);
  });

  it('name the file, line and field of a bad value', async () => {
    await writeFile(join(dir, 'settings.json'), '{\n  "privacy": {"offline": "yes"}\n}\n');
    await expect(readPrivacySettings(dir)).rejects.toThrow(`${join(dir, 'settings.json')}:2: privacy.offline: must be true or false`);
  });
});

describe('offline mode on the running egress guard', () => {
  let tripwire: Tripwire;
  let guard: EgressGuard;
  let policy: EgressPolicy;
  /** Hears the guard's attempts, as the app's audit recorder does. */
  let hear: ((attempt: EgressAttempt) => void) | null = null;

  beforeEach(() => {
    tripwire = installTripwire();
    policy = new EgressPolicy({ allowHosts: ['rt.example.com', '198.51.100.7'] });
    guard = installEgressGuard(policy, { onAttempt: (attempt) => hear?.(attempt) });
  });
  afterEach(() => {
    guard.uninstall();
    tripwire.uninstall();
    expect(tripwire.reached).toEqual([]);
  });

  it('refuses a connection to a connector host once switched on, records it, and allows it again once off', async () => {
    expect(policy.check('198.51.100.7')).toMatchObject({ allowed: true, rule: 'connector' });
    const saved = await writePrivacySettings(dir, { offline: true });
    policy.setOffline(saved.offline); // what the app does when the switch is flipped: no restart

    const audit = await AuditLog.open(dir);
    const denials = new EgressDenialLog();
    const detach = denials.attach(audit);
    hear = denials.onAttempt;
    const error = await connectError({ host: '198.51.100.7', port: 443 });
    hear = null;
    await detach();
    await audit.close();
    expect(error).toBeInstanceOf(EgressDeniedError);
    expect(error.message).toBe('Blocked a connection to 198.51.100.7: offline mode allows only this machine (loopback)');
    expect(guard.denied()).toMatchObject([{ via: 'tcp', host: '198.51.100.7', port: 443 }]);

    await writeFile(join(dir, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'rt', kind: 'rt', baseUrl: 'https://RT.example.com', token: { secret: 'rt-token' } }, { id: 'drop', kind: 'folder', path: 'tickets' }] }));
    const offline = await networkView(dir, { offline: policy.offline, allowedHosts: policy.allowedHosts() }, await enabledConnectorHosts(dir));
    expect(offline).toMatchObject({
      offline: true,
      allowedHosts: [],
      pausedConnectors: [{ id: 'rt', hosts: ['rt.example.com'] }],
      refusals: { total: 1, recent: [{ seq: 1, host: '198.51.100.7', via: 'tcp', reason: 'offline mode allows only this machine (loopback)' }] },
    });

    policy.setOffline(false);
    expect(policy.check('198.51.100.7')).toMatchObject({ allowed: true });
    policy.setDocumentationHosts(['docs.example.com']);
    const online = await networkView(dir, { offline: policy.offline, allowedHosts: policy.allowedHosts() }, await enabledConnectorHosts(dir), ['docs.example.com']);
    expect(online.allowedHosts).toEqual([
      { host: '198.51.100.7', connectors: [], documentation: false },
      { host: 'docs.example.com', connectors: [], documentation: true },
      { host: 'rt.example.com', connectors: ['rt'], documentation: false },
    ]);
    expect(online.pausedConnectors).toEqual([]);
  });
});

describe('the workspace privacy methods', () => {
  async function openWith(entries: typeof ARTICLES): Promise<Workspace> {
    const workspace = await Workspace.open({ dataDir: join(dir, 'data'), delayedReviewEveryMs: 0, llm: null });
    const seed = join(dir, `seed-${entries.length}.jsonl`);
    await writeFile(seed, entries.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    await workspace.service.importEntries(seed);
    return workspace;
  }

  it('reads "redact before storage" when it opens, and says so until it is opened again', async () => {
    let workspace = await openWith(ARTICLES.slice(0, 1));
    try {
      await workspace.privacy.setSettings({ redactBeforeStorage: true });
      const overview = await workspace.privacy.overview({ offline: false, allowedHosts: [] });
      expect(overview.settings.redactBeforeStorage).toBe(true);
      expect(overview.redactingBeforeStorage).toBe(false);
    } finally {
      await workspace.close();
    }
    workspace = await Workspace.open({ dataDir: join(dir, 'data'), delayedReviewEveryMs: 0, llm: null });
    try {
      expect((await workspace.privacy.overview({ offline: false, allowedHosts: [] })).redactingBeforeStorage).toBe(true);
    } finally {
      await workspace.close();
    }
  });

  it('tags a snapshot, says what a rollback would undo, and rolls back with the store closed', async () => {
    const workspace = await openWith(ARTICLES.slice(0, 2));
    let closed = false;
    try {
      const tagged = await workspace.privacy.tagSnapshot('before-cleanup', 'by hand, before a cleanup');
      expect(tagged).toMatchObject({ name: 'before-cleanup', reason: 'by hand, before a cleanup', automatic: false });
      await expect(workspace.privacy.tagSnapshot('before-cleanup', '')).rejects.toThrow('A snapshot named "before-cleanup" already exists');
      const seed = join(dir, 'later.jsonl');
      await writeFile(seed, ARTICLES.slice(2, 5).map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
      await workspace.service.importEntries(seed);
      expect(await workspace.privacy.rollbackPreview('before-cleanup')).toMatchObject({ snapshot: { name: 'before-cleanup' }, entriesAddedSince: 3, newerSnapshots: 0 });
      await workspace.close();
      closed = true;

      const report = await rollbackClosedStore(join(dir, 'data'), 'before-cleanup');
      expect(report.restored.name).toBe('before-cleanup');
      expect(report.safety).toMatchObject({ automatic: true });
      const reopened = await Workspace.open({ dataDir: join(dir, 'data'), delayedReviewEveryMs: 0, llm: null });
      try {
        expect((await reopened.service.status()).entries).toBe(2);
        const overview = await reopened.privacy.overview({ offline: false, allowedHosts: [] });
        expect(overview.snapshots.map((s) => [s.name === report.safety.name ? 'safety' : s.name, s.automatic])).toEqual([
          ['safety', true],
          ['before-cleanup', false],
        ]);
        const page = await reopened.privacy.auditPage({ types: ['admin'] });
        expect(page.records.map((r) => r.fields['action'])).toEqual(['store_rollback', 'store_tag']);
      } finally {
        await reopened.close();
      }
    } finally {
      if (!closed) await workspace.close();
    }
  });

  it('pauses the connectors to other machines while offline, saying why in their health, and watches the rest', async () => {
    const workspace = await openWith([]);
    try {
      await mkdir(join(dir, 'data', 'tickets'), { recursive: true });
      await writeFile(
        join(dir, 'data', 'connectors.json'),
        JSON.stringify({ format: 1, connectors: [{ id: 'rt', kind: 'rt', baseUrl: 'https://rt.example.com', token: { secret: 'rt-token' } }, { id: 'drop', kind: 'folder', path: 'tickets' }] }),
      );
      const secrets = new MemorySecretStore();
      await secrets.set('rt-token', 'not-used');
      const egress = new EgressPolicy({ offline: true });
      expect(await workspace.connectors.startWatching({ secrets, egress })).toEqual(['drop']);
      const overview = await workspace.connectors.overview();
      const rt = overview.connectors.find((c) => c.id === 'rt')!;
      expect(rt.health).toMatchObject({ state: 'stopped', lastError: 'Paused: offline mode allows only this machine, and rt connects to rt.example.com. Switch offline mode off in Settings → Privacy to resume.' });
      expect(overview.connectors.find((c) => c.id === 'drop')!.health?.state).not.toBe('stopped');
      expect(egress.check('rt.example.com').allowed).toBe(false);
    } finally {
      await workspace.close();
    }
  });

  it('lists the snapshots the engine takes before risky operations as automatic', async () => {
    const workspace = await openWith(ARTICLES.slice(0, 1));
    try {
      await createAutomaticSnapshot(join(dir, 'data'), 'bulk-delete', 'before deleting 3 entries', { lockHeld: true });
      await workspace.privacy.tagSnapshot('mine', '');
      const overview = await workspace.privacy.overview({ offline: false, allowedHosts: [] });
      expect(overview.snapshots.map((s) => [s.reason, s.automatic])).toEqual([
        ['', false],
        ['before deleting 3 entries', true],
      ]);
    } finally {
      await workspace.close();
    }
  });

  it('records a refused connection once while open, without repeating the host in the reason', async () => {
    const workspace = await openWith([]);
    try {
      const attempt = { host: 'telemetry.example.net', via: 'fetch', reason: 'Blocked a connection to telemetry.example.net: it is not the host of a configured connector' };
      const denials = new EgressDenialLog();
      const detach = denials.attach(workspace.service.audit);
      denials.onAttempt({ ...attempt, port: 443, allowed: true, origin: '' } as EgressAttempt); // allowed: not recorded
      denials.onAttempt({ ...attempt, port: 443, allowed: false, origin: '' } as EgressAttempt);
      denials.onAttempt({ ...attempt, port: 443, allowed: false, origin: '' } as EgressAttempt); // a library retrying
      denials.record({ host: attempt.host, via: 'policy', reason: 'it is not the host of a configured connector' });
      await detach();
      const page = await workspace.privacy.auditPage({ types: ['egress_denied'] });
      expect(page.records.map((r) => [r.fields['via'], r.fields['reason']])).toEqual([
        ['policy', 'it is not the host of a configured connector'],
        ['fetch', 'it is not the host of a configured connector'],
      ]);
    } finally {
      await workspace.close();
    }
  });

  it('shows a data folder others can read, repairs it to 0700 and records that', async () => {
    const workspace = await openWith([]);
    try {
      await chmod(join(dir, 'data'), 0o755);
      const before = (await workspace.privacy.overview({ offline: false, allowedHosts: [] })).dataFolder;
      expect(before).toMatchObject({ mode: '0755', private: false });
      expect(before.warning).toContain('can be read by every user of this machine (mode 0755)');
      expect(await workspace.privacy.repairDataFolder()).toMatchObject({ mode: '0700', private: true, warning: null });
      expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
      const { records } = await readAuditLog(join(dir, 'data'), { type: 'admin' });
      expect(records.at(-1)).toMatchObject({ action: 'permissions_repaired', detail: { modeBefore: '0755', modeAfter: '0700' } });
    } finally {
      await workspace.close();
    }
  });

  it('verifies the chain and names the line of an edited record, and exports as `vigil audit export` does', async () => {
    const workspace = await openWith([]);
    try {
      await workspace.privacy.tagSnapshot('one', '');
      await workspace.privacy.tagSnapshot('two', '');
      expect(await workspace.privacy.verifyAudit()).toMatchObject({ ok: true, records: 2, firstBrokenLine: null });
      const out = join(dir, 'audit.csv');
      expect(await workspace.privacy.exportAudit(out, { format: 'csv', type: 'admin' })).toEqual({ file: out, exported: 2, format: 'csv' });
      expect((await readFile(out, 'utf8')).split('\r\n')[0]).toMatch(/^seq,at,type,ticketId,model,purpose,action,shown,reason,outcome,entryIds,redactions,detail,hash\b/);
      await expect(workspace.privacy.exportAudit(out, { format: 'jsonl', type: 'no_such_kind' })).rejects.toThrow('type: "no_such_kind" is not a record type');

      const file = workspace.service.audit.file;
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines[0] = lines[0]!.replace('"one"', '"uno"');
      await writeFile(file, lines.join('\n'));
      const broken = await workspace.privacy.verifyAudit();
      expect(broken).toMatchObject({ ok: false, firstBrokenLine: 1 });
      expect(broken.problems[0]).toContain('does not match its hash');
    } finally {
      await workspace.close();
    }
  });
});
