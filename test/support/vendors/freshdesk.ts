/**
 * A loopback Freshdesk that follows the documented API v2 requests and payloads the connector uses
 * (developers.freshdesk.com/api): 
 *
 * - `GET /api/v2/tickets?updated_since=…&order_by=updated_at&order_type=asc&include=description,stats&per_page=…&page=…`
 *   → a JSON array of tickets (`status` 2 open, 3 pending, 4 resolved, 5 closed; `stats.status_updated_at`
 *   with `include=stats`; `description_text` with `include=description`), a `Link: <…>; rel="next"` header when
 *   another page exists, and `400 {"description": "Validation failed", "errors": [...]}` past page 300;
 * - `GET /api/v2/tickets/{id}/conversations?per_page=…&page=…` → an array of conversations (`incoming`,
 *   `private`, `user_id`, `body_text`), paged by `Link`;
 * - `POST /api/v2/tickets/{id}/notes` with `{body, private}` → `201` and the note;
 * - `GET /api/v2/agents/me`;
 * - Basic auth `{api key}:X`; a 401 is `{"code": "invalid_credentials", "message": …}`.
 *
 * Rate limits as Freshdesk documents them ("Rate limit" in the API reference): a per-minute budget for the whole
 * account by plan (`FRESHDESK_PLANS`: Trial 50, Growth 200, Pro 400, Enterprise 700), every answer carrying
 * `X-RateLimit-Total`, `X-RateLimit-Remaining` and `X-RateLimit-Used-CurrentRequest`; each `include` costs one
 * credit more (`include=description,stats` costs 3); past the budget `429` with `Retry-After` (seconds).
 */
import { basicCredentials, VendorFake, type RecordedRequest, type Reply } from './fakeHelpdesk';

export const FRESHDESK_KEY = 'fd-key-Q3m9ZtW2pLx7';

/** Calls per minute by plan (Freshdesk API v2 reference, "Rate limit"). */
export const FRESHDESK_PLANS = { trial: 50, growth: 200, pro: 400, enterprise: 700 } as const;
export const FD_AGENT = 9001;
export const FD_CUSTOMER = 42;

export interface FdConversation {
  id: number;
  body_text: string;
  incoming: boolean;
  private: boolean;
  user_id: number;
  created_at: string;
}

export interface FdTicketRecord {
  id: number;
  subject: string;
  description_text: string;
  status: number;
  requester_id: number;
  group_id: number | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  status_updated_at: string;
  conversations: FdConversation[];
}

export class FakeFreshdesk extends VendorFake {
  readonly tickets = new Map<number, FdTicketRecord>();
  /** When true, changes keep the same time stamp (many updates in one second). */
  frozenClock = false;
  private nextId = 1;
  private nextConversationId = 70_000;

  constructor() {
    super({
      authorized: (req) => {
        const c = basicCredentials(req);
        return c?.user === FRESHDESK_KEY && c.password === 'X';
      },
      unauthorized: { body: { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' } },
      notFound: { body: { code: 'access_denied', message: 'You are not authorized to perform this action.' } },
    });
    this.plan('enterprise');
    this.server.on('GET', '/api/v2/agents/me', () => ({ body: { id: FD_AGENT, available: true, contact: { name: 'Ana Agent', email: 'ana@acme.test' } } }));
    this.server.on('GET', '/api/v2/tickets', (req) => this.list(req));
    this.server.on('GET', '/api/v2/tickets/:id/conversations', (req, p) => this.conversations(req, Number(p.id)));
    this.server.on('POST', '/api/v2/tickets/:id/notes', (req, p) => this.note(req, Number(p.id)));
    this.server.on('POST', '/api/v2/tickets/:id/reply', (req, p) => this.reply(req, Number(p.id)));
  }

  /** Sets the account's plan, and so its per-minute budget. */
  plan(name: keyof typeof FRESHDESK_PLANS): void {
    this.server.limits.splice(0, this.server.limits.length, {
      perMinute: FRESHDESK_PLANS[name],
      cost: (req) => 1 + (req.query.get('include') ?? '').split(',').filter(Boolean).length,
      headers: (limit, remaining, cost) => ({
        'x-ratelimit-total': String(limit),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-used-currentrequest': String(cost),
      }),
      body: { code: 'rate_limit_exceeded', message: 'You have exceeded the limit of requests per minute' },
    });
  }

  private tick(): string {
    if (!this.frozenClock) this.clock += 1000;
    return new Date(this.clock).toISOString().replace('.000Z', 'Z');
  }

  open(subject: string, description: string, options: { group_id?: number; tags?: string[] } = {}): number {
    const at = this.tick();
    const id = this.nextId++;
    this.tickets.set(id, {
      id,
      subject,
      description_text: description,
      status: 2,
      requester_id: FD_CUSTOMER,
      group_id: options.group_id ?? null,
      tags: options.tags ?? [],
      created_at: at,
      updated_at: at,
      status_updated_at: at,
      conversations: [],
    });
    return id;
  }

  /** A reply by the customer (incoming), a reply by the agent, or the agent's private note. */
  add(id: number, kind: 'customer' | 'reply' | 'note', text: string): void {
    const t = this.tickets.get(id)!;
    const at = this.tick();
    t.conversations.push({
      id: this.nextConversationId++,
      body_text: text,
      incoming: kind === 'customer',
      private: kind === 'note',
      user_id: kind === 'customer' ? FD_CUSTOMER : FD_AGENT,
      created_at: at,
    });
    t.updated_at = at;
  }

  setStatus(id: number, status: number): void {
    const t = this.tickets.get(id)!;
    const at = this.tick();
    t.status = status;
    t.updated_at = at;
    t.status_updated_at = at;
  }

  private ticketJson(t: FdTicketRecord, include: string[]): Record<string, unknown> {
    const { conversations: _c, status_updated_at, description_text, ...rest } = t;
    return {
      ...rest,
      priority: 1,
      source: 2,
      type: null,
      fr_escalated: false,
      spam: false,
      custom_fields: {},
      due_by: t.created_at,
      ...(include.includes('description') ? { description: `<div>${description_text}</div>`, description_text } : {}),
      ...(include.includes('stats')
        ? { stats: { agent_responded_at: null, requester_responded_at: null, first_responded_at: null, status_updated_at, reopened_at: null, resolved_at: t.status === 4 ? status_updated_at : null, closed_at: t.status === 5 ? status_updated_at : null, pending_since: null } }
        : {}),
    };
  }

  private paged<T>(req: RecordedRequest, items: T[], path: string): Reply & { items: T[] } {
    const perPage = Math.min(Number(req.query.get('per_page') ?? 30), 100);
    const page = Number(req.query.get('page') ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URLSearchParams(req.query);
      next.set('page', String(page + 1));
      headers.link = `<${this.url}${path}?${next.toString()}>; rel="next"`;
    }
    return { headers, items: slice };
  }

  private list(req: RecordedRequest): Reply {
    const page = Number(req.query.get('page') ?? 1);
    if (page > 300) {
      return { status: 400, body: { description: 'Validation failed', errors: [{ field: 'page', message: 'It should be a Positive Integer less than or equal to 300', code: 'invalid_value' }] } };
    }
    const sinceParam = req.query.get('updated_since');
    const since = sinceParam ? Date.parse(sinceParam) : this.clock - 30 * 86_400_000;
    if (Number.isNaN(since)) {
      return { status: 400, body: { description: 'Validation failed', errors: [{ field: 'updated_since', message: 'It should be in the \'valid date\' format', code: 'invalid_value' }] } };
    }
    const include = (req.query.get('include') ?? '').split(',');
    const asc = req.query.get('order_type') === 'asc';
    const ordered = [...this.tickets.values()]
      .filter((t) => Date.parse(t.updated_at) >= since)
      .sort((a, b) => (Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.id - b.id) * (asc ? 1 : -1));
    const { headers, items } = this.paged(req, ordered, '/api/v2/tickets');
    return { headers, body: items.map((t) => this.ticketJson(t, include)) };
  }

  private conversations(req: RecordedRequest, id: number): Reply {
    const t = this.tickets.get(id);
    if (!t) return { status: 404, body: { code: 'access_denied', message: 'You are not authorized to perform this action.' } };
    const { headers, items } = this.paged(req, t.conversations, `/api/v2/tickets/${id}/conversations`);
    return {
      headers,
      body: items.map((c) => ({ ...c, body: `<div>${c.body_text}</div>`, source: c.private ? 2 : 0, ticket_id: id, to_emails: [], attachments: [], updated_at: c.created_at })),
    };
  }

  private note(req: RecordedRequest, id: number): Reply {
    const t = this.tickets.get(id);
    if (!t) return { status: 404, body: { code: 'access_denied', message: 'You are not authorized to perform this action.' } };
    const body = req.body as { body?: string; private?: boolean } | null;
    if (!body?.body) {
      return { status: 400, body: { description: 'Validation failed', errors: [{ field: 'body', message: 'Mandatory attribute missing', code: 'missing_field' }] } };
    }
    const text = body.body.replace(/<br>/g, '\n').replace(/&lt;/g, '<').replace(/&amp;/g, '&');
    this.add(id, body.private === false ? 'reply' : 'note', text);
    const c = t.conversations.at(-1)!;
    return { status: 201, body: { ...c, body: body.body, ticket_id: id } };
  }

  /** Freshdesk's reply to the requester: a public, outgoing conversation (HTML body). */
  private reply(req: RecordedRequest, id: number): Reply {
    const t = this.tickets.get(id);
    if (!t) return { status: 404, body: { code: 'access_denied', message: 'You are not authorized to perform this action.' } };
    const body = req.body as { body?: string } | null;
    if (!body?.body) {
      return { status: 400, body: { description: 'Validation failed', errors: [{ field: 'body', message: 'Mandatory attribute missing', code: 'missing_field' }] } };
    }
    this.add(id, 'reply', body.body.replace(/<br>/g, '\n').replace(/&lt;/g, '<').replace(/&amp;/g, '&'));
    const c = t.conversations.at(-1)!;
    return { status: 201, body: { ...c, body: body.body, ticket_id: id, from_email: 'support@acme.test', to_emails: ['dana@example.com'] } };
  }
}
