/**
 * A TCP proxy on loopback between the IMAP connector and the real Dovecot, to inject the faults a network
 * causes: the connection cut after the server has sent some bytes (a failure in the middle of a page), or the
 * server going silent (a hang). Everything else is passed through unchanged.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export type ProxyMode = { kind: 'pass' } | { kind: 'cut'; afterServerBytes: number } | { kind: 'stall'; afterServerBytes: number };

export interface FaultProxy {
  port: number;
  mode: ProxyMode;
  /** Connections cut or stalled so far. */
  faults: number;
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const proxy: FaultProxy = { port: 0, mode: { kind: 'pass' }, faults: 0, close: async () => undefined };
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    const mode = proxy.mode;
    let sent = 0;
    let faulted = false;
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (faulted) return;
      if (mode.kind !== 'pass' && sent + d.length > mode.afterServerBytes) {
        faulted = true;
        proxy.faults++;
        client.write(d.subarray(0, Math.max(0, mode.afterServerBytes - sent)));
        if (mode.kind === 'cut') {
          client.destroy();
          upstream.destroy();
        }
        return; // stall: keep both sockets open, forward nothing more
      }
      sent += d.length;
      client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', () => {
      if (!faulted) end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}
