/**
 * Fuzzing the IMAP connector's mail → ticket mapping: a real Dovecot on loopback (test/support/dovecot.ts) holds
 * messages whose headers and bodies are missing, malformed or hostile (empty and garbage Message-IDs, References
 * that point nowhere or at each other, impossible dates, broken encodings and MIME structure, arbitrary bytes). A
 * sync, paged, never throws: every event carries a ticket in the spec's format, every message that cannot be read
 * is an issue naming the mailbox and its UID, and a second sync delivers nothing new.
 */
import fc from 'fast-check';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TicketEventSchema, type TicketEvent } from '../../../core/connectors/connector';
import { contentMessageId, ImapConnector } from '../../../core/connectors/imapConnector';
import { dovecotSkipReason, imapTestOptions, startDovecot, type DovecotServer } from '../../support/dovecot';
import { nastyString } from './jsonArbitraries';

const skip = dovecotSkipReason();
if (skip) console.warn(skip);

const USER = { user: 'fuzz', password: 'imap-fuzz-2291' };

/** One header line's value: never a line break (that would be another header), anything else goes. */
const headerText = nastyString.map((s) => s.replace(/[\r\n]/g, ' ').slice(0, 200));

/** Message-IDs from a small pool, so References and In-Reply-To often point at other messages of the run. */
const ID_POOL = ['<a@x>', '<b@x>', '<c@y>', '<>', '< >', 'no-brackets@x', '<a@x> <b@x>', '<<nested>>', '<\u00e9@\u00fc>', `<${'l'.repeat(300)}@x>`];
const messageIdValue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ID_POOL) }, { weight: 1, arbitrary: headerText });

const dateValue = fc.oneof(
  fc.constantFrom(
    'Sun, 01 Mar 2026 09:00:00 +0000',
    'Thu, 31 Feb 2026 25:61:61 +9999',
    'yesterday',
    '',
    'Mon, 01 Jan 99999 00:00:00 +0000',
    'Fri, 01 Jan 0001 00:00:00 +0000',
    '1 Jan 1970 00:00:00 GMT',
  ),
  headerText,
);

const addressValue = fc.oneof(
  fc.constantFrom('Ann <ann@customer.org>', 'help@help.example.com', '"Help Desk" <desk@help.example.com>', '<>', '@', 'undisclosed-recipients:;', '=?utf-8?B?w6k=?= <e@x>', '=?bogus?Q?=ZZ?= <q@x>'),
  headerText,
);

const subjectValue = fc.oneof(fc.constantFrom('Re: Fwd: AW: VPN drops', '=?utf-8?B?!!!notbase64?=', '=?iso-8859-1?Q?caf=E9?=', 'RE[2]: x', ''), headerText);

/** Content-Type and Content-Transfer-Encoding pairs, some contradicting the body. */
const contentValue = fc.constantFrom(
  ['text/plain; charset=utf-8', '8bit'],
  ['text/plain; charset=x-unknown-charset', '8bit'],
  ['text/html; charset=utf-8', 'quoted-printable'],
  ['text/plain', 'base64'],
  ['multipart/alternative; boundary="zz"', '7bit'],
  ['multipart/mixed', '7bit'], // no boundary
  ['application/octet-stream', 'base64'],
  ['message/rfc822', '7bit'],
);

const bodyValue = fc.oneof(
  nastyString,
  fc.constantFrom('--zz\r\nContent-Type: text/plain\r\n\r\nHello\r\n--zz--', '--zz\r\nContent-Type: text/html\r\n\r\n<p>unclosed', '=ZZ=\r\n=', '!!!!', '<script>alert(1)</script>'),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);

/** A message as a raw RFC 5322 string: each header present, missing, or duplicated, in any order of values. */
const rawMessage = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record(
        {
          from: addressValue,
          subject: subjectValue,
          date: dateValue,
          messageId: messageIdValue,
          inReplyTo: messageIdValue,
          references: fc.array(messageIdValue, { maxLength: 3 }).map((ids) => ids.join(' ')),
          content: contentValue,
          body: bodyValue,
          extra: fc.array(fc.tuple(fc.constantFrom('Message-ID', 'From', 'Date', 'X-Junk', 'Received'), headerText), { maxLength: 2 }),
        },
        { requiredKeys: ['body'] },
      )
      .map((m) => {
        const headers: string[] = [];
        if (m.from !== undefined) headers.push(`From: ${m.from}`);
        if (m.subject !== undefined) headers.push(`Subject: ${m.subject}`);
        if (m.date !== undefined) headers.push(`Date: ${m.date}`);
        if (m.messageId !== undefined) headers.push(`Message-ID: ${m.messageId}`);
        if (m.inReplyTo !== undefined) headers.push(`In-Reply-To: ${m.inReplyTo}`);
        if (m.references !== undefined) headers.push(`References: ${m.references}`);
        if (m.content !== undefined) headers.push(`Content-Type: ${m.content[0]}`, `Content-Transfer-Encoding: ${m.content[1]}`);
        for (const [name, value] of m.extra ?? []) headers.push(`${name}: ${value}`);
        return `${headers.join('\r\n')}\r\n\r\n${m.body}\r\n`;
      }),
  },
  // Not mail at all.
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')) },
);

describe.skipIf(skip !== null)('fuzzing the IMAP connector with malformed mail (real Dovecot on loopback)', () => {
  let server: DovecotServer;
  let admin: ImapFlow;
  let run = 0;

  beforeAll(async () => {
    server = await startDovecot([USER]);
    admin = new ImapFlow({ host: server.host, port: server.port, secure: false, doSTARTTLS: false, auth: { user: USER.user, pass: USER.password }, logger: false });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.logout().catch(() => undefined);
    await server?.stop();
  });

  const connector = (mailbox: string, pageSize: number): ImapConnector =>
    new ImapConnector(imapTestOptions(server, USER, { mailbox, pageSize }));

  /** Syncs the mailbox until it says there is no more. */
  async function syncAll(c: ImapConnector, cursor: string | null = null): Promise<{ events: TicketEvent[]; issues: string[]; cursor: string | null }> {
    const events: TicketEvent[] = [];
    const issues: string[] = [];
    for (let pages = 0; ; pages++) {
      if (pages > 50) throw new Error('the IMAP connector kept saying there was more: an endless sync');
      const page = await c.fetchSince(cursor, new AbortController().signal);
      events.push(...page.events);
      issues.push(...(page.issues ?? []));
      cursor = page.cursor;
      if (!page.more) return { events, issues, cursor };
    }
  }

  /** A fresh mailbox holding `messages`, synced page by page (one message a page) from the start. */
  async function syncMailbox(messages: string[]): Promise<{ events: TicketEvent[]; issues: string[] }> {
    const mailbox = `case-${run++}`;
    await admin.mailboxCreate(mailbox);
    for (const raw of messages) await admin.append(mailbox, raw);
    const result = await syncAll(connector(mailbox, 1));
    await admin.mailboxDelete(mailbox);
    return result;
  }

  // The cases below were found by the property (seeds -1371067918, 1743947524, -950701111) and are kept as examples.

  it('gives a message whose Message-ID is "<>" a ticket in the spec\'s format, known by its content (which a mailbox rebuild keeps)', async () => {
    const { events, issues } = await syncMailbox(['Message-ID: <>\r\nFrom: ann@customer.org\r\nSubject: Help\r\n\r\nMy VPN drops.\r\n']);
    expect(issues).toEqual([]);
    expect(events).toHaveLength(1);
    expect(TicketEventSchema.safeParse(events[0]).success).toBe(true);
    const id = contentMessageId({ date: '', from: 'ann@customer.org', subject: 'Help', text: 'My VPN drops.' });
    expect(events[0]).toMatchObject({ type: 'ticket_opened', messageId: id, ticket: { messages: [{ id, text: 'My VPN drops.' }] } });
  });

  it('delivers a copy of a message without a Message-ID once, and says which UID it skipped as the copy', async () => {
    // Found by the property once ids came from content (seed -1438279146): two identical mails without an id on
    // two pages gave two events with one id.
    const mail = 'From: ann@customer.org\r\nSubject: Help\r\nDate: Mon, 02 Mar 2026 08:00:00 +0000\r\n\r\nMy VPN drops.\r\n';
    const { events, issues } = await syncMailbox([mail, mail]);
    expect(events.map((e) => e.type)).toEqual(['ticket_opened']);
    expect(issues).toEqual([expect.stringMatching(/ UID 2: the same message as UID 1; skipped as a copy$/)]);
  });

  it('threads replies to an id written without angle brackets into one ticket, losing no message', async () => {
    const { events } = await syncMailbox([
      'Message-ID: no-brackets@x\r\nFrom: ann@customer.org\r\nSubject: Printer\r\n\r\nThe printer is offline.\r\n',
      'Message-ID: <r1@help.example.com>\r\nIn-Reply-To: no-brackets@x\r\nFrom: help@help.example.com\r\nSubject: Re: Printer\r\n\r\nWhich floor?\r\n',
      'In-Reply-To: no-brackets@x\r\nFrom: ann@customer.org\r\n\r\nFloor 2.\r\n',
    ]);
    expect(events.map((e) => [e.id, e.ticket.messages.length])).toEqual([
      ['mail:no-brackets@x#opened', 1],
      ['mail:no-brackets@x#msg:r1@help.example.com', 2],
      [`mail:no-brackets@x#msg:${contentMessageId({ date: '', from: 'ann@customer.org', subject: '', text: 'Floor 2.' })}`, 3],
    ]);
  });

  it('reads a References header with an empty id, and does not stop the replies that follow it', async () => {
    const { events, issues } = await syncMailbox([
      'Message-ID: <m1@x>\r\nReferences: \uFEFF <a@x>\r\n\r\nFirst.\r\n',
      'Message-ID: <m2@x>\r\nReferences: <a@x>\r\n\r\nSecond.\r\n',
    ]);
    expect(issues).toEqual([]);
    expect(events.map((e) => [e.id, e.ticket.messages.map((m) => m.text)])).toEqual([
      ['mail:a@x#opened', ['First.']],
      ['mail:a@x#msg:m2@x', ['First.', 'Second.']],
    ]);
  });

  it('maps every message to a spec-format ticket or an issue naming its UID, and never throws', async () => {
    let mapped = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(rawMessage, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), async (messages, pageSize) => {
        const mailbox = `fuzz-${run++}`;
        await admin.mailboxCreate(mailbox);
        let stored = 0;
        for (const raw of messages) {
          // The server may refuse what is not mail at all; what it stores is what the connector must cope with.
          if (await admin.append(mailbox, raw).catch(() => false)) stored++;
        }
        const c = connector(mailbox, pageSize);
        const { events, issues, cursor } = await syncAll(c);
        for (const event of events) {
          const parsed = TicketEventSchema.safeParse(event);
          expect(parsed.success, parsed.success ? '' : `${parsed.error.message} in ${JSON.stringify(event)}`).toBe(true);
          expect(event.ticketId.startsWith('mail:')).toBe(true);
        }
        expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
        for (const issue of issues) expect(issue).toMatch(new RegExp(`^${mailbox} UID \\d+: `));
        if (stored > 0) expect(events.length + issues.length).toBeGreaterThan(0); // nothing silently lost
        mapped += events.length;

        const again = await syncAll(c, cursor);
        expect(again.events).toEqual([]);
        await admin.mailboxDelete(mailbox);
      }),
      { numRuns: 60 },
    );
    expect(mapped).toBeGreaterThan(30); // the control: most generated mail was read as tickets, not refused
  });
});
