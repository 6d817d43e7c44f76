/**
 * The loopback HTTP server under the SaaS helpdesk fakes (Zendesk, Freshdesk, Jira Service Management, Zammad).
 * None of those services can run here, so each fake answers the vendor's documented requests with the vendor's
 * documented payloads; this file holds what they share: routing, the auth check, request records and faults a
 * test can queue (HTTP errors with the vendor's headers, bodies that are not JSON, a connection dropped in the
 * middle of a page, a stall until the client gives up).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** Set when the request was refused for being over a rate limit. */
  rateLimited?: boolean;
}

export type Fault =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** 200 with this text as the body (not JSON, or JSON of the wrong shape). */
  | { raw: string; status?: number }
  /** Sends the headers and half of the real answer, then destroys the connection. */
  | { dropMidBody: true }
  /** Never answers (until the server closes). */
  | { stall: true };

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type Handler = (req: RecordedRequest, params: Record<string, string>) => Reply | Promise<Reply>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

/**
 * A vendor's per-minute API budget, as its plans set it: each request costs credits, a request past the budget
 * gets the vendor's 429. The fake's minute passes only when the test says so (`nextMinute()`): the tests never
 * sleep, and a connector that wastes its budget (re-reading a page it had read) shows as one that needs more
 * minutes.
 */
export interface RateLimit {
  perMinute: number;
  /** Which requests count against this budget (default all). */
  applies?: (req: RecordedRequest) => boolean;
  /** Credits a request costs (Freshdesk charges one more per `include`); default 1. */
  cost?: (req: RecordedRequest) => number;
  /** The vendor's rate-limit headers on every counted answer. */
  headers: (limit: number, remaining: number, cost: number) => Record<string, string>;
  /** The vendor's 429 body. */
  body: unknown;
}

export interface FakeHelpdeskOptions {
  /** True when the request's credentials are good; a false gets the vendor's 401 (`unauthorized`). */
  authorized: (req: RecordedRequest) => boolean;
  unauthorized: Reply;
  notFound?: Reply;
}

/** A routed loopback server; vendors add routes with `on`. */
export class FakeHelpdesk {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly faults: Array<{ match: RegExp; fault: Fault }> = [];
  private readonly server: Server;
  private readonly stalled = new Set<ServerResponse>();
  /** The budgets in force; a test sets the plan's. */
  readonly limits: RateLimit[] = [];
  private readonly used = new Map<RateLimit, number>();
  /** Minutes that have passed (`nextMinute()` calls), for tests that count how long a sync took. */
  minutes = 0;
  url = '';

  constructor(private readonly options: FakeHelpdeskOptions) {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake helpdesk failed: ${(error as Error).stack}`);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.stalled) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** `path` like `/api/v2/tickets/:id/comments.json`. */
  on(method: string, path: string, handler: Handler): void {
    const names: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, name: string) => {
          names.push(name);
          return '([^/]+?)';
        }) +
        '$',
    );
    this.routes.push({ method, pattern, names, handler });
  }

  /** The next request whose path matches `match` gets `fault` instead of its answer (queued in order). */
  fail(match: RegExp, fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ match, fault });
  }

  /** The next minute begins: every budget is full again. */
  nextMinute(): void {
    this.used.clear();
    this.minutes++;
  }

  /** Requests to paths matching `match`. */
  requestsTo(match: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => match.test(r.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = { __unparsable: text };
      }
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    this.requests.push(recorded);

    const faultIndex = this.faults.findIndex((f) => f.match.test(url.pathname));
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0]!.fault : undefined;
    if (fault && 'stall' in fault) {
      this.stalled.add(res);
      return;
    }
    if (fault && 'status' in fault && !('raw' in fault)) return this.send(res, { status: fault.status, headers: fault.headers, body: fault.body ?? '' });
    if (fault && 'raw' in fault) {
      res.writeHead(fault.status ?? 200, { 'content-type': 'application/json' });
      res.end(fault.raw);
      return;
    }

    if (!this.options.authorized(recorded)) return this.send(res, { status: 401, ...this.options.unauthorized });
    const rateHeaders: Record<string, string> = {};
    for (const limit of this.limits) {
      if (limit.applies && !limit.applies(recorded)) continue;
      const cost = limit.cost?.(recorded) ?? 1;
      const used = this.used.get(limit) ?? 0;
      if (used + cost > limit.perMinute) {
        // Retry-After: the seconds left of the vendor's minute; the fake's minute ends when the test says.
        recorded.rateLimited = true;
        return this.send(res, { status: 429, headers: { ...limit.headers(limit.perMinute, Math.max(0, limit.perMinute - used), cost), 'retry-after': '60' }, body: limit.body });
      }
      this.used.set(limit, used + cost);
      Object.assign(rateHeaders, limit.headers(limit.perMinute, limit.perMinute - used - cost, cost));
    }
    let reply: Reply | undefined;
    for (const route of this.routes) {
      if (route.method !== recorded.method) continue;
      const m = route.pattern.exec(url.pathname);
      if (!m) continue;
      const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
      reply = await route.handler(recorded, params);
      break;
    }
    reply ??= { status: 404, ...(this.options.notFound ?? { body: { error: 'Not found' } }) };
    reply = { ...reply, headers: { ...rateHeaders, ...reply.headers } };

    if (fault && 'dropMidBody' in fault) {
      const payload = JSON.stringify(reply.body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) });
      res.write(payload.slice(0, Math.floor(payload.length / 2)));
      // Let the half reach the client before the connection goes.
      setImmediate(() => res.destroy());
      return;
    }
    this.send(res, reply);
  }

  private send(res: ServerResponse, reply: Reply): void {
    const payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(payload);
  }
}

/**
 * What every vendor fake is built on: its routed loopback server, started and closed the same way, and the clock
 * its changes are stamped with (each vendor moves it by its own step).
 */
export abstract class VendorFake {
  readonly server: FakeHelpdesk;
  /** The fake's clock (ms since the epoch); every fake starts on the same morning. */
  protected clock = Date.parse('2026-03-01T09:00:00Z');

  protected constructor(options: FakeHelpdeskOptions) {
    this.server = new FakeHelpdesk(options);
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  get url(): string {
    return this.server.url;
  }
}

/** `Basic` credentials from a request, or null. */
export function basicCredentials(req: RecordedRequest): { user: string; password: string } | null {
  const header = req.headers.authorization ?? '';
  const m = /^Basic (.+)$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? null : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}
