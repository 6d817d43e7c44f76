/**
 * The knowledge store's maintenance (LanceDB compaction and index refresh, core/knowledge/optimizeInChild.ts) in an
 * Electron utility process: a Node.js process of the app's own, started without ELECTRON_RUN_AS_NODE (which the
 * packaged app's fuses switch off), whose native memory goes away when it exits instead of staying in the main
 * process (BENCHMARKS.md, "the store at scale"). With MALLOC_ARENA_MAX in its environment, set by the caller, glibc
 * in that process keeps fewer arenas too: a new process reads it at start.
 */
import { utilityProcess } from 'electron';
import type { MaintenanceForker, MaintenanceProcess } from '../../core/knowledge/optimizeInChild';

/** Starts the store's maintenance worker as a utility process named in the OS's task manager. */
export function utilityProcessForker(fork: typeof utilityProcess.fork = (...args) => utilityProcess.fork(...args)): MaintenanceForker {
  return (script, args, env) => {
    // The worker reads its job from VIGIL_OPTIMIZE_JOB in `env`; a utility process's argv is laid out by Electron.
    const child = fork(script, [...args], { env, stdio: 'pipe', serviceName: 'Vigil knowledge maintenance' });
    const process: MaintenanceProcess = {
      get pid() {
        return child.pid;
      },
      stdout: child.stdout,
      stderr: child.stderr,
      on(event: 'exit' | 'error', listener: (...values: never[]) => void) {
        if (event === 'exit') child.on('exit', (code: number) => (listener as (code: number | null) => void)(code));
        // A utility process reports a fatal error as (type, location): made an Error naming both.
        else child.on('error', (type: string, location: string) => (listener as (error: Error) => void)(new Error(`the maintenance process failed: ${type} at ${location}`)));
        return process;
      },
    };
    return process;
  };
}
