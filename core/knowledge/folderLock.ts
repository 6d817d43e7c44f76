/**
 * One writing process per data folder. The store's write-ahead log and LanceDB commits assume a single writer:
 * two processes (the desktop app and a `vigil kb import`, say) flushing the same log could each truncate lines
 * the other had acknowledged. The lock is a file holding the owner's pid and host; a lock left by a process that
 * no longer runs on this host (a crash) is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const LOCK_FILE = 'writer.lock';

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function readOwner(file: string): Promise<LockOwner | null> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : null;
  } catch {
    return null; // unreadable or half-written by a crash: treat as stale
  }
}

/** A held lock; `release()` removes it. */
export interface FolderLock {
  release(): Promise<void>;
}

/** Takes the data folder's writer lock, or explains who holds it and what to do. */
export async function lockDataFolder(dataDir: string): Promise<FolderLock> {
  const file = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(file);
    const alive = owner !== null && (owner.host !== me.host || isRunning(owner.pid));
    if (alive && owner) {
      throw new Error(
        `The data folder ${dataDir} is in use by another Vigil process (pid ${owner.pid} on ${owner.host}, since ${owner.since}). ` +
          `Close that Vigil window or command, or use another data folder. If no such process runs, delete ${file}.`,
      );
    }
    await unlink(file).catch(() => undefined); // stale: its owner crashed
  }
  throw new Error(`Could not take the lock ${file}: another process keeps re-creating it. Close other Vigil processes and try again.`);
}
