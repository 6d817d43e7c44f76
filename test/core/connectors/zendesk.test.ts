/**
 * The Zendesk connector against a loopback server that follows Zendesk's documented API (Zendesk itself cannot
 * run here): test/support/vendors/zendesk.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createZendeskConnector, mapZendeskStatus, type ZendeskConnector } from '../../../core/connectors/zendesk';
import { EgressPolicy } from '../../../core/net/egress';
import { drain, drainThrottled, fresh } from '../../support/vendors/drain';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from '../../support/vendors/zendesk';

let zd: FakeZendesk;
let warnings: string[];
const signal = new AbortController().signal;

beforeEach(async () => {
  zd = await new FakeZendesk().start();
  warnings = [];
});
afterEach(async () => {
  await zd.close();
});

function connector(overrides: Partial<Parameters<typeof createZendeskConnector>[0]> = {}): ZendeskConnector {
  return createZendeskConnector(
    { id: 'zd', baseUrl: zd.url, email: ZENDESK_EMAIL, token: ZENDESK_TOKEN, startAt: '2026-01-01T00:00:00Z', ...overrides },
    new EgressPolicy({ offline: true }),
    { warn: (m) => warnings.push(m) },
  );
}

describe('Zendesk connector', () => {
  it('signs in with the e-mail and API token, and says plainly when they are wrong', async () => {
    await expect(connector().testConnection(signal)).resolves.toBeUndefined();
    const error = await connector({ token: 'zd-wrong-token-123456' }).testConnection(signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect(String((error as Error).message)).toMatch(/did not accept the credentials/);
    expect(String((error as Error).message)).not.toContain('zd-wrong-token-123456');
  });

  it('maps a conversation: the customer, public replies, private notes, group, tags and status', async () => {
    const id = zd.open('VPN drops every 10 minutes', 'My VPN disconnects every 10 minutes.', { group_id: 10, tags: ['vpn'] });
    zd.comment(id, 1, 'Which client version?');
    zd.comment(id, 1, 'Looks like the MTU issue.', false);
    zd.comment(id, 2, 'Version 5.2.');
    zd.setStatus(id, 'open');

    const { events } = await drain(connector(), null);
    expect(events.map((e) => e.type)).toEqual(['ticket_opened', 'message_added', 'message_added', 'message_added', 'message_added', 'status_changed']);
    const ticket = events.at(-1)!.ticket;
    expect(ticket).toMatchObject({ id: `zd:${id}`, subject: 'VPN drops every 10 minutes', status: 'open', team: 'Network', tags: ['vpn'], requester: '2' });
    expect(ticket.messages.map((m) => [m.author, m.text, m.internal])).toEqual([
      ['customer', 'My VPN disconnects every 10 minutes.', undefined],
      ['analyst', 'Which client version?', false],
      ['analyst', 'Looks like the MTU issue.', true],
      ['customer', 'Version 5.2.', undefined],
    ]);
    // The status event is dated by Zendesk's own status change time (metric_sets), so it is stable.
    expect(events.at(-1)!.id).toBe(`zd:${id}/status/open/${zd.tickets.get(id)!.status_updated_at}`);
  });

  it('resumes exactly from the export cursor and reports the close once', async () => {
    const a = zd.open('Printer jams', 'The printer jams.');
    const first = await drain(connector(), null);
    const b = zd.open('Wi-Fi slow', 'The Wi-Fi is slow in room 4.');
    zd.comment(a, 1, 'Replace the fuser.');
    zd.setStatus(a, 'solved');
    const second = await drain(connector(), first.cursor);
    expect(second.events.filter((e) => e.ticketId === `zd:${b}`).map((e) => e.type)).toEqual(['ticket_opened', 'message_added']);
    const closing = fresh(second.events, first.events).filter((e) => e.ticketId === `zd:${a}`);
    expect(closing.map((e) => e.type)).toEqual(['message_added', 'ticket_closed']);
    expect(closing.at(-1)!.ticket.status).toBe('solved');

    // Nothing changed: nothing new comes back.
    const third = await drain(connector(), second.cursor);
    expect(third.events).toEqual([]);
  });

  it('pages through tickets and long comment threads without loss', async () => {
    const ids = [1, 2, 3, 4, 5].map((i) => zd.open(`Ticket ${i}`, `Problem ${i}`));
    for (let i = 0; i < 120; i++) zd.comment(ids[0]!, i % 2 ? 1 : 2, `Message ${i}`);
    const { events, pages } = await drain(connector({ pageSize: 2 }), null);
    expect(pages).toBe(3);
    expect(new Set(events.filter((e) => e.type === 'ticket_opened').map((e) => e.ticketId))).toEqual(new Set(ids.map((i) => `zd:${i}`)));
    const long = events.filter((e) => e.ticketId === `zd:${ids[0]}` && e.type === 'message_added');
    expect(long).toHaveLength(121);
    expect(zd.server.requestsTo(new RegExp(`/tickets/${ids[0]}/comments`)).length).toBe(2);
  });

  it('delivers every ticket on a Team plan (200 requests a minute) with a page size above the budget', async () => {
    zd.plan('team');
    const ids = Array.from({ length: 450 }, (_, i) => zd.open(`Ticket ${i}`, `Problem ${i}`));
    const run = await drainThrottled(connector({ pageSize: 1000 }), () => zd.server.nextMinute(), 12);
    const opened = new Set(run.events.filter((e) => e.type === 'ticket_opened').map((e) => e.ticketId));
    expect(opened).toEqual(new Set(ids.map((id) => `zd:${id}`)));
    expect(zd.server.requestsTo(/comments/).filter((r) => !r.rateLimited).length).toBe(ids.length);
    const sizes = zd.server.requestsTo(/incremental/).map((r) => Number(r.query.get('per_page')));
    expect(sizes.filter((n) => n !== 1000).every((n) => n === 159)).toBe(true);
    expect(run.minutes).toBeLessThanOrEqual(4);
  });

  it('closes a ticket closed by a merge without making it a solved ticket to learn from', async () => {
    const source = zd.open('VPN drops', 'VPN drops every hour.');
    zd.comment(source, 1, 'Lower the MTU to 1380.');
    const target = zd.open('VPN unstable', 'My VPN is unstable too.');
    zd.merge(source, target);
    const { events } = await drain(connector(), null);
    const closed = events.filter((e) => e.ticketId === `zd:${source}` && e.type === 'ticket_closed');
    expect(closed).toHaveLength(1);
    expect(closed[0]!.ticket).toMatchObject({ status: 'closed', mergedInto: `zd:${target}` });
  });

  it('keeps one copy of a ticket the export lists twice', async () => {
    const id = zd.open('Duplicate me', 'Hello');
    zd.duplicateNext = [id];
    const { events } = await drain(connector(), null);
    expect(events.map((e) => e.id)).toEqual([...new Set(events.map((e) => e.id))]);
    expect(events.filter((e) => e.type === 'ticket_opened')).toHaveLength(1);
  });

  it('stops on a rate limit with the wait Zendesk asked for, then resumes from the same cursor', async () => {
    zd.open('One', 'first');
    const first = await drain(connector(), null);
    const id = zd.open('Two', 'second');
    zd.rateLimitNext(/incremental/, 60);
    await expect(connector().fetchSince(first.cursor, signal)).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 60_000 });
    const retried = await drain(connector(), first.cursor);
    expect(retried.events.map((e) => e.ticketId)).toContain(`zd:${id}`);
  });

  it('fails a page whose comments fail (500) or whose connection drops, so the cursor does not move past it', async () => {
    const id = zd.open('Flaky', 'The server is flaky.');
    zd.server.fail(/comments/, { status: 500, body: { error: 'InternalServerError' } });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'unavailable' });
    zd.server.fail(/incremental/, { dropMidBody: true });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'network' });
    const { events } = await drain(connector(), null);
    expect(events.map((e) => e.ticketId)).toContain(`zd:${id}`);
  });

  it('gives up on a comments request that never answers, within its timeout', async () => {
    const id = zd.open('Slow', 'The server hangs.');
    zd.server.fail(/comments/, { stall: true });
    const slow = createZendeskConnector(
      { id: 'zd', baseUrl: zd.url, email: ZENDESK_EMAIL, token: ZENDESK_TOKEN, startAt: '2026-01-01T00:00:00Z' },
      new EgressPolicy({ offline: true }),
      { timeoutMs: 300 },
    );
    await expect(slow.fetchSince(null, signal)).rejects.toMatchObject({ kind: 'network', message: expect.stringContaining('did not answer') });
    expect((await drain(connector(), null)).events.map((e) => e.ticketId)).toContain(`zd:${id}`);
  });

  it('skips a malformed ticket with a warning naming the field, and keeps the others', async () => {
    const good = zd.open('Fine', 'A normal ticket.');
    zd.server.fail(/incremental/, {
      raw: JSON.stringify({
        tickets: [
          { id: 7, subject: 'Broken', status: 'open', created_at: 'yesterday-ish', updated_at: '2026-03-01T09:00:00Z' },
          { id: good, subject: 'Fine', status: 'new', requester_id: 2, created_at: '2026-03-01T09:00:01Z', updated_at: '2026-03-01T09:00:01Z' },
        ],
        after_cursor: 'MTc3MjM1NTYwMS4wfHwxMDB8',
        end_of_stream: true,
      }),
    });
    const page = await connector().fetchSince(null, signal);
    expect(page.events.map((e) => e.ticketId)).toEqual([`zd:${good}`, `zd:${good}`]);
    expect(warnings).toEqual([expect.stringContaining('tickets.0 skipped: created_at: must be a date and time')]);

    zd.server.fail(/incremental/, { raw: JSON.stringify({ tickets: 'none', end_of_stream: true }) });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({
      kind: 'bad_response',
      message: expect.stringContaining('tickets: '),
    });
  });

  it('leaves deleted tickets out', async () => {
    const id = zd.open('Spam', 'Buy now');
    zd.setStatus(id, 'deleted');
    const { events } = await drain(connector(), null);
    expect(events).toEqual([]);
  });

  it('posts a draft as a private comment', async () => {
    const id = zd.open('Password reset', 'The link expired.');
    await connector().postNote(`zd:${id}`, 'Resend the link; it lasts 15 minutes.', signal);
    const put = zd.server.requestsTo(new RegExp(`/tickets/${id}.json`))[0]!;
    expect(put.method).toBe('PUT');
    expect(put.body).toEqual({ ticket: { comment: { body: 'Resend the link; it lasts 15 minutes.', public: false } } });
    const { events } = await drain(connector(), null);
    expect(events.at(-1)!.ticket.messages.at(-1)).toMatchObject({ author: 'analyst', internal: true });
    await expect(connector().postNote('rt:1', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('sends a reply as a public comment, which the requester sees', async () => {
    const id = zd.open('Password reset', 'The link expired.');
    await connector().postReply(`zd:${id}`, 'Here is a new link; it lasts 15 minutes.', signal);
    const put = zd.server.requestsTo(new RegExp(`/tickets/${id}.json`)).find((r) => r.method === 'PUT')!;
    expect(put.body).toEqual({ ticket: { comment: { body: 'Here is a new link; it lasts 15 minutes.', public: true } } });
    const { events } = await drain(connector(), null);
    const last = events.at(-1)!.ticket.messages.at(-1)!;
    expect(last).toMatchObject({ author: 'analyst', text: 'Here is a new link; it lasts 15 minutes.' });
    expect(last.internal ?? false).toBe(false);
    await expect(connector().postReply('rt:1', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('maps every Zendesk status', () => {
    expect(['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted'].map(mapZendeskStatus)).toEqual([
      'new',
      'open',
      'pending',
      'pending',
      'solved',
      'closed',
      'deleted',
    ]);
  });
});
