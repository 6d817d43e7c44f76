/**
 * The Freshdesk connector against a loopback server that follows Freshdesk's documented API v2 (Freshdesk
 * itself cannot run here): test/support/vendors/freshdesk.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFreshdeskConnector, mapFreshdeskStatus, nextLink, type FreshdeskConnector } from '../../../core/connectors/freshdesk';
import { EgressPolicy } from '../../../core/net/egress';
import { drain, drainThrottled, fresh } from '../../support/vendors/drain';
import { FakeFreshdesk, FRESHDESK_KEY } from '../../support/vendors/freshdesk';

let fd: FakeFreshdesk;
let warnings: string[];
const signal = new AbortController().signal;

beforeEach(async () => {
  fd = await new FakeFreshdesk().start();
  warnings = [];
});
afterEach(async () => {
  await fd.close();
});

function connector(overrides: Partial<Parameters<typeof createFreshdeskConnector>[0]> = {}): FreshdeskConnector {
  return createFreshdeskConnector(
    { id: 'fd', baseUrl: fd.url, token: FRESHDESK_KEY, startAt: '2026-01-01T00:00:00Z', groups: { '7': 'Billing' }, ...overrides },
    new EgressPolicy({ offline: true }),
    { warn: (m) => warnings.push(m) },
  );
}

describe('Freshdesk connector', () => {
  it('checks the API key, and never repeats a wrong one', async () => {
    await expect(connector().testConnection(signal)).resolves.toBeUndefined();
    const error = await connector({ token: 'fd-wrong-key-777777' }).testConnection(signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect(String((error as Error).message)).not.toContain('fd-wrong-key-777777');
    expect(String((error as Error).message)).toContain('You have to be logged in');
  });

  it('maps the description, replies, private notes and the team', async () => {
    const id = fd.open('Refund not received', 'I was charged twice in March.', { group_id: 7, tags: ['billing'] });
    fd.add(id, 'reply', 'Could you send the invoice number?');
    fd.add(id, 'note', 'Duplicate charge; refund via Stripe.');
    fd.add(id, 'customer', 'It is INV-2231.');
    const { events } = await drain(connector(), null);
    const ticket = events.at(-1)!.ticket;
    expect(ticket).toMatchObject({ id: `fd:${id}`, status: 'open', team: 'Billing', tags: ['billing'], requester: '42' });
    expect(ticket.messages.map((m) => [m.id === 'description' ? 'description' : 'conversation', m.author, m.text, m.internal])).toEqual([
      ['description', 'customer', 'I was charged twice in March.', undefined],
      ['conversation', 'analyst', 'Could you send the invoice number?', false],
      ['conversation', 'analyst', 'Duplicate charge; refund via Stripe.', true],
      ['conversation', 'customer', 'It is INV-2231.', undefined],
    ]);
  });

  it('resumes from updated_since and reports a resolved ticket as closed once', async () => {
    const a = fd.open('Printer', 'It jams.');
    const first = await drain(connector(), null);
    fd.add(a, 'reply', 'Replace the fuser.');
    fd.setStatus(a, 4);
    const second = await drain(connector(), first.cursor);
    expect(fresh(second.events, first.events).map((e) => e.type)).toEqual(['message_added', 'ticket_closed']);
    expect(second.events.at(-1)!.ticket.status).toBe('solved');
    // The next call asks from the newest update seen; that boundary ticket is read again with the same event
    // ids, so nothing is new.
    const third = await drain(connector(), second.cursor);
    const query = fd.server.requestsTo(/^\/api\/v2\/tickets$/).at(-1)!.query;
    expect(query.get('updated_since')).toBe(fd.tickets.get(a)!.updated_at);
    expect(query.get('order_by')).toBe('updated_at');
    expect(fresh(third.events, [...first.events, ...second.events])).toEqual([]);
  });

  it('pages through tickets updated in the same second, more than a page holds, without loss', async () => {
    fd.frozenClock = true;
    const ids = [1, 2, 3, 4, 5].map((i) => fd.open(`Same second ${i}`, `Problem ${i}`));
    const { events, pages } = await drain(connector({ pageSize: 2 }), null);
    // The first page moves `updated_since` to that second and reads its first page again; then it pages on.
    expect(pages).toBe(4);
    expect(new Set(events.filter((e) => e.type === 'ticket_opened').map((e) => e.ticketId))).toEqual(new Set(ids.map((i) => `fd:${i}`)));
    expect(fd.server.requestsTo(/^\/api\/v2\/tickets$/).map((r) => r.query.get('page'))).toEqual(['1', '1', '2', '3']);
  });

  it('delivers every ticket on a trial plan (50 calls a minute): pages fit the budget and a 429 keeps the tickets read', async () => {
    fd.plan('trial');
    const ids = Array.from({ length: 120 }, (_, i) => fd.open(`Ticket ${i}`, `Problem ${i}`));
    const run = await drainThrottled(connector(), () => fd.server.nextMinute(), 10);
    const opened = new Set(run.events.filter((e) => e.type === 'ticket_opened').map((e) => e.ticketId));
    expect(opened).toEqual(new Set(ids.map((id) => `fd:${id}`)));
    // Nothing read was thrown away after a 429: each ticket's conversation was read once, but for the one ticket
    // per page at the page's newest second, which the next list (updated_since >=) shows again.
    const lists = fd.server.requestsTo(/^\/api\/v2\/tickets$/).filter((r) => !r.rateLimited).length;
    expect(fd.server.requestsTo(/conversations/).filter((r) => !r.rateLimited).length).toBeLessThanOrEqual(ids.length + lists);
    // After the first answer told the budget, pages ask for what fits: 80% of 50 less the list's 3 credits.
    const sizes = fd.server.requestsTo(/^\/api\/v2\/tickets$/).map((r) => Number(r.query.get('per_page')));
    expect(sizes[0]).toBe(100);
    expect(Math.max(...sizes.slice(1).filter((n) => n !== 100))).toBe(37);
    // 120 conversations and a few lists at 50 calls a minute: four minutes, not forever.
    expect(run.minutes).toBeLessThanOrEqual(4);
  });

  it('follows the Link header through long conversations', async () => {
    const id = fd.open('Long thread', 'Start');
    for (let i = 0; i < 150; i++) fd.add(id, i % 2 ? 'customer' : 'reply', `Message ${i}`);
    const { events } = await drain(connector(), null);
    expect(events.filter((e) => e.type === 'message_added')).toHaveLength(151);
    expect(fd.server.requestsTo(/conversations/)).toHaveLength(2);
  });

  it('keeps the cursor where it was when a page fails: rate limit, 500, dropped connection', async () => {
    const id = fd.open('Flaky', 'Hello');
    fd.server.fail(/^\/api\/v2\/tickets$/, { status: 429, headers: { 'retry-after': '17', 'x-ratelimit-remaining': '0' }, body: { message: 'You have exceeded the limit of requests per hour' } });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 17_000 });
    fd.server.fail(/conversations/, { status: 502, body: '<html>Bad gateway</html>' });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'unavailable' });
    fd.server.fail(/conversations/, { dropMidBody: true });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'network' });
    const { events } = await drain(connector(), null);
    expect(events.map((e) => e.ticketId)).toContain(`fd:${id}`);
  });

  it('skips a malformed ticket with a warning and keeps the rest; a wrong envelope fails the page', async () => {
    const good = fd.open('Fine', 'Fine ticket');
    const t = fd.tickets.get(good)!;
    fd.server.fail(/^\/api\/v2\/tickets$/, {
      raw: JSON.stringify([
        { id: 99, subject: 'Broken', status: 'Open', created_at: t.created_at, updated_at: t.updated_at },
        { id: good, subject: 'Fine', description_text: 'Fine ticket', status: 2, requester_id: 42, created_at: t.created_at, updated_at: t.updated_at },
        { id: good, subject: 'Fine', description_text: 'Fine ticket', status: 2, requester_id: 42, created_at: t.created_at, updated_at: t.updated_at },
      ]),
    });
    const page = await connector().fetchSince(null, signal);
    expect(page.events.map((e) => e.type)).toEqual(['ticket_opened', 'message_added', 'status_changed']);
    expect(warnings).toEqual([expect.stringContaining('[0] skipped: status:')]);

    fd.server.fail(/^\/api\/v2\/tickets$/, { raw: '{"tickets": []}' });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'bad_response' });
  });

  it('posts a draft as a private note', async () => {
    const id = fd.open('Password', 'Reset link expired');
    await connector().postNote(`fd:${id}`, 'Resend the link <it lasts 15 min>.', signal);
    const post = fd.server.requestsTo(/notes/)[0]!;
    expect(post.body).toEqual({ body: 'Resend the link &lt;it lasts 15 min>.', private: true });
    const { events } = await drain(connector(), null);
    expect(events.at(-1)!.ticket.messages.at(-1)).toMatchObject({ author: 'analyst', internal: true, text: 'Resend the link <it lasts 15 min>.' });
  });

  it('sends a reply to the requester through the reply endpoint, as a public message', async () => {
    const id = fd.open('Password', 'Reset link expired');
    await connector().postReply(`fd:${id}`, 'Here is a new link.\nIt lasts <15 min>.', signal);
    const post = fd.server.requestsTo(/\/reply$/)[0]!;
    expect(post.method).toBe('POST');
    expect(post.body).toEqual({ body: 'Here is a new link.<br>It lasts &lt;15 min>.' });
    const { events } = await drain(connector(), null);
    const last = events.at(-1)!.ticket.messages.at(-1)!;
    expect(last).toMatchObject({ author: 'analyst', text: 'Here is a new link.\nIt lasts <15 min>.' });
    expect(last.internal ?? false).toBe(false);
    await expect(connector().postReply('fd:abc', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('maps statuses and reads Link headers', () => {
    expect([2, 3, 4, 5, 6, 7, 12].map(mapFreshdeskStatus)).toEqual(['open', 'pending', 'solved', 'closed', 'pending', 'pending', 'open']);
    expect(nextLink('<https://a.freshdesk.com/api/v2/tickets?page=2>; rel="next"')).toBe('https://a.freshdesk.com/api/v2/tickets?page=2');
    expect(nextLink(null)).toBeUndefined();
  });
});
