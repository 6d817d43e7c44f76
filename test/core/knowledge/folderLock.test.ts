/**
 * The data folder's writer lock under real contention: several processes open the same folder at the same moment,
 * with no lock there and with a stale lock left by a crashed process; exactly one may hold it each time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockDataFolder } from '../../../core/knowledge/folderLock';

const OPENERS = 6;
const ROUNDS = 6;

interface Opener {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with each line the child prints, in order. */
  next(): Promise<string>;
  exited: Promise<void>;
}

function startOpener(dir: string): Opener {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/core/knowledge/folderLockChild.ts', dir]);
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += String(chunk);
    for (let at = buffer.indexOf('\n'); at >= 0; at = buffer.indexOf('\n')) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    child,
    next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    exited,
  };
}

/** Starts the openers, lets them all try at once, and returns what each said. Holders release when it returns. */
async function race(dir: string): Promise<string[]> {
  const openers = Array.from({ length: OPENERS }, () => startOpener(dir));
  try {
    for (const o of openers) expect(await o.next()).toBe('ready');
    for (const o of openers) o.child.stdin.write('go\n');
    return await Promise.all(openers.map((o) => o.next()));
  } finally {
    for (const o of openers) o.child.stdin.end();
    await Promise.all(openers.map((o) => o.exited));
  }
}

describe('the data folder lock', () => {
  it(
    `is held by exactly one of ${OPENERS} processes opening the folder at once, round after round, with or without a crashed owner's lock`,
    async () => {
      const holdersPerRound: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const dir = await mkdtemp(join(tmpdir(), 'vigil-lock-race-'));
        if (round % 2 === 1) {
          // A lock left by a process that no longer exists (pid far above any live one): every opener may break it.
          await writeFile(join(dir, 'writer.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), since: '2026-01-01T00:00:00Z' }));
        }
        const said = await race(dir);
        holdersPerRound.push(said.filter((s) => s === 'held').length);
        for (const s of said.filter((line) => line !== 'held')) expect(s).toMatch(/^busy: The data folder .* is in use by another Vigil process \(pid \d+ on /);
        expect(await readdir(dir)).toEqual([]); // released, no temp files left
      }
      expect(holdersPerRound).toEqual(Array.from({ length: ROUNDS }, () => 1));
    },
    120_000,
  );

  it('never shows a half-written lock: the file holds its owner from the moment it exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-lock-'));
    const lock = await lockDataFolder(dir);
    const owner = JSON.parse(await readFile(join(dir, 'writer.lock'), 'utf8')) as { pid: number; host: string };
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it.skipIf(!existsSync('/proc/self/stat'))('takes over a lock whose pid now belongs to another process (the owner crashed and the pid was reused)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-lock-'));
    // This process's pid, but a start time it never had: what a lock from before a reboot or a pid wrap looks like.
    await writeFile(join(dir, 'writer.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z', start: '1' }));
    const lock = await lockDataFolder(dir);
    await lock.release();
  });
});
