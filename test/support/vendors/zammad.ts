/**
 * A loopback Zammad that follows the documented REST API requests and payloads the connector uses
 * (docs.zammad.org, "API": Ticket, Ticket Article, User; authentication by access token):
 *
 * - `GET /api/v1/tickets/search?query=…&sort_by=updated_at&order_by=asc&expand=true&page=…&per_page=…` → an
 *   array of expanded tickets (`state`, `group`, `customer` by name, times with milliseconds); without
 *   `expand` it answers `{tickets: [ids], tickets_count, assets}` as Zammad does. The query understood is the
 *   connector's Elasticsearch range `updated_at:["<ISO>" TO *]`;
 * - `GET /api/v1/ticket_articles/by_ticket/{id}?expand=true` → the ticket's articles (`sender`, `type`,
 *   `internal`, `content_type`, `body`);
 * - `POST /api/v1/ticket_articles` with `{ticket_id, body, content_type, type, internal}` → `201` and the article;
 * - `GET /api/v1/ticket_states?expand=true` → the states with `state_type_id` and, expanded, `state_type` (the
 *   seeded ones plus any a test adds, such as a custom "solved" of type `closed`);
 * - `GET /api/v1/users/me`;
 *
 * Behaviours modelled because Zammad has them (its source: app/models/ticket.rb, the search index job):
 * - `close_at` is set on the first close only; `last_close_at` on every close;
 * - the search reads Zammad's Elasticsearch index, which a background job fills after each change: with
 *   `indexLag` on, a change becomes searchable only when the test runs the job (`indexNow()`), and until then the
 *   search sees the ticket as it was last indexed (or not at all).
 * - `Authorization: Token token=…`; a bad token is `401 {"error": "Invalid token!", "error_human": …}`.
 */
import { VendorFake, type RecordedRequest, type Reply } from './fakeHelpdesk';

export const ZAMMAD_TOKEN = 'zm-7hQ2xV9kLm3pR8tW';

export interface ZammadArticle {
  id: number;
  sender: 'Customer' | 'Agent' | 'System';
  type: string;
  internal: boolean;
  body: string;
  content_type: string;
  created_at: string;
}

export interface ZammadTicketRecord {
  id: number;
  number: string;
  title: string;
  state: string;
  group: string;
  customer: string;
  customer_id: number;
  created_at: string;
  updated_at: string;
  close_at: string | null;
  last_close_at: string | null;
  articles: ZammadArticle[];
}

/** Zammad's seeded state types by id (db/seeds/ticket_state_types.rb). */
const STATE_TYPES: Record<number, string> = { 1: 'new', 2: 'open', 3: 'pending reminder', 4: 'pending action', 5: 'closed', 6: 'merged', 7: 'removed' };

const RANGE = /^updated_at:\["([^"]+)" TO \*\]$/;

export class FakeZammad extends VendorFake {
  readonly tickets = new Map<number, ZammadTicketRecord>();
  /** The search index: what the background job last indexed of each ticket. */
  private readonly index = new Map<number, ZammadTicketRecord>();
  /** When true, changes wait for `indexNow()` before the search sees them. */
  indexLag = false;
  /** The states, as `/api/v1/ticket_states` lists them (seeded ones first). */
  readonly states: Array<{ id: number; name: string; state_type_id: number }> = [
    { id: 1, name: 'new', state_type_id: 1 },
    { id: 2, name: 'open', state_type_id: 2 },
    { id: 3, name: 'pending reminder', state_type_id: 3 },
    { id: 4, name: 'closed', state_type_id: 5 },
    { id: 5, name: 'merged', state_type_id: 6 },
    { id: 6, name: 'removed', state_type_id: 7 },
    { id: 7, name: 'pending close', state_type_id: 4 },
  ];
  private nextId = 1;
  private nextArticle = 300;

  constructor() {
    super({
      authorized: (req) => req.headers.authorization === `Token token=${ZAMMAD_TOKEN}`,
      unauthorized: { body: { error: 'Invalid token!', error_human: 'Invalid token!' } },
      notFound: { body: { error: "Couldn't find Ticket", error_human: "Couldn't find Ticket" } },
    });
    this.server.on('GET', '/api/v1/users/me', () => ({ body: { id: 3, login: 'agent@acme.test', firstname: 'Ana', lastname: 'Agent', active: true } }));
    this.server.on('GET', '/api/v1/tickets/search', (req) => this.search(req));
    this.server.on('GET', '/api/v1/ticket_states', (req) => ({
      body: this.states.map((s) => ({
        ...s,
        active: true,
        ...(req.query.get('expand') === 'true' ? { state_type: STATE_TYPES[s.state_type_id] } : {}),
      })),
    }));
    this.server.on('GET', '/api/v1/ticket_articles/by_ticket/:id', (_req, p) => this.articles(Number(p.id)));
    this.server.on('POST', '/api/v1/ticket_articles', (req) => this.addArticle(req));
  }

  private tick(): string {
    this.clock += 1234;
    return new Date(this.clock).toISOString();
  }

  /** Adds a state, such as a custom closing one (`addState('solved', 5)`). */
  addState(name: string, stateTypeId: number): void {
    this.states.push({ id: this.states.length + 1, name, state_type_id: stateTypeId });
  }

  /** Runs the search index job: every change so far becomes searchable. */
  indexNow(ids: number[] = [...this.tickets.keys()]): void {
    for (const id of ids) {
      const t = this.tickets.get(id);
      if (t) this.index.set(id, { ...t, articles: [...t.articles] });
    }
  }

  private changed(id: number): void {
    if (!this.indexLag) this.indexNow([id]);
  }

  open(title: string, body: string, options: { group?: string; html?: boolean } = {}): number {
    const at = this.tick();
    const id = this.nextId++;
    this.tickets.set(id, {
      id,
      number: String(31000 + id),
      title,
      state: 'new',
      group: options.group ?? 'Users',
      customer: 'nicole.braun@zammad.org',
      customer_id: 2,
      created_at: at,
      updated_at: at,
      close_at: null,
      last_close_at: null,
      articles: [
        { id: this.nextArticle++, sender: 'Customer', type: 'email', internal: false, body, content_type: options.html ? 'text/html' : 'text/plain', created_at: at },
      ],
    });
    this.changed(id);
    return id;
  }

  article(id: number, sender: ZammadArticle['sender'], body: string, internal = false, type = internal ? 'note' : 'email'): void {
    const t = this.tickets.get(id)!;
    const at = this.tick();
    t.articles.push({ id: this.nextArticle++, sender, type, internal, body, content_type: 'text/plain', created_at: at });
    t.updated_at = at;
    this.changed(id);
  }

  setState(id: number, state: string): void {
    const t = this.tickets.get(id)!;
    const at = this.tick();
    t.state = state;
    t.updated_at = at;
    const type = this.states.find((s) => s.name === state)?.state_type_id;
    if (type === 5) {
      // Zammad: close_at is the first close; later closes only move last_close_at.
      t.close_at ??= at;
      t.last_close_at = at;
    }
    this.changed(id);
  }

  private ticketJson(t: ZammadTicketRecord): Record<string, unknown> {
    const { articles, ...rest } = t;
    return { ...rest, state_id: 2, group_id: 1, priority: '2 normal', priority_id: 2, owner: '-', owner_id: 1, organization: null, article_count: articles.length, pending_time: null };
  }

  private search(req: RecordedRequest): Reply {
    const m = RANGE.exec(req.query.get('query') ?? '');
    if (!m || Number.isNaN(Date.parse(m[1]!))) {
      return { status: 422, body: { error: 'Unable to process search query.', error_human: 'Unable to process search query.' } };
    }
    const since = Date.parse(m[1]!);
    const asc = req.query.get('order_by') === 'asc';
    const perPage = Math.min(Number(req.query.get('per_page') ?? 50), 100);
    const page = Number(req.query.get('page') ?? 1);
    const ordered = [...this.index.values()]
      .filter((t) => Date.parse(t.updated_at) >= since)
      .sort((a, b) => (Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.id - b.id) * (asc ? 1 : -1));
    const slice = ordered.slice((page - 1) * perPage, page * perPage);
    if (req.query.get('expand') !== 'true') {
      return { body: { tickets: slice.map((t) => t.id), tickets_count: slice.length, assets: {} } };
    }
    // Zammad takes the ids from the index and the tickets from its database: their fields are current.
    return { body: slice.map((t) => this.ticketJson(this.tickets.get(t.id)!)) };
  }

  private articles(id: number): Reply {
    const t = this.tickets.get(id);
    if (!t) return { status: 404, body: { error: "Couldn't find Ticket with 'id'=" + id, error_human: 'Not found' } };
    return {
      body: t.articles.map((a) => ({ ...a, ticket_id: id, from: a.sender === 'Customer' ? 'Nicole Braun <nicole.braun@zammad.org>' : 'Ana Agent', to: null, subject: null, attachments: [], updated_at: a.created_at, created_by: a.sender === 'Customer' ? 'nicole.braun@zammad.org' : 'agent@acme.test' })),
    };
  }

  private addArticle(req: RecordedRequest): Reply {
    const body = req.body as { ticket_id?: number; body?: string; internal?: boolean; type?: string } | null;
    const t = body?.ticket_id ? this.tickets.get(body.ticket_id) : undefined;
    if (!t) return { status: 422, body: { error: 'Need ticket_id!', error_human: 'Need ticket_id!' } };
    if (!body?.body) return { status: 422, body: { error: 'Need body!', error_human: 'Need body!' } };
    this.article(t.id, 'Agent', body.body, body.internal ?? false, body.type ?? 'note');
    return { status: 201, body: { ...t.articles.at(-1)!, ticket_id: t.id } };
  }
}
