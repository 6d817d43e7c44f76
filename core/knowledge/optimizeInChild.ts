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

/**
 * Where the worker script is: next to this module, when it runs from source (the `vigil` CLI, `vigil watch`,
 * tests). Null inside the Electron app: `fork` there starts the Electron binary as Node only through
 * ELECTRON_RUN_AS_NODE, which the packaged app's fuses switch off (electron-builder.yml), so a fork would start a
 * second Vigil instead; the app optimizes in process. Null too when the script is missing.
 */
function workerScript(): string | null {
  if (process.versions.electron) return null;
  const file = fileURLToPath(new URL('./optimizeWorker.mjs', import.meta.url));
  return existsSync(file) ? file : null;
}

/**
 * Optimizes `table` (stored under `lancedbDir`) in a child process and moves `table` to the resulting version.
 * Returns false, doing nothing, when the worker script is not available; throws what the child reported if it failed.
 */
export async function optimizeInChild(lancedbDir: string, table: lancedb.Table, cleanupOlderThan: Date): Promise<boolean> {
  const script = workerScript();
  if (!script) return false;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (process.platform === 'linux') env.MALLOC_ARENA_MAX ??= '2';
  let failure: unknown = null;
  try {
    await new Promise<void>((resolve, reject) => {
      // No inherited flags (--import tsx, --cpu-prof, --inspect): the worker is plain JavaScript.
      const child = fork(script, [lancedbDir, table.name, String(cleanupOlderThan.getTime())], {
        env,
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
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
