/**
 * A loopback Zendesk Support that follows the documented requests and payloads the connector uses
 * (developer.zendesk.com, API reference "Incremental Exports", "Ticket Comments", "Tickets", "Users"):
 *
 * - `GET /api/v2/incremental/tickets/cursor.json?start_time=…|cursor=…&per_page=…&exclude_deleted=…&include=…`
 *   → `{tickets, after_cursor, after_url, before_cursor, before_url, end_of_stream, groups?, metric_sets?}`,
 *   ordered by update time, cursors opaque base64 strings;
 * - `GET /api/v2/tickets/{id}/comments.json?include=users&page[size]=…&page[after]=…`
 *   → `{comments, users, meta: {has_more, after_cursor, before_cursor}, links: {next, prev}}`;
 * - `PUT /api/v2/tickets/{id}.json` with `{ticket: {comment: {body, public}}}` → `{ticket, audit}`;
 * - `GET /api/v2/users/me.json` → `{user}`;
 * - Basic auth `{email}/token:{token}`; a 401 is `{"error": "Couldn't authenticate you"}`.
 *
 * Rate limits as Zendesk documents them ("Rate limits" in the API reference): a per-minute budget for the account
 * by plan (`ZENDESK_PLANS`: Team 200, Growth and Professional 400, Enterprise 700, the High Volume add-on 2500)
 * with `X-Rate-Limit` and `X-Rate-Limit-Remaining` on every answer, and the incremental export's own 10 requests
 * a minute; past a budget `429` with `Retry-After` (seconds) and `{"error": "APIRateLimitExceeded", …}`. The
 * export also leaves out tickets updated in the last minute (it reads up to a minute behind); not modelled here:
 * the connector's cursor is Zendesk's own, so such a ticket comes in the next page.
 */
import { basicCredentials, VendorFake, type RecordedRequest } from './fakeHelpdesk';

export interface ZendeskUser {
  id: number;
  name: string;
  email: string;
  role: 'end-user' | 'agent' | 'admin';
}

export interface ZendeskComment {
  id: number;
  author_id: number;
  body: string;
  public: boolean;
  created_at: string;
}

export interface ZendeskTicketRecord {
  id: number;
  subject: string;
  status: string;
  requester_id: number;
  group_id: number | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  status_updated_at: string;
  comments: ZendeskComment[];
}

/** Requests per minute by plan (Zendesk API reference, "Rate limits"). */
export const ZENDESK_PLANS = { team: 200, growth: 400, professional: 400, enterprise: 700, highVolume: 2500 } as const;
/** The incremental export's own budget, on every plan. */
const EXPORT_PER_MINUTE = 10;

export const ZENDESK_EMAIL = 'agent@acme.test';
export const ZENDESK_TOKEN = 'zd-token-6d1f0aa93c8e4b27';

function encodeCursor(updatedAt: string, id: number): string {
  return Buffer.from(`${Date.parse(updatedAt) / 1000}.0||${id}|`).toString('base64');
}

function decodeCursor(cursor: string): { ts: number; id: number } | null {
  const m = /^(\d+(?:\.\d+)?)\.0\|\|(\d+)\|$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return m ? { ts: Number(m[1]) * 1000, id: Number(m[2]) } : null;
}

export class FakeZendesk extends VendorFake {
  readonly users = new Map<number, ZendeskUser>([
    [1, { id: 1, name: 'Ana Agent', email: ZENDESK_EMAIL, role: 'agent' }],
    [2, { id: 2, name: 'Carl Customer', email: 'carl@example.com', role: 'end-user' }],
  ]);
  readonly groups = new Map<number, string>([[10, 'Network']]);
  readonly tickets = new Map<number, ZendeskTicketRecord>();
  /** Ticket ids to list twice in the next export page (Zendesk documents possible duplicates). */
  duplicateNext: number[] = [];
  private nextId = 100;
  private nextCommentId = 5000;

  constructor() {
    super({
      authorized: (req) => {
        const c = basicCredentials(req);
        return c?.user === `${ZENDESK_EMAIL}/token` && c.password === ZENDESK_TOKEN;
      },
      unauthorized: { body: { error: "Couldn't authenticate you" } },
      notFound: { body: { error: 'RecordNotFound', description: 'Not found' } },
    });
    this.plan('enterprise');
    this.server.on('GET', '/api/v2/users/me.json', () => ({ body: { user: this.users.get(1) } }));
    this.server.on('GET', '/api/v2/incremental/tickets/cursor.json', (req) => this.exportPage(req));
    this.server.on('GET', '/api/v2/tickets/:id/comments.json', (req, p) => this.commentsPage(req, Number(p.id)));
    this.server.on('PUT', '/api/v2/tickets/:id.json', (req, p) => this.update(req, Number(p.id)));
  }

  /** Sets the account's plan, and so its per-minute budget. */
  plan(name: keyof typeof ZENDESK_PLANS): void {
    const isExport = (req: RecordedRequest): boolean => req.path.startsWith('/api/v2/incremental/');
    const headers = (limit: number, remaining: number): Record<string, string> => ({ 'x-rate-limit': String(limit), 'x-rate-limit-remaining': String(remaining) });
    const body = { error: 'APIRateLimitExceeded', description: 'Number of allowed API requests per minute exceeded' };
    this.server.limits.splice(
      0,
      this.server.limits.length,
      { perMinute: ZENDESK_PLANS[name], applies: (req) => !isExport(req), headers, body },
      {
        perMinute: EXPORT_PER_MINUTE,
        applies: isExport,
        headers,
        body: { error: 'APIRateLimitExceeded', description: 'Number of allowed incremental export API requests per minute exceeded' },
      },
    );
  }

  private tick(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace('.000Z', 'Z');
  }

  /** A customer opens a ticket (its description is the first comment, as in Zendesk). */
  open(subject: string, body: string, options: { group_id?: number; tags?: string[]; requester_id?: number } = {}): number {
    const at = this.tick();
    const id = this.nextId++;
    this.tickets.set(id, {
      id,
      subject,
      status: 'new',
      requester_id: options.requester_id ?? 2,
      group_id: options.group_id ?? null,
      tags: options.tags ?? [],
      created_at: at,
      updated_at: at,
      status_updated_at: at,
      comments: [{ id: this.nextCommentId++, author_id: options.requester_id ?? 2, body, public: true, created_at: at }],
    });
    return id;
  }

  comment(id: number, authorId: number, body: string, isPublic = true): void {
    const t = this.tickets.get(id)!;
    const at = this.tick();
    t.comments.push({ id: this.nextCommentId++, author_id: authorId, body, public: isPublic, created_at: at });
    t.updated_at = at;
  }

  setStatus(id: number, status: string): void {
    const t = this.tickets.get(id)!;
    const at = this.tick();
    t.status = status;
    t.updated_at = at;
    t.status_updated_at = at;
  }

  /**
   * Zendesk's merge: the source gets a note naming the target, the tag `closed_by_merge` and status `closed`;
   * the target gets a note quoting the source's last comment.
   */
  merge(sourceId: number, targetId: number): void {
    const source = this.tickets.get(sourceId)!;
    const target = this.tickets.get(targetId)!;
    const last = source.comments.at(-1)!.body;
    this.comment(sourceId, 1, `This request was closed and merged into request #${targetId} "${target.subject}".`, false);
    source.tags.push('closed_by_merge');
    this.setStatus(sourceId, 'closed');
    this.comment(targetId, 1, `Request #${sourceId} "${source.subject}" was closed and merged into this request. Last comment in request #${sourceId}:\n\n${last}`, false);
  }

  private ticketJson(t: ZendeskTicketRecord): Record<string, unknown> {
    const { comments, status_updated_at: _s, ...rest } = t;
    return { ...rest, url: `${this.url}/api/v2/tickets/${t.id}.json`, description: comments[0]?.body ?? '', priority: null, type: null, generated_timestamp: Date.parse(t.updated_at) / 1000 };
  }

  private exportPage(req: RecordedRequest) {
    const perPage = Math.min(Number(req.query.get('per_page') ?? 1000), 1000);
    const cursor = req.query.get('cursor');
    let after: { ts: number; id: number };
    if (cursor) {
      const decoded = decodeCursor(cursor);
      if (!decoded) return { status: 400, body: { error: 'InvalidPaginationParameter', description: 'cursor is invalid' } };
      after = decoded;
    } else {
      const start = Number(req.query.get('start_time'));
      if (!Number.isFinite(start) || start <= 0) {
        return { status: 400, body: { error: 'InvalidValue', description: 'start_time is required' } };
      }
      after = { ts: start * 1000 - 1, id: Number.MAX_SAFE_INTEGER };
    }
    const excludeDeleted = req.query.get('exclude_deleted') === 'true';
    const ordered = [...this.tickets.values()]
      .filter((t) => !(excludeDeleted && t.status === 'deleted'))
      .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.id - b.id)
      .filter((t) => {
        const ts = Date.parse(t.updated_at);
        return ts > after.ts || (ts === after.ts && t.id > after.id);
      });
    const page = ordered.slice(0, perPage);
    const last = page.at(-1);
    const afterCursor = last ? encodeCursor(last.updated_at, last.id) : cursor ?? encodeCursor(new Date(after.ts + 1).toISOString(), 0);
    const listed = page.flatMap((t) => (this.duplicateNext.includes(t.id) ? [t, t] : [t]));
    this.duplicateNext = [];
    const include = (req.query.get('include') ?? '').split(',');
    return {
      body: {
        tickets: listed.map((t) => this.ticketJson(t)),
        after_url: `${this.url}/api/v2/incremental/tickets/cursor.json?cursor=${afterCursor}`,
        after_cursor: afterCursor,
        before_url: null,
        before_cursor: null,
        end_of_stream: ordered.length <= perPage,
        ...(include.includes('groups') ? { groups: [...this.groups].map(([id, name]) => ({ id, name })) } : {}),
        ...(include.includes('metric_sets')
          ? { metric_sets: page.map((t) => ({ id: t.id + 90000, ticket_id: t.id, status_updated_at: t.status_updated_at })) }
          : {}),
      },
    };
  }

  private commentsPage(req: RecordedRequest, id: number) {
    const t = this.tickets.get(id);
    if (!t) return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
    const size = Math.min(Number(req.query.get('page[size]') ?? 100), 100);
    const afterParam = req.query.get('page[after]');
    const start = afterParam ? t.comments.findIndex((c) => String(c.id) === Buffer.from(afterParam, 'base64').toString()) + 1 : 0;
    const page = t.comments.slice(start, start + size);
    const hasMore = start + size < t.comments.length;
    const afterCursor = page.length ? Buffer.from(String(page.at(-1)!.id)).toString('base64') : null;
    const include = req.query.get('include') === 'users';
    return {
      body: {
        comments: page.map((c) => ({
          ...c,
          type: 'Comment',
          html_body: `<div class="zd-comment"><p>${c.body}</p></div>`,
          plain_body: c.body,
          attachments: [],
          audit_id: c.id + 1,
          via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
          metadata: {},
        })),
        ...(include ? { users: [...new Set(page.map((c) => c.author_id))].map((u) => this.users.get(u)).filter(Boolean) } : {}),
        meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: null },
        links: {
          next: hasMore ? `${this.url}/api/v2/tickets/${id}/comments.json?page[size]=${size}&page[after]=${afterCursor}` : null,
          prev: null,
        },
      },
    };
  }

  private update(req: RecordedRequest, id: number) {
    const t = this.tickets.get(id);
    if (!t) return { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } };
    const body = req.body as { ticket?: { comment?: { body?: string; public?: boolean } } } | null;
    const comment = body?.ticket?.comment;
    if (!comment?.body) {
      return { status: 422, body: { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description: 'Comment: body is required' }] } } };
    }
    this.comment(id, 1, comment.body, comment.public ?? true);
    return { body: { ticket: this.ticketJson(t), audit: { id: this.nextCommentId, ticket_id: id, events: [] } } };
  }

  /** Zendesk's documented 429 for the next request matching `path`. */
  rateLimitNext(path: RegExp, retryAfterSeconds: number): void {
    this.server.fail(path, {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds), 'x-rate-limit': '10', 'x-rate-limit-remaining': '0' },
      body: { error: 'APIRateLimitExceeded', description: 'Number of allowed incremental export API requests per minute exceeded' },
    });
  }
}
