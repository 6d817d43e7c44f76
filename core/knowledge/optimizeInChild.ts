/**
 * Runs LanceDB's `optimize` (compaction, folding new rows into the indexes, pruning old versions) of one table in
 * a short-lived child process (optimizeWorker.mjs), so its native memory is returned to the system when the child
 * exits instead of staying in the app's process (glibc keeps freed arenas: BENCHMARKS.md, "the store at scale").
 *
 * LanceDB resolves concurrent commits optimistically, but compaction against a concurrent merge-insert can fail
 * with a retryable conflict; so the caller holds its commit queue while the child runs, and the child is the
 * table's only writer meanwhile. Reads go on in the parent, on the version it had (old files are kept for an
 * hour); afterwards the parent's table handle moves to the child's latest version.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type * as lancedb from '@lancedb/lancedb';

/** Niceness of the child (0 normal, 19 lowest): it yields the cores to the app's own work. */
const MAINTENANCE_NICENESS = 10;

/** A started maintenance process, as much of it as this module uses (a Node child or an Electron utility process). */
export interface MaintenanceProcess {
  readonly pid?: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  on(event: 'exit', listener: (code: number | null, signal?: NodeJS.Signals | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Starts `script` with `args` (also given as JSON in `VIGIL_OPTIMIZE_JOB` in `env`) as a process of its own. The
 * desktop app sets one that uses Electron's utility processes (electron/main/maintenanceProcess.ts): there,
 * `child_process.fork` would start the Electron binary as Node only through ELECTRON_RUN_AS_NODE, which the
 * packaged app's fuses switch off (electron-builder.yml), so it would start a second Vigil instead.
 */
export type MaintenanceForker = (script: string, args: readonly string[], env: NodeJS.ProcessEnv) => MaintenanceProcess;

let appForker: MaintenanceForker | null = null;

/** Sets (or, with null, clears) how maintenance processes are started inside an Electron app. */
export function useMaintenanceForker(forker: MaintenanceForker | null): void {
  appForker = forker;
}

const nodeForker: MaintenanceForker = (script, args, env) =>
  // No inherited flags (--import tsx, --cpu-prof, --inspect): the worker is plain JavaScript.
  fork(script, [...args], { env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });

/** How to start the worker here: Node's fork, or in Electron the app's forker (none set: optimize in process). */
function forker(): MaintenanceForker | null {
  return process.versions.electron ? appForker : nodeForker;
}

/**
 * Where the worker script is: next to this module when it runs from source (core/knowledge/: the CLI, tests), or
 * from the built app's bundle (out/main/index.js) at ../../core/knowledge/, which electron-builder.yml packs. Null
 * when it is not there: the caller optimizes in process.
 */
function workerScript(): string | null {
  for (const name of ['./optimizeWorker.mjs', '../../core/knowledge/optimizeWorker.mjs']) {
    const file = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Optimizes `table` (stored under `lancedbDir`) in a child process and moves `table` to the resulting version.
 * Returns false, doing nothing, when the worker script is not available; throws what the child reported if it failed.
 */
export async function optimizeInChild(lancedbDir: string, table: lancedb.Table, cleanupOlderThan: Date): Promise<boolean> {
  const start = forker();
  const script = workerScript();
  if (!start || !script) return false;
  const args = [lancedbDir, table.name, String(cleanupOlderThan.getTime())];
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_OPTIMIZE_JOB: JSON.stringify(args) };
  if (process.platform === 'linux') env.MALLOC_ARENA_MAX ??= '2';
  let failure: unknown = null;
  try {
    await new Promise<void>((resolve, reject) => {
      const child = start(script, args, env);
      // Background work: on a 2-core laptop the decisions being answered meanwhile come first.
      if (child.pid !== undefined) {
        try {
          setPriority(child.pid, MAINTENANCE_NICENESS);
        } catch {
          // not permitted here: it runs at normal priority
        }
      }
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      child.stdout?.resume();
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`Compacting the knowledge table ${table.name} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`));
      });
    });
  } catch (err) {
    failure = err;
  }
  try {
    await table.checkoutLatest(); // whatever the child committed, even before a later failure
  } catch (err) {
    failure ??= err;
  }
  if (failure) throw failure;
  return true;
}
