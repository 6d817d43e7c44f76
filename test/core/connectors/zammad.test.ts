/**
 * The Zammad connector against a loopback server that follows Zammad's documented REST API (a Zammad with its
 * Elasticsearch cannot run here): test/support/vendors/zammad.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookBackFrom } from '../../../core/connectors/helpdeskEvents';
import { createZammadConnector, mapZammadState, type ZammadConnector } from '../../../core/connectors/zammad';
import { EgressPolicy } from '../../../core/net/egress';
import { drain, fresh } from '../../support/vendors/drain';
import { FakeZammad, ZAMMAD_TOKEN } from '../../support/vendors/zammad';

let zm: FakeZammad;
let warnings: string[];
const signal = new AbortController().signal;

beforeEach(async () => {
  zm = await new FakeZammad().start();
  warnings = [];
});
afterEach(async () => {
  await zm.close();
});

function connector(overrides: Partial<Parameters<typeof createZammadConnector>[0]> = {}): ZammadConnector {
  return createZammadConnector(
    { id: 'zm', baseUrl: zm.url, token: ZAMMAD_TOKEN, startAt: '2026-01-01T00:00:00Z', ...overrides },
    new EgressPolicy({ offline: true }),
    { warn: (m) => warnings.push(m) },
  );
}

describe('Zammad connector', () => {
  it('checks the access token, and never repeats a wrong one', async () => {
    await expect(connector().testConnection(signal)).resolves.toBeUndefined();
    const error = await connector({ token: 'zm-wrong-token-4242' }).testConnection(signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect(String((error as Error).message)).not.toContain('zm-wrong-token-4242');
    expect(zm.server.requests[0]!.headers.authorization).toBe(`Token token=${ZAMMAD_TOKEN}`);
  });

  it('maps articles: customer, agent replies, internal notes, system messages, HTML bodies', async () => {
    const id = zm.open('Mail bounces', '<p>My mails to <b>partner.com</b> bounce.</p><p>Since Monday &amp; today.</p>', { group: '2nd Level', html: true });
    zm.article(id, 'Agent', 'Which error code do you see?');
    zm.article(id, 'Agent', 'SPF record of partner.com is broken.', true);
    zm.article(id, 'System', 'Escalation warning');
    zm.article(id, 'Customer', '550 5.7.1');
    zm.setState(id, 'open');
    const { events } = await drain(connector(), null);
    const ticket = events.at(-1)!.ticket;
    expect(ticket).toMatchObject({ id: `zm:${id}`, subject: 'Mail bounces', status: 'open', team: '2nd Level', requester: 'nicole.braun@zammad.org', number: String(31000 + id) });
    expect(ticket.messages.map((m) => [m.author, m.text, m.internal])).toEqual([
      ['customer', 'My mails to partner.com bounce.\nSince Monday & today.', undefined],
      ['analyst', 'Which error code do you see?', false],
      ['analyst', 'SPF record of partner.com is broken.', true],
      ['system', 'Escalation warning', undefined],
      ['customer', '550 5.7.1', undefined],
    ]);
  });

  it('resumes from the newest update and reports the close with Zammad\'s close time', async () => {
    const a = zm.open('VPN', 'VPN drops');
    const first = await drain(connector(), null);
    zm.article(a, 'Agent', 'Lower the MTU to 1380.');
    zm.setState(a, 'closed');
    const b = zm.open('Printer', 'Printer jams');
    const second = await drain(connector(), first.cursor);
    const news = fresh(second.events, first.events);
    expect(news.filter((e) => e.ticketId === `zm:${a}`).map((e) => e.type)).toEqual(['message_added', 'ticket_closed']);
    expect(news.find((e) => e.type === 'ticket_closed')!.id).toBe(`zm:${a}/closed/${zm.tickets.get(a)!.close_at}`);
    expect(news.filter((e) => e.ticketId === `zm:${b}`).map((e) => e.type)).toEqual(['ticket_opened', 'message_added']);
    const query = zm.server.requestsTo(/search/).at(-1)!.query;
    // The search looks back before the newest update read, for updates the index takes in late.
    expect(query.get('query')).toBe(`updated_at:["${lookBackFrom(zm.tickets.get(a)!.created_at.replace(/\.\d{3}Z$/, 'Z'))}" TO *]`);
    expect(query.get('sort_by')).toBe('updated_at');
  });

  it('reports a second close after a reopen (Zammad keeps close_at at the first close, last_close_at moves)', async () => {
    const id = zm.open('VPN', 'VPN drops');
    zm.article(id, 'Agent', 'Lower the MTU to 1380.');
    zm.setState(id, 'closed');
    const c = connector();
    const first = await drain(c, null);
    zm.article(id, 'Customer', 'It drops again since the update.');
    zm.setState(id, 'open');
    zm.article(id, 'Agent', 'Reinstall the 5.3 client.');
    zm.setState(id, 'closed');
    const second = await drain(c, first.cursor);
    const closes = [...first.events, ...fresh(second.events, first.events)].filter((e) => e.type === 'ticket_closed');
    expect(closes).toHaveLength(2);
    expect(closes[1]!.ticket.messages.at(-1)!.text).toBe('Reinstall the 5.3 client.');
    expect(zm.tickets.get(id)!.close_at).not.toBe(zm.tickets.get(id)!.last_close_at);
  });

  it('closes a ticket in any state whose type is closed, such as a custom "solved"', async () => {
    zm.addState('solved', 5);
    zm.addState('waiting for parts', 4);
    const a = zm.open('Disk full', 'The share is full.');
    zm.setState(a, 'solved');
    const b = zm.open('Laptop', 'Screen broken.');
    zm.setState(b, 'waiting for parts');
    const { events } = await drain(connector(), null);
    expect(events.filter((e) => e.ticketId === `zm:${a}`).at(-1)).toMatchObject({ type: 'ticket_closed', ticket: { status: 'closed' } });
    expect(events.filter((e) => e.ticketId === `zm:${b}`).at(-1)!.ticket.status).toBe('pending');
  });

  it('finds an update the search index took in after a later one', async () => {
    zm.indexLag = true;
    const late = zm.open('Mail bounces', 'Mails to partner.com bounce.');
    const early = zm.open('Printer', 'Printer jams.');
    zm.indexNow([early]); // the job for `late` is still queued
    const c = connector();
    const first = await drain(c, null);
    expect(first.events.map((e) => e.ticketId)).not.toContain(`zm:${late}`);
    zm.indexNow();
    const second = await drain(c, first.cursor);
    expect(fresh(second.events, first.events).map((e) => [e.ticketId, e.type])).toEqual([
      [`zm:${late}`, 'ticket_opened'],
      [`zm:${late}`, 'message_added'],
    ]);
    // Read again unchanged in the look-back window, the other ticket costs no article request.
    const articleCalls = zm.server.requestsTo(/by_ticket/).length;
    await drain(c, second.cursor);
    expect(zm.server.requestsTo(/by_ticket/).length).toBe(articleCalls);
  });

  it('pages through the search without loss and leaves merged tickets out', async () => {
    const ids = [1, 2, 3, 4, 5].map((i) => zm.open(`Ticket ${i}`, `Problem ${i}`));
    zm.setState(ids[4]!, 'merged');
    const { events, pages } = await drain(connector({ pageSize: 2 }), null);
    // One search, paged: each ticket is read once.
    expect(pages).toBe(3);
    expect(new Set(events.map((e) => e.ticketId))).toEqual(new Set(ids.slice(0, 4).map((i) => `zm:${i}`)));
    expect(events.filter((e) => e.type === 'ticket_opened')).toHaveLength(4);
  });

  it('fails a page on rate limits, 5xx and dropped connections so the cursor stays, then recovers', async () => {
    const id = zm.open('Flaky', 'Hello');
    zm.server.fail(/search/, { status: 429, headers: { 'retry-after': 'Wed, 01 Jan 2031 00:00:00 GMT' }, body: { error: 'Too many requests' } });
    const limited = await connector().fetchSince(null, signal).catch((e: unknown) => e);
    expect(limited).toMatchObject({ kind: 'rate_limited' });
    expect((limited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    zm.server.fail(/by_ticket/, { status: 503, body: '' });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'unavailable' });
    zm.server.fail(/by_ticket/, { dropMidBody: true });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'network' });
    const { events } = await drain(connector(), null);
    expect(events.map((e) => e.ticketId)).toContain(`zm:${id}`);
  });

  it('skips a malformed article with a warning naming the field, keeps the ticket', async () => {
    const id = zm.open('Odd', 'First');
    zm.article(id, 'Agent', 'Second');
    zm.server.fail(/by_ticket/, {
      raw: JSON.stringify([
        { id: 1, sender: 'Customer', internal: false, body: 'First', content_type: 'text/plain', created_at: '2026-03-01T09:00:01.234Z' },
        { id: 2, sender: 'Agent', internal: 'no', body: 'Second', content_type: 'text/plain', created_at: '2026-03-01T09:00:02.468Z' },
      ]),
    });
    const page = await connector().fetchSince(null, signal);
    expect(page.events.at(-1)!.ticket.messages.map((m) => m.text)).toEqual(['First']);
    expect(warnings).toEqual([expect.stringContaining('articles [1] skipped: internal:')]);
  });

  it('posts a draft as an internal note article', async () => {
    const id = zm.open('Password', 'Reset link expired');
    await connector().postNote(`zm:${id}`, 'Resend the link; it lasts 15 minutes.', signal);
    expect(zm.server.requestsTo(/ticket_articles$/)[0]!.body).toMatchObject({ ticket_id: id, type: 'note', internal: true, body: 'Resend the link; it lasts 15 minutes.' });
    const { events } = await drain(connector(), null);
    expect(events.at(-1)!.ticket.messages.at(-1)).toMatchObject({ author: 'analyst', internal: true });
  });

  it('sends a reply as a public article the customer sees', async () => {
    const id = zm.open('Password', 'Reset link expired');
    await connector().postReply(`zm:${id}`, 'Here is a new link; it lasts 15 minutes.', signal);
    expect(zm.server.requestsTo(/ticket_articles$/).at(-1)!.body).toMatchObject({ ticket_id: id, internal: false, sender: 'Agent', body: 'Here is a new link; it lasts 15 minutes.' });
    const { events } = await drain(connector(), null);
    const last = events.at(-1)!.ticket.messages.at(-1)!;
    expect(last).toMatchObject({ author: 'analyst', text: 'Here is a new link; it lasts 15 minutes.' });
    expect(last.internal ?? false).toBe(false);
    await expect(connector().postReply('zm:abc', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('maps Zammad states', () => {
    expect(['new', 'open', 'pending reminder', 'pending close', 'closed', 'merged', 'removed', 'waiting'].map(mapZammadState)).toEqual([
      'new',
      'open',
      'pending',
      'pending',
      'closed',
      'skip',
      'skip',
      'open',
    ]);
  });
});
