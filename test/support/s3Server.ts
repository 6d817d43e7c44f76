/**
 * An S3-compatible server on loopback for the team store's tests: moto's server mode (`moto_server`, Python moto
 * 5.x). It is a STAND-IN, not a production store (in-memory, no durability), but it implements what LanceDB's
 * commits rely on: a PUT with If-None-Match answered 412 when the object exists, so concurrent writers race for
 * real. A real Ceph RADOS Gateway (Debian's radosgw) needs a one-node Ceph cluster, not yet set up here.
 *
 * `startS3Server()` returns null with a reason when moto_server is not installed; under VIGIL_REQUIRE_S3=1 that is
 * an error instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running S3 stand-in. */
export interface S3Server {
  endpoint: string;
  port: number;
  /** Creates a bucket (moto accepts any keys). */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Why there is no S3 server, or null when moto_server is on the PATH. */
export function s3ServerMissing(): string | null {
  const found = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (found.error === undefined && found.status === 0) return null;
  const reason = 'moto_server (Python moto[server] 5.x) is not installed';
  if (process.env['VIGIL_REQUIRE_S3'] === '1') throw new Error(`${reason}, and VIGIL_REQUIRE_S3=1`);
  return reason;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('moto_server did not start within 20 s');
}

/** Starts moto_server on a free loopback port. */
export async function startS3Server(): Promise<S3Server> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child);
  return {
    endpoint,
    port,
    async createBucket(name) {
      const response = await fetch(`${endpoint}/${name}`, { method: 'PUT' });
      if (!response.ok) throw new Error(`creating bucket ${name}: HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
