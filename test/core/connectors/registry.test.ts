import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { FolderConnector } from '../../../core/connectors/folderConnector';
import { ImapConnector } from '../../../core/connectors/imapConnector';
import { buildConnectors, connectorOrigin, loadConnectorsConfig, parseConnectorsConfig } from '../../../core/connectors/registry';
import { EgressPolicy } from '../../../core/net/egress';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { FakeZammad, ZAMMAD_TOKEN } from '../../support/vendors/zammad';

const imap = { id: 'support-mail', kind: 'imap', host: 'imap.example.com', user: 'support@example.com', password: { secret: 'support-mail' }, supportAddresses: ['@example.com'] };

describe('connector settings', () => {
  it('builds connectors from the settings file, resolving secrets by name and allowing their hosts', async () => {
    const dataDir = await tempFolder('vigil-registry-');
    await writeFile(join(dataDir, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: 'tickets', pollSeconds: 2 }, imap, { id: 'off', kind: 'folder', path: '/x', enabled: false }] }));
    const configs = await loadConnectorsConfig(dataDir);
    expect(configs.map((c) => [c.id, c.enabled])).toEqual([['demo', true], ['support-mail', true], ['off', false]]);
    const secrets = new MemorySecretStore();
    await secrets.set('support-mail', 'pa55-word-99');
    const built = await buildConnectors(configs, { dataDir, secrets });
    expect(built.connectors.map((c) => [c.connector.id, c.pollMs])).toEqual([['demo', 2000], ['support-mail', 60_000]]);
    expect(built.connectors[0]!.connector).toBeInstanceOf(FolderConnector);
    expect(built.connectors[1]!.connector).toBeInstanceOf(ImapConnector);
    expect(() => built.egress.assertAllowed('imap.example.com')).not.toThrow();
    expect(() => built.egress.assertAllowed('evil.example.net')).toThrow(/not the host of a configured connector/);
    // The app passes its process-wide policy: the connectors' hosts are allowed on that one.
    const shared = new EgressPolicy();
    await buildConnectors(configs, { dataDir, secrets, egress: shared });
    expect(shared.check('imap.example.com').allowed).toBe(true);
    expect(shared.check('evil.example.net').allowed).toBe(false);
    expect(built.redact('LOGIN support pa55-word-99 failed')).toBe('LOGIN support [secret] failed');
    const signal = new AbortController().signal;
    await expect(built.postNote('support-mail:a1@x', 'draft', signal)).rejects.toThrow('Posting notes is off for "support-mail". Set "writeBack": true for it in connectors.json to allow it.');
    await expect(built.postNote('off:T-1', 'draft', signal)).rejects.toThrow('Ticket off:T-1 does not come from a connector that is running.');
    const withWriteBack = await buildConnectors(parseConnectorsConfig({ connectors: [{ id: 'demo', kind: 'folder', path: 'tickets', writeBack: true }] }, 'c.json'), { dataDir, secrets });
    // The folder connector writes notes and replies to its outbox; the IMAP one saves drafts but sends no replies.
    expect(withWriteBack.writeCapabilities('demo:T-1')).toEqual({ note: true, reply: true, reason: null });
    const imapBack = await buildConnectors(parseConnectorsConfig({ connectors: [{ ...imap, writeBack: true }] }, 'c.json'), { dataDir, secrets });
    expect(imapBack.writeCapabilities('support-mail:a1@x')).toEqual({ note: true, reply: false, reason: expect.stringContaining('cannot send replies') });
    await expect(imapBack.postReply('support-mail:a1@x', 'draft', signal)).rejects.toThrow('The imap connector "support-mail" cannot send replies to the customer; copy the reply into your helpdesk instead.');
    expect(built.writeCapabilities('support-mail:a1@x')).toMatchObject({ note: false, reply: false, reason: expect.stringContaining('Posting notes is off') });
  });

  it('names the file, the entry and the field of a mistake', async () => {
    const file = 'connectors.json';
    expect(() => parseConnectorsConfig({ connectors: [{ ...imap, port: 'nine' }] }, file)).toThrow('connectors.json: connectors.0 ("support-mail").port: Invalid input: expected number, received string');
    expect(() => parseConnectorsConfig({ connectors: [{ ...imap, password: 'hunter2' }] }, file)).toThrow(
      'connectors.json: connectors.0 ("support-mail").password: credentials never go in settings files: store it with `vigil secrets set NAME` and write {"secret": "NAME"} here',
    );
    expect(() => parseConnectorsConfig({ connectors: [{ id: 'x', kind: 'fax' }] }, file)).toThrow('connectors.json: connectors.0 ("x").kind: unknown kind "fax"; use one of folder, freshdesk, imap, jsm, rt, zammad, zendesk');
    expect(() => parseConnectorsConfig({ connectors: [{ id: 'x', kind: 'folder', path: 'a', hots: 1 }] }, file)).toThrow(/connectors\.0 \("x"\)\.\(line\): Unrecognized key: "hots"|connectors\.0 \("x"\)\.hots/);
    expect(() => parseConnectorsConfig({ connectors: [{ id: 'a b', kind: 'folder', path: 'a' }] }, file)).toThrow('connectors.0 ("a b").id: must be letters, digits');
    expect(() => parseConnectorsConfig({ connectors: [{ id: 'a', kind: 'folder', path: 'x' }, { id: 'a', kind: 'folder', path: 'y' }] }, file)).toThrow('connectors.1 ("a").id: "a" is used by another connector');

    const dataDir = await tempFolder('vigil-registry-');
    await writeFile(join(dataDir, 'connectors.json'), '{"connectors": [\n  {"id": "a",}\n]}');
    await expect(loadConnectorsConfig(dataDir)).rejects.toThrow(`${join(dataDir, 'connectors.json')}:2: not valid JSON`);
  });

  it('refuses a URL with a user name or password in it, naming the field', () => {
    const rt = { id: 'rt', kind: 'rt', token: { secret: 'rt-token' } };
    expect(() => parseConnectorsConfig({ connectors: [{ ...rt, baseUrl: 'https://admin:hunter2@rt.example.com' }] }, 'connectors.json')).toThrow(
      /^connectors\.json: connectors\.0 \("rt"\)\.baseUrl: a URL must not hold a user name or password/,
    );
    expect(() => parseConnectorsConfig({ connectors: [{ ...rt, baseUrl: 'https://admin@rt.example.com/' }] }, 'connectors.json')).toThrow(/connectors\.0 \("rt"\)\.baseUrl: a URL must not hold/);
    expect(parseConnectorsConfig({ connectors: [{ ...rt, baseUrl: 'https://rt.example.com/' }] }, 'connectors.json')).toHaveLength(1);
  });

  it('removes credentials inside a URL from the errors it reports, keeping the host', async () => {
    const dataDir = await tempFolder('vigil-registry-');
    const built = await buildConnectors(parseConnectorsConfig({ connectors: [{ id: 'demo', kind: 'folder', path: 'tickets' }] }, 'c.json'), { dataDir, secrets: new MemorySecretStore() });
    expect(built.redact('GET https://admin:hunter2@rt.example.com/REST/2.0 redirected to http://u:p@10.0.0.5/')).toBe('GET https://[SECRET]@rt.example.com/REST/2.0 redirected to http://[SECRET]@10.0.0.5/');
  });

  it('takes a one-off build’s hosts back off a shared egress policy, keeping those allowed before', async () => {
    // The registry half of "a draft test never widens the egress allow-list beyond that call" (issue 18, row 1):
    // the app's draft test builds the draft's connector on its process-wide policy, then releases it.
    const dataDir = await tempFolder('vigil-registry-');
    const secrets = new MemorySecretStore();
    await secrets.set('support-mail', 'pa55-word-99');
    const shared = new EgressPolicy({ allowHosts: ['imap.example.com'] });
    const draft = await buildConnectors(parseConnectorsConfig({ connectors: [imap, { ...imap, id: 'draft', host: 'x.evil.example' }] }, 'c.json'), { dataDir, secrets, egress: shared });
    expect(shared.check('x.evil.example').allowed).toBe(true); // for the call
    draft.release();
    expect(shared.check('x.evil.example')).toMatchObject({ allowed: false, reason: 'it is not the host of a configured connector' });
    expect(shared.check('imap.example.com').allowed).toBe(true);
  });

  it('says which secret is missing and how to add it', async () => {
    const dataDir = await tempFolder('vigil-registry-');
    const configs = parseConnectorsConfig({ connectors: [imap] }, 'connectors.json');
    await expect(buildConnectors(configs, { dataDir, secrets: new MemorySecretStore() })).rejects.toThrow(
      'Connector "support-mail": password refers to the secret "support-mail", which is not in the secret store. Add it with `vigil secrets set support-mail`.',
    );
    const secrets = new MemorySecretStore();
    await secrets.set('support-mail', 'pw-12345');
    const plain = parseConnectorsConfig({ connectors: [{ ...imap, tls: 'none' }] }, 'connectors.json');
    await expect(buildConnectors(plain, { dataDir, secrets })).rejects.toThrow('IMAP without TLS is allowed only to this machine (loopback); use tls "implicit" or "starttls" for imap.example.com.');
    await expect(buildConnectors(configs, { dataDir, secrets: new MemorySecretStore(), only: ['nope'] })).rejects.toThrow(/No connector "nope" in .*connectors\.json \(configured: support-mail\)/);
  });

  it('builds an HTTP helpdesk connector with its token from the secret store, and syncs from it', async () => {
    const zammad = await new FakeZammad().start();
    try {
      zammad.open('Printer offline', 'The office printer shows offline since this morning.');
      const dataDir = await tempFolder('vigil-registry-');
      const entry = { id: 'zm', kind: 'zammad', baseUrl: zammad.url, token: { secret: 'zammad-token' }, startAt: '2026-01-01T00:00:00Z', pollSeconds: 30 };
      const configs = parseConnectorsConfig({ connectors: [entry] }, 'connectors.json');
      const secrets = new MemorySecretStore();
      await secrets.set('zammad-token', ZAMMAD_TOKEN);
      const built = await buildConnectors(configs, { dataDir, secrets });
      expect(built.connectors.map((c) => [c.connector.id, c.connector.kind, c.pollMs])).toEqual([['zm', 'zammad', 30_000]]);
      const page = await built.connectors[0]!.connector.fetchSince(null, new AbortController().signal);
      expect(page.events.map((e) => [e.type, e.ticket.subject])).toContainEqual(['ticket_opened', 'Printer offline']);
      expect(built.redact(`token ${ZAMMAD_TOKEN} refused`)).toBe('token [secret] refused');
      expect(() => parseConnectorsConfig({ connectors: [{ ...entry, token: ZAMMAD_TOKEN }] }, 'connectors.json')).toThrow(
        'connectors.json: connectors.0 ("zm").token: credentials never go in settings files',
      );
      expect(() => parseConnectorsConfig({ connectors: [{ ...entry, baseUrl: 'not a url' }] }, 'connectors.json')).toThrow(
        /connectors\.0 \("zm"\)\.baseUrl/,
      );
    } finally {
      await zammad.close();
    }
  });

  it('names where each connector sends its secrets: a URL\'s origin, a mailbox\'s host, port and TLS mode', () => {
    const origin = (entry: Record<string, unknown>) => connectorOrigin(parseConnectorsConfig({ connectors: [{ id: 'c', ...entry }] }, 'connectors.json')[0]!);
    const imap = { kind: 'imap', host: 'Mail.Example.com', user: 'u', password: { secret: 'p' }, supportAddresses: ['@example.com'] };
    expect(origin(imap)).toBe('mail.example.com:993 (TLS: implicit)');
    expect(origin({ ...imap, tls: 'none' })).toBe('mail.example.com:143 (TLS: none)');
    expect(origin({ ...imap, tls: 'none', port: 993 })).not.toBe(origin(imap));
    const rt = { kind: 'rt', token: { secret: 't' } };
    expect(origin({ ...rt, baseUrl: 'https://RT.example.com:443/rt' })).toBe('https://rt.example.com');
    expect(origin({ ...rt, baseUrl: 'http://rt.example.com/rt' })).toBe('http://rt.example.com');
    expect(origin({ kind: 'folder', path: 'tickets' })).toBeNull();
  });
});
