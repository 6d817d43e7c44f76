import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EgressDeniedError, EgressPolicy, isLoopbackAddress, isLoopbackHost, normalizeHost, type ResolveAll } from '../../../core/net/egress';
import { installTripwire, type Tripwire } from './egressHarness';

// Every test here runs above a tripwire: a connection to anything but loopback that got past the policy would
// fail the test instead of leaving the machine.
let tripwire: Tripwire;
beforeAll(() => {
  tripwire = installTripwire();
});
afterAll(() => {
  tripwire.uninstall();
  expect(tripwire.reached).toEqual([]);
});

describe('what counts as this machine', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '127.1', // inet_aton shorthand
    '0x7f.1',
    '2130706433', // 127.0.0.1 as one number
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '0000:0000:0000:0000:0000:0000:0000:0001',
    '::ffff:127.0.0.1', // IPv4-mapped
    '[::FFFF:7f00:1]',
    'localhost',
    'LOCALHOST',
    'localhost.', // fully qualified
    'ollama.localhost',
    'Ollama.LocalHost.',
  ])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(new EgressPolicy({ offline: true }).assertAllowed(host)).toBe('loopback');
  });

  it.each([
    ['0.0.0.0', /0\.0\.0\.0\/8/],
    ['0', /0\.0\.0\.0\/8/], // the URL parser reads it as 0.0.0.0
    ['0.0.0.1', /0\.0\.0\.0\/8/],
    ['::', /unspecified/],
    ['[::ffff:0.0.0.0]', /0\.0\.0\.0\/8/],
    ['128.0.0.1', /offline mode/],
    ['10.0.0.5', /offline mode/],
    ['::ffff:10.0.0.5', /offline mode/],
    ['::127.0.0.1', /offline mode/], // IPv4-compatible form: not routed to loopback
    ['64:ff9b::7f00:1', /offline mode/], // NAT64: leaves the machine
    ['localhost.example.com', /offline mode/],
    ['127.0.0.1.nip.io', /offline mode/], // a public DNS name that resolves to 127.0.0.1
    ['notlocalhost', /offline mode/],
    ['localhost..evil', /offline mode/],
    ['', /not a valid host name/],
    ['a b', /not a valid host name/],
    ['host/path', /not a valid host name/],
  ])('%s is refused in offline mode', (host, reason) => {
    expect(() => new EgressPolicy({ offline: true }).assertAllowed(host)).toThrow(reason);
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('normalises hosts the way a URL does', () => {
    expect(normalizeHost('Helpdesk.Example.COM.')).toBe('helpdesk.example.com');
    expect(normalizeHost('[0:0:0:0:0:0:0:1]')).toBe('::1');
    expect(normalizeHost('::ffff:127.0.0.1')).toBe('::ffff:7f00:1');
    expect(normalizeHost('0x7f.0.0.1')).toBe('127.0.0.1');
    expect(normalizeHost('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeHost('bücher.example')).toBe('xn--bcher-kva.example');
    expect(normalizeHost('...')).toBeNull();
  });

  it('agrees with itself on every spelling of every IPv4 address (property)', () => {
    const spellings = (a: number, b: number, c: number, d: number): string[] => {
      const n = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
      return [`${a}.${b}.${c}.${d}`, String(n), `0x${n.toString(16)}`, `::ffff:${a}.${b}.${c}.${d}`, `[::ffff:${a}.${b}.${c}.${d}]`, `${a}.${b}.${c}.${d}.`];
    };
    const byte = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(byte, byte, byte, byte, (a, b, c, d) => {
        const offline = new EgressPolicy({ offline: true });
        for (const spelling of spellings(a, b, c, d)) {
          expect(isLoopbackHost(spelling)).toBe(a === 127);
          expect(offline.check(spelling).allowed).toBe(a === 127);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('recognises exactly one IPv6 loopback address (property)', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const address = groups.map((g) => g.toString(16)).join(':');
        const loopback = groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
        const mapped127 = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff && groups[6]! >> 8 === 127;
        expect(isLoopbackAddress(address)).toBe(loopback || mapped127);
      }),
      { numRuns: 300 },
    );
  });
});

describe('connector hosts', () => {
  it('allows configured connector hosts in any spelling, and nothing else', () => {
    const policy = new EgressPolicy({ allowHosts: ['Helpdesk.Example.com.'] });
    expect(policy.assertAllowed('helpdesk.example.com')).toBe('connector');
    expect(policy.assertAllowed('HELPDESK.example.com.')).toBe('connector');
    expect(() => policy.assertAllowed('evil.helpdesk.example.com')).toThrow(/not the host of a configured connector/);
    expect(() => policy.assertAllowed('example.com')).toThrow(EgressDeniedError);
    policy.allow('mail.example.org');
    expect(policy.allowedHosts()).toEqual(['helpdesk.example.com', 'mail.example.org']);
  });

  it('refuses connector hosts in offline mode', () => {
    const policy = new EgressPolicy({ offline: true, allowHosts: ['helpdesk.example.com'] });
    expect(() => policy.assertAllowed('helpdesk.example.com')).toThrow(/offline mode allows only this machine/);
    expect(policy.allowedHosts()).toEqual([]);
  });

  it('refuses to configure something that is not a host', () => {
    expect(() => new EgressPolicy({ allowHosts: ['https://x y'] })).toThrow(/not a host name/);
  });
});

describe('a team store endpoint (host and port)', () => {
  it('allows exactly that host and port to the native client, and not the host to anything in Node.js', () => {
    const policy = new EgressPolicy({ allowHosts: ['helpdesk.example.com'] });
    policy.allowEndpoint('S3.Example.Internal', 9000);
    expect(policy.checkEndpoint('s3.example.internal', 9000)).toEqual({ allowed: true, host: 's3.example.internal', rule: 'endpoint' });
    expect(policy.checkEndpoint('s3.example.internal', 9001)).toMatchObject({ allowed: false, reason: 's3.example.internal:9001 is not a configured connector\'s host or the team store\'s endpoint' });
    expect(policy.checkEndpoint('other.example.internal', 9000).allowed).toBe(false);
    // The process guard asks `check(host)` for every socket and DNS query: the endpoint's host is not on it.
    expect(policy.check('s3.example.internal').allowed).toBe(false);
    // A connector's host is allowed on any port, as before.
    expect(policy.checkEndpoint('helpdesk.example.com', 8443)).toMatchObject({ allowed: true, rule: 'connector' });
    policy.allowEndpoint('fd00::5', 9100);
    expect(policy.allowedHosts()).toEqual(['helpdesk.example.com', '[fd00::5]:9100', 's3.example.internal:9000']);
    policy.disallowEndpoint('s3.example.internal', 9000);
    expect(policy.checkEndpoint('s3.example.internal', 9000).allowed).toBe(false);
  });

  it('refuses the endpoint in offline mode, and refuses to configure what is not a host or a port', () => {
    const policy = new EgressPolicy({ offline: true });
    policy.allowEndpoint('s3.example.internal', 9000);
    expect(policy.checkEndpoint('s3.example.internal', 9000)).toMatchObject({ allowed: false, reason: 'offline mode allows only this machine (loopback)' });
    expect(policy.allowedHosts()).toEqual([]);
    expect(() => policy.allowEndpoint('https://s3.example.internal', 9000)).toThrow(/not a host name/);
    expect(() => policy.allowEndpoint('s3.example.internal', 70_000)).toThrow('70000 is not a port number (1 to 65535).');
  });
});

describe('documentation hosts', () => {
  it('allows the team\'s documentation hosts and names under them, and refuses them in offline mode', () => {
    const policy = new EgressPolicy();
    policy.setDocumentationHosts(['Docs.Example.com']);
    expect(policy.assertAllowed('docs.example.com')).toBe('documentation');
    expect(policy.assertAllowed('eu.docs.example.com')).toBe('documentation');
    expect(() => policy.assertAllowed('example.com')).toThrow(EgressDeniedError);
    expect(() => policy.assertAllowed('docs.example.com.evil.net')).toThrow(EgressDeniedError);
    expect(policy.allowedHosts()).toEqual(['docs.example.com']);
    policy.setOffline(true);
    expect(() => policy.assertAllowed('docs.example.com')).toThrow(/offline mode allows only this machine/);
    expect(policy.allowedHosts()).toEqual([]);
  });

  it('replaces only its own list: a connector\'s host stays allowed when the documentation hosts change', () => {
    const policy = new EgressPolicy({ allowHosts: ['rt.example.com'] });
    policy.setDocumentationHosts(['rt.example.com', 'docs.example.com']);
    // `allows` speaks for the connectors' list only: a connector test adds (and takes back) its host there.
    expect([policy.allows('rt.example.com'), policy.allows('docs.example.com')]).toEqual([true, false]);
    policy.setDocumentationHosts([]);
    expect(policy.assertAllowed('rt.example.com')).toBe('connector');
    expect(() => policy.assertAllowed('docs.example.com')).toThrow(EgressDeniedError);
  });

  it('refuses a list with something that is not a host, naming it, and keeps the list it had', () => {
    const policy = new EgressPolicy();
    policy.setDocumentationHosts(['docs.example.com']);
    expect(() => policy.setDocumentationHosts(['kb.example.org', 'https://x/y'])).toThrow('"https://x/y" is not a host name');
    expect(policy.allowedHosts()).toEqual(['docs.example.com']);
  });
});

describe('names and what they resolve to', () => {
  const fakeDns = (table: Record<string, string[]>): ResolveAll & { asked: string[] } => {
    const asked: string[] = [];
    const resolve = (async (host: string) => {
      asked.push(host);
      const addresses = table[host];
      if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: net.isIP(address) }));
    }) as ResolveAll & { asked: string[] };
    resolve.asked = asked;
    return resolve;
  };

  it('refuses a localhost that resolves to another machine', async () => {
    const policy = new EgressPolicy({ offline: true, resolveAll: fakeDns({ localhost: ['127.0.0.1', '10.0.0.5'] }) });
    await expect(policy.resolve('localhost')).rejects.toThrow(/should be this machine but resolves to 10\.0\.0\.5/);
  });

  it('refuses a connector host that resolves to 0.0.0.0 (a DNS sinkhole)', async () => {
    const policy = new EgressPolicy({ allowHosts: ['helpdesk.example.com'], resolveAll: fakeDns({ 'helpdesk.example.com': ['0.0.0.0'] }) });
    await expect(policy.resolve('helpdesk.example.com')).rejects.toThrow(/resolves to 0\.0\.0\.0/);
  });

  it('lets a connector host resolve to its own addresses', async () => {
    const policy = new EgressPolicy({ allowHosts: ['helpdesk.example.com'], resolveAll: fakeDns({ 'helpdesk.example.com': ['203.0.113.7'] }) });
    await expect(policy.resolve('helpdesk.example.com.')).resolves.toEqual([{ address: '203.0.113.7', family: 4 }]);
  });

  it('never asks DNS about a refused name or a .localhost name', async () => {
    const dns = fakeDns({});
    const policy = new EgressPolicy({ offline: true, resolveAll: dns });
    await expect(policy.resolve('telemetry.example.com')).rejects.toThrow(EgressDeniedError);
    await expect(policy.resolve('ollama.localhost')).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(policy.resolve('[::1]')).resolves.toEqual([{ address: '::1', family: 6 }]);
    expect(dns.asked).toEqual([]);
  });

  it('gives net.connect a lookup that dials only checked addresses', async () => {
    const server = net.createServer((socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const policy = new EgressPolicy({ offline: true, resolveAll: fakeDns({ localhost: ['127.0.0.1'] }) });
    const greeting = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: 'localhost', port, lookup: policy.lookup, autoSelectFamily: false });
      socket.on('data', (d) => resolve(String(d)));
      socket.on('error', reject);
    });
    expect(greeting).toBe('hello');
    const evil = new EgressPolicy({ offline: true, resolveAll: fakeDns({ localhost: ['198.51.100.1'] }) });
    const error = await new Promise<Error>((resolve) => {
      net.connect({ host: 'localhost', port, lookup: evil.lookup, autoSelectFamily: false }).on('error', resolve);
    });
    expect(error).toBeInstanceOf(EgressDeniedError);
    server.close();
  });
});

describe('policy.fetch', () => {
  let server: Server;
  let base: string;
  const seen: Array<{ path: string; method: string; auth: string | null }> = [];
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_req, res) => res.end('ok'),
    '/to-ok': (_req, res) => res.writeHead(302, { location: '/ok' }).end(),
    '/to-outside': (_req, res) => res.writeHead(302, { location: 'http://198.51.100.20/steal' }).end(),
    '/to-outside-by-name': (_req, res) => res.writeHead(307, { location: 'https://telemetry.example.com/collect' }).end(),
    '/to-file': (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end(),
    '/see-other': (_req, res) => res.writeHead(303, { location: '/ok' }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
    '/to-other-origin': (req, res) => {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(302, { location: `http://localhost:${port}/ok` }).end();
      void req;
    },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url ?? '', method: req.method ?? '', auth: req.headers.authorization ?? null });
      (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const policy = (): EgressPolicy => new EgressPolicy({ offline: true, resolveAll: async () => [{ address: '127.0.0.1', family: 4 }] });

  it('reaches loopback and follows redirects that stay on it', async () => {
    const response = await policy().fetch(`${base}/to-ok`);
    expect(await response.text()).toBe('ok');
  });

  it('refuses a redirect that leaves the machine, before connecting to it', async () => {
    const resolveAll = vi.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
    const p = new EgressPolicy({ offline: true, resolveAll });
    await expect(p.fetch(`${base}/to-outside`)).rejects.toThrow(/198\.51\.100\.20: a redirect from 127\.0\.0\.1:\d+ leads there/);
    await expect(p.fetch(`${base}/to-outside-by-name`)).rejects.toThrow(EgressDeniedError);
    expect(resolveAll).not.toHaveBeenCalledWith('telemetry.example.com');
  });

  it('refuses schemes other than http and https, directly or by redirect', async () => {
    await expect(policy().fetch('file:///etc/passwd')).rejects.toThrow(/only http and https/);
    await expect(policy().fetch(`${base}/to-file`)).rejects.toThrow(/only http and https/);
  });

  it('refuses a destination outside the policy without a connection', async () => {
    await expect(policy().fetch('https://api.example.com/v1/tickets')).rejects.toThrow(/offline mode/);
  });

  it('turns a POST into a GET on 303, as browsers do', async () => {
    seen.length = 0;
    await policy().fetch(`${base}/see-other`, { method: 'POST', body: 'x=1' });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /see-other', 'GET /ok']);
  });

  it('drops credentials when a redirect changes origin', async () => {
    seen.length = 0;
    const p = new EgressPolicy({ offline: true });
    const response = await p.fetch(`${base}/to-other-origin`, { headers: { authorization: 'Bearer secret' } });
    expect(await response.text()).toBe('ok');
    expect(seen).toEqual([
      { path: '/to-other-origin', method: 'GET', auth: 'Bearer secret' },
      { path: '/ok', method: 'GET', auth: null },
    ]);
  });

  it('honours redirect: manual and redirect: error, and stops redirect loops', async () => {
    const manual = await policy().fetch(`${base}/to-outside`, { redirect: 'manual' });
    expect(manual.status).toBe(302);
    await expect(policy().fetch(`${base}/to-ok`, { redirect: 'error' })).rejects.toThrow(/redirects were refused/);
    await expect(policy().fetch(`${base}/loop`)).rejects.toThrow(/more than 10 redirects/);
  });

  it('accepts a Request object', async () => {
    const response = await policy().fetch(new Request(`${base}/ok`, { method: 'GET' }));
    expect(await response.text()).toBe('ok');
  });
});
