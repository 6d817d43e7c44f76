import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../../core/connectors/connector';
import { advanceTimeCursor, nativeTicketId, ticketEvents, toSecond, type TimeCursor } from '../../../core/connectors/helpdeskEvents';
import { connectorHost, HTTP_CONNECTORS } from '../../../core/connectors/httpConnectors';
import { EgressPolicy } from '../../../core/net/egress';

const policy = new EgressPolicy({ offline: true });

describe('HTTP connector settings', () => {
  it('builds each kind from valid settings, with its defaults', () => {
    const settings = {
      rt: { id: 'rt-main', baseUrl: 'https://rt.example.com/rt', token: 't' },
      zendesk: { id: 'zd', baseUrl: 'https://acme.zendesk.com', email: 'a@acme.com', token: 't' },
      freshdesk: { id: 'fd', baseUrl: 'https://acme.freshdesk.com', token: 't' },
      jsm: { id: 'jsm', baseUrl: 'https://acme.atlassian.net', email: 'a@acme.com', token: 't', projectKey: 'HELP' },
      zammad: { id: 'zm', baseUrl: 'https://support.acme.com', token: 't' },
    };
    for (const [kind, entry] of Object.entries(HTTP_CONNECTORS)) {
      const config = entry.schema.parse(settings[kind as keyof typeof settings]);
      const connector = entry.create(config as never, policy);
      expect(connector.kind).toBe(kind);
      expect(typeof connector.postNote).toBe('function');
    }
    expect(connectorHost({ baseUrl: 'https://ACME.zendesk.com:8443/x' })).toBe('acme.zendesk.com');
  });

  it('refuses bad settings with a config error that names the field', () => {
    const attempt = (): unknown => HTTP_CONNECTORS.jsm.create({ id: 'jsm', baseUrl: 'https://a.atlassian.net', email: 'a@b.c', token: 't', projectKey: 'help desk' } as never, policy);
    expect(attempt).toThrow(ConnectorError);
    expect(attempt).toThrow(/Jira Service Management settings: projectKey: a Jira project key/);
    expect(() => HTTP_CONNECTORS.zendesk.create({ id: 'Zendesk Main', baseUrl: 'x', email: 'a@b.c', token: 't' } as never, policy)).toThrow(
      /Zendesk settings: (id|baseUrl): /,
    );
  });
});

describe('ticket events shared by the HTTP connectors', () => {
  const base = {
    nativeId: 7,
    subject: 'VPN drops',
    createdAt: '2026-03-01T09:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
  };

  it('gives every change a stable id and each message event the ticket as it stood then', () => {
    const events = ticketEvents('zd', {
      ...base,
      status: 'solved',
      statusSince: '2026-03-01T09:59:00Z',
      messages: [
        { id: '2', author: 'analyst', text: 'Lower the MTU', at: '2026-03-01T09:30:00Z' },
        { id: '1', author: 'customer', text: 'It drops', at: '2026-03-01T09:00:00Z' },
        { id: '1', author: 'customer', text: 'It drops', at: '2026-03-01T09:00:00Z' },
      ],
    });
    expect(events.map((e) => e.id)).toEqual(['zd:7/opened', 'zd:7/message/1', 'zd:7/message/2', 'zd:7/closed/2026-03-01T09:59:00Z']);
    expect(events.map((e) => e.ticket.messages.length)).toEqual([1, 1, 2, 2]);
    expect(events.at(-1)!.ticket.status).toBe('solved');
    // Read again later, the same state gives the same ids, which is how the watcher drops repeats.
    expect(ticketEvents('zd', { ...base, status: 'solved', statusSince: '2026-03-01T09:59:00Z', messages: events.at(-1)!.ticket.messages }).map((e) => e.id)).toEqual(
      events.map((e) => e.id),
    );
  });

  it('uses the subject as the opening message of a ticket without any, and nothing without either', () => {
    const events = ticketEvents('jsm', { ...base, status: 'new', messages: [] });
    expect(events.map((e) => e.type)).toEqual(['ticket_opened', 'message_added']);
    expect(events[0]!.ticket.messages[0]).toMatchObject({ id: 'subject', author: 'customer', text: 'VPN drops' });
    expect(ticketEvents('jsm', { ...base, subject: undefined, status: 'new', messages: [] })).toEqual([]);
  });

  it('maps ticket ids back for write-back, and refuses another connector\'s', () => {
    expect(nativeTicketId('zd', 'zd:42')).toBe('42');
    expect(() => nativeTicketId('zd', 'fd:42')).toThrow(/does not belong to the connector "zd"/);
    expect(() => nativeTicketId('zd', 'zd:')).toThrow(ConnectorError);
  });

  it('moves the time cursor forward, or to the next page when a whole page shares one second', () => {
    const start = { since: '2026-03-01T09:00:00Z', page: 1 };
    expect(advanceTimeCursor(start, ['2026-03-01T09:00:05.120Z', '2026-03-01T09:00:09Z'], true, toSecond)).toEqual({
      cursor: { since: '2026-03-01T09:00:09Z', page: 1 },
      more: true,
    });
    expect(advanceTimeCursor(start, ['2026-03-01T09:00:00.300Z', '2026-03-01T09:00:00Z'], true, toSecond)).toEqual({
      cursor: { since: '2026-03-01T09:00:00Z', page: 2 },
      more: true,
    });
    expect(advanceTimeCursor({ ...start, page: 2 }, [], false, toSecond)).toEqual({ cursor: start, more: false });
  });

  it('delivers every ticket of an "updated at or after" search, whatever the page size and however many share a second', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        (seconds, pageSize) => {
          // A helpdesk whose search is `updated >= since ORDER BY updated, id`, paged by number.
          const items = seconds
            .map((s, id) => ({ id, updatedAt: new Date(Date.UTC(2026, 2, 1, 9, 0, s, 250)).toISOString() }))
            .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id - b.id);
          let cursor: TimeCursor = { since: '2026-03-01T00:00:00Z', page: 1 };
          const delivered = new Set<number>();
          for (let calls = 0; ; calls++) {
            expect(calls).toBeLessThan(200);
            const matching = items.filter((i) => toSecond(i.updatedAt) >= (cursor.since ?? ''));
            const page = matching.slice((cursor.page - 1) * pageSize, cursor.page * pageSize);
            for (const i of page) delivered.add(i.id);
            const next = advanceTimeCursor(cursor, page.map((i) => i.updatedAt), page.length === pageSize, toSecond);
            cursor = next.cursor;
            if (!next.more) break;
          }
          expect(delivered.size).toBe(items.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
