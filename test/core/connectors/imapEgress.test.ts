/**
 * The IMAP connector goes through the same egress policy as the HTTP connectors: the host is checked by name before
 * anything is opened, and the socket resolves it with the policy's own lookup, so it dials only an address the
 * policy accepted. Against a real Dovecot on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapConnector, type ImapConnectorOptions } from '../../../core/connectors/imapConnector';
import { EgressPolicy, type ResolveAll } from '../../../core/net/egress';
import { installEgressGuard } from '../../../core/net/processGuard';
import { dovecotSkipReason, imapTestOptions, startDovecot, type DovecotServer } from '../../support/dovecot';

const skip = dovecotSkipReason();
if (skip) console.warn(skip);

const USER = { user: 'support', password: 'imap-egress-5520' };

describe.skipIf(skip !== null)('the IMAP connector under the egress policy (real Dovecot on loopback)', () => {
  let server: DovecotServer;

  const options = (egress: EgressPolicy, extra: Partial<ImapConnectorOptions> = {}): ImapConnectorOptions => imapTestOptions(server, USER, { egress, ...extra });

  beforeAll(async () => {
    server = await startDovecot([USER]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connects to an allowed loopback host, resolving its name with the policy (a name the system resolver does not know)', async () => {
    // `vigil-imap.localhost` is loopback by RFC 6761 but not in /etc/hosts: only the policy's lookup answers it, so
    // a working connection proves imapflow's socket used that lookup.
    const asked: string[] = [];
    const resolveAll: ResolveAll = async (host) => {
      asked.push(host);
      throw new Error(`no DNS in this test (asked for ${host})`);
    };
    const connector = new ImapConnector(options(new EgressPolicy({ offline: true, resolveAll }), { host: 'vigil-imap.localhost' }));
    await connector.testConnection(new AbortController().signal);
    const page = await connector.fetchSince(null, new AbortController().signal);
    expect(page.events).toEqual([]);
    expect(asked).toEqual([]); // answered as 127.0.0.1 without any resolver

    // `localhost` is resolved by the policy's resolver, and the answer is checked.
    const seen: string[] = [];
    const local = new ImapConnector(
      options(new EgressPolicy({ offline: true, resolveAll: async (h) => (seen.push(h), [{ address: '127.0.0.1', family: 4 }]) }), { host: 'localhost' }),
    );
    await local.testConnection(new AbortController().signal);
    expect(seen).toContain('localhost');
  });

  it('refuses a host outside the policy with a clear error before any socket or DNS query', async () => {
    const tripwire = installEgressGuard(new EgressPolicy({ offline: true }));
    try {
      const offline = new ImapConnector(options(new EgressPolicy({ offline: true }), { host: '192.0.2.1', tls: 'implicit' }));
      const error = await offline.fetchSince(null, new AbortController().signal).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ConnectorError', kind: 'config' });
      expect((error as Error).message).toBe('Blocked a connection to 192.0.2.1: offline mode allows only this machine (loopback)');

      const unlisted = new ImapConnector(options(new EgressPolicy({ allowHosts: ['imap.example.com'] }), { host: 'mail.example.org', tls: 'implicit' }));
      await expect(unlisted.testConnection(new AbortController().signal)).rejects.toThrow(
        'Blocked a connection to mail.example.org: it is not the host of a configured connector',
      );
    } finally {
      tripwire.uninstall();
    }
    // The guard under it saw no attempt at all: the connector stopped before opening anything.
    expect(tripwire.attempts.filter((a) => a.host === '192.0.2.1' || a.host === 'mail.example.org')).toEqual([]);
  });

  it('refuses a loopback name that resolves to another machine, at the socket, with the reason', async () => {
    // /etc/hosts edited to send `localhost` elsewhere: the name passes the first check, the address does not.
    const egress = new EgressPolicy({ offline: true, resolveAll: async () => [{ address: '192.0.2.1', family: 4 }] });
    const connector = new ImapConnector(options(egress, { host: 'localhost' }));
    const error = await connector.testConnection(new AbortController().signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConnectorError', kind: 'config' });
    expect((error as Error).message).toMatch(/Blocked a connection to localhost: it should be this machine but resolves to 192\.0\.2\.1/);
  });
});
