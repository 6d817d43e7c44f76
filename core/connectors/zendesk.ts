/**
 * Zendesk Support through the cursor-based incremental ticket export
 * (`GET /api/v2/incremental/tickets/cursor.json`, developer.zendesk.com "Incremental Exports") and the ticket
 * comments list (`GET /api/v2/tickets/{id}/comments.json`, cursor pagination with `page[size]`). Auth: an API
 * token as `{email}/token:{token}` in Basic credentials.
 *
 * The export's `after_cursor` is the connector's cursor, so a sync resumes exactly where the last page ended;
 * `end_of_stream` says whether more is waiting now. Comments carry `public: false` for internal notes; their
 * authors' roles come from the `users` side-load (`end-user` is the customer). The export reads up to a minute
 * behind: a ticket updated in the last minute comes in a later call (Zendesk's "Incremental Exports" reference).
 *
 * Rate limits: a per-minute budget for the account by plan (Team 200, Growth and Professional 400, Enterprise 700,
 * High Volume 2500), announced in `X-Rate-Limit`, plus the export's own 10 a minute. Each ticket of a page costs a
 * comments call, so pages are sized to the announced budget (`budgetPageSize`), and a 429 part way through a page
 * keeps the tickets already read: the cursor records them, and the next call reads the same export page after the
 * wait and skips them.
 *
 * A ticket Zendesk closed because it was merged into another (tag `closed_by_merge`) is closed with `mergedInto`,
 * so the desk closes it and learning leaves it out: its conversation continues in the ticket it was merged into.
 */
import { z } from 'zod';
import type { EgressPolicy } from '../net/egress';
import type { Message, TicketStatus } from '../formats/schemas';
import { ConnectorError, type FetchPage } from './connector';
import {
  helpdeskIdentity,
  START_AT,
  decodeCursor,
  isoTime,
  lastByKey,
  parseItem,
  ticketEvents,
  VendorTime,
  type HttpConnectorOptions,
  firstSyncStart,
  budgetPageSize,
  deliverUntilRateLimited,
  PartialPageSchema,
  prefixedTicketId,
  rateLimitOf,
  seenKey,
} from './helpdeskEvents';
import { HttpHelpdeskConnector, numericTicketId, type WriteBackAudience } from './httpHelpdeskConnector';
import { basicAuth } from './http';

const SERVICE = 'Zendesk';

export const ZendeskConfigSchema = z.object({
  /** `baseUrl`: `https://{subdomain}.zendesk.com` */
  ...helpdeskIdentity('zendesk'),
  /** The agent's e-mail address the API token belongs to. */
  email: z.string().min(3, 'the e-mail address of the agent who made the API token'),
  token: z.string().min(1, 'a Zendesk API token is needed'),
  startAt: START_AT,
  /** Tickets per export page (Zendesk allows up to 1000; each ticket also costs one comments request). */
  pageSize: z.number().int().min(1).max(1000).default(100),
});
export type ZendeskConfig = z.input<typeof ZendeskConfigSchema>;

const ZendeskId = z.number().int();

const ZendeskTicket = z.looseObject({
  id: ZendeskId,
  subject: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string(),
  requester_id: ZendeskId.nullish(),
  group_id: ZendeskId.nullish(),
  tags: z.array(z.string()).nullish(),
  created_at: VendorTime,
  updated_at: VendorTime,
});
type ZendeskTicket = z.infer<typeof ZendeskTicket>;

const ExportPage = z.looseObject({
  tickets: z.array(z.unknown()),
  after_cursor: z.string().nullish(),
  end_of_stream: z.boolean(),
  groups: z.array(z.looseObject({ id: ZendeskId, name: z.string() })).nullish(),
  metric_sets: z.array(z.looseObject({ ticket_id: ZendeskId, status_updated_at: VendorTime.nullish() })).nullish(),
});

const Comment = z.looseObject({
  id: ZendeskId,
  author_id: ZendeskId,
  body: z.string().nullish(),
  plain_body: z.string().nullish(),
  public: z.boolean(),
  created_at: VendorTime,
});

const CommentsPage = z.looseObject({
  comments: z.array(z.unknown()),
  users: z.array(z.looseObject({ id: ZendeskId, role: z.string() })).nullish(),
  meta: z.looseObject({ has_more: z.boolean(), after_cursor: z.string().nullish() }).nullish(),
});

/** The export position a page was read from (`after`, or the first `start` time), and any partial progress in it. */
const CursorSchema = z
  .object({ after: z.string().optional(), start: z.number().int().optional() })
  .extend(PartialPageSchema.shape)
  .refine((c) => c.after !== undefined || c.start !== undefined, 'needs after or start');
type ZdCursor = z.infer<typeof CursorSchema>;

/** Zendesk's merge note on the closed ticket: "This request was closed and merged into request #123 …". */
const MERGED_INTO = /merged into request #(\d+)/i;

const STATUS: Record<string, TicketStatus> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  hold: 'pending',
  solved: 'solved',
  closed: 'closed',
};

/** Zendesk's statuses onto the spec's; `hold` (waiting on a third party) is `pending`. */
export function mapZendeskStatus(status: string): TicketStatus | 'deleted' {
  if (status === 'deleted') return 'deleted';
  return STATUS[status] ?? 'open';
}

export class ZendeskConnector extends HttpHelpdeskConnector<typeof ZendeskConfigSchema> {
  readonly kind = 'zendesk';
  /** The account's requests per minute, as Zendesk's headers last said. */
  private perMinute: number | undefined;

  constructor(config: ZendeskConfig, policy: EgressPolicy, options: HttpConnectorOptions = {}) {
    super(SERVICE, ZendeskConfigSchema, config, policy, options, (c) => ({ authorization: basicAuth(`${c.email}/token`, c.token), secrets: [c.token] }), numericTicketId('a Zendesk ticket id'));
  }

  async testConnection(signal: AbortSignal): Promise<void> {
    const { data } = await this.http.request('/api/v2/users/me.json', {
      schema: z.looseObject({ user: z.looseObject({ id: ZendeskId.nullish(), role: z.string() }) }),
      signal,
    });
    // Zendesk answers an anonymous visitor with an end-user without id instead of a 401.
    if (data.user.id == null || data.user.role === 'end-user') {
      throw new ConnectorError(
        `Zendesk at ${this.http.origin} did not sign Vigil in as an agent. Check the e-mail and API token in the connector settings.`,
        'auth',
      );
    }
  }

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    const position: ZdCursor =
      cursor === null ? { start: Math.floor(Date.parse(firstSyncStart(this.config.startAt)) / 1000), done: [] } : decodeCursor(SERVICE, cursor, CursorSchema);
    const perPage = position.perPage ?? budgetPageSize(this.config.pageSize, this.perMinute, 1);
    const query: Record<string, string | number | boolean> = {
      per_page: perPage,
      exclude_deleted: true,
      include: 'groups,metric_sets',
    };
    if (position.after !== undefined) query.cursor = position.after;
    else query.start_time = position.start!;
    const { data } = await this.http.request('/api/v2/incremental/tickets/cursor.json', { query, schema: ExportPage, signal });

    const groups = new Map((data.groups ?? []).map((g) => [g.id, g.name]));
    const statusSince = new Map((data.metric_sets ?? []).map((m) => [m.ticket_id, m.status_updated_at ?? undefined]));
    const tickets: ZendeskTicket[] = [];
    data.tickets.forEach((item, i) => {
      const t = parseItem(ZendeskTicket, item, `${SERVICE} export tickets.${i}`, this.warn);
      if (t) tickets.push(t);
    });
    const done = new Set(position.done);
    // The export may list a ticket more than once; its last copy is its newest state.
    const live = lastByKey(tickets, (t) => String(t.id)).flatMap((t) => {
      const status = mapZendeskStatus(t.status);
      return status === 'deleted' ? [] : [{ t, status }];
    });
    const { events, retryAfterMs } = await deliverUntilRateLimited(live, done, ({ t }) => seenKey(t.id, t.updated_at), async ({ t, status }) => {
      const messages = await this.comments(t, signal);
      const merged = status === 'closed' && (t.tags ?? []).includes('closed_by_merge');
      const target = merged ? [...messages].reverse().map((m) => MERGED_INTO.exec(m.text)?.[1]).find(Boolean) : undefined;
      return ticketEvents(this.id, {
        nativeId: t.id,
        subject: t.subject ?? undefined,
        status,
        statusSince: statusSince.get(t.id) ? isoTime(statusSince.get(t.id)!) : undefined,
        team: t.group_id != null ? groups.get(t.group_id) : undefined,
        requester: t.requester_id != null ? String(t.requester_id) : undefined,
        tags: t.tags ?? undefined,
        createdAt: isoTime(t.created_at),
        updatedAt: isoTime(t.updated_at),
        messages,
        // Closed by a merge: the desk closes it, learning skips it (null when the note does not name the target).
        ...(merged ? { extra: { mergedInto: target ? prefixedTicketId(this.id, target) : null } } : {}),
      });
    });
    if (retryAfterMs !== undefined) {
      const partial: ZdCursor = { after: position.after, start: position.start, perPage, done: [...done] };
      return { events, cursor: JSON.stringify(partial), more: true, retryAfterMs };
    }
    // With no new ticket Zendesk may leave the cursor out; the old position is still where to continue.
    const after = data.after_cursor ?? position.after;
    const next: ZdCursor = after !== undefined ? { after, done: [] } : { start: position.start, done: [] };
    return { events, cursor: JSON.stringify(next), more: !data.end_of_stream };
  }

  /** A comment on the ticket; a public one (`public: true`) Zendesk e-mails to the requester. */
  protected async writeBack(id: string, text: string, audience: WriteBackAudience, signal: AbortSignal): Promise<void> {
    await this.http.request(`/api/v2/tickets/${id}.json`, {
      method: 'PUT',
      body: { ticket: { comment: { body: text, public: audience === 'public' } } },
      schema: z.looseObject({ ticket: z.looseObject({ id: ZendeskId }) }),
      signal,
    });
  }

  private async comments(t: ZendeskTicket, signal: AbortSignal): Promise<Message[]> {
    const messages: Message[] = [];
    const roles = new Map<number, string>();
    let after: string | undefined;
    for (;;) {
      const { data, headers } = await this.http.request(`/api/v2/tickets/${t.id}/comments.json`, {
        query: { include: 'users', 'page[size]': 100, 'page[after]': after },
        schema: CommentsPage,
        signal,
      });
      this.perMinute = rateLimitOf(headers) ?? this.perMinute;
      for (const u of data.users ?? []) roles.set(u.id, u.role);
      data.comments.forEach((item, i) => {
        const c = parseItem(Comment, item, `${SERVICE} ticket ${t.id} comments.${i}`, this.warn);
        if (!c) return;
        const role = roles.get(c.author_id);
        const customer = role ? role === 'end-user' : c.author_id === t.requester_id;
        messages.push({
          id: String(c.id),
          author: customer ? 'customer' : 'analyst',
          text: c.plain_body ?? c.body ?? '',
          at: isoTime(c.created_at),
          ...(customer ? {} : { internal: !c.public }),
        });
      });
      if (!data.meta?.has_more || !data.meta.after_cursor) return messages;
      after = data.meta.after_cursor;
    }
  }
}

export function createZendeskConnector(config: ZendeskConfig, policy: EgressPolicy, options?: HttpConnectorOptions): ZendeskConnector {
  return new ZendeskConnector(config, policy, options);
}
