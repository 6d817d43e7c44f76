/**
 * The RT connector against a real Request Tracker 5 (Debian's packages, started on loopback by
 * test/support/rt5.ts): one instance shared by the whole file, tickets made through REST 2.0.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type FetchPage, type TicketEvent } from '../../../core/connectors/connector';
import { createRtConnector, formatOffset, mapRtStatus, ticketSqlTime, zoneOffsetMs, type RtConnector } from '../../../core/connectors/rt';
import { EgressPolicy } from '../../../core/net/egress';
import { RT_CUSTOMER, startRt5, type Rt5Server } from '../../support/rt5';

let rt: Rt5Server;
const policy = new EgressPolicy({ offline: true });
const signal = new AbortController().signal;

// RT answers a REST call in 0.1-0.5 s on an idle machine, several seconds on a loaded 2-core CI runner; these
// ceilings only stop a hung RT from hanging the suite.
beforeAll(async () => {
  rt = await startRt5();
}, 300_000);
afterAll(async () => {
  await rt?.stop();
});

/** Each test starts its sync from its own start, so RT is not asked again about the other tests' tickets. */
let testStart = '2000-01-01T00:00:00Z';
beforeEach(() => {
  testStart = new Date(Date.now() - 1000).toISOString();
});

function connector(overrides: Partial<Parameters<typeof createRtConnector>[0]> = {}): RtConnector {
  return createRtConnector(
    { id: 'rt-main', baseUrl: rt.url, token: rt.analystToken, startAt: testStart, ...overrides },
    policy,
    { warn: () => {} },
  );
}

/** Every page until the source has no more right now; returns the events and the last cursor. */
async function drain(c: RtConnector, cursor: string | null): Promise<{ events: TicketEvent[]; cursor: string | null; pages: number }> {
  const events: TicketEvent[] = [];
  let page: FetchPage;
  let pages = 0;
  do {
    page = await c.fetchSince(cursor, signal);
    events.push(...page.events);
    cursor = page.cursor;
    pages++;
  } while (page.more);
  return { events, cursor, pages };
}

function forTicket(events: TicketEvent[], ticketId: string): TicketEvent[] {
  return events.filter((e) => e.ticketId === ticketId);
}

describe('RT connector against a real Request Tracker 5', { timeout: 240_000 }, () => {
  it('accepts a valid token and explains a wrong one without repeating it', async () => {
    await expect(connector().testConnection(signal)).resolves.toBeUndefined();
    const wrong = connector({ token: '1-14-0123456789abcdef0123456789abcdef' });
    const error = await wrong.testConnection(signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).kind).toBe('auth');
    expect((error as ConnectorError).message).toMatch(/did not accept the credentials/);
    expect((error as ConnectorError).message).not.toContain('0123456789abcdef');
  });

  it('turns a conversation into the spec ticket: authors, internal notes, status and queue', async () => {
    const id = await rt.createTicket('VPN drops every 10 minutes', 'My VPN disconnects every 10 minutes since Monday.');
    await rt.correspond(id, 'Which client version do you use?', 'analyst');
    await rt.comment(id, 'Probably the MTU issue from last week.');
    await rt.correspond(id, '<p>Version <b>5.2</b> on Windows &amp; macOS.</p>', 'customer', 'text/html');

    const { events } = await drain(connector(), null);
    const mine = forTicket(events, `rt-main:${id}`);
    expect(mine.map((e) => e.type)).toEqual([
      'ticket_opened',
      'message_added',
      'message_added',
      'message_added',
      'message_added',
      'status_changed',
    ]);
    const last = mine.at(-1)!.ticket;
    expect(last).toMatchObject({
      id: `rt-main:${id}`,
      subject: 'VPN drops every 10 minutes',
      status: 'open',
      team: 'General',
      requester: RT_CUSTOMER,
    });
    expect(last.messages.map((m) => [m.author, m.text, m.internal])).toEqual([
      ['customer', 'My VPN disconnects every 10 minutes since Monday.', undefined],
      ['analyst', 'Which client version do you use?', false],
      ['analyst', 'Probably the MTU issue from last week.', true],
      ['customer', 'Version 5.2 on Windows & macOS.', undefined],
    ]);
    // Each message event carries the ticket as it stood after that message, as a live queue would.
    const added = mine.filter((e) => e.type === 'message_added');
    expect(added.map((e) => e.ticket.messages.length)).toEqual([1, 2, 3, 4]);
    expect(added.every((e) => e.messageId === e.ticket.messages.at(-1)!.id)).toBe(true);
  });

  it('resumes from its cursor: only what changed comes back, with the same event ids for what it had seen', async () => {
    const c = connector();
    const first = await drain(c, null);
    const id = await rt.createTicket('Printer jams on page 2', 'The office printer jams on every second page.');
    const second = await drain(c, first.cursor);
    const newIds = forTicket(second.events, `rt-main:${id}`).map((e) => e.id);
    expect(newIds).toContain(`rt-main:${id}/opened`);
    // Tickets last updated before the cursor's second are not read again.
    const earlier = new Set(first.events.map((e) => e.ticketId));
    const reread = second.events.filter((e) => e.ticketId !== `rt-main:${id}` && earlier.has(e.ticketId));
    for (const e of reread) expect(first.events.map((f) => f.id)).toContain(e.id);

    await rt.correspond(id, 'Replace the fuser unit; it is worn out.', 'analyst');
    await rt.setStatus(id, 'resolved');
    const third = await drain(c, second.cursor);
    const closed = forTicket(third.events, `rt-main:${id}`);
    const seen = new Set([...first.events, ...second.events].map((e) => e.id));
    const fresh = closed.filter((e) => !seen.has(e.id));
    expect(fresh.map((e) => e.type)).toEqual(['message_added', 'ticket_closed']);
    expect(fresh.at(-1)!.ticket.status).toBe('solved');
    expect(fresh.at(-1)!.ticket.messages.at(-1)).toMatchObject({ author: 'analyst', text: 'Replace the fuser unit; it is worn out.' });
  });

  it('pages through more tickets than a page holds without losing or repeating any', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await rt.createTicket(`Batch ticket ${i}`, `Batch problem number ${i}`));
    const { events, pages } = await drain(connector({ pageSize: 2 }), null);
    expect(pages).toBeGreaterThan(2);
    const opened = events.filter((e) => e.type === 'ticket_opened').map((e) => e.ticketId);
    for (const id of ids) expect(opened).toContain(`rt-main:${id}`);
  });

  it('keeps to one queue when configured', async () => {
    const { events } = await drain(connector({ queue: 'No such queue' }), null);
    expect(events).toEqual([]);
  });

  it('posts a draft as an internal comment that the customer does not see', async () => {
    const id = await rt.createTicket('Password reset link expired', 'The reset link says it has expired.');
    await connector().postNote(`rt-main:${id}`, 'Draft: resend the link; it lasts 15 minutes.', signal);
    const { events } = await drain(connector(), null);
    const ticket = forTicket(events, `rt-main:${id}`).at(-1)!.ticket;
    expect(ticket.messages.at(-1)).toMatchObject({
      author: 'analyst',
      internal: true,
      text: 'Draft: resend the link; it lasts 15 minutes.',
    });
    // RT itself keeps it as a comment: the customer's token cannot read comments.
    const history = (await rt.api('GET', `/ticket/${id}/history?fields=Type`, rt.analystToken)) as { items: Array<{ Type: string }> };
    expect(history.items.map((t) => t.Type)).toContain('Comment');
    await expect(connector().postNote('other:1', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('sends a reply to the requestors as correspondence the customer can read', async () => {
    const id = await rt.createTicket('Printer jams', 'The printer jams on every page.');
    await connector().postReply(`rt-main:${id}`, 'Please replace the fuser unit; it is worn out.', signal);
    const { events } = await drain(connector(), null);
    const last = forTicket(events, `rt-main:${id}`).at(-1)!.ticket.messages.at(-1)!;
    expect(last).toMatchObject({ author: 'analyst', text: 'Please replace the fuser unit; it is worn out.' });
    expect(last.internal ?? false).toBe(false);
    // RT keeps it as correspondence, which the customer's own token can read (a comment it could not).
    const history = (await rt.api('GET', `/ticket/${id}/history?fields=Type`, rt.customerToken)) as { items: Array<{ Type: string }> };
    expect(history.items.map((t) => t.Type)).toContain('Correspond');
    await expect(connector().postReply('other:1', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('keeps a merged ticket\'s conversation in the surviving ticket and closes the merged one', async () => {
    const source = await rt.createTicket('VPN keeps dropping', 'VPN drops every hour on the train wifi.');
    await rt.correspond(source, 'Lower the MTU to 1400 in the client settings.', 'analyst');
    const survivor = await rt.createTicket('VPN disconnects', 'My VPN disconnects too.');
    const c = connector();
    const before = await drain(c, null);
    await rt.merge(source, survivor);

    const after = await drain(c, before.cursor);
    const kept = forTicket(after.events, `rt-main:${survivor}`).at(-1)!.ticket;
    // RT's own history of the survivor: both openings and the analyst's answer, oldest first.
    expect(kept.messages.map((m) => [m.author, m.text])).toEqual([
      ['customer', 'VPN drops every hour on the train wifi.'],
      ['analyst', 'Lower the MTU to 1400 in the client settings.'],
      ['customer', 'My VPN disconnects too.'],
    ]);
    const closed = forTicket(after.events, `rt-main:${source}`).filter((e) => e.type === 'ticket_closed');
    expect(closed).toHaveLength(1);
    expect(closed[0]!.ticket).toMatchObject({ status: 'closed', mergedInto: `rt-main:${survivor}` });
  });

  it('shows a reply that is only a file as "[attachment: name]"', async () => {
    const id = await rt.createTicket('Error on login', 'I get an error when I log in.');
    await rt.correspondWithFile(id, 'login-error.png', 'PNG', 'image/png');
    const { events } = await drain(connector(), null);
    const messages = forTicket(events, `rt-main:${id}`).at(-1)!.ticket.messages;
    expect(messages.map((m) => [m.author, m.text])).toEqual([
      ['customer', 'I get an error when I log in.'],
      ['analyst', '[attachment: login-error.png]'],
    ]);
  });

  it('rejects a cursor it did not write', async () => {
    await expect(connector().fetchSince('{"page": "x"}', signal)).rejects.toMatchObject({ kind: 'config' });
  });
});

describe('RT connector against a Request Tracker 5 west of UTC', { timeout: 240_000 }, () => {
  let ny: Rt5Server;
  beforeAll(async () => {
    ny = await startRt5({ timezone: 'America/New_York' });
  }, 300_000);
  afterAll(async () => {
    await ny?.stop();
  });
  const nyConnector = (overrides: Partial<Parameters<typeof createRtConnector>[0]> = {}): RtConnector =>
    createRtConnector({ id: 'rt-ny', baseUrl: ny.url, token: ny.analystToken, startAt: testStart, ...overrides }, policy, { warn: () => {} });

  it('finds a ticket made just now though RT reads search dates in New York time', async () => {
    const id = await ny.createTicket('Cannot print', 'The printer says offline.');
    const { events } = await drain(nyConnector(), null);
    expect(forTicket(events, `rt-ny:${id}`).map((e) => e.type)).toContain('ticket_opened');
  });

  it('says in the connection test when the configured time zone is not the one RT reads dates in', async () => {
    await ny.createTicket('Screen flickers', 'The screen flickers.');
    const error = await nyConnector({ timezone: 'UTC' }).testConnection(signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'config' });
    expect((error as Error).message).toMatch(/reads search dates at UTC−0[45]:00.*set to UTC/);
    await expect(nyConnector({ timezone: 'America/New_York' }).testConnection(signal)).resolves.toBeUndefined();
    await expect(nyConnector().testConnection(signal)).resolves.toBeUndefined();
  });
});

describe('RT connector when the token\'s user has a time zone of their own', { timeout: 240_000 }, () => {
  let rtUser: Rt5Server;
  beforeAll(async () => {
    // RT reads TicketSQL dates in the user's preference first: India (UTC+05:30, a half-hour offset) over New York.
    rtUser = await startRt5({ timezone: 'America/New_York', analystTimezone: 'Asia/Kolkata' });
  }, 300_000);
  afterAll(async () => {
    await rtUser?.stop();
  });

  it('measures the user\'s zone, not RT\'s, and finds what changed just now', async () => {
    const c = createRtConnector({ id: 'rt-in', baseUrl: rtUser.url, token: rtUser.analystToken, startAt: testStart, timezone: 'Asia/Kolkata' }, policy, { warn: () => {} });
    await expect(c.testConnection(signal)).resolves.toBeUndefined();
    const id = await rtUser.createTicket('Mailbox full', 'My mailbox says it is full.');
    const first = await drain(c, null);
    expect(forTicket(first.events, `rt-in:${id}`).map((e) => e.type)).toContain('ticket_opened');
    // A reply a moment later is found from the cursor: the window starts at the right instant, not 5.5 h off.
    await rtUser.correspond(id, 'Archive the 2019 folder, please.', 'analyst');
    const second = await drain(c, first.cursor);
    expect(forTicket(second.events, `rt-in:${id}`).at(-1)!.ticket.messages.at(-1)!.text).toBe('Archive the 2019 folder, please.');
    const error = await createRtConnector({ id: 'rt-in', baseUrl: rtUser.url, token: rtUser.analystToken, timezone: 'America/New_York' }, policy).testConnection(signal).catch((e: unknown) => e);
    expect((error as Error).message).toContain('reads search dates at UTC+05:30');
  });
});

describe('RT mapping', () => {
  it('maps the default lifecycle to the spec statuses', () => {
    expect(['new', 'open', 'stalled', 'resolved', 'rejected', 'deleted', 'custom'].map(mapRtStatus)).toEqual([
      'new',
      'open',
      'pending',
      'solved',
      'closed',
      'deleted',
      'open',
    ]);
  });

  it('writes TicketSQL times in the time zone RT reads them in', () => {
    expect(ticketSqlTime('2026-03-01T09:00:07Z', 'UTC')).toBe('2026-03-01 09:00:07');
    expect(ticketSqlTime('2026-03-01T09:00:07Z', 'Europe/Paris')).toBe('2026-03-01 10:00:07');
    expect(ticketSqlTime('2026-03-01T23:30:00Z', 'America/New_York')).toBe('2026-03-01 18:30:00');
  });

  it('names offsets the way people read them', () => {
    expect(formatOffset(zoneOffsetMs('America/New_York', Date.parse('2026-01-15T12:00:00Z')))).toBe('UTC−05:00');
    expect(formatOffset(zoneOffsetMs('Asia/Kolkata', Date.parse('2026-01-15T12:00:00Z')))).toBe('UTC+05:30');
  });
});
