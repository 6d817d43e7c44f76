/**
 * The one place outbound connections of the engine are checked. Customer data must never leave the machine
 * except to loopback (the local Ollama) and the hosts of the connectors the team configured; in offline mode,
 * loopback only. Every HTTP call goes through `policy.fetch`; code that opens raw sockets (IMAP) calls
 * `policy.assertAllowed(host)` first and passes `policy.lookup` to `net.connect`/`tls.connect`, so the address
 * the socket really dials is checked too. `installEgressGuard` (processGuard.ts) enforces the same policy for
 * every socket of the process, which is how the tests prove that nothing else is ever tried.
 *
 * Host names are compared after normalisation: lower case, brackets and a trailing dot removed (`localhost.` is
 * `localhost`), IPv4 shorthand (`0x7f.1`, `2130706433`) and IPv6 spellings (`0:0:0:0:0:0:0:1`, `::ffff:7f00:1`)
 * reduced to one canonical form by the WHATWG URL parser, the same parser `fetch` uses.
 */
import dns, { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { isIP } from 'node:net';

export class EgressDeniedError extends Error {
  readonly code = 'EGRESS_DENIED';

  constructor(
    readonly host: string,
    reason: string,
  ) {
    super(`Blocked a connection to ${host}: ${reason}`);
    this.name = 'EgressDeniedError';
  }
}

/** Resolves a host name to every address, like `dns.lookup(host, {all: true})`. Replaceable in tests. */
export type ResolveAll = (host: string) => Promise<LookupAddress[]>;

export interface EgressOptions {
  /** Loopback only. */
  offline?: boolean;
  /** Host names (no port) of configured connectors; compared after normalisation. */
  allowHosts?: Iterable<string>;
  /** How names are resolved before a connection; defaults to the system resolver (`dns.lookup`). */
  resolveAll?: ResolveAll;
}

/**
 * Why a host is allowed: it is this machine, a configured connector's host, one of the team's documentation
 * hosts (the links analysts share there are fetched as article candidates, core/learn/sharedLinks.ts), or exactly
 * the endpoint (host and port) of a team store (docs/team.md), for `checkEndpoint` only.
 */
export type EgressRule = 'loopback' | 'connector' | 'documentation' | 'endpoint';

export type EgressDecision = { allowed: true; host: string; rule: EgressRule } | { allowed: false; host: string; reason: string };

/** Redirects followed by `policy.fetch` before it gives up (the Fetch standard allows 20; helpdesk APIs use 1). */
const MAX_REDIRECTS = 10;

/** Headers that must not follow a redirect to another origin (they carry the connector's credentials). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * The canonical form of a host as a URL would hold it: lower case, no brackets, no trailing dot, IPv4 shorthand
 * expanded and IPv6 compressed. Returns null when it is not a host name at all (spaces, `/`, an empty string).
 */
export function normalizeHost(host: string): string | null {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  const zone = h.indexOf('%');
  if (zone >= 0 && isIP(h) === 6) h = h.slice(0, zone); // fe80::1%eth0: the zone picks an interface, not a host
  h = h.replace(/\.+$/, ''); // `localhost.` is the fully-qualified spelling of `localhost`
  if (h === '') return null;
  // Only a host: a scheme, port, path, user or whitespace means the caller passed something else (a URL, say).
  if (isIP(h) !== 6 && /[\s/\\?#@:%]/.test(h)) return null;
  try {
    const parsed = new URL(`http://${isIP(h) === 6 ? `[${h}]` : h}/`).hostname;
    return parsed.startsWith('[') ? parsed.slice(1, -1) : parsed.replace(/\.+$/, '');
  } catch {
    return null;
  }
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed), or null. */
function ipv6Groups(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<number>(fill).fill(0), ...right];
  return groups.length === 8 ? groups : null;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`), or null. */
function mappedIpv4(groups: readonly number[]): string | null {
  if (groups.slice(0, 5).some((g) => g !== 0) || groups[5] !== 0xffff) return null;
  const hi = groups[6]!;
  const lo = groups[7]!;
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** Why an IP address can never be a destination, or null when it can. */
function unusableAddress(address: string): string | null {
  if (isIP(address) === 4) {
    if (address.startsWith('0.')) {
      return 'addresses in 0.0.0.0/8 mean "this host, any interface", not a destination; use 127.0.0.1 for this machine';
    }
    return null;
  }
  const groups = ipv6Groups(address);
  if (!groups) return 'it is not an IP address';
  if (groups.every((g) => g === 0)) return ':: is the unspecified address, not a destination; use ::1 for this machine';
  const v4 = mappedIpv4(groups);
  return v4 ? unusableAddress(v4) : null;
}

/** True for an IP address on this machine's loopback interface: 127.0.0.0/8, ::1, and IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string): boolean {
  const a = normalizeHost(address);
  if (a === null) return false;
  if (isIP(a) === 4) return a.startsWith('127.');
  const groups = ipv6Groups(a);
  if (!groups) return false;
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return true;
  const v4 = mappedIpv4(groups);
  return v4 !== null && v4.startsWith('127.');
}

/** `localhost` and the names under it (RFC 6761 §6.3), in any case, with or without the trailing dot. */
function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * True when `host` names this machine: a loopback address in any spelling, or `localhost` (and its subdomains).
 * A name is taken at its word here; `EgressPolicy.resolve` also checks what it resolves to.
 */
export function isLoopbackHost(host: string): boolean {
  const h = normalizeHost(host);
  if (h === null) return false;
  return isIP(h) ? isLoopbackAddress(h) : isLocalhostName(h);
}

/**
 * The addresses a name under `.localhost` has without asking anyone (RFC 6761 §6.3: this machine), in the order a
 * `family` asks for; null for any other name. `localhost` itself is left to the hosts file, which may say `::1` only.
 */
export function localhostAnswer(host: string, family: number = 0): LookupAddress[] | null {
  const h = normalizeHost(host);
  if (h === null || h === 'localhost' || !isLocalhostName(h)) return null;
  if (family === 6) return [{ address: '::1', family: 6 }];
  if (family === 4) return [{ address: '127.0.0.1', family: 4 }];
  return [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ];
}

/** `dns.lookup`'s family option in any of its spellings (4, '4', 'IPv4', an options object), as 0, 4 or 6. */
export function lookupFamily(options: unknown): number {
  const raw = typeof options === 'object' && options !== null ? (options as { family?: unknown }).family : options;
  if (raw === 4 || raw === '4' || raw === 'IPv4') return 4;
  if (raw === 6 || raw === '6' || raw === 'IPv6') return 6;
  return 0;
}

let localhostAnswered = false;

/**
 * Makes this process's `dns.lookup` and `dns.promises.lookup` answer names under `.localhost` with loopback without
 * a query. `fetch` (undici) and `net.connect` look names up through `dns.lookup` as it is when they connect, so
 * `policy.fetch('http://ollama.localhost:11434')` no longer sends the name to the system resolver (a security review
 * saw the query leave). Done once per process, when the first `EgressPolicy` is made.
 */
function answerLocalhostNamesLocally(): void {
  if (localhostAnswered) return;
  localhostAnswered = true;
  const original = dns.lookup;
  const answered = function lookup(host: string, optionsOrCallback: unknown, maybeCallback?: unknown): void {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as LookupCallback;
    const answer = typeof host === 'string' && typeof callback === 'function' ? localhostAnswer(host, lookupFamily(optionsOrCallback)) : null;
    if (answer === null) {
      (original as (...a: unknown[]) => void).apply(dns, [host, optionsOrCallback, maybeCallback].slice(0, maybeCallback === undefined ? 2 : 3));
      return;
    }
    const all = typeof optionsOrCallback === 'object' && optionsOrCallback !== null && (optionsOrCallback as LookupOptions).all === true;
    process.nextTick(() => (all ? callback(null, answer) : callback(null, answer[0]!.address, answer[0]!.family)));
  };
  const promisified = (original as unknown as Record<symbol, unknown>)[Symbol.for('nodejs.util.promisify.custom')];
  if (promisified) {
    // `util.promisify(dns.lookup)` keeps its result shape ({address, family}, or the list with `all`).
    Object.defineProperty(answered, Symbol.for('nodejs.util.promisify.custom'), {
      value: async (host: string, options: LookupOptions = {}) => {
        const answer = localhostAnswer(host, lookupFamily(options));
        if (answer === null) return (promisified as (h: string, o: LookupOptions) => Promise<unknown>)(host, options);
        return options.all ? answer : answer[0];
      },
    });
  }
  dns.lookup = answered as unknown as typeof dns.lookup;
  const originalPromise = dns.promises.lookup;
  dns.promises.lookup = (async (host: string, options?: unknown) => {
    const answer = localhostAnswer(host, lookupFamily(options));
    if (answer === null) return (originalPromise as (h: string, o?: unknown) => Promise<unknown>)(host, options);
    return typeof options === 'object' && options !== null && (options as LookupOptions).all ? answer : answer[0];
  }) as typeof dns.promises.lookup;
  syncBuiltinESMExports();
}

const systemResolveAll: ResolveAll = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A connection an `EgressPolicy` refused before anything was opened. */
export interface EgressDenial {
  host: string;
  reason: string;
}

const denialObservers = new Set<(denial: EgressDenial) => void>();

/**
 * Hears every refusal of every `EgressPolicy` in this process (policies are made in several places: the service's
 * for Ollama, the connectors', the Ollama embedder's), so a front door can record them all in the audit log, as the
 * process guard's `onAttempt` records what reaches a socket. Returns the function that stops listening.
 */
export function observeEgressDenials(listener: (denial: EgressDenial) => void): () => void {
  denialObservers.add(listener);
  return () => denialObservers.delete(listener);
}

/** Makes the refusal's error and tells the observers. */
function denied(host: string, reason: string): EgressDeniedError {
  for (const observer of denialObservers) {
    try {
      observer({ host, reason });
    } catch {
      // an observer's failure must not turn a refusal into something else
    }
  }
  return new EgressDeniedError(host, reason);
}

export class EgressPolicy {
  private readonly allowHosts = new Set<string>();
  /** Endpoints allowed by host AND port (`host port`), for a client the process guard cannot see (LanceDB's). */
  private readonly allowEndpoints = new Set<string>();
  /** The team's documentation hosts: a list of its own, so replacing it never takes back a connector's host. */
  private documentationHosts = new Set<string>();
  private readonly resolveAll: ResolveAll;
  private offlineMode: boolean;

  constructor(options: EgressOptions = {}) {
    answerLocalhostNamesLocally();
    this.offlineMode = options.offline ?? false;
    this.resolveAll = options.resolveAll ?? systemResolveAll;
    for (const h of options.allowHosts ?? []) this.allow(h);
  }

  /** Loopback only: connector hosts are refused while this is on. */
  get offline(): boolean {
    return this.offlineMode;
  }

  /**
   * Switches offline mode on or off for every later decision, including those of a process guard installed on
   * this policy (it asks `check` per connection): the app's Privacy setting applies at once, without a restart.
   * Connections already open are not cut; connectors find the refusal at their next poll.
   */
  setOffline(offline: boolean): void {
    this.offlineMode = offline;
  }

  /** Allows a configured connector's host (it stays refused in offline mode). */
  allow(host: string): void {
    const h = normalizeHost(host);
    if (h === null) throw new Error(`"${host}" is not a host name; give a connector's host without scheme, path or port.`);
    this.allowHosts.add(h);
  }

  /**
   * Takes back `allow(host)`: for a connection allowed for one call only (testing a connector's unsaved settings),
   * so trying a host never leaves it on the policy for the rest of the session.
   */
  disallow(host: string): void {
    const h = normalizeHost(host);
    if (h !== null) this.allowHosts.delete(h);
  }

  /**
   * Allows exactly one endpoint, host and port, for a connection made by native code the process guard cannot see
   * (the team store's object-storage client): only `checkEndpoint` with that port allows it; `check` on the host
   * alone, which every Node.js socket and DNS query goes through, does not. Offline mode refuses it.
   */
  allowEndpoint(host: string, port: number): void {
    const h = normalizeHost(host);
    if (h === null) throw new Error(`"${host}" is not a host name; give the endpoint's host without scheme, path or port.`);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${port} is not a port number (1 to 65535).`);
    this.allowEndpoints.add(`${h} ${port}`);
  }

  /** Takes back `allowEndpoint(host, port)`. */
  disallowEndpoint(host: string, port: number): void {
    const h = normalizeHost(host);
    if (h !== null) this.allowEndpoints.delete(`${h} ${port}`);
  }

  /**
   * Decides on one endpoint: allowed when `check(host)` allows the host, or when exactly this host and port were
   * allowed with `allowEndpoint` (not in offline mode).
   */
  checkEndpoint(host: string, port: number): EgressDecision {
    const decision = this.check(host);
    if (decision.allowed) return decision;
    const h = normalizeHost(host);
    if (h === null || this.offline) return decision;
    if (this.allowEndpoints.has(`${h} ${port}`)) return { allowed: true, host: h, rule: 'endpoint' };
    return { allowed: false, host, reason: `${h}:${port} is not a configured connector's host or the team store's endpoint` };
  }

  /** Whether exactly this endpoint was allowed with `allowEndpoint` (whatever offline mode says). */
  allowsEndpoint(host: string, port: number): boolean {
    const h = normalizeHost(host);
    return h !== null && this.allowEndpoints.has(`${h} ${port}`);
  }

  /**
   * Replaces the team's documentation hosts (Settings → Privacy, `vigil links`): shared links are fetched from them,
   * and, like the connectors' hosts, they are refused in offline mode. A bad name throws, naming it, and changes
   * nothing.
   */
  setDocumentationHosts(hosts: Iterable<string>): void {
    const next = new Set<string>();
    for (const host of hosts) {
      const h = normalizeHost(host);
      if (h === null) throw new Error(`"${host}" is not a host name; give a documentation host without scheme, path or port.`);
      next.add(h);
    }
    this.documentationHosts = next;
  }

  /**
   * Whether `host` is on the connectors' allow-list (whatever offline mode says; documentation hosts are a list of
   * their own, which `allow`/`disallow` never touch, so a connector's host that is also one is still allowed here).
   */
  allows(host: string): boolean {
    const h = normalizeHost(host);
    return h !== null && this.allowHosts.has(h);
  }

  /** A documentation host or a name under one (`docs.example.com` under `example.com`), as shared links are matched. */
  private isDocumentationHost(h: string): boolean {
    if (this.documentationHosts.has(h)) return true;
    if (isIP(h)) return false;
    for (const d of this.documentationHosts) if (!isIP(d) && h.endsWith(`.${d}`)) return true;
    return false;
  }

  /** The hosts allowed besides loopback (connectors' and documentation hosts), normalised, then the team store's
   * endpoint as `host:port` (empty in offline mode). */
  allowedHosts(): string[] {
    if (this.offline) return [];
    const endpoints = [...this.allowEndpoints].map((key) => {
      const [host, port] = key.split(' ') as [string, string];
      return `${host.includes(':') ? `[${host}]` : host}:${port}`;
    });
    return [...[...new Set([...this.allowHosts, ...this.documentationHosts])].sort(), ...endpoints.sort()];
  }

  /** Decides on a host by its name or literal address, before any DNS lookup. */
  check(host: string): EgressDecision {
    const h = normalizeHost(host);
    if (h === null) return { allowed: false, host, reason: 'it is not a valid host name' };
    if (isIP(h)) {
      const unusable = unusableAddress(h);
      if (unusable) return { allowed: false, host, reason: unusable };
      if (isLoopbackAddress(h)) return { allowed: true, host: h, rule: 'loopback' };
    } else if (isLocalhostName(h)) {
      return { allowed: true, host: h, rule: 'loopback' };
    }
    if (this.offline) return { allowed: false, host, reason: 'offline mode allows only this machine (loopback)' };
    if (this.allowHosts.has(h)) return { allowed: true, host: h, rule: 'connector' };
    if (this.isDocumentationHost(h)) return { allowed: true, host: h, rule: 'documentation' };
    return { allowed: false, host, reason: 'it is not the host of a configured connector' };
  }

  /** Throws `EgressDeniedError` unless a connection to `host` is allowed. Returns which rule allowed it. */
  assertAllowed(host: string): EgressRule {
    const decision = this.check(host);
    if (!decision.allowed) throw denied(host, decision.reason);
    return decision.rule;
  }

  /**
   * Checks `host` and every address it resolves to, and returns them. A loopback name must resolve to loopback
   * only (a `localhost` mapped elsewhere in /etc/hosts is refused); names under `.localhost` are answered here as
   * 127.0.0.1 without asking DNS (RFC 6761 §6.3), so they never leak to a resolver; no name resolves to 0.0.0.0.
   */
  async resolve(host: string): Promise<LookupAddress[]> {
    this.assertAllowed(host);
    const h = normalizeHost(host)!;
    if (isIP(h)) return [{ address: h, family: isIP(h) }];
    const local = localhostAnswer(h, 4);
    if (local !== null) return local;
    const addresses = await this.resolveAll(h);
    this.assertAddresses(host, addresses);
    return addresses;
  }

  /**
   * Checks what an allowed `host` resolved to: never an unusable address (0.0.0.0, ::), and only loopback
   * addresses for a name that claims to be this machine.
   */
  assertAddresses(host: string, addresses: readonly LookupAddress[]): void {
    const rule = this.assertAllowed(host);
    if (addresses.length === 0) throw denied(host, 'it resolves to no address');
    for (const { address } of addresses) {
      const unusable = unusableAddress(address);
      if (unusable) throw denied(host, `it resolves to ${address}, and ${unusable}`);
      if (rule === 'loopback' && !isLoopbackAddress(address)) {
        throw denied(
          host,
          `it should be this machine but resolves to ${address}; check the hosts file (/etc/hosts) or use 127.0.0.1`,
        );
      }
    }
  }

  /**
   * A `dns.lookup`-compatible function that applies `resolve`: pass it as `lookup` to `net.connect`,
   * `tls.connect` or `http.request` so the socket dials only an address the policy accepted (no re-resolution
   * between the check and the connection).
   */
  readonly lookup = (
    hostname: string,
    optionsOrCallback: LookupOptions | LookupAllOptions | number | LookupCallback,
    maybeCallback?: LookupCallback,
  ): void => {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as LookupCallback;
    const options = typeof optionsOrCallback === 'object' ? optionsOrCallback : {};
    const raw = typeof optionsOrCallback === 'number' ? optionsOrCallback : (options.family ?? 0);
    const family = raw === 'IPv4' ? 4 : raw === 'IPv6' ? 6 : raw;
    this.resolve(hostname).then(
      (all) => {
        const wanted = all.filter((a) => family === 0 || a.family === family);
        if (wanted.length === 0) {
          callback(Object.assign(new Error(`${hostname} has no IPv${String(family)} address`), { code: 'ENOTFOUND' }), '');
          return;
        }
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };

  /**
   * `fetch` that refuses destinations outside the policy before any connection is made. Only http and https are
   * allowed. Redirects are followed here, one hop at a time, each target checked first; credentials are dropped
   * when a redirect leaves the origin; `redirect: 'manual'` returns the redirect for the caller to follow through
   * this method again, and `redirect: 'error'` fails on one.
   */
  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) {
      // A Request's body is a one-shot stream: read it once so a 307/308 redirect can resend it.
      const body = input.body ? await input.arrayBuffer() : undefined;
      init = {
        method: input.method,
        headers: input.headers,
        ...(body ? { body } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        ...init,
      };
      input = input.url;
    }
    let url = new URL(input.toString());
    let current: RequestInit = { ...init };
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw denied(url.hostname || url.href, `only http and https are allowed, not ${url.protocol}`);
      }
      await this.resolve(url.hostname);
      const response = await globalThis.fetch(url, { ...current, redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) return response;
      if (init.redirect === 'manual') return response;
      await response.body?.cancel();
      if (init.redirect === 'error') throw new TypeError(`${url.href} redirected to ${location}, and redirects were refused`);
      if (hop >= MAX_REDIRECTS) throw new TypeError(`${init.method ?? 'GET'} ${input.toString()}: more than ${MAX_REDIRECTS} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new TypeError(`${url.href} redirected to "${location}", which is not a URL`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw denied(next.href, `a redirect from ${url.host} leads there, and only http and https are allowed`);
      }
      const decision = this.check(next.hostname);
      if (!decision.allowed) throw denied(next.hostname, `a redirect from ${url.host} leads there, and ${decision.reason}`);
      const method = (current.method ?? 'GET').toUpperCase();
      // As the Fetch standard does: 303 turns anything but HEAD into GET; 301 and 302 turn POST into GET.
      const toGet = response.status === 303 ? method !== 'HEAD' : response.status <= 302 && method === 'POST';
      if (toGet) {
        current = { ...current, method: 'GET', body: null };
      }
      if (next.origin !== url.origin && current.headers) {
        const headers = new Headers(current.headers);
        for (const name of CREDENTIAL_HEADERS) headers.delete(name);
        current = { ...current, headers };
      }
      url = next;
    }
  };
}
