/**
 * One writing process per data folder. The store's write-ahead log and LanceDB commits assume a single writer:
 * two processes (the desktop app and a `vigil kb import`, say) flushing the same log could each truncate lines
 * the other had acknowledged. The lock is a file holding the owner's pid, host and process start time; a lock left
 * by a process that no longer runs on this host (a crash), or whose pid now belongs to a newer process, is taken
 * over.
 *
 * The lock appears whole or not at all: the owner is written to a temp file first, then `link()`ed into place,
 * which fails if the lock exists. (Creating the lock, then writing the pid, let a concurrent opener read it empty,
 * call it stale and take it over: a security review saw two holders in 2 of 12 rounds of 4 simultaneous openers.)
 * Removing a stale lock is done by one opener at a time, under a second lock (`writer.lock.breaking`), and only
 * if the file is still the one judged stale (same inode), so a lock just taken by another opener is never removed.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { renameDurable } from '../formats/durableFile';

const LOCK_FILE = 'writer.lock';
/** Held while a stale lock is removed, so no two openers remove (and one re-take) it at once. */
const BREAKER_FILE = 'writer.lock.breaking';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
  /** The owner's process start time (Linux: clock ticks after boot, /proc/PID/stat field 22); absent elsewhere. */
  start?: string;
}

/** A process's start time where the OS tells it (Linux), which tells a reused pid from its first owner. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, start time field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isRunning(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: exists, owned by someone else
  }
  const start = owner.start === undefined ? null : processStart(owner.pid);
  return start === null || start === owner.start; // a different start time: the pid was reused after a crash
}

/** The lock's owner and the file's identity, or null when there is no lock. Unreadable content has owner null. */
async function readLock(file: string): Promise<{ owner: LockOwner | null; ino: number } | null> {
  let ino: number;
  let text: string;
  try {
    ino = (await stat(file)).ino;
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return { owner: typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : null, ino };
  } catch {
    return { owner: null, ino }; // not a lock this code wrote (it writes whole files only): stale
  }
}

function alive(owner: LockOwner | null, me: LockOwner): owner is LockOwner {
  return owner !== null && (owner.host !== me.host || isRunning(owner));
}

/** Links a complete file holding `me` to `file`; false when `file` exists. */
async function linkInPlace(file: string, me: LockOwner): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify(me), { flag: 'wx' });
  try {
    await link(temp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Removes `file` only if it is still the file with inode `ino`: it is moved aside first (atomic), and put back if
 * it turned out to be another one.
 */
async function removeIfSame(file: string, ino: number): Promise<void> {
  const aside = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await renameDurable(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if ((await stat(aside)).ino !== ino) await link(aside, file).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Removes the lock if it is still the stale one read, holding the breaker lock meanwhile. */
async function breakStaleLock(dataDir: string, file: string, ino: number, me: LockOwner): Promise<void> {
  const breaker = join(dataDir, BREAKER_FILE);
  if (!(await linkInPlace(breaker, me))) {
    const other = await readLock(breaker);
    if (other !== null && !alive(other.owner, me)) await removeIfSame(breaker, other.ino); // it crashed while breaking
    return; // someone else is removing it: try again from the start
  }
  try {
    // Under the breaker nobody else removes the lock, and nobody can link a new one while the stale one is there.
    const current = await readLock(file);
    if (current !== null && current.ino === ino && !alive(current.owner, me)) await unlink(file).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

/** A held lock; `release()` removes it. */
export interface FolderLock {
  release(): Promise<void>;
}

/** How many times an opener tries again after finding a stale lock; each round removes it or finds it gone. */
const ATTEMPTS = 20;

/** Takes the data folder's writer lock, or explains who holds it and what to do. */
export async function lockDataFolder(dataDir: string): Promise<FolderLock> {
  const file = join(dataDir, LOCK_FILE);
  const start = processStart(process.pid);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString(), ...(start === null ? {} : { start }) };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await linkInPlace(file, me)) {
      const { ino } = await stat(file);
      return { release: () => removeIfSame(file, ino).catch(() => undefined) };
    }
    const lock = await readLock(file);
    if (lock === null) continue; // released meanwhile
    if (alive(lock.owner, me)) {
      const owner = lock.owner;
      throw new Error(
        `The data folder ${dataDir} is in use by another Vigil process (pid ${owner.pid} on ${owner.host}, since ${owner.since}). ` +
          `Close that Vigil window or command, or use another data folder. If no such process runs, delete ${file}.`,
      );
    }
    await breakStaleLock(dataDir, file, lock.ino, me);
    await new Promise((resolve) => setTimeout(resolve, attempt)); // let a concurrent breaker finish
  }
  throw new Error(`Could not take the lock ${file}: another process keeps re-creating it. Close other Vigil processes and try again.`);
}
