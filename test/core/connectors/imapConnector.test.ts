import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { main } from '../../../core/cli/vigil';
import type { TicketEvent } from '../../../core/connectors/connector';
import { FileSecretStore } from '../../../core/secrets/fileSecretStore';
import { ImapConnector, type ImapConnectorOptions } from '../../../core/connectors/imapConnector';
import { Watcher } from '../../../core/watch/watcher';
import { dovecotSkipReason, imapTestOptions, startDovecot, type DovecotServer } from '../../support/dovecot';
import { startFaultProxy } from './imapFaultProxy';

const skip = dovecotSkipReason();
if (skip) console.warn(skip);

const USER = { user: 'support', password: 'imap-pass-7431' };

function mail(headers: Record<string, string>, body: string): string {
  const lines = Object.entries({ Date: 'Sun, 01 Mar 2026 09:00:00 +0000', 'Content-Type': 'text/plain; charset=utf-8', ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}\r\n`;
}

class RecordingSink {
  readonly events: TicketEvent[] = [];
  async deliver(_id: string, events: readonly TicketEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

describe.skipIf(skip !== null)('the IMAP connector (real Dovecot on loopback)', () => {
  let server: DovecotServer;
  let admin: ImapFlow;

  const options = (extra: Partial<ImapConnectorOptions> = {}): ImapConnectorOptions => imapTestOptions(server, USER, { pageSize: 2, ...extra });

  const deliver = (raw: string) => admin.append('INBOX', raw);

  beforeAll(async () => {
    server = await startDovecot([USER]);
    admin = new ImapFlow({ host: server.host, port: server.port, secure: false, doSTARTTLS: false, auth: { user: USER.user, pass: USER.password }, logger: false });
    await admin.connect();
    await admin.mailboxCreate('Drafts');
  });

  afterAll(async () => {
    await admin?.logout().catch(() => undefined);
    await server?.stop();
  });

  it('threads messages into tickets by References and In-Reply-To, pages by UID and drops a re-delivered copy', async () => {
    await deliver(mail({ From: 'Ann <ann@customer.org>', To: 'help@help.example.com', Subject: 'VPN drops', 'Message-ID': '<a1@customer.org>' }, 'My VPN drops every ten minutes.'));
    await deliver(mail({ From: 'Bob <bob@other.org>', Subject: 'Printer offline', 'Message-ID': '<b1@other.org>' }, 'The printer on floor 2 is offline.'));
    await deliver(mail({ From: 'Help <help@help.example.com>', Subject: 'Re: VPN drops', 'Message-ID': '<h1@help.example.com>', 'In-Reply-To': '<a1@customer.org>', References: '<a1@customer.org>' }, 'Which client version do you use?'));
    await deliver(mail({ From: 'Ann <ann@customer.org>', Subject: 'RE: Re: VPN drops', 'Message-ID': '<a2@customer.org>', 'In-Reply-To': '<h1@help.example.com>', References: '<a1@customer.org> <h1@help.example.com>' }, 'Version 5.2.\n\n> Which client version do you use?'));
    // The same message again (a CC to the support address): same Message-ID.
    await deliver(mail({ From: 'Ann <ann@customer.org>', Subject: 'RE: Re: VPN drops', 'Message-ID': '<a2@customer.org>', 'In-Reply-To': '<h1@help.example.com>', References: '<a1@customer.org> <h1@help.example.com>' }, 'Version 5.2.'));

    const dataDir = await tempFolder('vigil-imap-');
    const sink = new RecordingSink();
    const watcher = await Watcher.open({ dataDir, sink, connectors: [{ connector: new ImapConnector(options()), pollMs: 1000 }] });
    const first = await watcher.syncPage('mail');
    expect(first).toEqual({ delivered: 2, more: true });
    expect(watcher.health()[0]!.backlog).toBe(3);
    await watcher.catchUp('mail');

    expect(sink.events.map((e) => [e.id, e.type, e.ticket.messages.length])).toEqual([
      ['mail:a1@customer.org#opened', 'ticket_opened', 1],
      ['mail:b1@other.org#opened', 'ticket_opened', 1],
      ['mail:a1@customer.org#msg:h1@help.example.com', 'message_added', 2],
      ['mail:a1@customer.org#msg:a2@customer.org', 'message_added', 3],
    ]);
    const last = sink.events[3]!;
    expect(last.ticket).toMatchObject({ id: 'mail:a1@customer.org', subject: 'VPN drops', requester: 'ann@customer.org', status: 'open' });
    expect(last.ticket.messages.map((m) => [m.author, m.text.split('\n')[0]])).toEqual([
      ['customer', 'My VPN drops every ten minutes.'],
      ['analyst', 'Which client version do you use?'],
      ['customer', 'Version 5.2.'],
    ]);
    expect(watcher.health()[0]).toMatchObject({ backlog: 0, delivered: 4, lastError: null });

    // A later message continues from the stored cursor, in a new process.
    await deliver(mail({ From: 'Bob <bob@other.org>', Subject: 'Re: Printer offline', 'Message-ID': '<b2@other.org>', References: '<b1@other.org>' }, 'It is back, thanks.'));
    const sink2 = new RecordingSink();
    const again = await Watcher.open({ dataDir, sink: sink2, connectors: [{ connector: new ImapConnector(options()), pollMs: 1000 }] });
    await again.catchUp('mail');
    expect(sink2.events.map((e) => e.id)).toEqual(['mail:b1@other.org#msg:b2@other.org']);
  });

  it('hears new mail at once over IMAP IDLE', async () => {
    const connector = new ImapConnector(options());
    let unsubscribe: () => void = () => undefined;
    const heard = new Promise<void>((resolve) => {
      unsubscribe = connector.subscribe(resolve);
    });
    // Deliver once the IDLE connection is in place; repeat until it is heard (the first may arrive before IDLE).
    let n = 0;
    const timer = setInterval(() => void deliver(mail({ From: 'z@customer.org', Subject: 'Ping', 'Message-ID': `<idle-${++n}@customer.org>` }, 'New mail')), 500);
    await heard;
    clearInterval(timer);
    unsubscribe();
  });

  it('posts a draft reply into the drafts mailbox, only when asked', async () => {
    const connector = new ImapConnector(options());
    await connector.postNote('mail:b1@other.org', 'Glad it works again.', new AbortController().signal);
    const lock = await admin.getMailboxLock('Drafts');
    try {
      const drafts = await admin.fetchAll('1:*', { source: true, flags: true });
      expect(drafts).toHaveLength(1);
      const source = drafts[0]!.source!.toString();
      expect(source).toContain('In-Reply-To: <b2@other.org>');
      expect(source).toContain('To: <bob@other.org>');
      expect(source).toContain('Glad it works again.');
      expect([...drafts[0]!.flags!]).toContain('\\Draft');
    } finally {
      lock.release();
    }
  });

  it('writes a draft from the support address with an RFC 2047 subject', async () => {
    await admin.mailboxCreate('Umlaut');
    await admin.mailboxCreate('UmlautDrafts');
    await admin.append('Umlaut', mail({ From: 'Jörg Kunde <joerg@kunde.de>', Subject: 'Drucker druckt über WLAN nur Streifen', 'Message-ID': '<u1@kunde.de>' }, 'Seit gestern.'));
    const connector = new ImapConnector(options({ mailbox: 'Umlaut', draftsMailbox: 'UmlautDrafts', supportAddresses: ['help@help.example.com', '@help.example.com'] }));
    await connector.postNote('mail:u1@kunde.de', 'Bitte den Treiber neu installieren.', new AbortController().signal);
    const lock = await admin.getMailboxLock('UmlautDrafts');
    try {
      const [draft] = await admin.fetchAll('1:*', { source: true });
      const source = draft!.source!.toString('latin1');
      expect(source).toMatch(/^From: <help@help\.example\.com>\r$/m);
      // Only ASCII in the header block: the subject is encoded words, which a mail client decodes back.
      const head = source.slice(0, source.indexOf('\r\n\r\n'));
      expect([...head].every((c) => c.charCodeAt(0) < 128)).toBe(true);
      expect(head).toContain('Subject: =?UTF-8?B?');
      const parsed = await simpleParser(draft!.source!);
      expect(parsed.subject).toBe('Re: Drucker druckt über WLAN nur Streifen');
    } finally {
      lock.release();
    }
  });

  it('keeps a message without a Message-ID apart from another after the mailbox is rebuilt', async () => {
    const noId = (from: string, subject: string, body: string, date: string) =>
      mail({ From: from, Subject: subject, Date: date }, body);
    const printer = noId('carol@customer.org', 'Printer', 'The printer jams on every page.', 'Mon, 02 Mar 2026 08:00:00 +0000');
    const vpn = noId('dave@customer.org', 'VPN', 'The VPN drops every hour.', 'Mon, 02 Mar 2026 09:00:00 +0000');
    await admin.mailboxCreate('Rebuilt');
    await admin.append('Rebuilt', printer);
    const dataDir = await tempFolder('vigil-imap-rebuild-');
    const sink = new RecordingSink();
    const connector = new ImapConnector(options({ id: 'rebuilt', mailbox: 'Rebuilt' }));
    const watcher = await Watcher.open({ dataDir, sink, connectors: [{ connector, pollMs: 1000 }] });
    await watcher.catchUp('rebuilt');
    expect(sink.events.map((e) => e.ticket.subject)).toEqual(['Printer']);

    // The mailbox is rebuilt (a restore, a migration): new UIDVALIDITY, and the other message now has UID 1.
    await admin.mailboxDelete('Rebuilt');
    await admin.mailboxCreate('Rebuilt');
    await admin.append('Rebuilt', vpn);
    await admin.append('Rebuilt', printer);
    await watcher.catchUp('rebuilt');
    // The new message is delivered; the old one, read again, is known and dropped.
    expect(sink.events.map((e) => e.ticket.subject)).toEqual(['Printer', 'VPN']);
    expect(watcher.health()[0]!.duplicatesDropped).toBe(1);
  });

  it('recovers from a connection cut mid-page and from a server that goes silent, delivering each message once', async () => {
    await admin.mailboxCreate('Faults');
    for (let i = 1; i <= 6; i++) {
      await admin.append('Faults', mail({ From: `c${i}@customer.org`, Subject: `Problem ${i}`, 'Message-ID': `<f${i}@customer.org>` }, `Problem number ${i} with a long enough body to span packets. ${'x'.repeat(2000)}`));
    }
    const proxy = await startFaultProxy(server.port);
    try {
      const dataDir = await tempFolder('vigil-imap-');
      const sink = new RecordingSink();
      const connector = new ImapConnector(options({ id: 'faults', port: proxy.port, mailbox: 'Faults', pageSize: 3 }));
      const errors: string[] = [];
      const watcher = await Watcher.open({
        dataDir,
        sink,
        connectors: [{ connector, pollMs: 1000 }],
        backoff: { baseMs: 1, maxMs: 2 },
        fetchTimeoutMs: 1500,
        onHealth: (h) => {
          if (h.lastError && h.lastError !== errors.at(-1)) errors.push(h.lastError);
        },
      });
      // The first page's fetch is cut once the server has sent a few kB: the login and part of the messages.
      proxy.mode = { kind: 'cut', afterServerBytes: 4000 };
      await expect(watcher.syncPage('faults')).rejects.toThrow(`The connection to the mail server at 127.0.0.1:${proxy.port} was lost before it finished answering.`);
      expect(sink.events).toEqual([]);
      // Then it goes silent in the middle of a page: the watcher's time limit aborts the fetch.
      proxy.mode = { kind: 'stall', afterServerBytes: 4000 };
      await expect(watcher.syncPage('faults')).rejects.toThrow('The source did not answer within 2 s.');
      proxy.mode = { kind: 'pass' };
      await watcher.catchUp('faults');
      expect(sink.events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `faults:f${i}@customer.org#opened`));
      expect(proxy.faults).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('runs end to end from settings: vigil watch reads the mailbox with the password from the secret store', async () => {
    await admin.mailboxCreate('Queue');
    await admin.append('Queue', mail({ From: 'dana@customer.org', Subject: 'Shared drive', 'Message-ID': '<d1@customer.org>' }, 'The shared drive S: is read-only since this morning for the whole finance team.'));
    const dataDir = await tempFolder('vigil-imap-cli-');
    await new FileSecretStore(dataDir).set('queue-mail', USER.password);
    const settings = { format: 1, connectors: [{ id: 'queue', kind: 'imap', host: '127.0.0.1', port: server.port, tls: 'none', user: USER.user, password: { secret: 'queue-mail' }, mailbox: 'Queue', supportAddresses: ['@help.example.com'] }] };
    await writeFile(join(dataDir, 'connectors.json'), JSON.stringify(settings));
    const stdout: string[] = [];
    const stderr: string[] = [];
    const out = { log: (l: string) => stdout.push(l), error: (l: string) => stderr.push(l) };
    expect(await main(['watch', '--once', '--json', '--offline', '--data-dir', dataDir], out)).toBe(0);
    expect(stderr).toContain('queue: 1 new event');
    const decision = JSON.parse(stdout[0]!) as { ticketId: string; suggestion: { afterMessageId: string; reason: string } };
    expect(decision).toMatchObject({ ticketId: 'queue:d1@customer.org', suggestion: { afterMessageId: 'd1@customer.org', reason: 'no_match' } });
    // The password is in the user-only secret store, not in the settings or anything Vigil wrote.
    expect(await readFile(join(dataDir, 'connectors.json'), 'utf8')).not.toContain(USER.password);
    expect([...stdout, ...stderr].join('\n')).not.toContain(USER.password);
  });

  it('explains a refused login and an unreachable server without revealing the password', async () => {
    const signal = new AbortController().signal;
    const wrong = new ImapConnector(options({ password: 'not-the-password' }));
    const error = await wrong.fetchSince(null, signal).catch((e: Error) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect((error as Error).message).toBe(`The mail server at 127.0.0.1:${server.port} refused the login of "support". Check the user name and the password in the secret store.`);
    expect((error as Error).message).not.toContain('not-the-password');

    const closed = new ImapConnector(options({ port: 1 }));
    await expect(closed.fetchSince(null, signal)).rejects.toThrow('Cannot reach the mail server at 127.0.0.1:1: connection refused.');

    const remote = new ImapConnector(options({ host: 'imap.example.com', tls: 'implicit' }));
    await expect(remote.fetchSince(null, signal)).rejects.toThrow(/Blocked a connection to imap\.example\.com/);
  });
});
