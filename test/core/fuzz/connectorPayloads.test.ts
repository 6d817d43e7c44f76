/**
 * Fuzzing the connectors' payload mapping: each HTTP connector syncs from a loopback server that answers every
 * request with vendor-shaped JSON whose fields are missing, of the wrong type or nonsense, or with an HTTP error.
 * A sync either returns events whose tickets are in the spec's format, or fails with a ConnectorError a person
 * can act on; it never crashes with anything else.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError, type Connector } from '../../../core/connectors/connector';
import { createFreshdeskConnector } from '../../../core/connectors/freshdesk';
import { createJsmConnector } from '../../../core/connectors/jsm';
import { createRtConnector } from '../../../core/connectors/rt';
import { createZammadConnector } from '../../../core/connectors/zammad';
import { createZendeskConnector } from '../../../core/connectors/zendesk';
import { TicketSchema } from '../../../core/formats/schemas';
import { EgressPolicy } from '../../../core/net/egress';
import { FakeFreshdesk, FRESHDESK_KEY } from '../../support/vendors/freshdesk';
import { FakeZammad, ZAMMAD_TOKEN } from '../../support/vendors/zammad';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from '../../support/vendors/zendesk';
import { anyJson, jsonMutation, mutate, nastyString, type JsonMutation } from './jsonArbitraries';

/** Field names the five vendors' APIs use, so the fuzzed JSON reaches the mapping code instead of failing at the top. */
const KEYS = [
  'tickets', 'comments', 'results', 'data', 'issues', 'values', 'items', 'articles', 'conversations', 'ticket',
  'after_cursor', 'after_url', 'end_of_stream', 'next_page', 'nextPageToken', 'isLastPage', 'total', 'count', 'page', 'per_page',
  'id', 'key', 'subject', 'summary', 'title', 'description', 'body', 'body_text', 'plain_body', 'html_body', 'Content', 'Subject',
  'status', 'state', 'state_id', 'Status', 'priority', 'created_at', 'updated_at', 'Created', 'LastUpdated', 'created', 'updated',
  'requester_id', 'customer_id', 'author_id', 'user_id', 'created_by_id', 'Creator', 'from', 'sender', 'group_id', 'group', 'Queue',
  'tags', 'public', 'private', 'internal', 'incoming', 'fields', 'comment', 'Type', '_hyperlinks', 'type', 'name', 'email',
] as const;

const leaf = fc.oneof(anyJson, nastyString, fc.integer(), fc.constantFrom('2026-03-01T09:00:00Z', '2026-03-01 09:00:00', 'open', 'closed', 'resolved', 'solved', 'new', 4, 5, true, null));
const record = fc.dictionary(fc.constantFrom(...KEYS), leaf, { maxKeys: 12 });
const payload = fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(leaf, record, fc.array(record, { maxLength: 4 })), { maxKeys: 8 });

/** One scripted answer: mostly 200 with fuzzed JSON, sometimes an HTTP error or a body that is not JSON. */
const answer = fc.oneof(
  { weight: 6, arbitrary: payload.map((body) => ({ status: 200, body: JSON.stringify(body) })) },
  { weight: 1, arbitrary: anyJson.map((body) => ({ status: 200, body: JSON.stringify(body) })) },
  { weight: 1, arbitrary: fc.constantFrom(400, 401, 403, 404, 429, 500, 503).map((status) => ({ status, body: '{"error":"nope"}' })) },
  { weight: 1, arbitrary: nastyString.map((body) => ({ status: 200, body })) },
);

let server: Server;
let url: string;
let script: { status: number; body: string }[] = [];
let served = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const next = script[served++ % Math.max(1, script.length)] ?? { status: 200, body: '{}' };
    res.writeHead(next.status, { 'content-type': 'application/json', ...(next.status === 429 ? { 'retry-after': '1' } : {}) });
    res.end(next.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const policy = new EgressPolicy({ offline: true });
const options = { warn: () => undefined, timeoutMs: 5000 };
const start = '2026-01-01T00:00:00Z';
const CONNECTORS: Record<string, () => Connector> = {
  zendesk: () => createZendeskConnector({ id: 'zd', baseUrl: url, email: 'agent@example.com', token: 'zd-token', startAt: start }, policy, options),
  freshdesk: () => createFreshdeskConnector({ id: 'fd', baseUrl: url, token: 'fd-token', startAt: start }, policy, options),
  jsm: () => createJsmConnector({ id: 'jsm', baseUrl: url, email: 'agent@example.com', token: 'jsm-token', projectKey: 'HELP', startAt: start }, policy, options),
  zammad: () => createZammadConnector({ id: 'zm', baseUrl: url, token: 'zm-token', startAt: start }, policy, options),
  rt: () => createRtConnector({ id: 'rt', baseUrl: url, token: 'rt-token', startAt: start }, policy, options),
};

describe.each(Object.keys(CONNECTORS))('fuzzing the %s connector with arbitrary vendor-like JSON', (name) => {
  it('returns spec-format tickets or a ConnectorError, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 6 }), async (answers) => {
        script = answers;
        served = 0;
        const connector = CONNECTORS[name]!();
        try {
          const page = await connector.fetchSince(null, new AbortController().signal);
          for (const event of page.events) {
            expect(TicketSchema.safeParse(event.ticket).success).toBe(true);
            expect(typeof event.id).toBe('string');
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ConnectorError);
          expect((error as Error).message.length).toBeGreaterThan(10);
          expect((error as Error).message).not.toMatch(/\[object Object\]|undefined is not|Cannot read prop/);
        } finally {
          await connector.close?.();
        }
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * The same connectors against loopback servers that follow each vendor's documented API (test/support/vendors),
 * with one field of each JSON response changed (wrong type, removed, nonsense) on its way back: the structure is
 * right, so the mapping code itself meets the bad field.
 */
function mutatingPolicy(mutations: readonly JsonMutation[]): EgressPolicy {
  const real = new EgressPolicy({ offline: true });
  const policy = new EgressPolicy({ offline: true });
  let n = 0;
  Object.defineProperty(policy, 'fetch', {
    value: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await real.fetch(input, init);
      const mutation = mutations[n++ % mutations.length];
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return new Response(text, { status: response.status, headers: response.headers });
      }
      const body = mutation ? mutate(json, mutation.path, mutation.replacement, mutation.drop) : json;
      return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
    },
  });
  return policy;
}

describe('fuzzing the mapping of vendor-shaped responses with one bad field', () => {
  const fakes: { close(): Promise<void> }[] = [];
  const vendors: Record<string, (policy: EgressPolicy) => Connector> = {};

  beforeAll(async () => {
    const zd = await new FakeZendesk().start();
    const a = zd.open('VPN drops every 10 minutes', 'My VPN disconnects every 10 minutes.', { group_id: 10, tags: ['vpn'] });
    zd.comment(a, 1, 'Which client version?');
    zd.comment(a, 2, 'Version 5.2.', true);
    zd.open('Printer offline', 'The printer shows offline.');
    const fd = await new FakeFreshdesk().start();
    const b = fd.open('Refund missing', 'My refund has not arrived.', { group_id: 7, tags: ['billing'] });
    fd.add(b, 'reply', 'It was sent yesterday.');
    fd.add(b, 'note', 'Check the bank batch.');
    const zm = await new FakeZammad().start();
    const c = zm.open('Password reset', 'The reset link expired.', { group: 'Users' });
    zm.article(c, 'Agent', 'Here is a new link.');
    zm.setState(c, 'closed');
    fakes.push(zd, fd, zm);
    vendors['zendesk'] = (policy) => createZendeskConnector({ id: 'zd', baseUrl: zd.url, email: ZENDESK_EMAIL, token: ZENDESK_TOKEN, startAt: start }, policy, options);
    vendors['freshdesk'] = (policy) => createFreshdeskConnector({ id: 'fd', baseUrl: fd.url, token: FRESHDESK_KEY, startAt: start }, policy, options);
    vendors['zammad'] = (policy) => createZammadConnector({ id: 'zm', baseUrl: zm.url, token: ZAMMAD_TOKEN, startAt: start }, policy, options);
  });
  afterAll(async () => {
    for (const fake of fakes) await fake.close();
  });

  it.each(['zendesk', 'freshdesk', 'zammad'])('%s: spec-format tickets or a ConnectorError, never a crash', async (name) => {
    const unchanged = await vendors[name]!(new EgressPolicy({ offline: true })).fetchSince(null, new AbortController().signal);
    expect(unchanged.events.length).toBeGreaterThan(0); // the control: without mutations the sync delivers tickets
    let delivered = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(jsonMutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
        const connector = vendors[name]!(mutatingPolicy(mutations));
        try {
          const page = await connector.fetchSince(null, new AbortController().signal);
          delivered += page.events.length;
          for (const event of page.events) expect(TicketSchema.safeParse(event.ticket).success).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ConnectorError);
          expect((error as Error).message).not.toMatch(/\[object Object\]|undefined is not|Cannot read prop/);
        } finally {
          await connector.close?.();
        }
      }),
      { numRuns: 40 },
    );
    expect(delivered).toBeGreaterThan(0); // some mutated responses were mapped, not all refused at the top
  });
});
