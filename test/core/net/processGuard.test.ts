import dgram from 'node:dgram';
import dns from 'node:dns';
import { get } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EgressDeniedError, EgressPolicy } from '../../../core/net/egress';
import { installEgressGuard, type EgressGuard } from '../../../core/net/processGuard';
import { installTripwire, type Tripwire } from './egressHarness';

let tripwire: Tripwire;
let guard: EgressGuard;

beforeEach(() => {
  tripwire = installTripwire();
  guard = installEgressGuard(new EgressPolicy({ offline: true }));
});
afterEach(() => {
  guard.uninstall();
  tripwire.uninstall();
  expect(tripwire.reached).toEqual([]);
});

function connectError(options: net.NetConnectOpts): Promise<Error> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options);
    socket.on('error', resolve);
    socket.on('connect', () => reject(new Error('connected')));
  });
}

describe('the process egress guard', () => {
  it('fails a TCP connection to another machine before it is made, and says where it came from', async () => {
    const error = await connectError({ host: '198.51.100.7', port: 443 });
    expect(error).toBeInstanceOf(EgressDeniedError);
    expect(error.message).toMatch(/198\.51\.100\.7: offline mode allows only this machine/);
    expect(guard.denied()).toMatchObject([{ via: 'tcp', host: '198.51.100.7', port: 443 }]);
    expect(guard.denied()[0]?.origin).toMatch(/processGuard\.test\.ts/);
  });

  it('refuses names before asking DNS about them', async () => {
    const error = await connectError({ host: 'updates.example.com', port: 443 });
    expect(error).toBeInstanceOf(EgressDeniedError);
    await expect(dns.promises.lookup('updates.example.com')).rejects.toThrow(EgressDeniedError);
    await expect(dns.promises.resolve4('updates.example.com')).rejects.toThrow(EgressDeniedError);
    const viaCallback = await new Promise<Error | null>((resolve) => dns.lookup('updates.example.com', (err) => resolve(err)));
    expect(viaCallback).toBeInstanceOf(EgressDeniedError);
    expect(guard.denied().map((a) => a.via)).toEqual(['tcp', 'dns', 'dns', 'dns']);
  });

  it('refuses fetch and http to other machines, even through an IPv4-mapped address', async () => {
    await expect(fetch('http://[::ffff:198.51.100.7]/')).rejects.toThrow(EgressDeniedError);
    const error = await new Promise<Error>((resolve) => get('http://0.0.0.0:9/').on('error', resolve));
    expect(error.message).toMatch(/0\.0\.0\.0\/8/);
  });

  it('refuses UDP datagrams to other machines', () => {
    const socket = dgram.createSocket('udp4');
    expect(() => socket.send('hello', 53, '198.51.100.53')).toThrow(EgressDeniedError);
    socket.close();
  });

  it('refuses a datagram that a socket’s own lookup sends elsewhere than the name it was given', async () => {
    // A custom lookup maps the allowed name `localhost` to another machine: the address is checked, not the name.
    const lookup = ((_host: string, _options: unknown, callback: (e: null, a: string, f: number) => void) => callback(null, _host === 'localhost' ? '198.51.100.53' : _host, 4)) as unknown as dgram.SocketOptions['lookup'];
    const socket = dgram.createSocket({ type: 'udp4', lookup });
    const error = await new Promise<Error | null>((resolve) => socket.send('hello', 53, 'localhost', (err) => resolve(err)));
    expect(error).toBeInstanceOf(EgressDeniedError);
    expect(error?.message).toMatch(/localhost: it should be this machine but resolves to 198\.51\.100\.53/);
    socket.close();
  });

  it('refuses a reverse lookup (lookupService) of another machine’s address', async () => {
    const viaCallback = await new Promise<Error | null>((resolve) => dns.lookupService('198.51.100.7', 443, (err) => resolve(err)));
    expect(viaCallback).toBeInstanceOf(EgressDeniedError);
    await expect(dns.promises.lookupService('198.51.100.7', 443)).rejects.toThrow(EgressDeniedError);
    expect(guard.denied().map((a) => `${a.via} ${a.host}`)).toEqual(['dns 198.51.100.7', 'dns 198.51.100.7']);
  });

  it('answers names under .localhost itself, on every lookup path, without a DNS query', async () => {
    expect(await new Promise((resolve) => dns.lookup('api.localhost', { family: 4 }, (_e, address) => resolve(address)))).toBe('127.0.0.1');
    expect(await dns.promises.lookup('api.localhost', { family: 4 })).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await promisify(dns.lookup)('ollama.localhost', { family: 4 })).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await dns.promises.resolve4('api.localhost')).toEqual(['127.0.0.1']);
    await expect(dns.promises.resolveMx('api.localhost')).rejects.toMatchObject({ code: 'ENODATA' });
    // The tripwire below the guard (afterEach) saw no lookup of a .localhost name. policy.fetch of such a name is
    // traced at the system-call level in noEgress.test.ts (the tripwire takes any name but `localhost` for remote).
  });

  it('lets loopback through and records it', async () => {
    const server = net.createServer((socket) => socket.end('hi'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const reply = await new Promise<string>((resolve, reject) => {
      net.connect({ host: '127.0.0.1', port }).on('data', (d) => resolve(String(d))).on('error', reject);
    });
    expect(reply).toBe('hi');
    expect(guard.attempts).toMatchObject([{ via: 'tcp', host: '127.0.0.1', port, allowed: true }]);
    server.close();
  });

  it('allows a configured connector host when not offline, and restores everything on uninstall', async () => {
    guard.uninstall();
    const before = net.Socket.prototype.connect;
    const connectorGuard = installEgressGuard(new EgressPolicy({ allowHosts: ['localhost'] }));
    expect(net.Socket.prototype.connect).not.toBe(before);
    connectorGuard.uninstall();
    expect(net.Socket.prototype.connect).toBe(before);
    guard = installEgressGuard(new EgressPolicy({ offline: true }));
  });
});

describe('the guard keeps Node APIs working', () => {
  it('leaves util.promisify(dns.lookup) with its usual result shape', async () => {
    const lookup = promisify(dns.lookup); // the guard is installed (beforeEach)
    expect(await lookup('127.0.0.1')).toEqual({ address: '127.0.0.1', family: 4 });
    await expect(lookup('example.com')).rejects.toThrow(EgressDeniedError);
  });
});
