/**
 * The one place outbound connections of the engine are checked. Customer data must never leave the machine
 * except to loopback (the local Ollama) and the hosts of the connectors the team configured; in offline mode,
 * loopback only. Every HTTP call goes through `policy.fetch`; code that opens raw sockets (IMAP) calls
 * `policy.assertAllowed(host)` first.
 */
import { isIP } from 'node:net';

export class EgressDeniedError extends Error {
  constructor(readonly host: string, reason: string) {
    super(`Blocked a connection to ${host}: ${reason}`);
    this.name = 'EgressDeniedError';
  }
}

export interface EgressOptions {
  /** Loopback only. */
  offline?: boolean;
  /** Host names (lower case, no port) of configured connectors. */
  allowHosts?: Iterable<string>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export class EgressPolicy {
  private readonly allowHosts = new Set<string>();
  readonly offline: boolean;

  constructor(options: EgressOptions = {}) {
    this.offline = options.offline ?? false;
    for (const h of options.allowHosts ?? []) this.allowHosts.add(h.toLowerCase());
  }

  /** Allows a configured connector's host (ignored in offline mode). */
  allow(host: string): void {
    this.allowHosts.add(host.toLowerCase());
  }

  /** Throws `EgressDeniedError` unless a connection to `host` is allowed. */
  assertAllowed(host: string): void {
    if (isLoopbackHost(host)) return;
    if (this.offline) throw new EgressDeniedError(host, 'offline mode allows only this machine (loopback)');
    if (!this.allowHosts.has(host.replace(/^\[|\]$/g, '').toLowerCase())) {
      throw new EgressDeniedError(host, 'it is not the host of a configured connector');
    }
  }

  /** `fetch` that refuses destinations outside the policy before any connection is made, redirects included. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    this.assertAllowed(url.hostname);
    const response = await fetch(input, { ...init, redirect: 'manual' });
    if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
      const next = new URL(response.headers.get('location')!, url);
      this.assertAllowed(next.hostname);
      if (init?.redirect === 'manual') return response;
      return this.fetch(next, init);
    }
    return response;
  };
}
