/**
 * Freshdesk through its API v2 (developers.freshdesk.com/api): `GET /api/v2/tickets` with `updated_since`,
 * `order_by=updated_at&order_type=asc`, `include=description,stats`, then each ticket's
 * `GET /api/v2/tickets/{id}/conversations` (pages linked by the `Link` header). Auth: the API key as the Basic
 * user name with `X` as the password.
 *
 * The ticket's description is the customer's first message; conversations follow: `incoming: true` (or written
 * by the requester) is the customer, `private: true` an internal note. Freshdesk lists at most 300 pages of a
 * search, so the connector never pages far: it moves `updated_since` forward after every page instead
 * (`TimeCursor`).
 *
 * Rate limits: the account has a per-minute budget by plan (Trial 50, Growth 200, Pro 400, Enterprise 700), and a
 * page costs the list (3 credits with its two `include`s) plus a conversations call per ticket. Pages are sized to
 * the budget the `X-RateLimit-Total` header announces (`budgetPageSize`), and a 429 part way through a page keeps
 * the tickets already read: the cursor records them and the next call, after the wait Freshdesk asked for, reads
 * the same page and skips them. Every call delivers at least one ticket or waits, so a small plan is slow, never
 * stuck.
 */
import { z } from 'zod';
import type { EgressPolicy } from '../net/egress';
import type { Message, TicketStatus } from '../formats/schemas';
import { ConnectorError, type FetchPage } from './connector';
import {
  helpdeskIdentity,
  START_AT,
  advanceTimeCursor,
  decodeCursor,
  isoTime,
  lastByKey,
  parseItem,
  ticketEvents,
  TimeCursorSchema,
  toSecond,
  VendorTime,
  budgetPageSize,
  deliverUntilRateLimited,
  PartialPageSchema,
  rateLimitOf,
  seenKey,
  type HttpConnectorOptions,
  firstSyncStart,
} from './helpdeskEvents';
import { HttpHelpdeskConnector, numericTicketId, type WriteBackAudience } from './httpHelpdeskConnector';
import { basicAuth } from './http';

const SERVICE = 'Freshdesk';
/** Freshdesk refuses `page` above 300 on list endpoints. */
const MAX_PAGE = 300;

export const FreshdeskConfigSchema = z.object({
  /** `baseUrl`: `https://{domain}.freshdesk.com` */
  ...helpdeskIdentity('freshdesk'),
  /** The agent's API key (Profile settings → View API key). */
  token: z.string().min(1, 'a Freshdesk API key is needed'),
  /** Default 30 days back: Freshdesk's own default window. */
  startAt: START_AT,
  pageSize: z.number().int().min(1).max(100).default(100),
  /** Group ids to team names (Freshdesk lists tickets with `group_id` only). */
  groups: z.record(z.string(), z.string()).optional(),
});
export type FreshdeskConfig = z.input<typeof FreshdeskConfigSchema>;

const FdId = z.number().int();

const FdCursor = TimeCursorSchema.extend(PartialPageSchema.shape);
type FdCursor = z.infer<typeof FdCursor>;

const FdTicket = z.looseObject({
  id: FdId,
  subject: z.string().nullish(),
  description_text: z.string().nullish(),
  status: z.number().int(),
  requester_id: FdId.nullish(),
  group_id: FdId.nullish(),
  tags: z.array(z.string()).nullish(),
  created_at: VendorTime,
  updated_at: VendorTime,
  stats: z.looseObject({ status_updated_at: VendorTime.nullish() }).nullish(),
});
type FdTicket = z.infer<typeof FdTicket>;

const Conversation = z.looseObject({
  id: FdId,
  body_text: z.string().nullish(),
  body: z.string().nullish(),
  incoming: z.boolean(),
  private: z.boolean(),
  user_id: FdId.nullish(),
  created_at: VendorTime,
});

/** Freshdesk's built-in statuses; 6 and 7 are the usual "waiting on customer / third party" custom ones. */
const STATUS: Record<number, TicketStatus> = { 2: 'open', 3: 'pending', 4: 'solved', 5: 'closed', 6: 'pending', 7: 'pending' };

export function mapFreshdeskStatus(status: number): TicketStatus {
  return STATUS[status] ?? 'open';
}

/** The `rel="next"` address of a `Link` header, if any. */
export function nextLink(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export class FreshdeskConnector extends HttpHelpdeskConnector<typeof FreshdeskConfigSchema> {
  readonly kind = 'freshdesk';
  /** The plan's calls per minute and the list's cost in credits, as Freshdesk's headers last said. */
  private perMinute: number | undefined;
  private listCost = 3;

  constructor(config: FreshdeskConfig, policy: EgressPolicy, options: HttpConnectorOptions = {}) {
    super(SERVICE, FreshdeskConfigSchema, config, policy, options, (c) => ({ authorization: basicAuth(c.token, 'X'), secrets: [c.token] }), numericTicketId('a Freshdesk ticket id'));
  }

  async testConnection(signal: AbortSignal): Promise<void> {
    await this.http.request('/api/v2/agents/me', { schema: z.looseObject({ id: FdId }), signal });
  }

  private learn(headers: Headers, isList = false): void {
    this.perMinute = rateLimitOf(headers) ?? this.perMinute;
    const used = Number.parseInt(headers.get('x-ratelimit-used-currentrequest') ?? '', 10);
    if (isList && Number.isFinite(used) && used > 0) this.listCost = used;
  }

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    const position: FdCursor = cursor === null ? { since: null, page: 1, done: [] } : decodeCursor(SERVICE, cursor, FdCursor);
    const since = position.since ?? toSecond(firstSyncStart(this.config.startAt));
    if (position.page > MAX_PAGE) {
      throw new ConnectorError(
        `More than ${MAX_PAGE * this.config.pageSize} Freshdesk tickets were updated in the same second (${since}); Freshdesk cannot list past page ${MAX_PAGE}.`,
        'bad_response',
      );
    }
    const perPage = position.perPage ?? budgetPageSize(this.config.pageSize, this.perMinute, this.listCost);
    const { data, headers } = await this.http.request('/api/v2/tickets', {
      query: {
        updated_since: since,
        order_by: 'updated_at',
        order_type: 'asc',
        include: 'description,stats',
        per_page: perPage,
        page: position.page,
      },
      schema: z.array(z.unknown()),
      signal,
    });
    this.learn(headers, true);

    const tickets: FdTicket[] = [];
    data.forEach((item, i) => {
      const t = parseItem(FdTicket, item, `${SERVICE} tickets list [${i}]`, this.warn);
      if (t) tickets.push(t);
    });
    const done = new Set(position.done);
    const { events, retryAfterMs } = await deliverUntilRateLimited(lastByKey(tickets, (t) => String(t.id)), done, (t) => seenKey(t.id, t.updated_at), async (t) => {
      const messages = await this.conversations(t, signal);
      const status = t.stats?.status_updated_at;
      return ticketEvents(this.id, {
        nativeId: t.id,
        subject: t.subject ?? undefined,
        status: mapFreshdeskStatus(t.status),
        statusSince: status ? isoTime(status) : undefined,
        team: t.group_id != null ? (this.config.groups?.[String(t.group_id)] ?? `group-${t.group_id}`) : undefined,
        requester: t.requester_id != null ? String(t.requester_id) : undefined,
        tags: t.tags ?? undefined,
        createdAt: isoTime(t.created_at),
        updatedAt: isoTime(t.updated_at),
        messages,
      });
    });
    if (retryAfterMs !== undefined) {
      // Keep what this call read; the rest of the page comes after the wait.
      const partial: FdCursor = { since, page: position.page, perPage, done: [...done] };
      return { events, cursor: JSON.stringify(partial), more: true, retryAfterMs };
    }
    const next = advanceTimeCursor({ since, page: position.page }, tickets.map((t) => t.updated_at), data.length >= perPage, toSecond);
    // Pages past the first of one second keep their size, or the offsets would shift.
    const cursorOut: FdCursor = { ...next.cursor, done: [], ...(next.cursor.page > 1 ? { perPage } : {}) };
    return { events, cursor: JSON.stringify(cursorOut), more: next.more };
  }

  /**
   * An internal note (`POST /api/v2/tickets/:id/notes`, `private: true`) or Freshdesk's reply
   * (`POST /api/v2/tickets/:id/reply`), sent to the requester; both take an HTML body.
   */
  protected async writeBack(id: string, text: string, audience: WriteBackAudience, signal: AbortSignal): Promise<void> {
    const body = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>');
    await this.http.request(audience === 'internal' ? `/api/v2/tickets/${id}/notes` : `/api/v2/tickets/${id}/reply`, {
      method: 'POST',
      body: audience === 'internal' ? { body, private: true } : { body },
      schema: z.looseObject({ id: FdId }),
      signal,
    });
  }

  private async conversations(t: FdTicket, signal: AbortSignal): Promise<Message[]> {
    const messages: Message[] = [];
    if (t.description_text?.trim()) {
      // The description has no id of its own in Freshdesk; it is the ticket's opening message.
      messages.push({ id: 'description', author: 'customer', text: t.description_text, at: isoTime(t.created_at) });
    }
    let next: string | undefined = `/api/v2/tickets/${t.id}/conversations`;
    let query: Record<string, number> | undefined = { per_page: 100 };
    while (next) {
      const { data, headers } = await this.http.request(next, { query, schema: z.array(z.unknown()), signal });
      this.learn(headers);
      data.forEach((item, i) => {
        const c = parseItem(Conversation, item, `${SERVICE} ticket ${t.id} conversations [${i}]`, this.warn);
        if (!c) return;
        const customer = c.incoming || (c.user_id != null && c.user_id === t.requester_id && !c.private);
        messages.push({
          id: String(c.id),
          author: customer ? 'customer' : 'analyst',
          text: c.body_text ?? c.body ?? '',
          at: isoTime(c.created_at),
          ...(customer ? {} : { internal: c.private }),
        });
      });
      next = nextLink(headers.get('link'));
      query = undefined;
    }
    return messages;
  }
}

export function createFreshdeskConnector(config: FreshdeskConfig, policy: EgressPolicy, options?: HttpConnectorOptions): FreshdeskConnector {
  return new FreshdeskConnector(config, policy, options);
}
