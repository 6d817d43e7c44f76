/**
 * Zammad through its REST API (docs.zammad.org, "API"): the ticket search
 * (`GET /api/v1/tickets/search?query=updated_at:[… TO *]&sort_by=updated_at&order_by=asc&expand=true`, which
 * needs Zammad's Elasticsearch, as any production Zammad has) and each ticket's articles
 * (`GET /api/v1/ticket_articles/by_ticket/{id}?expand=true`). Auth: an access token
 * (`Authorization: Token token=…`, Profile → Token Access, permission `ticket.agent`).
 *
 * An article's `sender` says who wrote it (`Customer`, `Agent`, `System`) and `internal` marks notes.
 * A state counts by its type (`GET /api/v1/ticket_states?expand=true`: `state_type` `closed`, `pending action`…),
 * so a custom closing state such as "solved" closes the ticket. Merged and removed tickets are left out: their
 * articles live on in the ticket they were merged into. A close is dated by `last_close_at` (Zammad sets
 * `close_at` on the first close only), so a reopened ticket closed again is a new close.
 *
 * The search index is filled by a background job, so an update can become searchable after a later one: each
 * search starts `LOOK_BACK_MS` before the newest update read, skipping the tickets it already read unchanged.
 */
import { z } from 'zod';
import type { EgressPolicy } from '../net/egress';
import type { Message, TicketStatus } from '../formats/schemas';
import type { FetchPage, TicketEvent } from './connector';
import {
  helpdeskIdentity,
  htmlToText,
  START_AT,
  decodeCursor,
  lookBackFrom,
  pruneSeen,
  seenKey,
  isoTime,
  lastByKey,
  parseItem,
  ticketEvents,
  toSecond,
  VendorTime,
  type HttpConnectorOptions,
  firstSyncStart,
} from './helpdeskEvents';
import { HttpHelpdeskConnector, numericTicketId, type WriteBackAudience } from './httpHelpdeskConnector';

const SERVICE = 'Zammad';

export const ZammadConfigSchema = z.object({
  /** `baseUrl`: `https://support.example.com` */
  ...helpdeskIdentity('zammad'),
  token: z.string().min(1, 'a Zammad access token is needed'),
  startAt: START_AT,
  pageSize: z.number().int().min(1).max(100).default(50),
});
export type ZammadConfig = z.input<typeof ZammadConfigSchema>;

const ZId = z.number().int();

const ZTicket = z.looseObject({
  id: ZId,
  number: z.union([z.string(), z.number()]).transform(String).nullish(),
  title: z.string().nullish(),
  state: z.string(),
  group: z.string().nullish(),
  customer: z.string().nullish(),
  customer_id: ZId.nullish(),
  created_at: VendorTime,
  updated_at: VendorTime,
  close_at: VendorTime.nullish(),
  last_close_at: VendorTime.nullish(),
});
type ZTicket = z.infer<typeof ZTicket>;

const Article = z.looseObject({
  id: ZId,
  body: z.string(),
  content_type: z.string().nullish(),
  internal: z.boolean(),
  sender: z.string(),
  created_at: VendorTime,
});

/**
 * A Zammad state type (or, for a state Zammad did not describe, the state's own name, which for the default
 * states is their type) onto the spec's status; merged and removed tickets are skipped.
 */
export function mapZammadState(stateType: string): TicketStatus | 'skip' {
  const s = stateType.toLowerCase();
  if (s === 'merged' || s === 'removed') return 'skip';
  if (s === 'new') return 'new';
  if (s === 'closed') return 'closed';
  if (s.startsWith('pending')) return 'pending';
  return 'open';
}

/** Zammad's seeded state type ids (db/seeds/ticket_state_types), for a state listed without its type's name. */
const STATE_TYPE_IDS: Record<number, string> = { 1: 'new', 2: 'open', 3: 'pending reminder', 4: 'pending action', 5: 'closed', 6: 'merged', 7: 'removed' };

const State = z.looseObject({ name: z.string(), state_type_id: ZId.nullish(), state_type: z.string().nullish() });

const LookBackCursor = z.object({
  /** The newest update read (whole seconds, UTC). */
  since: z.string().nullable(),
  page: z.number().int().min(1),
  /** The search window's start while paging through it. */
  from: z.string().optional(),
  /** Tickets read in the look-back window, as `id@updated_at`. */
  seen: z.array(z.string()).default([]),
});
type LookBackCursor = z.infer<typeof LookBackCursor>;

/** Zammad's rich-text article as text: quotes break lines too, and runs of empty lines become one. */
function articleText(html: string): string {
  return htmlToText(html, /<(br|\/p|\/div|\/li|\/blockquote)\s*\/?>/gi)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export class ZammadConnector extends HttpHelpdeskConnector<typeof ZammadConfigSchema> {
  readonly kind = 'zammad';
  /** State name (lower case) → state type, read once per connector. */
  private stateTypes: Map<string, string> | null = null;

  constructor(config: ZammadConfig, policy: EgressPolicy, options: HttpConnectorOptions = {}) {
    super(SERVICE, ZammadConfigSchema, config, policy, options, (c) => ({ authorization: `Token token=${c.token}`, secrets: [c.token] }), numericTicketId('a Zammad ticket id'));
  }

  async testConnection(signal: AbortSignal): Promise<void> {
    await this.http.request('/api/v1/users/me', { schema: z.looseObject({ id: ZId }), signal });
  }

  /** The type of every state, so a custom state is read by what it means. */
  private async states(signal: AbortSignal): Promise<Map<string, string>> {
    if (this.stateTypes) return this.stateTypes;
    const { data } = await this.http.request('/api/v1/ticket_states', { query: { expand: true }, schema: z.array(z.unknown()), signal });
    const types = new Map<string, string>();
    data.forEach((item, i) => {
      const s = parseItem(State, item, `${SERVICE} ticket_states [${i}]`, this.warn);
      const type = s && (s.state_type ?? (s.state_type_id != null ? STATE_TYPE_IDS[s.state_type_id] : undefined));
      if (s && type) types.set(s.name.toLowerCase(), type);
    });
    this.stateTypes = types;
    return types;
  }

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    const position: LookBackCursor = cursor === null ? { since: null, page: 1, seen: [] } : decodeCursor(SERVICE, cursor, LookBackCursor);
    const since = position.since ?? toSecond(firstSyncStart(this.config.startAt));
    const from = position.from ?? (position.since === null ? since : lookBackFrom(since));
    const types = await this.states(signal);
    const { data } = await this.http.request('/api/v1/tickets/search', {
      query: {
        query: `updated_at:["${from}" TO *]`,
        sort_by: 'updated_at',
        order_by: 'asc',
        expand: true,
        page: position.page,
        per_page: this.config.pageSize,
      },
      schema: z.array(z.unknown()),
      signal,
    });
    const tickets: ZTicket[] = [];
    data.forEach((item, i) => {
      const t = parseItem(ZTicket, item, `${SERVICE} search [${i}]`, this.warn);
      if (t) tickets.push(t);
    });
    const events: TicketEvent[] = [];
    const seen = new Set(position.seen);
    let newest = since;
    for (const t of lastByKey(tickets, (t) => String(t.id))) {
      if (toSecond(t.updated_at) > newest) newest = toSecond(t.updated_at);
      const key = seenKey(t.id, t.updated_at);
      if (seen.has(key)) continue; // read unchanged within the look-back window
      seen.add(key);
      const status = mapZammadState(types.get(t.state.toLowerCase()) ?? t.state);
      if (status === 'skip') continue;
      const closedAt = t.last_close_at ?? t.close_at;
      const messages = await this.articles(t, signal);
      events.push(
        ...ticketEvents(this.id, {
          nativeId: t.id,
          subject: t.title ?? undefined,
          status,
          statusSince: status === 'closed' && closedAt ? isoTime(closedAt) : undefined,
          team: t.group ?? undefined,
          requester: t.customer ?? (t.customer_id != null ? String(t.customer_id) : undefined),
          createdAt: isoTime(t.created_at),
          updatedAt: isoTime(t.updated_at),
          messages,
          extra: t.number ? { number: t.number } : undefined,
        }),
      );
    }
    // Paging keeps its window, so the pages of one search neither skip nor repeat; the next search looks back.
    const full = data.length >= this.config.pageSize;
    const next: LookBackCursor = full
      ? { since: newest, page: position.page + 1, from, seen: pruneSeen(seen, newest) }
      : { since: newest, page: 1, seen: pruneSeen(seen, newest) };
    return { events, cursor: JSON.stringify(next), more: full };
  }

  /**
   * An article by the agent: internal, or public (`internal: false`), which the customer sees on the ticket in
   * Zammad's portal. A public one is a note, not an e-mail: sending mail would need the customer's address on
   * every call, and Zammad then mails it through the group's channel only for `type: "email"`.
   */
  protected async writeBack(id: string, text: string, audience: WriteBackAudience, signal: AbortSignal): Promise<void> {
    await this.http.request('/api/v1/ticket_articles', {
      method: 'POST',
      body: { ticket_id: Number(id), body: text, content_type: 'text/plain', type: 'note', internal: audience === 'internal', sender: 'Agent' },
      schema: z.looseObject({ id: ZId }),
      signal,
    });
  }

  private async articles(t: ZTicket, signal: AbortSignal): Promise<Message[]> {
    const { data } = await this.http.request(`/api/v1/ticket_articles/by_ticket/${t.id}`, {
      query: { expand: true },
      schema: z.array(z.unknown()),
      signal,
    });
    const messages: Message[] = [];
    data.forEach((item, i) => {
      const a = parseItem(Article, item, `${SERVICE} ticket ${t.id} articles [${i}]`, this.warn);
      if (!a) return;
      const author = a.sender === 'Customer' ? 'customer' : a.sender === 'System' ? 'system' : 'analyst';
      const html = (a.content_type ?? '').toLowerCase().includes('html');
      messages.push({
        id: String(a.id),
        author,
        text: html ? articleText(a.body) : a.body,
        at: isoTime(a.created_at),
        ...(author === 'analyst' ? { internal: a.internal } : a.internal ? { internal: true } : {}),
      });
    });
    return messages;
  }
}

export function createZammadConnector(config: ZammadConfig, policy: EgressPolicy, options?: HttpConnectorOptions): ZammadConnector {
  return new ZammadConnector(config, policy, options);
}
