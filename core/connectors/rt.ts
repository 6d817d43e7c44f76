/**
 * Request Tracker 5 through its REST 2.0 API (docs.bestpractical.com/rt/5.0/RT/REST2.html), with an auth token
 * (`Authorization: token …`, created under Logged in as → Settings → Auth Tokens).
 *
 * Polling: a TicketSQL search `LastUpdated >= since` ordered by `LastUpdated`, its date written at the offset RT
 * reads it in (measured, `offset`); then, for the whole page at once, the tickets merged into them (`EffectiveId`),
 * their transactions (a TransactionSQL search: who, what, when) and the text parts of their messages (a JSON search
 * of attachments by transaction id), so a page costs four requests however many tickets it has. `Create` and
 * `Correspond` transactions are messages, `Comment` ones internal notes; a message by one of the ticket's
 * requestors is the customer's, by `RT_System` the system's, by anyone else an analyst's. A ticket's history
 * includes the history of the tickets merged into it, as RT shows it; a merged ticket is closed with `mergedInto`.
 */
import { z } from 'zod';
import type { EgressPolicy } from '../net/egress';
import type { TicketStatus, Message } from '../formats/schemas';
import { ConnectorError, type FetchPage, type TicketEvent } from './connector';
import {
  helpdeskIdentity,
  htmlToText,
  START_AT,
  advanceTimeCursor,
  decodeCursor,
  isoTime,
  lastByKey,
  parseItem,
  prefixedTicketId,
  ticketEvents,
  TimeCursorSchema,
  VendorTime,
  toSecond,
  type HttpConnectorOptions,
  type TimeCursor,
  firstSyncStart,
} from './helpdeskEvents';
import { HttpHelpdeskConnector, numericTicketId, type WriteBackAudience } from './httpHelpdeskConnector';

const SERVICE = 'Request Tracker';
/** RT writes this for a date that was never set. */
const UNSET_DATE = '1970-01-01T00:00:00Z';

export const RtConfigSchema = z.object({
  /** `baseUrl`: RT's web address, with its path if it has one: `https://rt.example.com` or `https://example.com/rt`. */
  ...helpdeskIdentity('rt'),
  token: z.string().min(1, 'an RT auth token is needed'),
  /** Only this queue (name); default every queue the token can see. */
  queue: z.string().min(1).optional(),
  startAt: START_AT,
  /**
   * The time zone RT reads TicketSQL dates in: the token user's preference, else RT's `$Timezone` (upstream's
   * default US/Eastern, Debian's the system zone). Optional: the connector measures the offset RT applies
   * (`measureRtOffset`) and uses it; when this is set and disagrees, the connection test says so.
   */
  timezone: z
    .string()
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'must be a time zone name such as Europe/Paris')
    .optional(),
  pageSize: z.number().int().min(1).max(100).default(50),
});
export type RtConfig = z.input<typeof RtConfigSchema>;

const UserRef = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String) });
const Id = z.union([z.string(), z.number()]).transform(String);

const SearchItem = z.looseObject({
  id: Id,
  EffectiveId: Id.nullish(),
  Subject: z.string().nullish(),
  Status: z.string(),
  Created: VendorTime,
  LastUpdated: VendorTime,
  Requestor: z.array(UserRef).default([]),
  Queue: z.looseObject({ id: Id, Name: z.string().nullish() }).nullish(),
});
type SearchItem = z.infer<typeof SearchItem>;

/** RT 5 collections: `{count, page, per_page, total, pages, items}` (`total`/`pages` absent on big searches). */
const collection = z.looseObject({
  items: z.array(z.unknown()),
  page: z.coerce.number(),
  per_page: z.coerce.number(),
  pages: z.coerce.number().nullish(),
  count: z.coerce.number(),
});

const Transaction = z.looseObject({
  id: Id,
  Type: z.string(),
  Created: VendorTime,
  Creator: UserRef,
  Field: z.string().nullish(),
  NewValue: z.string().nullish(),
  ObjectId: Id,
});
/** Transactions that carry a message: the ticket's opening, replies, and comments (internal). */
const MESSAGE_TYPES = new Set(['Create', 'Correspond', 'Comment']);
type Transaction = z.infer<typeof Transaction>;

const Attachment = z.looseObject({
  id: Id,
  TransactionId: z.union([Id, z.looseObject({ id: Id }).transform((o) => o.id)]),
  ContentType: z.string().nullish(),
  Content: z.string().nullish(),
  Filename: z.string().nullish(),
});
type Attachment = z.infer<typeof Attachment>;

const STATUS: Record<string, TicketStatus> = {
  new: 'new',
  open: 'open',
  stalled: 'pending',
  resolved: 'solved',
  rejected: 'closed',
};

/** Lifecycle statuses outside RT's default lifecycle count as open: the ticket is still being worked on. */
export function mapRtStatus(status: string): TicketStatus | 'deleted' {
  const s = status.toLowerCase();
  if (s === 'deleted') return 'deleted';
  return STATUS[s] ?? 'open';
}

/**
 * Every time zone in use is a whole number of quarter hours from UTC, between UTC−12:00 and UTC+14:00: the
 * measurement searches those 113 offsets (7 searches).
 */
const OFFSET_STEP_MS = 15 * 60_000;
const OFFSET_STEPS = 56;
/** The measured offset is used this long, so a daylight-saving change is followed within the hour. */
const OFFSET_TTL_MS = 3_600_000;

/** Milliseconds `timeZone` is ahead of UTC at `utcMs` (−18000000 for New York in winter). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  const wall = ticketSqlTime(new Date(utcMs).toISOString(), timeZone);
  return Date.parse(`${wall.replace(' ', 'T')}Z`) - Math.floor(utcMs / 1000) * 1000;
}

/** `UTC−05:00`, `UTC+05:30`. */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `UTC${offsetMs < 0 ? '−' : '+'}${hh}:${mm}`;
}

/** `YYYY-MM-DD HH:MM:SS` in `timeZone`, the form TicketSQL reads. */
export function ticketSqlTime(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The tags after which RT's HTML message parts break a line. */
const RT_LINE_BREAK = /<(br|\/p|\/div|\/li)\s*\/?>/gi;

/** The connector for one RT instance. */
export class RtConnector extends HttpHelpdeskConnector<typeof RtConfigSchema> {
  readonly kind = 'rt';
  /** The offset RT reads TicketSQL dates at, as last measured. */
  private measured: { offsetMs: number; at: number } | null = null;

  constructor(config: RtConfig, policy: EgressPolicy, options: HttpConnectorOptions = {}) {
    super(SERVICE, RtConfigSchema, config, policy, options, (c) => ({ authorization: `token ${c.token}` }), numericTicketId('an RT ticket id'));
  }

  async testConnection(signal: AbortSignal): Promise<void> {
    await this.http.request('/REST/2.0/rt', { schema: z.looseObject({ Version: z.string() }), signal });
    // The system information needs no rights; a search proves the token may read tickets.
    await this.http.request('/REST/2.0/tickets', {
      query: { query: this.scope("id > 0"), per_page: 1, fields: 'id' },
      schema: collection,
      signal,
    });
    const offsetMs = await this.offset(signal, true);
    const zone = this.config.timezone;
    if (zone && offsetMs !== null && zoneOffsetMs(zone, Date.now()) !== offsetMs) {
      throw new ConnectorError(
        `Request Tracker at ${this.http.origin} reads search dates at ${formatOffset(offsetMs)} (the time zone of the token's user, ` +
          `else RT's $Timezone), but this connector is set to ${zone} (${formatOffset(zoneOffsetMs(zone, Date.now()))}). ` +
          "Set the connector's time zone to RT's, or leave it empty so Vigil measures it; until then Vigil searches at the offset it measured.",
        'config',
      );
    }
  }

  /**
   * The offset (ms ahead of UTC) at which RT reads TicketSQL dates, measured on the most recently updated ticket:
   * `LastUpdated >= 'T + x'` (T its update time as a UTC wall clock) matches exactly when x is at most RT's
   * offset, so a binary search over the quarter hours finds it. RT has no API that tells the zone: its REST 2.0
   * user record leaves the preference out, and `$Timezone` is server configuration. Null while RT has no ticket
   * (nothing to miss then).
   */
  private async offset(signal: AbortSignal, fresh = false): Promise<number | null> {
    if (!fresh && this.measured && Date.now() - this.measured.at < OFFSET_TTL_MS) return this.measured.offsetMs;
    const { data } = await this.http.request('/REST/2.0/tickets', {
      query: { query: 'id > 0', orderby: 'LastUpdated', order: 'DESC', per_page: 1, fields: 'LastUpdated' },
      schema: collection,
      signal,
    });
    const newest = parseItem(z.looseObject({ id: Id, LastUpdated: VendorTime }), data.items[0], `${SERVICE} newest ticket`, this.warn);
    if (!newest) return null;
    const updated = Date.parse(newest.LastUpdated);
    const matches = async (steps: number): Promise<boolean> => {
      const wall = ticketSqlTime(new Date(updated + steps * OFFSET_STEP_MS).toISOString(), 'UTC');
      const { data: found } = await this.http.request('/REST/2.0/tickets', {
        query: { query: `id = ${Number(newest.id)} AND LastUpdated >= '${wall}'`, per_page: 1, fields: 'id' },
        schema: collection,
        signal,
      });
      return found.count > 0;
    };
    let lo = -OFFSET_STEPS;
    let hi = OFFSET_STEPS;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (await matches(mid)) lo = mid;
      else hi = mid - 1;
    }
    this.measured = { offsetMs: lo * OFFSET_STEP_MS, at: Date.now() };
    return this.measured.offsetMs;
  }

  /** `iso` as a TicketSQL date RT reads back as that instant. */
  private async sqlTime(iso: string, signal: AbortSignal): Promise<string> {
    const zone = this.config.timezone;
    const offsetMs = await this.offset(signal);
    if (offsetMs === null) return ticketSqlTime(iso, zone ?? 'UTC');
    // A configured zone that agrees also follows daylight saving back across the window; otherwise the offset.
    if (zone && zoneOffsetMs(zone, Date.now()) === offsetMs) return ticketSqlTime(iso, zone);
    return ticketSqlTime(new Date(Date.parse(iso) + offsetMs).toISOString(), 'UTC');
  }

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    const position: TimeCursor =
      cursor === null
        ? { since: null, page: 1 }
        : decodeCursor(SERVICE, cursor, TimeCursorSchema);
    const since = position.since ?? toSecond(firstSyncStart(this.config.startAt));
    const { data } = await this.http.request('/REST/2.0/tickets', {
      query: {
        query: this.scope(`LastUpdated >= '${await this.sqlTime(since, signal)}'`),
        // Ties within a second in a fixed order, so paging through one second neither skips nor repeats.
        orderby: ['LastUpdated', 'id'],
        order: ['ASC', 'ASC'],
        page: position.page,
        per_page: this.config.pageSize,
        fields: 'Subject,Status,Created,LastUpdated,Requestor,Queue',
        'fields[Queue]': 'Name',
      },
      schema: collection,
      signal,
    });

    const tickets: SearchItem[] = [];
    data.items.forEach((item, i) => {
      const t = parseItem(SearchItem, item, `${SERVICE} search result items.${i}`, this.warn);
      if (t) tickets.push(t);
    });
    const live = lastByKey(tickets, (t) => t.id).filter((t) => mapRtStatus(t.Status) !== 'deleted');
    const merged = await this.mergedInto(live.map((t) => t.id), signal);
    const allMerged = [...merged.values()].flat();
    const { history, parts } = await this.details([...live.map((t) => t.id), ...allMerged.map((m) => m.id)], signal);
    const events: TicketEvent[] = [];
    for (const t of live) {
      const sources = merged.get(t.id) ?? [];
      // RT shows a ticket's history with the history of every ticket merged into it; so does Vigil.
      const combined = [t, ...sources].flatMap((s) => history.get(s.id) ?? []).sort((a, b) => Number(a.id) - Number(b.id));
      const requestors = sources.flatMap((s) => s.Requestor.map((r) => r.id));
      events.push(...this.ticketEvents(t, mapRtStatus(t.Status) as TicketStatus, combined, parts, { requestors }));
      for (const source of sources) {
        // The merged ticket leaves RT's searches for good: close it on the desk, marked so it is not learned twice.
        const own = history.get(source.id) ?? [];
        const mergedAt = own.find((tx) => tx.Type === 'AddLink' && tx.Field === 'MergedInto')?.Created;
        events.push(
          ...this.ticketEvents(source, 'closed', own, parts, {
            statusSince: mergedAt ? isoTime(mergedAt) : undefined,
            extra: { mergedInto: prefixedTicketId(this.id, t.id) },
          }),
        );
      }
    }
    const updated = tickets.map((t) => isoTime(t.LastUpdated));
    const next = advanceTimeCursor({ ...position, since }, updated, data.items.length >= this.config.pageSize, toSecond);
    return { events, cursor: JSON.stringify(next.cursor), more: next.more };
  }

  /** A comment (internal) or RT's reply to the requestors (REST 2.0 `POST /ticket/:id/correspond`), which RT e-mails to them. */
  protected async writeBack(id: string, text: string, audience: WriteBackAudience, signal: AbortSignal): Promise<void> {
    await this.http.request(`/REST/2.0/ticket/${id}/${audience === 'internal' ? 'comment' : 'correspond'}`, {
      method: 'POST',
      body: { Content: text, ContentType: 'text/plain' },
      schema: z.unknown(),
      signal,
    });
  }

  /**
   * The tickets merged into each of `ids`, by survivor. RT's searches leave merged tickets out unless the query
   * names `EffectiveId`; a merged ticket keeps its own id and transactions, with `EffectiveId` the survivor's.
   */
  private async mergedInto(ids: string[], signal: AbortSignal): Promise<Map<string, SearchItem[]>> {
    const out = new Map<string, SearchItem[]>();
    if (ids.length === 0) return out;
    const found = await this.all(
      '/REST/2.0/tickets',
      {
        query: {
          query: ids.map((id) => `EffectiveId = ${Number(id)}`).join(' OR '),
          fields: 'EffectiveId,Subject,Status,Created,LastUpdated,Requestor,Queue',
          'fields[Queue]': 'Name',
        },
      },
      SearchItem,
      `${SERVICE} merged tickets`,
      signal,
    );
    for (const m of found) {
      if (!m.EffectiveId || m.EffectiveId === m.id) continue;
      out.set(m.EffectiveId, [...(out.get(m.EffectiveId) ?? []), m]);
    }
    return out;
  }

  private scope(query: string): string {
    if (!this.config.queue) return query;
    return `Queue = '${this.config.queue.replace(/'/g, "\\'")}' AND (${query})`;
  }

  /** Every page of an RT collection: a GET with `query`, or a POST with a JSON search. */
  private async all<T>(
    path: string,
    request: { query?: Record<string, string>; body?: unknown },
    schema: z.ZodType<T>,
    label: string,
    signal: AbortSignal,
  ): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; ; page++) {
      const { data } = await this.http.request(path, {
        method: request.body === undefined ? 'GET' : 'POST',
        query: { ...request.query, per_page: 100, page },
        body: request.body,
        schema: collection,
        signal,
      });
      data.items.forEach((item, i) => {
        const parsed = parseItem(schema, item, `${label} items.${i}`, this.warn);
        if (parsed) out.push(parsed);
      });
      // RT 5.0 leaves out `pages` when counting is expensive; a short page is the last one then.
      const last = data.pages != null ? page >= data.pages : data.items.length < data.per_page;
      if (last || data.items.length === 0) return out;
    }
  }

  /**
   * The page's transactions (TransactionSQL over all its tickets at once) and the text parts of its messages
   * (one JSON search by transaction id): two requests per page, not two per ticket.
   */
  private async details(
    ids: string[],
    signal: AbortSignal,
  ): Promise<{ history: Map<string, Transaction[]>; parts: Map<string, Attachment[]> }> {
    const history = new Map<string, Transaction[]>();
    const parts = new Map<string, Attachment[]>();
    if (ids.length === 0) return { history, parts };
    const txs = await this.all(
      '/REST/2.0/transactions',
      {
        query: {
          query:
            `ObjectType = 'RT::Ticket' AND (${ids.map((id) => `ObjectId = ${Number(id)}`).join(' OR ')}) AND ` +
            "(Type = 'Create' OR Type = 'Correspond' OR Type = 'Comment' OR Type = 'Status' OR (Type = 'Set' AND Field = 'Status') OR " +
            "(Type = 'AddLink' AND Field = 'MergedInto'))",
          fields: 'Type,Creator,Created,Field,NewValue,ObjectId',
          orderby: 'id',
          order: 'ASC',
        },
      },
      Transaction,
      `${SERVICE} transactions`,
      signal,
    );
    for (const tx of txs) history.set(tx.ObjectId, [...(history.get(tx.ObjectId) ?? []), tx]);
    const messageTxs = txs.filter((tx) => MESSAGE_TYPES.has(tx.Type)).map((tx) => Number(tx.id));
    // 200 ids per search keeps the request body small on pages full of long tickets.
    for (let i = 0; i < messageTxs.length; i += 200) {
      const found = await this.all(
        '/REST/2.0/attachments',
        {
          query: { fields: 'TransactionId,ContentType,Content,Filename' },
          body: [{ field: 'TransactionId', operator: 'IN', value: messageTxs.slice(i, i + 200) }],
        },
        Attachment,
        `${SERVICE} attachments`,
        signal,
      );
      for (const a of found) parts.set(a.TransactionId, [...(parts.get(a.TransactionId) ?? []), a]);
    }
    return { history, parts };
  }

  private ticketEvents(
    t: SearchItem,
    status: TicketStatus,
    history: Transaction[],
    parts: Map<string, Attachment[]>,
    more: { requestors?: string[]; statusSince?: string; extra?: Record<string, unknown> } = {},
  ): TicketEvent[] {
    const requestors = new Set([...t.Requestor.map((r) => r.id), ...(more.requestors ?? [])].map((r) => r.toLowerCase()));
    // A ticket without requestors (made through the API) counts its creator as the customer, as mail would.
    const create = history.find((tx) => tx.Type === 'Create');
    if (requestors.size === 0 && create) requestors.add(create.Creator.id.toLowerCase());

    const messages: Message[] = [];
    let statusSince: string | undefined;
    for (const tx of history) {
      if (tx.Type === 'Status' || (tx.Type === 'Set' && tx.Field === 'Status')) statusSince = isoTime(tx.Created);
      if (!MESSAGE_TYPES.has(tx.Type)) continue;
      const text = messageText(parts.get(tx.id) ?? []);
      if (text === undefined) continue;
      const creator = tx.Creator.id.toLowerCase();
      const author = requestors.has(creator) ? 'customer' : creator === 'rt_system' ? 'system' : 'analyst';
      messages.push({
        id: tx.id,
        author,
        text,
        at: isoTime(tx.Created),
        ...(tx.Type === 'Comment' ? { internal: true } : author === 'analyst' ? { internal: false } : {}),
      });
    }
    return ticketEvents(this.id, {
      nativeId: t.id,
      subject: t.Subject ?? undefined,
      status,
      statusSince: more.statusSince ?? (statusSince && statusSince !== UNSET_DATE ? statusSince : undefined),
      team: t.Queue?.Name ?? undefined,
      requester: t.Requestor[0]?.id,
      createdAt: isoTime(t.Created),
      updatedAt: isoTime(t.LastUpdated),
      messages,
      ...(more.extra ? { extra: more.extra } : {}),
    });
  }
}

/**
 * The message's own text: its first plain-text part that is not a file, else its HTML part as text. A reply
 * that is only a file (a screenshot sent back) is `[attachment: name]`, so the conversation keeps its turn.
 */
function messageText(parts: Attachment[]): string | undefined {
  const body = parts.filter((p) => !p.Filename && p.Content?.trim());
  const plain = body.find((p) => (p.ContentType ?? '').toLowerCase().startsWith('text/plain'));
  if (plain?.Content) return plain.Content.trimEnd();
  const html = body.find((p) => (p.ContentType ?? '').toLowerCase().startsWith('text/html'));
  if (html?.Content) return htmlToText(html.Content, RT_LINE_BREAK).trim();
  const files = parts.filter((p) => p.Filename).map((p) => `[attachment: ${p.Filename}]`);
  return files.length > 0 ? files.join('\n') : undefined;
}

/** The factory the connector registry calls with a validated config. */
export function createRtConnector(config: RtConfig, policy: EgressPolicy, options?: HttpConnectorOptions): RtConnector {
  return new RtConnector(config, policy, options);
}
