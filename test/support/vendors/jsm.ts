/**
 * A loopback Jira Service Management Cloud that follows the documented requests and payloads the connector uses
 * (developer.atlassian.com: Jira Cloud platform REST API v3 and the Jira Service Management REST API):
 *
 * - `GET /rest/api/3/myself` → `{accountId, emailAddress, displayName, timeZone}`;
 * - `GET /rest/api/3/project/{key}` → `{id, key, name}`, or `404 {"errorMessages": [...], "errors": {}}`;
 * - `GET /rest/api/3/search/jql?jql=…&fields=…&maxResults=…&nextPageToken=…` → `{issues, nextPageToken?, isLast}`
 *   (the token is left out on the last page); the JQL understood is the connector's
 *   `project = "K" AND updated >= "yyyy/MM/dd HH:mm" ORDER BY updated ASC, key ASC`, its date read in the
 *   account's time zone as Jira does; anything else is `400` with Jira's JQL error body;
 * - `GET /rest/servicedeskapi/request/{key}/comment?public=…&internal=…&start=…&limit=…`
 *   → `{size, start, limit, isLastPage, values: [{id, body, public, author, created: {iso8601, jira, friendly, epochMillis}}], _links}`;
 * - `POST /rest/servicedeskapi/request/{key}/comment` with `{body, public}` → `201` and the comment;
 * - `GET /rest/servicedeskapi/request/{key}/participant?start=…&limit=…` → `{size, start, limit, isLastPage, values}`;
 * - `GET /rest/api/3/mypermissions?projectKey=…&permissions=…` → `{permissions: {KEY: {key, havePermission}}}`;
 * - Basic auth `email:api_token`; rate limiting is `429` with `Retry-After` and `X-RateLimit-*` headers.
 *
 * Behaviours modelled because Jira has them:
 * - `search/jql` is eventually consistent (Atlassian's changelog for the enhanced search): with `searchLag` on,
 *   a change becomes searchable only when the test runs `indexNow()`;
 * - a `nextPageToken` expires after 7 days: then `400` with Jira's error body;
 * - the comments list answers an account without the service project's agent permission with an empty list
 *   (not an error); `agent = false` models that account, and `mypermissions` says so;
 * - request participants (CC'd people) are customers of the request.
 *
 * Issue descriptions are Atlassian Document Format, as in API v3.
 */
import { basicCredentials, VendorFake, type RecordedRequest, type Reply } from './fakeHelpdesk';

export const JSM_EMAIL = 'ana@acme.test';
export const JSM_TOKEN = 'ATATT3xFfGF0-jsm-token-a8d2';
export const JSM_AGENT = '5b10a2844c20165700ede21g';
export const JSM_CUSTOMER = 'qm:8a4f5c3e-customer-carl';
/** A colleague the customer CC'd on the request: a request participant. */
export const JSM_PARTICIPANT = 'qm:1c2d3e4f-participant-pia';
/** Jira's page tokens are good for 7 days. */
const TOKEN_TTL_MS = 7 * 86_400_000;

export interface JsmComment {
  id: string;
  body: string;
  public: boolean;
  author: string;
  created: number;
}

export interface JsmIssue {
  id: string;
  key: string;
  summary: string;
  description: string | null;
  statusName: string;
  statusCategory: 'new' | 'indeterminate' | 'done';
  created: number;
  updated: number;
  statusCategoryChanged: number;
  reporter: string;
  labels: string[];
  comments: JsmComment[];
  /** False for an issue made in Jira without a request type: the service desk API does not know it. */
  isRequest: boolean;
  participants: string[];
}

/** `2026-03-01T09:00:00.000+0000`, Jira's date-time form. */
function jiraTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Milliseconds that `timeZone` is ahead of UTC at `utcMs`. */
function zoneOffset(utcMs: number, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(utcMs))
      .map((x) => [x.type, x.value]),
  );
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - Math.floor(utcMs / 1000) * 1000;
}

/** A JQL date (`yyyy/MM/dd HH:mm`) in `timeZone` as UTC milliseconds. */
function jqlDateToUtc(text: string, timeZone: string): number {
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!m) return NaN;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  let utc = wall - zoneOffset(wall, timeZone);
  utc = wall - zoneOffset(utc, timeZone);
  return utc;
}

const JQL = /^project = "([A-Z][A-Z0-9_]+)" AND updated >= "([^"]+)" ORDER BY updated ASC, key ASC$/;

export class FakeJsm extends VendorFake {
  readonly issues = new Map<string, JsmIssue>();
  /** What the search index holds: each issue's update time as last indexed. */
  private readonly indexed = new Map<string, number>();
  /** When true, changes wait for `indexNow()` before the search sees them. */
  searchLag = false;
  /** False: the account is not an agent of the service project. */
  agent = true;
  /** The account's time zone (JQL dates are read in it). */
  timeZone = 'Europe/Berlin';
  readonly projectKey = 'HELP';
  private next = 1;
  private nextComment = 10_000;

  constructor() {
    super({
      authorized: (req) => {
        const c = basicCredentials(req);
        return c?.user === JSM_EMAIL && c.password === JSM_TOKEN;
      },
      unauthorized: { body: { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} } },
      notFound: { body: { errorMessages: ['Not found'], errors: {} } },
    });
    this.server.on('GET', '/rest/api/3/myself', () => ({
      body: { accountId: JSM_AGENT, accountType: 'atlassian', emailAddress: JSM_EMAIL, displayName: 'Ana Agent', active: true, timeZone: this.timeZone, locale: 'en_US' },
    }));
    this.server.on('GET', '/rest/api/3/project/:key', (_req, p) =>
      p.key === this.projectKey
        ? { body: { id: '10001', key: this.projectKey, name: 'IT Help', projectTypeKey: 'service_desk' } }
        : { status: 404, body: { errorMessages: [`No project could be found with key '${p.key}'.`], errors: {} } },
    );
    this.server.on('GET', '/rest/api/3/search/jql', (req) => this.search(req));
    this.server.on('GET', '/rest/api/3/mypermissions', (req) => ({
      body: {
        permissions: Object.fromEntries(
          (req.query.get('permissions') ?? '').split(',').filter(Boolean).map((key) => [
            key,
            { id: key, key, name: key, type: 'PROJECT', description: '', havePermission: key === 'SERVICEDESK_AGENT' ? this.agent : true },
          ]),
        ),
      },
    }));
    this.server.on('GET', '/rest/servicedeskapi/request/:key/participant', (req, p) => this.participantsOf(req, p.key!));
    this.server.on('GET', '/rest/servicedeskapi/request/:key/comment', (req, p) => this.comments(req, p.key!));
    this.server.on('POST', '/rest/servicedeskapi/request/:key/comment', (req, p) => this.addComment(req, p.key!));
  }

  /** Runs the indexing: every change so far becomes searchable. */
  indexNow(keys: string[] = [...this.issues.keys()]): void {
    for (const key of keys) {
      const issue = this.issues.get(key);
      if (issue) this.indexed.set(key, issue.updated);
    }
  }

  private changed(key: string): void {
    if (!this.searchLag) this.indexNow([key]);
  }

  /** Adds a request participant (someone the customer CC'd). */
  addParticipant(key: string, accountId: string): void {
    this.issues.get(key)!.participants.push(accountId);
  }

  /** Advances the fake's clock (Jira dates have milliseconds; JQL compares minutes). */
  tick(ms = 7_000): number {
    this.clock += ms;
    return this.clock;
  }

  raise(summary: string, description: string | null): string {
    const at = this.tick();
    const n = this.next++;
    const key = `${this.projectKey}-${n}`;
    this.issues.set(key, {
      id: String(10_000 + n),
      key,
      summary,
      description,
      statusName: 'Waiting for support',
      statusCategory: 'new',
      created: at,
      updated: at,
      statusCategoryChanged: at,
      reporter: JSM_CUSTOMER,
      labels: [],
      comments: [],
      isRequest: true,
      participants: [],
    });
    this.changed(key);
    return key;
  }

  comment(key: string, by: 'customer' | 'agent' | 'participant', body: string, isPublic = true): void {
    const issue = this.issues.get(key)!;
    const at = this.tick();
    const author = by === 'customer' ? JSM_CUSTOMER : by === 'participant' ? JSM_PARTICIPANT : JSM_AGENT;
    issue.comments.push({ id: String(this.nextComment++), body, public: isPublic, author, created: at });
    issue.updated = at;
    this.changed(key);
  }

  transition(key: string, name: string, category: JsmIssue['statusCategory']): void {
    const issue = this.issues.get(key)!;
    const at = this.tick();
    if (category !== issue.statusCategory) issue.statusCategoryChanged = at;
    issue.statusName = name;
    issue.statusCategory = category;
    issue.updated = at;
    this.changed(key);
  }

  private issueJson(i: JsmIssue): Record<string, unknown> {
    const user = (id: string) => ({ accountId: id, displayName: id === JSM_CUSTOMER ? 'Carl Customer' : 'Ana Agent', active: true, accountType: id === JSM_CUSTOMER ? 'customer' : 'atlassian' });
    return {
      expand: '',
      id: i.id,
      self: `${this.url}/rest/api/3/issue/${i.id}`,
      key: i.key,
      fields: {
        summary: i.summary,
        status: { name: i.statusName, id: '1', statusCategory: { id: 2, key: i.statusCategory, name: i.statusCategory } },
        created: jiraTime(i.created),
        updated: jiraTime(i.updated),
        statuscategorychangedate: jiraTime(i.statusCategoryChanged),
        reporter: user(i.reporter),
        labels: i.labels,
        project: { id: '10001', key: this.projectKey, name: 'IT Help' },
        description: i.description === null
          ? null
          : { type: 'doc', version: 1, content: i.description.split('\n\n').map((p) => ({ type: 'paragraph', content: [{ type: 'text', text: p }] })) },
      },
    };
  }

  private search(req: RecordedRequest): Reply {
    const jql = req.query.get('jql') ?? '';
    const m = JQL.exec(jql);
    if (!m) return { status: 400, body: { errorMessages: [`Error in the JQL Query: cannot read '${jql}'.`], errors: {}, warningMessages: [] } };
    const since = jqlDateToUtc(m[2]!, this.timeZone);
    if (Number.isNaN(since)) {
      return { status: 400, body: { errorMessages: [`Date value '${m[2]}' for field 'updated' is invalid.`], errors: {} } };
    }
    const max = Math.min(Number(req.query.get('maxResults') ?? 50), 100);
    const token = req.query.get('nextPageToken');
    let offset = 0;
    if (token) {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString()) as { offset: number; jql: string; issuedAt: number };
      if (decoded.jql !== jql || this.clock - decoded.issuedAt > TOKEN_TTL_MS) {
        return { status: 400, body: { errorMessages: ['The provided next page token is invalid or expired.'], errors: {} } };
      }
      offset = decoded.offset;
    }
    const matching = [...this.issues.values()]
      .filter((i) => this.indexed.has(i.key))
      .filter((i) => m[1] === this.projectKey && this.indexed.get(i.key)! >= since)
      .sort((a, b) => this.indexed.get(a.key)! - this.indexed.get(b.key)! || a.key.localeCompare(b.key));
    const page = matching.slice(offset, offset + max);
    const last = offset + max >= matching.length;
    return {
      body: {
        issues: page.map((i) => this.issueJson(i)),
        ...(last ? {} : { nextPageToken: Buffer.from(JSON.stringify({ offset: offset + max, jql, issuedAt: this.clock })).toString('base64url') }),
        isLast: last,
      },
    };
  }

  private comments(req: RecordedRequest, key: string): Reply {
    const issue = this.issues.get(key);
    if (!issue?.isRequest) return { status: 404, body: { errorMessage: 'Request does not exist or you do not have permission to see it.', i18nErrorMessage: {} } };
    const pub = req.query.get('public') !== 'false';
    const internal = req.query.get('internal') !== 'false';
    const start = Number(req.query.get('start') ?? 0);
    const limit = Math.min(Number(req.query.get('limit') ?? 50), 100);
    // Jira answers an account that is not an agent of the service project with an empty list, not an error.
    const all = this.agent ? issue.comments.filter((c) => (c.public ? pub : internal)) : [];
    const values = all.slice(start, start + limit).map((c) => ({
      id: c.id,
      body: c.body,
      renderedBody: { html: `<p>${c.body}</p>` },
      public: c.public,
      author: { accountId: c.author, displayName: c.author === JSM_CUSTOMER ? 'Carl Customer' : 'Ana Agent', active: true, timeZone: 'UTC', _links: {} },
      created: { iso8601: new Date(c.created).toISOString().replace(/\.\d{3}Z$/, '+0000'), jira: jiraTime(c.created), friendly: 'Today', epochMillis: c.created },
      _links: { self: `${this.url}/rest/servicedeskapi/request/${issue.id}/comment/${c.id}` },
    }));
    return { body: { size: values.length, start, limit, isLastPage: start + limit >= all.length, _links: {}, values } };
  }

  private participantsOf(req: RecordedRequest, key: string): Reply {
    const issue = this.issues.get(key);
    if (!issue?.isRequest) return { status: 404, body: { errorMessage: 'Request does not exist or you do not have permission to see it.', i18nErrorMessage: {} } };
    const start = Number(req.query.get('start') ?? 0);
    const limit = Math.min(Number(req.query.get('limit') ?? 50), 50);
    const values = issue.participants.slice(start, start + limit).map((accountId) => ({ accountId, displayName: 'Pia Participant', emailAddress: 'pia@example.com', active: true, timeZone: 'UTC', _links: {} }));
    return { body: { size: values.length, start, limit, isLastPage: start + limit >= issue.participants.length, _links: {}, values } };
  }

  private addComment(req: RecordedRequest, key: string): Reply {
    const issue = this.issues.get(key);
    if (!issue) return { status: 404, body: { errorMessage: 'Request does not exist or you do not have permission to see it.', i18nErrorMessage: {} } };
    const body = req.body as { body?: string; public?: boolean } | null;
    if (!body?.body) return { status: 400, body: { errorMessage: 'Comment body is required.', i18nErrorMessage: {} } };
    this.comment(key, 'agent', body.body, body.public ?? true);
    const c = issue.comments.at(-1)!;
    return { status: 201, body: { id: c.id, body: c.body, public: c.public, author: { accountId: JSM_AGENT }, created: { iso8601: jiraTime(c.created), epochMillis: c.created } } };
  }
}
