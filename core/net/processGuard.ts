/**
 * A process-wide egress guard: every TCP and UDP socket, DNS query and `fetch` of this Node.js process is checked
 * against an `EgressPolicy`, recorded, and refused when the policy says no, before a single packet is sent.
 * The engine's own code goes through `policy.fetch` anyway; this catches what a library does behind its back
 * (a dependency's telemetry, a model hub download, a redirect followed by someone else's HTTP client).
 *
 * What it cannot see: sockets opened by native code (LanceDB's Rust core, onnxruntime), by worker threads or
 * by child processes, and code in this process that goes around Node's public API on purpose
 * (`process.binding('tcp_wrap')` connects unseen). It protects against accidents and dependencies, not against
 * hostile code running in the process (docs/privacy.md, "Threat model"). The tests cover those with a system-call trace of the whole process tree
 * (test/core/net/noEgress.test.ts); docs/privacy.md says how to check a running install the same way.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { promisify } from 'node:util';
import { EgressDeniedError, localhostAnswer, lookupFamily, type EgressPolicy } from './egress';

/** One outbound attempt seen by the guard. */
export interface EgressAttempt {
  /** What tried: a TCP socket, a UDP datagram, a DNS query or `fetch`. */
  via: 'tcp' | 'udp' | 'dns' | 'fetch';
  host: string;
  port: number | null;
  allowed: boolean;
  /** Why it was refused. */
  reason: string | null;
  /** Where in the code the attempt came from (a few stack frames), to find the culprit. */
  origin: string;
}

export interface EgressGuard {
  /** Every attempt, in order. */
  readonly attempts: readonly EgressAttempt[];
  /** The refused attempts: what would have left the machine without the guard. */
  denied(): EgressAttempt[];
  /** Restores the original functions. Guards must be uninstalled in the reverse order of installation. */
  uninstall(): void;
}

export interface EgressGuardOptions {
  /** Hears every attempt as it happens (a log line in the app, a collector in tests). */
  onAttempt?: (attempt: EgressAttempt) => void;
}

type Restore = () => void;

function callerOrigin(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40; // the caller sits below Node's own socket and HTTP frames
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return stack
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => !/processGuard\.[tj]s/.test(l) && !/\(node:|at node:|<anonymous>/.test(l))
    .slice(0, 4)
    .join(' < ');
}

function replace<T extends object, K extends keyof T>(target: T, key: K, make: (original: T[K]) => T[K]): Restore {
  const original = target[key];
  target[key] = make(original);
  return () => {
    target[key] = original;
  };
}

/** The host and port a `Socket.prototype.connect` call aims at, or null for a local (Unix/pipe) socket. */
function socketTarget(args: unknown[]): { options: Record<string, unknown>; host: string; port: number | null } | null {
  const first = args[0];
  let options: Record<string, unknown>;
  if (Array.isArray(first) && typeof first[0] === 'object' && first[0] !== null) {
    options = first[0] as Record<string, unknown>; // net.connect() passes its already-normalised arguments
  } else if (typeof first === 'object' && first !== null) {
    options = first as Record<string, unknown>;
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    options = { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  } else if (typeof first === 'string') {
    return null; // connect(path): a Unix socket or Windows pipe on this machine
  } else {
    return null;
  }
  if (options['path'] != null && options['path'] !== '') return null;
  const port = Number(options['port']);
  return { options, host: typeof options['host'] === 'string' && options['host'] ? options['host'] : 'localhost', port: Number.isFinite(port) ? port : null };
}

/**
 * Installs the guard. Refused TCP connections fail the way an unreachable host does (an `error` event with an
 * `EgressDeniedError`), refused DNS queries call back with it, and a refused `fetch` rejects with it.
 */
export function installEgressGuard(policy: EgressPolicy, options: EgressGuardOptions = {}): EgressGuard {
  const attempts: EgressAttempt[] = [];
  const record = (via: EgressAttempt['via'], host: string, port: number | null, error: Error | null): void => {
    const attempt: EgressAttempt = { via, host, port, allowed: error === null, reason: error?.message ?? null, origin: callerOrigin() };
    attempts.push(attempt);
    options.onAttempt?.(attempt);
  };
  const decide = (host: string): EgressDeniedError | null => {
    const decision = policy.check(host);
    return decision.allowed ? null : new EgressDeniedError(host, decision.reason);
  };
  const restores: Restore[] = [];

  // TCP (and TLS, HTTP, undici's fetch, IMAP: they all end in Socket.prototype.connect).
  restores.push(
    replace(net.Socket.prototype, 'connect', (original) =>
      function guardedConnect(this: net.Socket, ...args: unknown[]) {
        const target = socketTarget(args);
        if (!target) return (original as (...a: unknown[]) => net.Socket).apply(this, args);
        const denied = decide(target.host);
        record('tcp', target.host, target.port, denied);
        if (denied) {
          process.nextTick(() => this.destroy(denied));
          return this;
        }
        // Check the addresses the name resolves to, with the lookup the socket would have used.
        const inner = (target.options['lookup'] as typeof dns.lookup | undefined) ?? dns.lookup;
        target.options['lookup'] = guardedLookupOf(inner, policy, record, false);
        return (original as (...a: unknown[]) => net.Socket).apply(this, args);
      } as net.Socket['connect'],
    ),
  );

  // UDP: connect(port, address) and send(msg, [offset, length,] port, address, cb). The name is checked first, then
  // the address the socket's own lookup gives (a socket made with a custom `lookup` could map an allowed name to any
  // address), right before the datagram is handed to the system.
  const guardUdp = (socket: dgram.Socket, host: string): Error | null => {
    const denied = decide(host);
    if (denied) return denied;
    return checkResolvedUdp(socket, host, policy, record) ? null : new EgressDeniedError(host, 'its address could not be checked before sending');
  };
  restores.push(
    replace(dgram.Socket.prototype, 'connect', (original) =>
      function guardedUdpConnect(this: dgram.Socket, ...args: unknown[]) {
        const host = typeof args[1] === 'string' ? args[1] : 'localhost';
        const denied = guardUdp(this, host);
        record('udp', host, typeof args[0] === 'number' ? args[0] : null, denied);
        if (denied) throw denied;
        return (original as (...a: unknown[]) => void).apply(this, args);
      } as dgram.Socket['connect'],
    ),
  );
  restores.push(
    replace(dgram.Socket.prototype, 'send', (original) =>
      function guardedSend(this: dgram.Socket, ...args: unknown[]) {
        const host = args.slice(1).find((a): a is string => typeof a === 'string');
        const port = args.slice(1).find((a): a is number => typeof a === 'number') ?? null;
        if (host !== undefined) {
          const denied = guardUdp(this, host);
          record('udp', host, port, denied);
          if (denied) throw denied;
        }
        return (original as (...a: unknown[]) => void).apply(this, args);
      } as dgram.Socket['send'],
    ),
  );

  // DNS: a query for a name is itself a disclosure (the resolver learns the name), so refused names are not asked.
  restores.push(
    replace(dns, 'lookup', (original) => {
      const guarded = guardedLookupOf(original, policy, record, true);
      // `util.promisify(dns.lookup)` resolves to {address, family} (or the list with `all`), as Node's own does.
      Object.defineProperty(guarded, promisify.custom, {
        value: (host: string, options: dns.LookupOptions = {}) =>
          new Promise((resolve, reject) => {
            guarded(host, options, (err: Error | null, address?: unknown, family?: number) => (err ? reject(err) : resolve(options.all ? address : { address, family })));
          }),
      });
      return guarded as unknown as typeof dns.lookup;
    }),
  );
  restores.push(
    replace(dns.promises, 'lookup', (original) =>
      (async (host: string, ...rest: unknown[]) => {
        const denied = decide(host);
        record('dns', host, null, denied);
        if (denied) throw denied;
        const local = localhostAnswer(host, lookupFamily(rest[0]));
        if (local !== null) return (rest[0] as dns.LookupOptions | undefined)?.all ? local : local[0];
        return (original as (...a: unknown[]) => Promise<unknown>)(host, ...rest);
      }) as typeof dns.promises.lookup,
    ),
  );
  const resolverMethods = Object.keys(dns).filter((k) => k.startsWith('resolve') || k === 'reverse');
  for (const target of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype] as unknown as Record<string, unknown>[]) {
    for (const name of resolverMethods) {
      if (typeof target[name] !== 'function') continue;
      restores.push(
        replace(target, name, (original) =>
          function guardedResolve(this: unknown, host: unknown, ...rest: unknown[]) {
            const h = String(host);
            const denied = decide(h);
            record('dns', h, null, denied);
            if (denied) {
              const callback = rest.find((r) => typeof r === 'function') as ((e: Error) => void) | undefined;
              if (callback) {
                process.nextTick(() => callback(denied));
                return undefined;
              }
              return Promise.reject(denied);
            }
            if (localhostAnswer(h) !== null) return answerLocalhostQuery(name, h, rest);
            return (original as (...a: unknown[]) => unknown).call(this, host, ...rest);
          },
        ),
      );
    }
  }

  // Reverse lookups (`lookupService`) ask the resolver about an address: a disclosure like any other query.
  for (const target of [dns, dns.promises] as unknown as Record<string, unknown>[]) {
    restores.push(
      replace(target, 'lookupService', (original) =>
        function guardedLookupService(this: unknown, address: unknown, ...rest: unknown[]) {
          const h = String(address);
          const denied = decide(h);
          record('dns', h, typeof rest[0] === 'number' ? rest[0] : null, denied);
          if (denied) {
            const callback = rest.find((r) => typeof r === 'function') as ((e: Error) => void) | undefined;
            if (callback) {
              process.nextTick(() => callback(denied));
              return undefined;
            }
            return Promise.reject(denied);
          }
          return (original as (...a: unknown[]) => unknown).call(this, address, ...rest);
        },
      ),
    );
  }

  // fetch: refused before undici opens anything, with the URL's host named.
  const originalFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : null;
    const denied = url.protocol === 'data:' || url.protocol === 'blob:' ? null : decide(url.hostname);
    record('fetch', url.hostname, port, denied);
    if (denied) throw denied;
    return originalFetch(input, init);
  };
  restores.push(() => {
    globalThis.fetch = originalFetch;
  });

  syncBuiltinESMExports(); // `import { lookup } from 'node:dns'` sees the guarded function too
  let installed = true;
  return {
    attempts,
    denied: () => attempts.filter((a) => !a.allowed),
    uninstall: () => {
      if (!installed) return;
      installed = false;
      for (const restore of restores.reverse()) restore();
      syncBuiltinESMExports();
    },
  };
}

type Recorder = (via: EgressAttempt['via'], host: string, port: number | null, error: Error | null) => void;

/**
 * Wraps a `dns.lookup`-style function: a refused name is never looked up; an allowed one is, and what it resolves
 * to is checked (a `localhost` mapped to another machine is refused).
 */
function guardedLookupOf(inner: typeof dns.lookup, policy: EgressPolicy, record: Recorder, recordQuery: boolean) {
  return function guardedLookup(host: string, optionsOrCallback: unknown, maybeCallback?: unknown): void {
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as (
      err: Error | null,
      address?: unknown,
      family?: number,
    ) => void;
    const lookupOptions = typeof optionsOrCallback === 'function' ? {} : optionsOrCallback;
    if (recordQuery && net.isIP(host)) {
      // An address literal asks no resolver (servers look up the address they listen on this way): nothing leaves.
      (inner as (h: string, o: unknown, cb: unknown) => void)(host, lookupOptions, callback);
      return;
    }
    const decision = policy.check(host);
    if (!decision.allowed) {
      const denied = new EgressDeniedError(host, decision.reason);
      if (recordQuery) record('dns', host, null, denied);
      process.nextTick(() => callback(denied));
      return;
    }
    if (recordQuery) record('dns', host, null, null);
    const local = localhostAnswer(host, lookupFamily(lookupOptions));
    if (local !== null) {
      const all = (lookupOptions as dns.LookupOptions | undefined)?.all === true;
      process.nextTick(() => (all ? callback(null, local) : callback(null, local[0]!.address, local[0]!.family)));
      return;
    }
    (inner as (h: string, o: unknown, cb: (...r: unknown[]) => void) => void)(host, lookupOptions, (err, address, family) => {
      if (err) {
        callback(err as Error);
        return;
      }
      const list = Array.isArray(address)
        ? (address as dns.LookupAddress[])
        : [{ address: address as string, family: family as number }];
      try {
        policy.assertAddresses(host, list);
      } catch (error) {
        record('dns', host, null, error as Error);
        callback(error as Error);
        return;
      }
      callback(null, address, family as number);
    });
  };
}

/**
 * What a resolver method answers for a name under `.localhost` without a query: A and AAAA records for this machine,
 * no other record (RFC 6761 §6.3).
 */
function answerLocalhostQuery(method: string, host: string, rest: unknown[]): unknown {
  const rrtype = method === 'resolve' && typeof rest[0] === 'string' ? rest[0] : method === 'resolve6' ? 'AAAA' : method === 'resolve4' || method === 'resolve' ? 'A' : null;
  const answer = rrtype === 'A' ? ['127.0.0.1'] : rrtype === 'AAAA' ? ['::1'] : null;
  const error = answer === null ? Object.assign(new Error(`${method} ${host}: a .localhost name has no such record`), { code: 'ENODATA', hostname: host }) : null;
  const callback = rest.find((r) => typeof r === 'function') as ((e: Error | null, a?: string[]) => void) | undefined;
  if (callback) {
    process.nextTick(() => (error ? callback(error) : callback(null, answer!)));
    return undefined;
  }
  return error ? Promise.reject(error) : Promise.resolve(answer);
}

type HandleLookup = (address: string, callback: (err: Error | null, ip: string, family?: number) => void) => void;

/** The destinations each UDP socket was asked to send to: its lookup checks those, not the address it binds to. */
const udpDestinations = new WeakMap<dgram.Socket, Set<string>>();

/**
 * Wraps the lookup a UDP socket runs before it sends (Node keeps it on the socket's handle, under its state symbol),
 * so the address it resolves `host` to is checked as a TCP socket's is. False when the socket's internals are not
 * where Node 20–22 keeps them: the caller then refuses, rather than send unchecked.
 */
function checkResolvedUdp(socket: dgram.Socket, host: string, policy: EgressPolicy, record: Recorder): boolean {
  const stateKey = Object.getOwnPropertySymbols(socket).find((k) => k.description === 'state symbol');
  const state = stateKey ? ((socket as unknown as Record<symbol, unknown>)[stateKey] as { handle?: { lookup?: HandleLookup } } | undefined) : undefined;
  const handle = state?.handle;
  if (!handle || typeof handle.lookup !== 'function') return false;
  let destinations = udpDestinations.get(socket);
  if (!destinations) udpDestinations.set(socket, (destinations = new Set()));
  destinations.add(host);
  const inner = handle.lookup;
  if ((inner as { guarded?: boolean }).guarded) return true;
  const guarded: HandleLookup = (address, callback) =>
    inner.call(handle, address, (err, ip, family) => {
      if (err || !destinations.has(address)) {
        callback(err, ip, family); // a bind address (0.0.0.0), not a destination
        return;
      }
      try {
        policy.assertAddresses(address, [{ address: ip, family: family ?? net.isIP(ip) }]);
      } catch (error) {
        record('udp', `${address} (${ip})`, null, error as Error);
        callback(error as Error, ip, family);
        return;
      }
      callback(null, ip, family);
    });
  (guarded as { guarded?: boolean }).guarded = true;
  handle.lookup = guarded;
  return true;
}
