/**
 * An S3-compatible server on loopback for the team store's tests. Two stand-ins, neither a production store:
 * - moto's server mode (`moto_server`, Python moto 5.x), used when it is installed (a Python package: not on CI);
 * - otherwise the Node stand-in in ./s3StandIn.ts, which answers what LanceDB's object store client sends, per AWS's
 *   S3 API docs (conditional PUTs answered 412 when the object exists, so concurrent writers race for real).
 * `VIGIL_S3=standin` forces the Node stand-in; `VIGIL_S3=moto` requires moto (the tests skip with the reason when it
 * is missing, or fail under VIGIL_REQUIRE_S3=1). No real S3 server installs here (docs/team.md, "How it is tested").
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { startS3StandIn } from './s3StandIn';

/** A running S3 stand-in. */
export interface S3Server {
  endpoint: string;
  port: number;
  /** Which stand-in runs, for test titles and benchmark output. */
  label: string;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

function motoInstalled(): boolean {
  const found = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  return found.error === undefined && found.status === 0;
}

/** Which server `startS3Server()` starts: VIGIL_S3 when set (`standin` or `moto`), else moto when installed. */
export function s3ServerKind(): 'moto' | 'standin' {
  const chosen = process.env['VIGIL_S3'];
  if (chosen === 'standin' || chosen === 'moto') return chosen;
  if (chosen !== undefined && chosen !== '') throw new Error(`VIGIL_S3 is "${chosen}"; expected "standin" or "moto"`);
  return motoInstalled() ? 'moto' : 'standin';
}

/** The name of the server `startS3Server()` starts, as the tests and benchmark print it. */
export function s3ServerLabel(): string {
  return s3ServerKind() === 'moto' ? 'moto_server stand-in' : 'Node S3 stand-in, test/support/s3StandIn.ts';
}

/**
 * Why there is no S3 server, or null when one can start: the Node stand-in always can, so this is non-null only
 * when VIGIL_S3=moto asks for moto and it is not installed (an error instead under VIGIL_REQUIRE_S3=1).
 */
export function s3ServerMissing(): string | null {
  if (s3ServerKind() === 'standin' || motoInstalled()) return null;
  const reason = 'VIGIL_S3=moto, but moto_server (Python moto[server] 5.x) is not installed';
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

/**
 * Starts the S3 stand-in `s3ServerKind()` names on a free loopback port. `accessKeys` are the key ids the Node
 * stand-in accepts (any when absent); moto accepts any.
 */
export async function startS3Server(options: { accessKeys?: readonly string[] } = {}): Promise<S3Server> {
  if (s3ServerKind() === 'standin') {
    const standIn = await startS3StandIn({ accessKeys: options.accessKeys });
    return {
      endpoint: standIn.endpoint,
      port: standIn.port,
      label: s3ServerLabel(),
      async createBucket(name) {
        standIn.createBucket(name);
      },
      stop: () => standIn.close(),
    };
  }
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child);
  return {
    endpoint,
    port,
    label: s3ServerLabel(),
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
