/**
 * The team store with 4 writers (npm run bench:team): 4 analyst processes (test/core/team/fixtures/analyst.ts) each
 * record `--per-writer` learned entries while syncing every 50 ms, on a shared folder and on the S3 stand-in (moto
 * on loopback, test/support/s3Server.ts). Prints, per store:
 *  - close → cite: from one analyst's acknowledgement of an entry (durable in its outbox) to each other analyst's
 *    cache receiving it, p50/p95 (timestamps taken in this process as the lines arrive);
 *  - throughput: acknowledged entries per second until every analyst has seen every entry;
 * and, for the single personal folder in the same run, the local write (outbox append) rate of one writer. Then the
 * cache refresh cost: a full read and an incremental read of 100 new entries on top of `--sizes` entries, with the
 * event loop's p95 delay during the read (what a decision on the same thread would wait; the decision itself is not
 * run here — the knowledge cache is not wired yet).
 *
 *   npm run bench:team -- [--per-writer 100] [--sizes 10000,100000,300000]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FileSecretStore } from '../../core/secrets/fileSecretStore';
import { Outbox } from '../../core/team/outbox';
import { DEFAULT_ACCESS_KEY_SECRET, DEFAULT_SECRET_KEY_SECRET, writeTeamConfig } from '../../core/team/teamConfig';
import { TeamStore } from '../../core/team/teamStore';
import { s3ServerMissing, startS3Server } from '../support/s3Server';

const FIXTURE = join(import.meta.dirname, '..', 'core', 'team', 'fixtures', 'analyst.ts');
const WRITERS = 4;

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

async function runWriters(folders: string[], perWriter: number): Promise<{ latencies: number[]; seconds: number }> {
  const ackAt = new Map<string, { at: number; writer: number }>();
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    folders.map(
      (dir, writer) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir, String(perWriter), String(WRITERS * perWriter)], { stdio: ['ignore', 'pipe', 'inherit'] });
          let buffer = '';
          child.stdout.on('data', (chunk: Buffer) => {
            const now = performance.now();
            buffer += chunk.toString('utf8');
            const lines = buffer.split('\n');
            buffer = lines.pop() ?? '';
            for (const line of lines) {
              const [word, opId] = line.split(' ');
              if (word === 'ack' && opId) ackAt.set(opId, { at: now, writer });
              const acked = opId ? ackAt.get(opId) : undefined;
              if (word === 'seen' && acked && acked.writer !== writer) latencies.push(now - acked.at);
            }
          });
          child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited with ${code}`))));
        }),
    ),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - start) / 1000 };
}

function report(name: string, perWriter: number, run: { latencies: number[]; seconds: number }): void {
  const total = WRITERS * perWriter;
  process.stdout.write(
    `${name.padEnd(22)} ${WRITERS} writers × ${perWriter}: close→cite p50 ${quantile(run.latencies, 0.5).toFixed(0)} ms, p95 ${quantile(run.latencies, 0.95).toFixed(0)} ms ` +
      `(${run.latencies.length} observations); ${(total / run.seconds).toFixed(0)} entries/s until all seen by all\n`,
  );
}

async function refreshCost(uri: string, storageOptions: Record<string, string>, sizes: number[]): Promise<void> {
  const store = await TeamStore.open(uri, storageOptions, true);
  let have = 0;
  const batch = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ opId: `op-${from + i}`, analyst: `analyst${(from + i) % WRITERS}`, kind: 'entry' as const, at: new Date().toISOString(), payload: JSON.stringify({ question: `question ${from + i} about a card payment that was declined`, answer: `answer ${from + i}` }) }));
  for (const size of sizes) {
    while (have < size) {
      const n = Math.min(10_000, size - have);
      await store.commit(batch(have, n));
      have += n;
    }
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let t = performance.now();
    const full = await store.pullSince(0);
    const fullMs = performance.now() - t;
    await store.commit(batch(have, 100));
    have += 100;
    t = performance.now();
    const inc = await store.pullSince(full.nextFragment);
    const incMs = performance.now() - t;
    delay.disable();
    process.stdout.write(
      `  ${String(size).padStart(7)} entries: full read ${fullMs.toFixed(0)} ms (${full.ops.length} rows), incremental read of 100 new ${incMs.toFixed(0)} ms (${inc.ops.length} rows); event loop p95 delay ${(delay.percentile(95) / 1e6).toFixed(1)} ms\n`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'per-writer': { type: 'string', default: '100' }, sizes: { type: 'string', default: '10000,100000,300000' } } });
  const perWriter = Number(values['per-writer']);
  const sizes = (values.sizes ?? '').split(',').map(Number);
  const root = await mkdtemp(join(tmpdir(), 'vigil-bench-team-'));
  try {
    // The single personal folder: one writer's durable local writes (what a decision's learning costs locally).
    const single = new Outbox(join(root, 'single'));
    let t = performance.now();
    for (let i = 0; i < WRITERS * perWriter; i++) await single.add('solo', 'entry', { question: `q${i}` });
    process.stdout.write(`single folder          1 writer: ${((WRITERS * perWriter) / ((performance.now() - t) / 1000)).toFixed(0)} durable local writes/s (no sharing: close→cite n/a)\n`);

    const shared = join(root, 'shared-store');
    await mkdir(shared);
    await TeamStore.open(shared, {}, true);
    const sharedFolders = await Promise.all(
      Array.from({ length: WRITERS }, async (_, i) => {
        const dir = join(root, `shared-${i}`);
        await mkdir(dir);
        await writeTeamConfig(dir, { version: 1, uri: shared, analyst: `analyst${i}`, joinedAt: new Date().toISOString() });
        return dir;
      }),
    );
    report('shared folder', perWriter, await runWriters(sharedFolders, perWriter));

    const missing = s3ServerMissing();
    let s3Options: Record<string, string> | null = null;
    const server = missing === null ? await startS3Server() : null;
    try {
      if (server !== null) {
        await server.createBucket('bench');
        const uri = 's3://bench/team';
        s3Options = { endpoint: server.endpoint, region: 'us-east-1', aws_access_key_id: 'k', aws_secret_access_key: 's', allow_http: 'true' };
        await TeamStore.open(uri, s3Options, true);
        const folders = await Promise.all(
          Array.from({ length: WRITERS }, async (_, i) => {
            const dir = join(root, `s3-${i}`);
            await mkdir(dir);
            const config = { version: 1 as const, uri, analyst: `analyst${i}`, joinedAt: new Date().toISOString(), endpoint: server.endpoint, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET, secretKeySecret: DEFAULT_SECRET_KEY_SECRET };
            await writeTeamConfig(dir, config);
            const secrets = new FileSecretStore(dir);
            await secrets.set(DEFAULT_ACCESS_KEY_SECRET, 'k');
            await secrets.set(DEFAULT_SECRET_KEY_SECRET, 's');
            return dir;
          }),
        );
        report('S3 stand-in (moto)', perWriter, await runWriters(folders, perWriter));
      } else {
        process.stdout.write(`S3 stand-in: skipped (${missing})\n`);
      }
      t = performance.now();
      process.stdout.write('cache refresh cost, shared folder:\n');
      await refreshCost(join(root, 'refresh-store'), {}, sizes);
      if (server !== null && s3Options !== null) {
        await server.createBucket('refresh');
        process.stdout.write('cache refresh cost, S3 stand-in:\n');
        await refreshCost('s3://refresh/team', s3Options, sizes);
      }
    } finally {
      await server?.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
