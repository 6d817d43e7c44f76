import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConnectorError } from '../../../core/connectors/connector';
import { basicAuth, JsonHttpClient, parseRetryAfter, redact } from '../../../core/connectors/http';
import { EgressPolicy } from '../../../core/net/egress';
import { FakeHelpdesk } from '../../support/vendors/fakeHelpdesk';

const TOKEN = 'sekret-token-5f2b9c1e7d';
const signal = new AbortController().signal;
const Tickets = z.object({ tickets: z.array(z.object({ id: z.number(), subject: z.string() })) });

let server: FakeHelpdesk;
beforeAll(async () => {
  server = await new FakeHelpdesk({
    authorized: (req) => req.headers.authorization === `Bearer ${TOKEN}`,
    // Some servers echo what they were sent; the client must not pass it on.
    unauthorized: { body: { error: 'Couldn\'t authenticate you', token: `Bearer ${TOKEN}` } },
  }).start();
  server.on('GET', '/api/tickets', () => ({ body: { tickets: [{ id: 1, subject: 'VPN' }] } }));
  server.on('POST', '/api/echo', (req) => ({ status: 201, body: { got: req.body } }));
});
afterAll(async () => {
  await server.close();
});

function client(overrides: Partial<ConstructorParameters<typeof JsonHttpClient>[0]> = {}): JsonHttpClient {
  return new JsonHttpClient({
    service: 'Acme Desk',
    baseUrl: server.url,
    policy: new EgressPolicy({ offline: true }),
    authorization: `Bearer ${TOKEN}`,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  expect((error as ConnectorError).message).not.toContain(TOKEN);
  return error as ConnectorError;
}

describe('JSON over HTTP for the helpdesk connectors', () => {
  it('sends the credentials and a JSON body, and returns the validated reply', async () => {
    const { data } = await client().request('/api/tickets', { schema: Tickets, signal });
    expect(data.tickets[0]!.subject).toBe('VPN');
    const echoed = await client().request('/api/echo', { method: 'POST', body: { note: 'hi' }, schema: z.object({ got: z.unknown() }), signal });
    expect(echoed.status).toBe(201);
    expect(echoed.data.got).toEqual({ note: 'hi' });
  });

  it('explains refused credentials in plain words and never repeats the token', async () => {
    const error = await failure(client({ authorization: 'Bearer wrong-token-000' }).request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/did not accept the credentials \(HTTP 401/);
    expect(error.message).not.toContain('wrong-token-000');
    server.fail(/^\/api\/tickets$/, { status: 403, body: { error: `token ${TOKEN} may not read tickets` } });
    const forbidden = await failure(client().request('/api/tickets', { schema: Tickets, signal }));
    expect(forbidden.kind).toBe('auth');
    expect(forbidden.message).toMatch(/lacks the permission/);
    expect(forbidden.message).toContain('[redacted]');
  });

  it('reports a rate limit with the wait the server asked for, in seconds or as a date', async () => {
    server.fail(/^\/api\/tickets$/, { status: 429, headers: { 'retry-after': '93' }, body: { error: 'TooManyRequests' } });
    const error = await failure(client().request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(93_000);

    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('2026-10-21T07:27:00Z'))).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('2026-10-21T08:00:00Z'))).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('treats 5xx as the service being unavailable, keeping its Retry-After', async () => {
    server.fail(/^\/api\/tickets$/, { status: 503, headers: { 'retry-after': '5' }, body: '<html>maintenance</html>' });
    const error = await failure(client().request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('unavailable');
    expect(error.retryAfterMs).toBe(5000);
    expect(error.message).toContain('HTTP 503');
  });

  it('names the field when a reply does not have the documented shape', async () => {
    server.fail(/^\/api\/tickets$/, { raw: '{"tickets": [{"id": 1, "subject": "ok"}, {"id": "two", "subject": "x"}]}' });
    const error = await failure(client().request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('tickets.1.id');
  });

  it('says so when a reply is not JSON at all', async () => {
    server.fail(/^\/api\/tickets$/, { raw: '<html><body>Please log in</body></html>' });
    const error = await failure(client().request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toMatch(/not JSON/);
  });

  it('turns a connection dropped in the middle of a reply into a network error', async () => {
    server.fail(/^\/api\/tickets$/, { dropMidBody: true });
    const error = await failure(client().request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('network');
  });

  it('gives up on a server that never answers, and passes the caller\'s cancel through', async () => {
    server.fail(/^\/api\/tickets$/, { stall: true });
    const error = await failure(client({ timeoutMs: 300 }).request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('network');
    expect(error.message).toMatch(/did not answer/);

    server.fail(/^\/api\/tickets$/, { stall: true });
    const controller = new AbortController();
    const pending = client().request('/api/tickets', { schema: Tickets, signal: controller.signal });
    controller.abort(new Error('watcher stopped'));
    await expect(pending).rejects.toThrow('watcher stopped');
  });

  it('cannot reach a closed port, and names the address', async () => {
    const error = await failure(client({ baseUrl: 'http://127.0.0.1:9' }).request('/api/tickets', { schema: Tickets, signal }));
    expect(error.kind).toBe('network');
    expect(error.message).toContain('127.0.0.1:9');
  });

  it('never connects where the egress policy forbids', async () => {
    const error = await failure(
      client({ baseUrl: 'https://acme.zendesk.com' }).request('/api/tickets', { schema: Tickets, signal }),
    );
    expect(error.kind).toBe('config');
    expect(error.message).toMatch(/offline mode/);
  });

  it('refuses a bad base address and a link to another site', () => {
    expect(() => client({ baseUrl: 'acme desk' })).toThrow(/is not a URL/);
    expect(() => client().url('https://evil.example/api')).toThrow(/another site/);
    expect(client({ baseUrl: `${server.url}/rt` }).url('/REST/2.0/rt').pathname).toBe('/rt/REST/2.0/rt');
    expect(client().url('/x', { orderby: ['LastUpdated', 'id'], page: 2, skip: undefined }).search).toBe('?orderby=LastUpdated&orderby=id&page=2');
  });

  it('redacts secrets, raw and URL-encoded, and builds Basic credentials', () => {
    expect(redact('a x+y/z b x%2By%2Fz', ['x+y/z'])).toBe('a [redacted] b [redacted]');
    expect(basicAuth('agent@example.com/token', 'abc')).toBe(`Basic ${Buffer.from('agent@example.com/token:abc').toString('base64')}`);
  });
});
