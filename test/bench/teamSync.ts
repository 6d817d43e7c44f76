/**
 * The team store with 4 writers (npm run bench:team): 4 analyst apps (test/core/team/fixtures/analyst.ts, a real
 * Workspace linked to the store) each learn from `--per-writer` closed tickets of their own, then decide on customer
 * messages while their caches take in the others' entries, on a shared folder and on an S3 stand-in on loopback
 * (moto where installed, else the Node stand-in; test/support/s3Server.ts; its label is printed). Prints, per store:
 *  - close → cite: from one analyst's `learnFromClosedTicket` returning (the change durable in its outbox) to each
 *    other analyst's local store holding the entry (its knowledge-changed event), p50/p95, timed in this process;
 *  - decision p50/p95 while the caches refresh (`assistOnMessage` in the same process as the refresh);
 *  - throughput: entries learned per second until every analyst holds every entry;
 * and the same app on a single personal folder in the same run (no store: its decision times are the baseline).
 * Then the cache refresh cost: a full read and an incremental read of 100 new operations on top of `--sizes`, with
 * the event loop's p95 delay during the read.
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
import { DEFAULT_ACCESS_KEY_SECRET, DEFAULT_SECRET_KEY_SECRET, writeTeamConfig } from '../../core/team/teamConfig';
import { TeamStore } from '../../core/team/teamStore';
import { s3ServerMissing, startS3Server } from '../support/s3Server';

const FIXTURE = join(import.meta.dirname, '..', 'core', 'team', 'fixtures', 'analyst.ts');
const WRITERS = 4;
/** The analysts' sync pace, as in test/core/team/teamSync.test.ts (the S3 stand-in is a single-threaded server). */
const SHARED_PACE_MS = 50;
const S3_PACE_MS = 300;

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

interface WritersRun {
  /** From one analyst's close (its `ack`) to each other analyst's cache holding the entry (its `got`), ms. */
  latencies: number[];
  /** Each decision's time while the caches refresh, ms. */
  decisions: number[];
  seconds: number;
}

/** Runs one analyst app per folder (the test fixture, a real workspace), learning `perWriter` closed tickets each. */
async function runWriters(folders: string[], perWriter: number, paceMs: number): Promise<WritersRun> {
  const ackAt = new Map<string, { at: number; writer: number }>();
  const latencies: number[] = [];
  const decisions: number[] = [];
  const start = performance.now();
  const names = folders.map((_, i) => `analyst${i}`);
  await Promise.all(
    folders.map(
      (dir, writer) =>
        new Promise<void>((resolve, reject) => {
          const others = folders.length > 1 ? names.filter((_, j) => j !== writer).join(',') : '';
          const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir, String(perWriter), String(folders.length > 1 ? perWriter : 0), others], {
            stdio: ['ignore', 'pipe', 'inherit'],
            env: { ...process.env, VIGIL_TEAM_SYNC_MS: String(paceMs), VIGIL_BENCH_DECISIONS: '1' },
          });
          let buffer = '';
          child.stdout.on('data', (chunk: Buffer) => {
            const now = performance.now();
            buffer += chunk.toString('utf8');
            const lines = buffer.split('\n');
            buffer = lines.pop() ?? '';
            for (const line of lines) {
              const [word, value] = line.split(' ');
              if (!value) continue;
              if (word === 'ack') ackAt.set(value, { at: now, writer });
              if (word === 'decision') decisions.push(Number(value));
              const acked = ackAt.get(value);
              if (word === 'got' && acked && acked.writer !== writer) latencies.push(now - acked.at);
            }
          });
          child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited with ${code}`))));
        }),
    ),
  );
  return { latencies: latencies.sort((a, b) => a - b), decisions: decisions.sort((a, b) => a - b), seconds: (performance.now() - start) / 1000 };
}

function report(name: string, writers: number, perWriter: number, run: WritersRun): void {
  const entries = writers * perWriter * 2; // each closed ticket teaches a case and a Q&A
  const cite = writers > 1 ? `close→cite p50 ${quantile(run.latencies, 0.5).toFixed(0)} ms, p95 ${quantile(run.latencies, 0.95).toFixed(0)} ms (${run.latencies.length} observations); ` : 'close→cite n/a; ';
  process.stdout.write(
    `${name.padEnd(22)} ${writers} writer(s) × ${perWriter} tickets: ${cite}decision p50 ${quantile(run.decisions, 0.5).toFixed(1)} ms, p95 ${quantile(run.decisions, 0.95).toFixed(1)} ms (${run.decisions.length} decisions${writers > 1 ? ' while the caches refresh' : ''}); ` +
      `${(entries / run.seconds).toFixed(1)} entries/s${writers > 1 ? ' until all seen by all' : ' learned'}\n`,
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
    // The single personal folder: the same app, learning the same tickets and deciding, with no team store.
    const single = join(root, 'single');
    await mkdir(single);
    report('single folder', 1, perWriter, await runWriters([single], perWriter, SHARED_PACE_MS));

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
    report('shared folder', WRITERS, perWriter, await runWriters(sharedFolders, perWriter, SHARED_PACE_MS));

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
        report(server.label, WRITERS, perWriter, await runWriters(folders, perWriter, S3_PACE_MS));
      } else {
        process.stdout.write(`S3 stand-in: skipped (${missing})\n`);
      }
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
