import { createHmac } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { DeskEvent } from '../../../core/app/deskTypes';
import { Workspace } from '../../../core/app/workspace';
import { AUDIT_ANCHOR_SECRET, auditLogFile } from '../../../core/privacy/auditLog';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import type { Ticket } from '../../../core/formats/schemas';
import { EgressPolicy } from '../../../core/net/egress';
import { writePrivacySettings } from '../../../core/privacy/privacySettings';
import { ARTICLES } from '../../fixtures/storeEntries';
import { FakeZammad, ZAMMAD_TOKEN } from '../../support/vendors/zammad';

describe('the workspace: connectors → watcher → desk → engine', () => {
  let dir: string;
  let data: string;
  let workspace: Workspace;

  beforeEach(async () => {
    dir = await tempFolder('vigil-workspace-');
    data = join(dir, 'data');
    await mkdir(join(data, 'tickets'), { recursive: true });
    const kb = join(dir, 'kb.jsonl');
    await writeFile(kb, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n'));
    workspace = await Workspace.open({ dataDir: data });
    await workspace.service.importEntries(kb);
  });

  afterEach(async () => {
    await workspace.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('switches the gate’s recalibration from feedback off and on and starts it over, as Insights shows and the team setting keeps', async () => {
    expect((await workspace.insights()).gate).toMatchObject({ state: 'default', reactions: 0 });
    expect(await workspace.setGateRecalibration(false)).toMatchObject({ state: 'off', summary: expect.stringMatching(/^gate recalibration is off/) });
    expect((await workspace.insights()).gate?.state).toBe('off');
    expect(workspace.learning.learningSettings().gateRecalibration).toEqual({ enabled: false, since: null });
    expect(await workspace.resetGateRecalibration()).toMatchObject({ state: 'off', reactions: 0 });
    const since = workspace.learning.learningSettings().gateRecalibration.since;
    expect(since).toEqual(expect.any(String));
    expect(await workspace.setGateRecalibration(true)).toMatchObject({ state: 'default', reactions: 0 });
    // The switch keeps the last reset, and both outlive the app.
    await workspace.close();
    workspace = await Workspace.open({ dataDir: data });
    expect(workspace.learning.learningSettings().gateRecalibration).toEqual({ enabled: true, since });
  });

  it('watches nothing until connectors are configured', async () => {
    expect(await workspace.connectors.startWatching({ secrets: new MemorySecretStore() })).toEqual([]);
    expect(workspace.connectors.health()).toEqual([]);
  });

  it('turns a ticket file landing in a watched folder into a cited suggestion on the desk, once', async () => {
    await writeFile(join(data, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: 'tickets' }] }));
    const events: DeskEvent[] = [];
    workspace.desk.onEvent((e) => events.push(e));
    expect(await workspace.connectors.startWatching({ secrets: new MemorySecretStore() })).toEqual(['demo']);
    const ticket = {
      id: 'T-1',
      subject: 'VPN keeps dropping',
      status: 'open',
      messages: [{ id: 'm1', author: 'customer', text: 'My VPN disconnects every few minutes when I work from the hotel network.' }],
    };
    await writeFile(join(data, 'tickets', 'T-1.json'), JSON.stringify(ticket));
    await workspace.connectors.catchUp('demo');
    await workspace.connectors.catchUp('demo');
    const [summary] = await workspace.desk.listTickets();
    expect(summary).toMatchObject({ id: 'demo:T-1', subject: 'VPN keeps dropping', waiting: 1 });
    const detail = await workspace.desk.openTicket('demo:T-1');
    expect(detail!.suggestions).toHaveLength(1);
    expect(detail!.suggestions[0]!.citations[0]!.entryId).toBe('kb-vpn-mtu');
    expect(events.filter((e) => e.type === 'suggestion')).toHaveLength(1);
    expect(workspace.connectors.health()[0]).toMatchObject({ id: 'demo', kind: 'folder', lastError: null });
    await expect(workspace.replies.publishSuggestion('demo:T-1', detail!.suggestions[0]!.id)).rejects.toThrow(
      'Posting notes is off for "demo". Set "writeBack": true for it in connectors.json to allow it.',
    );
  });

  it('lists the connectors with their health, and tests one on request', async () => {
    await writeFile(
      join(data, 'connectors.json'),
      JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: 'tickets' }, { id: 'gone', kind: 'folder', path: 'nowhere', enabled: false }] }),
    );
    await workspace.connectors.startWatching({ secrets: new MemorySecretStore() });
    await workspace.connectors.catchUp('demo');
    const overview = await workspace.connectors.overview();
    expect(overview.problem).toBeNull();
    expect(overview.connectors.map((c) => [c.id, c.enabled, c.health?.state ?? null])).toEqual([
      ['demo', true, 'idle'],
      ['gone', false, null],
    ]);
    expect(await workspace.connectors.test('demo')).toEqual({ id: 'demo', ok: true });
    const gone = await workspace.connectors.test('gone');
    expect(gone.ok).toBe(false);
    expect(!gone.ok && gone.message).toMatch(/nowhere/);
  });

  it('names the field of a mistake in connectors.json', async () => {
    await writeFile(join(data, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder' }] }));
    await expect(workspace.connectors.startWatching({ secrets: new MemorySecretStore() })).rejects.toThrow(/connectors\.json: connectors\.0 \("demo"\)\.path/);
    expect((await workspace.connectors.overview()).problem).toMatch(/connectors\.0 \("demo"\)\.path/);
  });

  it('posts a suggestion to the helpdesk as an internal note when the analyst clicks, if the connector allows it', async () => {
    const zammad = await new FakeZammad().start();
    try {
      const id = zammad.open('VPN keeps dropping', 'My VPN disconnects every few minutes when I work from the hotel network.');
      const entry = { id: 'zm', kind: 'zammad', baseUrl: zammad.url, token: { secret: 'zm-token' }, startAt: '2026-01-01T00:00:00Z', writeBack: true };
      await writeFile(join(data, 'connectors.json'), JSON.stringify({ format: 1, connectors: [entry] }));
      const secrets = new MemorySecretStore();
      await secrets.set('zm-token', ZAMMAD_TOKEN);
      expect(await workspace.connectors.startWatching({ secrets })).toEqual(['zm']);
      await workspace.connectors.catchUp('zm');
      const ticketId = `zm:${id}`;
      const shown = (await workspace.desk.openTicket(ticketId))!.suggestions[0]!;
      expect(zammad.server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
      const published = await workspace.replies.publishSuggestion(ticketId, shown.id);
      expect(published.feedback).toContain('published');
      const note = zammad.tickets.get(id)!.articles.at(-1)!;
      expect(note).toMatchObject({ internal: true, body: shown.suggestion.text });
    } finally {
      await zammad.close();
    }
  });
});

describe('the workspace\'s audit log and the keychain', () => {
  it('keeps the audit anchor in the keyring it is given, so a dropped last record shows in the audit view even with anchor.json rewritten', async () => {
    const data = join(await tempFolder('vigil-workspace-audit-'), 'data');
    const keychain = new MemorySecretStore();
    let workspace = await Workspace.open({ dataDir: data, auditKeyring: keychain, llm: null, delayedReviewEveryMs: 0 });
    await workspace.privacy.tagSnapshot('before-change', 'first');
    await workspace.privacy.tagSnapshot('after-change', 'second');
    await workspace.close();
    expect(await keychain.list()).toEqual([AUDIT_ANCHOR_SECRET]);

    // Drop the last record and write an anchor.json that fits (the key is in the data folder for anyone to use).
    const lines = (await readFile(auditLogFile(data), 'utf8')).trimEnd().split('\n');
    await writeFile(auditLogFile(data), `${lines.slice(0, -1).join('\n')}\n`);
    const last = JSON.parse(lines.at(-2)!) as { seq: number; hash: string };
    const key = Buffer.from((await readFile(join(data, 'audit', 'chain.key'), 'utf8')).trim(), 'hex');
    const mac = createHmac('sha256', key).update(`vigil-audit-anchor\n${last.seq}\n${last.hash}`).digest('hex');
    await writeFile(join(data, 'audit', 'anchor.json'), JSON.stringify({ seq: last.seq, hash: last.hash, mac }));

    workspace = await Workspace.open({ dataDir: data, auditKeyring: keychain, llm: null, delayedReviewEveryMs: 0 });
    try {
      const view = await workspace.privacy.verifyAudit();
      expect(view.ok).toBe(false);
      expect(view.problems.join('\n')).toMatch(/record \d+ (was written|is not the record that was written)/);
    } finally {
      await workspace.close();
    }
  });
});

describe('the workspace learns from links analysts share, on the team\'s documentation hosts only', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('turns a folder ticket\'s link into an article candidate through the app\'s policy, and contacts nothing offline', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Reset a blocked PIN</title><p>Unblock the PIN at any ATM of the network.</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const dir = await tempFolder('vigil-workspace-links-');
    const data = join(dir, 'data');
    await mkdir(join(data, 'tickets'), { recursive: true });
    await writeFile(join(data, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: 'tickets' }] }));
    await writePrivacySettings(data, { documentationHosts: ['127.0.0.1'] });
    // The process's policy, as the app passes it (workspaceOpener.ts).
    const egress = new EgressPolicy();
    const workspace = await Workspace.open({ dataDir: data, egress, delayedReviewEveryMs: 0, llm: null });
    closers.push(() => workspace.close());
    await workspace.connectors.startWatching({ secrets: new MemorySecretStore(), egress });
    const sharing = (id: string, path: string) =>
      JSON.stringify({
        id,
        subject: 'Blocked PIN',
        status: 'open',
        messages: [
          { id: 'm1', author: 'customer', text: 'My card PIN is blocked after three tries.' },
          { id: 'm2', author: 'analyst', text: `You can unblock it yourself: ${base}${path}` },
        ],
      });

    await writeFile(join(data, 'tickets', 'T-1.json'), sharing('T-1', '/pin'));
    await workspace.connectors.catchUp('demo');
    await vi.waitFor(async () => expect((await workspace.learning.reviewQueue()).map((i) => i.title)).toEqual(['Reset a blocked PIN']));
    expect(seen).toEqual(['/pin']);

    // Offline mode (Settings → Privacy switches it on the same policy): the listed host is not contacted.
    egress.setOffline(true);
    expect(await workspace.service.learnSharedLinks(JSON.parse(sharing('demo:T-2', '/other')) as Ticket)).toEqual([
      { url: `${base}/other`, status: 'not_fetched', reason: expect.stringMatching(/offline mode is on/) },
    ]);
    expect(seen).toEqual(['/pin']);
  });
});
