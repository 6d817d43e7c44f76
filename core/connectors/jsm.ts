/**
 * Jira Service Management Cloud: issues from the enhanced JQL search (`GET /rest/api/3/search/jql`, pages linked
 * by `nextPageToken`), comments from the service desk API (`GET /rest/servicedeskapi/request/{key}/comment`,
 * where `public: false` is an internal comment). Auth: the account's e-mail and an API token as Basic
 * credentials.
 *
 * JQL compares dates to the minute, in the time zone of the account that asks (`/rest/api/3/myself`), so the
 * search is `updated >= "<minute in that zone>"`. Atlassian documents `search/jql` as eventually consistent (an
 * update may show up in a later search than the one right after it), so each search starts `LOOK_BACK_MS` before
 * the newest update read; issues read again unchanged are skipped by `key@updated`, and the events of the others
 * keep their ids, so the watcher drops what it has. A `nextPageToken` expires after 7 days: a stored one Jira no
 * longer takes (HTTP 400) restarts the search from the time cursor.
 *
 * The issue's description (Atlassian Document Format) is the customer's first message; a comment by the reporter
 * or by a request participant (`/request/{key}/participant`: people CC'd on the request are customers too) is
 * the customer's, any other an analyst's. The comments list answers an account that is not an agent of the
 * service project with nothing at all, so the connection test checks the `SERVICEDESK_AGENT` permission.
 */
import { z } from 'zod';
import type { EgressPolicy } from '../net/egress';
import type { Message, TicketStatus } from '../formats/schemas';
import { ConnectorError, type FetchPage, type TicketEvent } from './connector';
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
  lookBackFrom,
  pruneSeen,
  seenKey,
} from './helpdeskEvents';
import { HttpHelpdeskConnector, type WriteBackAudience } from './httpHelpdeskConnector';
import { basicAuth } from './http';

const SERVICE = 'Jira Service Management';
const FIELDS = 'summary,status,created,updated,reporter,labels,description,statuscategorychangedate,project';

export const JsmConfigSchema = z.object({
  /** `baseUrl`: `https://{site}.atlassian.net` */
  ...helpdeskIdentity('jsm'),
  /** The Atlassian account's e-mail address. */
  email: z.string().min(3, 'the e-mail address of the Atlassian account that made the API token'),
  token: z.string().min(1, 'an Atlassian API token is needed'),
  /** The service project's key, such as `HELP`. */
  projectKey: z.string().regex(/^[A-Z][A-Z0-9_]+$/, 'a Jira project key is upper-case letters and digits, such as HELP'),
  startAt: START_AT,
  pageSize: z.number().int().min(1).max(100).default(50),
});
export type JsmConfig = z.input<typeof JsmConfigSchema>;

const Cursor = z.object({
  /** The minute (ISO, UTC) the search starts at. */
  since: z.string(),
  /** Set while paging through one search. */
  token: z.string().nullable(),
  /** The newest update seen in this search so far. */
  newest: z.string().nullable(),
  /** The minute the search window starts at while paging (`since` less the look-back). */
  from: z.string().optional(),
  /** Issues read in the look-back window, as `key@updated`. */
  seen: z.array(z.string()).default([]),
});
type Cursor = z.infer<typeof Cursor>;

const Issue = z.looseObject({
  id: z.string(),
  key: z.string(),
  fields: z.looseObject({
    summary: z.string().nullish(),
    status: z.looseObject({ name: z.string(), statusCategory: z.looseObject({ key: z.string() }).nullish() }),
    created: VendorTime,
    updated: VendorTime,
    reporter: z.looseObject({ accountId: z.string() }).nullish(),
    labels: z.array(z.string()).nullish(),
    description: z.unknown().optional(),
    statuscategorychangedate: VendorTime.nullish(),
    project: z.looseObject({ key: z.string(), name: z.string().nullish() }).nullish(),
  }),
});
type Issue = z.infer<typeof Issue>;

const SearchPage = z.looseObject({
  issues: z.array(z.unknown()),
  nextPageToken: z.string().nullish(),
  isLast: z.boolean().nullish(),
});

const Comment = z.looseObject({
  id: z.string(),
  body: z.string(),
  public: z.boolean(),
  author: z.looseObject({ accountId: z.string().nullish() }).nullish(),
  created: z.looseObject({ iso8601: VendorTime }),
});

const UserPage = z.looseObject({
  values: z.array(z.looseObject({ accountId: z.string().nullish() })),
  isLastPage: z.boolean(),
  start: z.number(),
  size: z.number(),
});

const Permissions = z.looseObject({
  permissions: z.record(z.string(), z.looseObject({ havePermission: z.boolean() })),
});

const CommentPage = z.looseObject({
  values: z.array(z.unknown()),
  isLastPage: z.boolean(),
  start: z.number(),
  size: z.number(),
});

/** JSM's default workflow statuses by name, then by status category. */
export function mapJsmStatus(name: string, category: string | undefined): TicketStatus {
  const n = name.toLowerCase();
  if (n === 'closed' || n === 'canceled' || n === 'cancelled' || n === 'declined') return 'closed';
  if (n === 'resolved' || n === 'done' || category === 'done') return 'solved';
  if (n.startsWith('waiting for customer') || n === 'pending' || n.startsWith('waiting for approval')) return 'pending';
  if (category === 'new') return 'new';
  return 'open';
}

/** Plain text of an Atlassian Document Format node (the v3 API's rich text); a plain string passes through. */
export function adfToText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (!node || typeof node !== 'object') return '';
  const n = node as { type?: string; text?: string; content?: unknown[]; attrs?: { text?: string; url?: string } };
  if (n.type === 'text') return n.text ?? '';
  if (n.type === 'hardBreak') return '\n';
  if (n.type === 'mention' || n.type === 'emoji' || n.type === 'status') return n.attrs?.text ?? '';
  // Smart links keep their address: "see https://status.example.com" must not become "see ".
  if (n.type === 'inlineCard' || n.type === 'blockCard' || n.type === 'embedCard') return n.attrs?.url ?? '';
  const inner = (n.content ?? []).map(adfToText);
  const text = inner.join(ADF_CONTAINERS.has(n.type ?? '') ? '\n' : '');
  if (n.type === 'listItem') return `- ${text}`;
  return text;
}

/** ADF nodes whose children are blocks (paragraphs, lists, cells): one line each, never glued together. */
const ADF_CONTAINERS = new Set([
  'doc',
  'bulletList',
  'orderedList',
  'listItem',
  'panel',
  'blockquote',
  'table',
  'tableRow',
  'tableCell',
  'tableHeader',
  'expand',
  'nestedExpand',
  'layoutSection',
  'layoutColumn',
]);

/** `yyyy/MM/dd HH:mm` in `timeZone`: the form JQL compares dates in. */
export function jqlTime(iso: string, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}/${p.month}/${p.day} ${p.hour}:${p.minute}`;
}

function toMinute(iso: string): string {
  return new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
}

export class JsmConnector extends HttpHelpdeskConnector<typeof JsmConfigSchema> {
  readonly kind = 'jsm';
  private timeZone: string | undefined;

  constructor(config: JsmConfig, policy: EgressPolicy, options: HttpConnectorOptions = {}) {
    super(SERVICE, JsmConfigSchema, config, policy, options, (c) => ({ authorization: basicAuth(c.email, c.token), secrets: [c.token] }), { pattern: /^[A-Z][A-Z0-9_]+-\d+$/, name: 'a Jira issue key' });
  }

  /**
   * Checks the account, the project, and what a sync needs: the issues (`BROWSE_PROJECTS`) and, as an agent of
   * the service project (`SERVICEDESK_AGENT`), the customers' comments and the internal notes; without it Jira
   * answers the comment list with nothing, and every request would look unanswered.
   */
  async testConnection(signal: AbortSignal): Promise<void> {
    await this.zone(signal);
    await this.http.request(`/rest/api/3/project/${encodeURIComponent(this.config.projectKey)}`, {
      schema: z.looseObject({ key: z.string() }),
      signal,
    });
    const { data } = await this.http.request('/rest/api/3/mypermissions', {
      query: { projectKey: this.config.projectKey, permissions: 'BROWSE_PROJECTS,SERVICEDESK_AGENT' },
      schema: Permissions,
      signal,
    });
    const has = (key: string): boolean => data.permissions[key]?.havePermission === true;
    const missing: string[] = [];
    if (!has('BROWSE_PROJECTS')) missing.push(`it cannot browse the project ${this.config.projectKey}, so Vigil sees no request`);
    if (!has('SERVICEDESK_AGENT')) {
      missing.push(
        `it is not an agent of the service project ${this.config.projectKey}, so Jira shows it neither the comments nor the internal notes ` +
          '(the comment list comes back empty and every request would look unanswered)',
      );
    }
    if (missing.length > 0) {
      throw new ConnectorError(
        `The Jira account ${this.config.email} can sign in, but ${missing.join('; and ')}. Give it an agent licence and the ` +
          `Service Desk Team role in ${this.config.projectKey}, or use an agent's API token.`,
        'auth',
      );
    }
  }

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    const position: Cursor =
      cursor === null
        ? { since: toMinute(firstSyncStart(this.config.startAt)), token: null, newest: null, from: toMinute(firstSyncStart(this.config.startAt)), seen: [] }
        : decodeCursor(SERVICE, cursor, Cursor);
    const from = position.from ?? toMinute(lookBackFrom(position.since));
    const timeZone = await this.zone(signal);
    const jql = `project = "${this.config.projectKey}" AND updated >= "${jqlTime(from, timeZone)}" ORDER BY updated ASC, key ASC`;
    const search = (token: string | null) =>
      this.http.request('/rest/api/3/search/jql', {
        query: { jql, fields: FIELDS, maxResults: this.config.pageSize, nextPageToken: token ?? undefined },
        schema: SearchPage,
        signal,
      });
    let data: z.infer<typeof SearchPage>;
    try {
      ({ data } = await search(position.token));
    } catch (error) {
      // Jira's page tokens expire after 7 days (a watcher stopped over a holiday): the search starts again from
      // the time cursor; what it reads again is skipped or de-duplicated.
      if (!(position.token && error instanceof ConnectorError && error.status === 400)) throw error;
      this.warn(`${SERVICE} no longer takes the saved page token (it expires after 7 days); the search starts again from ${from}.`);
      ({ data } = await search(null));
    }

    const issues: Issue[] = [];
    data.issues.forEach((item, i) => {
      const issue = parseItem(Issue, item, `${SERVICE} search issues.${i}`, this.warn);
      if (issue) issues.push(issue);
    });
    const events: TicketEvent[] = [];
    let newest = position.newest;
    const seen = new Set(position.seen);
    for (const issue of lastByKey(issues, (i) => i.id)) {
      const updated = isoTime(issue.fields.updated);
      if (newest === null || Date.parse(updated) > Date.parse(newest)) newest = updated;
      const key = seenKey(issue.key, updated);
      if (seen.has(key)) continue; // read unchanged within the look-back window
      events.push(...(await this.issueEvents(issue, signal)));
      seen.add(key);
    }
    const since = newest !== null && toMinute(newest) > position.since ? toMinute(newest) : position.since;
    if (data.nextPageToken && data.isLast !== true) {
      const next: Cursor = { since: position.since, token: data.nextPageToken, newest, from, seen: pruneSeen(seen, since) };
      return { events, cursor: JSON.stringify(next), more: true };
    }
    const next: Cursor = { since, token: null, newest: null, seen: pruneSeen(seen, since) };
    return { events, cursor: JSON.stringify(next), more: false };
  }

  /** A comment on the customer request; a public one (`public: true`) the customer sees in the portal and by e-mail. */
  protected async writeBack(key: string, text: string, audience: WriteBackAudience, signal: AbortSignal): Promise<void> {
    await this.http.request(`/rest/servicedeskapi/request/${key}/comment`, {
      method: 'POST',
      body: { body: text, public: audience === 'public' },
      schema: z.looseObject({ id: z.string() }),
      signal,
    });
  }

  /** The account's time zone, which JQL reads dates in; asked once. */
  private async zone(signal: AbortSignal): Promise<string> {
    if (this.timeZone) return this.timeZone;
    const { data } = await this.http.request('/rest/api/3/myself', {
      schema: z.looseObject({ accountId: z.string(), timeZone: z.string().nullish() }),
      signal,
    });
    let zone = data.timeZone ?? 'UTC';
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      this.warn(`${SERVICE} gave the account the unknown time zone "${zone}"; using UTC.`);
      zone = 'UTC';
    }
    this.timeZone = zone;
    return zone;
  }

  /** The request's participants (people the customer CC'd or added): customers, as the reporter is. */
  private async participants(key: string, signal: AbortSignal): Promise<Set<string>> {
    const ids = new Set<string>();
    for (let start = 0; ; ) {
      const { data } = await this.http.request(`/rest/servicedeskapi/request/${key}/participant`, {
        query: { start, limit: 50 },
        schema: UserPage,
        signal,
      });
      for (const u of data.values) if (u.accountId) ids.add(u.accountId);
      if (data.isLastPage || data.values.length === 0) return ids;
      start = data.start + data.size;
    }
  }

  private async issueEvents(issue: Issue, signal: AbortSignal): Promise<TicketEvent[]> {
    const f = issue.fields;
    const reporter = f.reporter?.accountId;
    let customers: Set<string> | null = null;
    const isCustomer = async (accountId: string | null | undefined): Promise<boolean> => {
      if (!accountId) return false;
      if (accountId === reporter) return true;
      // Asked only when someone other than the reporter wrote: most requests never need it.
      customers ??= await this.participants(issue.key, signal);
      return customers.has(accountId);
    };
    const messages: Message[] = [];
    const description = adfToText(f.description).trim();
    if (description) messages.push({ id: 'description', author: 'customer', text: description, at: isoTime(f.created) });
    for (let start = 0; ; ) {
      let data: z.infer<typeof CommentPage>;
      try {
        ({ data } = await this.http.request(`/rest/servicedeskapi/request/${issue.key}/comment`, {
          query: { public: true, internal: true, start, limit: 100 },
          schema: CommentPage,
          signal,
        }));
      } catch (error) {
        // An issue made in Jira itself, without a request type, is not a service request: the service desk API
        // answers 404 for it. Its description still counts; failing the page would stop the sync for good.
        if (error instanceof ConnectorError && error.kind === 'config' && start === 0) {
          this.warn(`${SERVICE} ${issue.key} is not a service request; its comments are left out.`);
          break;
        }
        throw error;
      }
      for (const [i, item] of data.values.entries()) {
        const c = parseItem(Comment, item, `${SERVICE} ${issue.key} comments values.${i}`, this.warn);
        if (!c) continue;
        const customer = await isCustomer(c.author?.accountId);
        messages.push({
          id: c.id,
          author: customer ? 'customer' : 'analyst',
          text: c.body,
          at: isoTime(c.created.iso8601),
          ...(customer ? {} : { internal: !c.public }),
        });
      }
      if (data.isLastPage || data.values.length === 0) break;
      start = data.start + data.size;
    }
    const status = mapJsmStatus(f.status.name, f.status.statusCategory?.key);
    // The category change date is exact for a close (every closing status is in "done"); other moves within
    // a category do not touch it, so those fall back to the issue's update time.
    const closed = status === 'solved' || status === 'closed';
    return ticketEvents(this.id, {
      nativeId: issue.key,
      subject: f.summary ?? undefined,
      status,
      statusSince: closed && f.statuscategorychangedate ? isoTime(f.statuscategorychangedate) : undefined,
      team: f.project?.name ?? f.project?.key,
      requester: reporter,
      tags: f.labels ?? undefined,
      createdAt: isoTime(f.created),
      updatedAt: isoTime(f.updated),
      messages,
    });
  }
}

export function createJsmConnector(config: JsmConfig, policy: EgressPolicy, options?: HttpConnectorOptions): JsmConnector {
  return new JsmConnector(config, policy, options);
}
