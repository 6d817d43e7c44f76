#!/usr/bin/env node
// The `vigil` command: loads the TypeScript CLI through tsx, so it runs the same from a clone and when installed.
import { spawn } from 'node:child_process';

// On Linux, glibc gives each thread that allocates its own malloc arena and keeps what LanceDB's native threads
// free in them: a 300k-entry knowledge base held hundreds of MB more than it used (BENCHMARKS.md, "the store at
// scale"). Two arenas keep that bounded, and serving blocks of 128 KiB and more from mmap returns the buffers of a
// bulk import's writes to the system when they are freed (a 300k import peaked at 545-556 MB instead of 681-703).
// glibc reads these settings only at start-up, so the command re-runs itself once with them set (unless the user
// set MALLOC_ARENA_MAX, or VIGIL_NO_ARENA_LIMIT=1 asks not to).
if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined && process.env.VIGIL_NO_ARENA_LIMIT !== '1') {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { MALLOC_MMAP_THRESHOLD_: '131072', ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  // Ctrl-C reaches the child itself (same process group), so the parent ignores it rather than passing it twice;
  // a SIGTERM or SIGHUP sent to this process alone is passed on. The parent then exits as the child did.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (err) => {
    console.error(`vigil: could not start (${err.message}).`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  // A reader that stops early (`vigil kb search --json | head`) closes the pipe: the rest of the output has nowhere
  // to go, which is not an error. Writes are dropped from then on and the command finishes its work normally.
  process.stdout.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./vigil.ts');
  process.exitCode = await main(process.argv.slice(2));
}
