/**
 * The one JSON-over-HTTP client of the helpdesk connectors (RT, Zendesk, Freshdesk, Jira Service Management,
 * Zammad). It goes through the egress policy, adds the credentials, bounds every call with a timeout, and turns
 * every way a helpdesk can fail into a `ConnectorError` whose message a person can act on. Credentials never
 * appear in a message: every text that leaves this module is passed through `redact`.
 */
import type { z } from 'zod';
import { errorMessage } from '../formats/errorMessage';
import { EgressDeniedError, type EgressPolicy } from '../net/egress';
import { ConnectorError } from './connector';

/** 30 s: a page of 100 tickets from a busy SaaS helpdesk takes a few seconds; a minute means something is stuck. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Error bodies quoted in messages are cut here: enough for "Field 'x' is invalid", not a whole HTML page. */
const QUOTE_LIMIT = 200;

export interface HttpClientOptions {
  /** The helpdesk's name as people know it, for messages: `Zendesk`, `Request Tracker`. */
  service: string;
  /** `https://acme.zendesk.com`; paths are resolved against it (a path on it, such as `/rt`, is kept). */
  baseUrl: string;
  policy: EgressPolicy;
  /** The whole `Authorization` header value (`Bearer …`, `Basic …`, `token …`). Secret: never logged. */
  authorization: string;
  /** Other secrets to keep out of messages (the raw token when the header holds an encoded form of it). */
  secrets?: string[];
  timeoutMs?: number;
  /** Extra headers on every request (not secret). */
  headers?: Record<string, string>;
}

export interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT';
  /** Query parameters; undefined values are left out, arrays repeat the parameter. */
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Validates the parsed body; a mismatch is a `bad_response` naming the field path. */
  schema: z.ZodType<T>;
  signal: AbortSignal;
}

export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  data: T;
}

/** Replaces every occurrence of each secret (and its URL-encoded form) in `text` by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would blank out ordinary words; real tokens are long.
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('[redacted]');
  }
  return out;
}

/**
 * `Retry-After` in milliseconds: either delta-seconds (`120`) or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const when = Date.parse(text);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, when - now);
}

/** `tickets.3.status: expected one of …` — the first problem of a zod error, with its path. */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'does not match the expected shape';
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
  return `${field}: ${issue.message}`;
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_LIMIT ? `${flat.slice(0, QUOTE_LIMIT)}…` : flat;
}

/** The human part of a JSON error body (`{"error": "…"}`, `{"message": "…"}`, `{"errorMessages": ["…"]}`). */
function errorSummary(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      for (const key of ['description', 'message', 'error', 'errorMessages', 'errors']) {
        const v = o[key];
        if (typeof v === 'string' && v) return quote(v);
        if (Array.isArray(v) && v.length > 0) return quote(v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('; '));
        if (v && typeof v === 'object') return quote(JSON.stringify(v));
      }
    }
  } catch {
    // not JSON: quote the text itself
  }
  return quote(body);
}

/** A JSON client bound to one helpdesk's address and credentials. */
export class JsonHttpClient {
  readonly service: string;
  private readonly base: URL;
  private readonly secrets: string[];
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.service = options.service;
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new ConnectorError(
        `The ${options.service} address "${options.baseUrl}" is not a URL. Use the full address, such as https://helpdesk.example.com.`,
        'config',
      );
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new ConnectorError(`The ${options.service} address must start with https:// (got ${base.protocol}).`, 'config');
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    base.search = '';
    base.hash = '';
    this.base = base;
    const header = options.authorization;
    const credential = header.includes(' ') ? header.slice(header.indexOf(' ') + 1) : header;
    this.secrets = [header, credential, ...(options.secrets ?? [])].filter((s) => s.length > 0);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The helpdesk's address without credentials, for messages. */
  get origin(): string {
    return this.base.origin;
  }

  /** Resolves `path` (relative to the base URL, a leading `/` allowed) or an absolute URL on the same origin. */
  url(path: string, query?: RequestOptions<unknown>['query']): URL {
    const url = /^https?:\/\//.test(path) ? new URL(path) : new URL(path.replace(/^\//, ''), this.base);
    if (url.origin !== this.base.origin) {
      throw new ConnectorError(
        `${this.service} pointed to another site (${url.origin}) than the configured ${this.base.origin}; refusing to send credentials there.`,
        'bad_response',
      );
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined) continue;
      url.searchParams.delete(key);
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
    }
    return url;
  }

  /** One request; resolves with the validated body or throws a `ConnectorError` (or the caller's abort reason). */
  async request<T>(path: string, options: RequestOptions<T>): Promise<JsonResponse<T>> {
    const method = options.method ?? 'GET';
    const url = this.url(path, options.query);
    const what = `${method} ${url.pathname}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([options.signal, timeout]);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.options.headers,
      authorization: this.options.authorization,
    };
    if (options.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';

    let response: Response;
    let text: string;
    try {
      response = await this.options.policy.fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (error) {
      throw this.transportError(error, what, options.signal, timeout);
    }

    if (!response.ok) throw this.statusError(response, text, what);
    if (text.trim() === '' && response.status === 204) {
      return this.validate({ status: response.status, headers: response.headers, raw: null }, options.schema, what);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConnectorError(
        this.clean(
          `${this.service} sent a reply to ${what} that is not JSON (${errorMessage(error)}): "${quote(text)}". ` +
            'Check that the address points at the helpdesk itself, not a login page or proxy.',
        ),
        'bad_response',
      );
    }
    return this.validate({ status: response.status, headers: response.headers, raw }, options.schema, what);
  }

  private validate<T>(
    r: { status: number; headers: Headers; raw: unknown },
    schema: z.ZodType<T>,
    what: string,
  ): JsonResponse<T> {
    const parsed = schema.safeParse(r.raw);
    if (!parsed.success) {
      throw new ConnectorError(
        this.clean(`${this.service} sent an unexpected reply to ${what}: ${describeSchemaError(parsed.error)}.`),
        'bad_response',
      );
    }
    return { status: r.status, headers: r.headers, data: parsed.data };
  }

  private transportError(error: unknown, what: string, caller: AbortSignal, timeout: AbortSignal): unknown {
    if (caller.aborted) return caller.reason;
    if (error instanceof ConnectorError) return error;
    if (error instanceof EgressDeniedError) {
      return new ConnectorError(`${error.message}. Add the helpdesk in the connector settings or leave offline mode.`, 'config');
    }
    if (timeout.aborted) {
      return new ConnectorError(
        `${this.service} at ${this.origin} did not answer ${what} within ${Math.round(this.timeoutMs / 1000)} s. It may be overloaded; Vigil will try again.`,
        'network',
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? errorMessage(error) ?? String(error);
    return new ConnectorError(
      this.clean(
        `Could not reach ${this.service} at ${this.origin} (${what}: ${detail}). Check the address and the network; Vigil will try again.`,
      ),
      'network',
    );
  }

  private statusError(response: Response, body: string, what: string): ConnectorError {
    const status = response.status;
    const said = body.trim() ? ` It said: "${errorSummary(body)}".` : '';
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (status === 401) {
      return new ConnectorError(
        this.clean(
          `${this.service} at ${this.origin} did not accept the credentials (HTTP 401 on ${what}).${said} ` +
            'Check the API token (and the account e-mail, where the helpdesk needs one) in the connector settings.',
        ),
        'auth',
      );
    }
    if (status === 403) {
      return new ConnectorError(
        this.clean(
          `${this.service} at ${this.origin} refused ${what} (HTTP 403): the account behind the token lacks the permission.${said} ` +
            'Give it read access to tickets (and note access for write-back), or use another token.',
        ),
        'auth',
      );
    }
    if (status === 429) {
      const when = retryAfterMs === undefined ? '' : ` It asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
      return new ConnectorError(
        `${this.service} is rate-limiting Vigil (HTTP 429 on ${what}).${when} Vigil will slow down and try again.`,
        'rate_limited',
        retryAfterMs,
      );
    }
    if (status >= 500) {
      return new ConnectorError(
        this.clean(`${this.service} at ${this.origin} failed on ${what} (HTTP ${status}).${said} Vigil will try again.`),
        'unavailable',
        retryAfterMs,
      );
    }
    if (status === 404) {
      return new ConnectorError(
        this.clean(`${this.service} at ${this.origin} has nothing at ${what} (HTTP 404).${said} Check the address and the ids in the connector settings.`),
        'config',
      );
    }
    return new ConnectorError(
      this.clean(`${this.service} at ${this.origin} rejected ${what} (HTTP ${status}).${said}`),
      'bad_response',
      undefined,
      status,
    );
  }

  private clean(message: string): string {
    return redact(message, this.secrets);
  }
}

/** `Basic base64(user:password)` (Zendesk `email/token:TOKEN`, Freshdesk `KEY:X`, Jira `email:TOKEN`). */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
