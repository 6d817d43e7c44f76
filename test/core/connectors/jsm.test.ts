/**
 * The Jira Service Management connector against a loopback server that follows Atlassian's documented APIs
 * (JSM Cloud cannot run here): test/support/vendors/jsm.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adfToText, createJsmConnector, jqlTime, mapJsmStatus, type JsmConnector } from '../../../core/connectors/jsm';
import { EgressPolicy } from '../../../core/net/egress';
import { drain, fresh } from '../../support/vendors/drain';
import { FakeJsm, JSM_CUSTOMER, JSM_EMAIL, JSM_PARTICIPANT, JSM_TOKEN } from '../../support/vendors/jsm';

let jsm: FakeJsm;
let warnings: string[];
const signal = new AbortController().signal;

beforeEach(async () => {
  jsm = await new FakeJsm().start();
  warnings = [];
});
afterEach(async () => {
  await jsm.close();
});

function connector(overrides: Partial<Parameters<typeof createJsmConnector>[0]> = {}): JsmConnector {
  return createJsmConnector(
    { id: 'jsm', baseUrl: jsm.url, email: JSM_EMAIL, token: JSM_TOKEN, projectKey: 'HELP', startAt: '2026-01-01T00:00:00Z', ...overrides },
    new EgressPolicy({ offline: true }),
    { warn: (m) => warnings.push(m) },
  );
}

function p(text: string): unknown {
  return { type: 'paragraph', content: [{ type: 'text', text }] };
}

describe('Jira Service Management connector', () => {
  it('checks the account and the project, in plain words', async () => {
    await expect(connector().testConnection(signal)).resolves.toBeUndefined();
    await expect(connector({ projectKey: 'NOPE' }).testConnection(signal)).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringContaining("No project could be found with key 'NOPE'"),
    });
    const error = await connector({ token: 'ATATT-wrong-token-99' }).testConnection(signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect(String((error as Error).message)).not.toContain('ATATT-wrong-token-99');
  });

  it('maps a request: description, public replies, internal comments, reporter and status', async () => {
    const key = jsm.raise('Laptop will not boot', 'It shows a black screen.\n\nSince this morning.');
    jsm.comment(key, 'agent', 'Hold the power button for 30 s, please.');
    jsm.comment(key, 'agent', 'Likely the BIOS update from Monday.', false);
    jsm.comment(key, 'customer', 'That worked!');
    jsm.transition(key, 'Waiting for customer', 'indeterminate');
    const { events } = await drain(connector(), null);
    const ticket = events.at(-1)!.ticket;
    expect(ticket).toMatchObject({ id: `jsm:${key}`, subject: 'Laptop will not boot', status: 'pending', team: 'IT Help', requester: JSM_CUSTOMER });
    expect(ticket.messages.map((m) => [m.author, m.text, m.internal])).toEqual([
      ['customer', 'It shows a black screen.\nSince this morning.', undefined],
      ['analyst', 'Hold the power button for 30 s, please.', false],
      ['analyst', 'Likely the BIOS update from Monday.', true],
      ['customer', 'That worked!', undefined],
    ]);
  });

  it('writes the JQL date in the account\'s time zone and resumes at the minute of the newest update', async () => {
    const a = jsm.raise('VPN', 'VPN drops.');
    const first = await drain(connector(), null);
    const jql = jsm.server.requestsTo(/search\/jql/)[0]!.query.get('jql');
    expect(jql).toBe('project = "HELP" AND updated >= "2026/01/01 01:00" ORDER BY updated ASC, key ASC');

    jsm.tick(120_000);
    const b = jsm.raise('Printer', 'Printer jams.');
    jsm.comment(a, 'agent', 'Lower the MTU to 1380.');
    jsm.transition(a, 'Resolved', 'done');
    const second = await drain(connector(), first.cursor);
    const nextJql = jsm.server.requestsTo(/search\/jql/).at(-1)!.query.get('jql');
    // Berlin is UTC+1 in March: the newest update of the first sync was 09:00:07 UTC → 10:00 local, and the search
    // looks back five minutes for late-indexed updates.
    expect(nextJql).toContain('updated >= "2026/03/01 09:55"');
    const news = fresh(second.events, first.events);
    expect(news.filter((e) => e.ticketId === `jsm:${a}`).map((e) => e.type)).toEqual(['message_added', 'ticket_closed']);
    expect(news.filter((e) => e.ticketId === `jsm:${b}`).map((e) => e.type)).toEqual(['ticket_opened', 'message_added']);
    const closed = news.find((e) => e.type === 'ticket_closed')!;
    expect(closed.id).toBe(`jsm:${a}/closed/${new Date(jsm.issues.get(a)!.statusCategoryChanged).toISOString().replace('.000Z', 'Z')}`);
  });

  it('follows nextPageToken and keeps the same search while paging', async () => {
    const keys = [1, 2, 3, 4, 5].map((i) => jsm.raise(`Request ${i}`, `Problem ${i}`));
    const { events, pages } = await drain(connector({ pageSize: 2 }), null);
    expect(pages).toBe(3);
    expect(new Set(events.filter((e) => e.type === 'ticket_opened').map((e) => e.ticketId))).toEqual(new Set(keys.map((k) => `jsm:${k}`)));
    const searches = jsm.server.requestsTo(/search\/jql/);
    expect(new Set(searches.map((r) => r.query.get('jql'))).size).toBe(1);
    expect(searches.map((r) => r.query.has('nextPageToken'))).toEqual([false, true, true]);
  });

  it('finds an update the eventually consistent search shows late', async () => {
    jsm.searchLag = true;
    const late = jsm.raise('Mail bounces', 'Mails to partner.com bounce.');
    const early = jsm.raise('Printer', 'Printer jams.');
    jsm.indexNow([early]);
    const c = connector();
    const first = await drain(c, null);
    expect(first.events.map((e) => e.ticketId)).not.toContain(`jsm:${late}`);
    jsm.indexNow();
    const second = await drain(c, first.cursor);
    expect(fresh(second.events, first.events).map((e) => [e.ticketId, e.type])).toEqual([
      [`jsm:${late}`, 'ticket_opened'],
      [`jsm:${late}`, 'message_added'],
    ]);
    // The other one, read again unchanged, is skipped without asking for its comments again.
    expect(jsm.server.requestsTo(new RegExp(`${early}/comment`))).toHaveLength(1);
  });

  it('starts the search again from its time cursor when a saved page token has expired', async () => {
    const keys = [1, 2, 3, 4, 5].map((i) => jsm.raise(`Request ${i}`, `Problem ${i}`));
    const c = connector({ pageSize: 2 });
    const first = await c.fetchSince(null, signal);
    expect(first.more).toBe(true);
    jsm.tick(8 * 86_400_000); // the watcher was stopped for a week
    const rest = await drain(c, first.cursor);
    const opened = new Set([...first.events, ...rest.events].filter((e) => e.type === 'ticket_opened').map((e) => e.ticketId));
    expect(opened).toEqual(new Set(keys.map((k) => `jsm:${k}`)));
    expect(warnings).toEqual([expect.stringContaining('expires after 7 days')]);
  });

  it('counts a comment by a request participant (someone CC\'d) as the customer\'s, not an analyst answer', async () => {
    const key = jsm.raise('Shared drive', 'The shared drive is gone.');
    jsm.addParticipant(key, JSM_PARTICIPANT);
    jsm.comment(key, 'participant', 'Same for me on the 3rd floor.');
    jsm.comment(key, 'agent', 'Remapped the drive; please log in again.');
    const { events } = await drain(connector(), null);
    expect(events.at(-1)!.ticket.messages.map((m) => [m.author, m.text])).toEqual([
      ['customer', 'The shared drive is gone.'],
      ['customer', 'Same for me on the 3rd floor.'],
      ['analyst', 'Remapped the drive; please log in again.'],
    ]);
  });

  it('fails the connection test, in plain words, for an account that cannot read comments and internal notes', async () => {
    jsm.agent = false;
    const key = jsm.raise('Laptop', 'It will not boot.');
    jsm.comment(key, 'agent', 'Internal: BIOS bug.', false);
    // What a sync would see: an empty comment list, no error.
    const { events } = await drain(connector(), null);
    expect(events.at(-1)!.ticket.messages).toHaveLength(1);
    const error = await connector().testConnection(signal).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect((error as Error).message).toMatch(/not an agent of the service project HELP, so Jira shows it neither the comments nor the internal notes/);
  });

  it('pages through long comment threads', async () => {
    const key = jsm.raise('Chatty', 'Start');
    for (let i = 0; i < 130; i++) jsm.comment(key, i % 2 ? 'customer' : 'agent', `Comment ${i}`);
    const { events } = await drain(connector(), null);
    expect(events.filter((e) => e.type === 'message_added')).toHaveLength(131);
  });

  it('fails the page on rate limits, server errors and dropped connections, then recovers', async () => {
    const key = jsm.raise('Flaky', 'Hello');
    jsm.server.fail(/search\/jql/, { status: 429, headers: { 'retry-after': '30', 'x-ratelimit-remaining': '0' }, body: { errorMessages: ['Rate limit exceeded.'] } });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
    jsm.server.fail(/comment/, { status: 500, body: { errorMessages: ['Internal server error'] } });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'unavailable' });
    jsm.server.fail(/search\/jql/, { dropMidBody: true });
    await expect(connector().fetchSince(null, signal)).rejects.toMatchObject({ kind: 'network' });
    const { events } = await drain(connector(), null);
    expect(events.map((e) => e.ticketId)).toContain(`jsm:${key}`);
  });

  it('skips a malformed issue with a warning naming the field', async () => {
    const good = jsm.raise('Fine', 'Fine request');
    jsm.server.fail(/search\/jql/, {
      raw: JSON.stringify({
        issues: [
          { id: '1', key: 'HELP-999', fields: { summary: 'Broken', created: '2026-03-01T09:00:00.000+0000', updated: '2026-03-01T09:00:00.000+0000' } },
          (jsm as unknown as { issueJson(i: unknown): unknown }).issueJson(jsm.issues.get(good)),
        ],
        isLast: true,
      }),
    });
    const page = await connector().fetchSince(null, signal);
    expect(new Set(page.events.map((e) => e.ticketId))).toEqual(new Set([`jsm:${good}`]));
    expect(warnings).toEqual([expect.stringContaining('issues.0 skipped: fields.status:')]);
  });

  it('reads an issue that is not a service request from its description, with a warning', async () => {
    const key = jsm.raise('Made in Jira', 'Created by an agent without a request type.');
    jsm.issues.get(key)!.isRequest = false;
    const other = jsm.raise('Normal', 'A request.');
    const { events } = await drain(connector(), null);
    expect(events.filter((e) => e.ticketId === `jsm:${key}`).at(-1)!.ticket.messages.map((m) => m.text)).toEqual(['Created by an agent without a request type.']);
    expect(events.map((e) => e.ticketId)).toContain(`jsm:${other}`);
    expect(warnings).toEqual([`Jira Service Management ${key} is not a service request; its comments are left out.`]);
  });

  it('posts a draft as an internal comment', async () => {
    const key = jsm.raise('Password', 'Reset link expired');
    await connector().postNote(`jsm:${key}`, 'Resend the link; it lasts 15 minutes.', signal);
    expect(jsm.server.requestsTo(/comment$/).find((r) => r.method === 'POST')!.body).toEqual({ body: 'Resend the link; it lasts 15 minutes.', public: false });
    const { events } = await drain(connector(), null);
    expect(events.at(-1)!.ticket.messages.at(-1)).toMatchObject({ author: 'analyst', internal: true });
    await expect(connector().postNote('jsm:not a key', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('sends a reply as a public comment on the customer request', async () => {
    const key = jsm.raise('Password', 'Reset link expired');
    await connector().postReply(`jsm:${key}`, 'Here is a new link; it lasts 15 minutes.', signal);
    expect(jsm.server.requestsTo(/comment$/).filter((r) => r.method === 'POST').at(-1)!.body).toEqual({ body: 'Here is a new link; it lasts 15 minutes.', public: true });
    const { events } = await drain(connector(), null);
    const last = events.at(-1)!.ticket.messages.at(-1)!;
    expect(last).toMatchObject({ author: 'analyst', text: 'Here is a new link; it lasts 15 minutes.' });
    expect(last.internal ?? false).toBe(false);
    await expect(connector().postReply('jsm:not a key', 'x', signal)).rejects.toMatchObject({ kind: 'config' });
  });

  it('maps statuses, reads ADF and formats JQL dates', () => {
    expect([
      mapJsmStatus('Waiting for support', 'new'),
      mapJsmStatus('In progress', 'indeterminate'),
      mapJsmStatus('Waiting for customer', 'indeterminate'),
      mapJsmStatus('Resolved', 'done'),
      mapJsmStatus('Canceled', 'done'),
      mapJsmStatus('Closed', 'done'),
    ]).toEqual(['new', 'open', 'pending', 'solved', 'closed', 'closed']);
    expect(
      adfToText({
        type: 'doc',
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'Line one' }, { type: 'hardBreak' }, { type: 'text', text: 'two' }] },
          { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'item' }] }] }] },
        ],
      }),
    ).toBe('Line one\ntwo\n- item');
    expect(
      adfToText({
        type: 'doc',
        content: [
          {
            type: 'bulletList',
            content: [{ type: 'listItem', content: [p('Restart the router.'), p('Then wait a minute.')] }],
          },
          { type: 'panel', attrs: { panelType: 'info' }, content: [p('Known outage.'), p('Fix by noon.')] },
          { type: 'paragraph', content: [{ type: 'text', text: 'See ' }, { type: 'inlineCard', attrs: { url: 'https://status.example.com/42' } }] },
        ],
      }),
    ).toBe('- Restart the router.\nThen wait a minute.\nKnown outage.\nFix by noon.\nSee https://status.example.com/42');
    expect(jqlTime('2026-07-01T09:30:00Z', 'America/New_York')).toBe('2026/07/01 05:30');
  });
});
