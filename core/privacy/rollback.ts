/**
 * Store snapshots for rollback. Before a risky operation (re-indexing, a pack install, a bulk delete) the data
 * folder is tagged, so an administrator can return to that moment: `vigil store tag NAME`, `vigil store tags`,
 * `vigil store rollback NAME`.
 *
 * A snapshot is a LanceDB tag (`vigil-NAME`) on the current version of every table in `<dataDir>/lancedb`, plus a
 * copy of the small files that say which table is active, which embedder the team chose and what was not yet
 * committed (`meta.json`, `settings.json`, the write-ahead log `fresh-log*.jsonl`), in `<dataDir>/snapshots/NAME/`. It is written to a temporary folder and renamed into
 * place, so a crash never leaves a half-made snapshot that looks complete.
 *
 * Rolling back never destroys anything: the current state is first saved as a snapshot of its own
 * (`before-rollback-NAME-<time>`), then each table is restored to its tagged version as a new version (LanceDB's
 * `checkout` + `restore`), and the files are put back atomically. Rolling back to the safety snapshot undoes it.
 * An interrupted rollback is finished by running it again.
 *
 * LanceDB refuses to clean up a tagged version: `table.optimize()`, whose default removes versions older than
 * 7 days, fails while a tag is older than that. `cleanupCutoff` gives the cutoff that keeps every tagged version;
 * the store's compaction passes it (core/knowledge/versionCleanup.ts).
 */
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { z } from 'zod';
import { lockDataFolder } from '../knowledge/folderLock';
import { cleanupCutoff as cleanupCutoffMs } from '../knowledge/versionCleanup';
import type { AuditLog } from './auditLog';

/**
 * Files of the data folder that belong to a snapshot, next to the LanceDB tables: which table is active and which
 * embedder wrote it (`meta.json`), what was not yet committed (`fresh-log.jsonl`), and the chosen embedder
 * (`settings.json`, written by `vigil models use`), so rolling back a re-index also returns to the old model.
 */
const SNAPSHOT_FILES = ['meta.json', 'settings.json'] as const;
/** The write-ahead log: the live file and the numbered segments a commit in progress moved aside. */
const LOG_FILES = /^fresh-log(\.\d+)?\.jsonl$/;

/** The data folder's files that a snapshot copies: the fixed ones that exist, and every write-ahead log file. */
async function snapshotFiles(dataDir: string): Promise<string[]> {
  const present = new Set(await readdir(dataDir));
  return [...SNAPSHOT_FILES.filter((f) => present.has(f)), ...[...present].filter((f) => LOG_FILES.test(f)).sort()];
}
const TAG_PREFIX = 'vigil-';
const SNAPSHOTS = 'snapshots';
const MANIFEST = 'snapshot.json';

const SnapshotSchema = z.object({
  format: z.literal(1),
  name: z.string(),
  createdAt: z.string(),
  reason: z.string(),
  /** Table name → the version that was tagged. */
  tables: z.record(z.string(), z.number().int()),
  /** The snapshot files that existed (the others did not). */
  files: z.array(z.string()),
});
export type StoreSnapshot = z.infer<typeof SnapshotSchema>;

export interface SnapshotOptions {
  /** Why: shown by `vigil store tags` ("before re-index to bge-small", "before pack install netops@3"). */
  reason?: string;
  /** The caller already holds the data folder's writer lock (the open store, before its own risky operation). */
  lockHeld?: boolean;
  /** Where to record the administrative action. */
  audit?: AuditLog;
}

/** Snapshot names: letters, digits, `.`, `_`, `-`; up to 64 characters; they name a folder and a tag. */
export function checkSnapshotName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name) || name.includes('..')) {
    throw new Error(`"${name}" cannot name a snapshot: use letters, digits, ".", "_" and "-" (up to 64, starting with a letter or digit).`);
  }
  return name;
}

async function withLock<T>(dataDir: string, lockHeld: boolean | undefined, run: () => Promise<T>): Promise<T> {
  if (lockHeld) return run();
  const lock = await lockDataFolder(dataDir);
  try {
    return await run();
  } finally {
    await lock.release();
  }
}

async function withDb<T>(dataDir: string, run: (db: lancedb.Connection) => Promise<T>): Promise<T> {
  const db = await lancedb.connect(join(dataDir, 'lancedb'));
  try {
    return await run(db);
  } finally {
    db.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `target` with a copy of `source` in one step (copy beside it, fsync, rename). */
async function replaceAtomically(source: string, target: string): Promise<void> {
  await copyFile(source, `${target}.rollback-tmp`);
  await fsyncPath(`${target}.rollback-tmp`);
  await rename(`${target}.rollback-tmp`, target);
}

async function takeSnapshot(dataDir: string, name: string, reason: string): Promise<StoreSnapshot> {
  const folder = join(dataDir, SNAPSHOTS, name);
  if (await exists(folder)) throw new Error(`A snapshot named "${name}" already exists in ${dataDir}. Choose another name (see \`vigil store tags\`).`);
  const tables: Record<string, number> = {};
  await withDb(dataDir, async (db) => {
    for (const tableName of await db.tableNames()) {
      const table = await db.openTable(tableName);
      try {
        const version = await table.version();
        const tags = await table.tags();
        // A tag left by a crash between tagging and the rename below is moved, not an error.
        const existing = await tags.list();
        if (`${TAG_PREFIX}${name}` in existing) await tags.update(`${TAG_PREFIX}${name}`, version);
        else await tags.create(`${TAG_PREFIX}${name}`, version);
        tables[tableName] = version;
      } finally {
        table.close();
      }
    }
  });
  const partial = join(dataDir, SNAPSHOTS, `.${name}.partial`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  for (const file of await snapshotFiles(dataDir)) {
    await copyFile(join(dataDir, file), join(partial, file));
    await fsyncPath(join(partial, file));
    files.push(file);
  }
  const snapshot: StoreSnapshot = { format: 1, name, createdAt: new Date().toISOString(), reason, tables, files };
  const handle = await open(join(partial, MANIFEST), 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(snapshot, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(partial, folder); // the moment the snapshot exists
  await fsyncPath(join(dataDir, SNAPSHOTS));
  return snapshot;
}

/** Tags the store's current state as `name`. */
export async function createSnapshot(dataDir: string, name: string, options: SnapshotOptions = {}): Promise<StoreSnapshot> {
  checkSnapshotName(name);
  const snapshot = await withLock(dataDir, options.lockHeld, () => takeSnapshot(dataDir, name, options.reason ?? ''));
  await options.audit?.append({ type: 'admin', action: 'store_tag', detail: { name, reason: snapshot.reason, tables: Object.keys(snapshot.tables).length } });
  return snapshot;
}

/** Reads one snapshot's description, or explains why it cannot. */
export async function readSnapshot(dataDir: string, name: string): Promise<StoreSnapshot> {
  checkSnapshotName(name);
  const file = join(dataDir, SNAPSHOTS, name, MANIFEST);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new Error(`There is no snapshot named "${name}" in ${dataDir}. \`vigil store tags\` lists the snapshots.`);
  }
  const parsed = SnapshotSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is damaged (${parsed.error.issues[0]?.message ?? 'invalid'}); this snapshot cannot be used.`);
  return parsed.data;
}

/** Every snapshot of the data folder, oldest first. */
export async function listSnapshots(dataDir: string): Promise<StoreSnapshot[]> {
  let names: string[];
  try {
    names = await readdir(join(dataDir, SNAPSHOTS));
  } catch {
    return [];
  }
  const snapshots: StoreSnapshot[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue; // a snapshot a crash left unfinished
    try {
      snapshots.push(await readSnapshot(dataDir, name));
    } catch {
      // listed by name only when readable; `vigil store rollback NAME` explains a damaged one
    }
  }
  return snapshots.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export interface RollbackResult {
  restored: StoreSnapshot;
  /** The state before the rollback, saved first: roll back to it to undo. */
  safety: StoreSnapshot;
}

/** Returns the store to snapshot `name`, after saving the current state as a safety snapshot. */
export async function rollbackToSnapshot(dataDir: string, name: string, options: Omit<SnapshotOptions, 'reason'> = {}): Promise<RollbackResult> {
  const snapshot = await readSnapshot(dataDir, name);
  const result = await withLock(dataDir, options.lockHeld, async () => {
    // Check first, change nothing until every table can be restored.
    await withDb(dataDir, async (db) => {
      const present = new Set(await db.tableNames());
      for (const tableName of Object.keys(snapshot.tables)) {
        if (!present.has(tableName)) {
          throw new Error(`Snapshot "${name}" needs table ${tableName}, which was deleted since; nothing was changed.`);
        }
        const table = await db.openTable(tableName);
        try {
          await (await table.tags()).getVersion(`${TAG_PREFIX}${name}`);
        } catch {
          throw new Error(`Table ${tableName} no longer has the tag ${TAG_PREFIX}${name} (deleted by hand?); nothing was changed.`);
        } finally {
          table.close();
        }
      }
    });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const safety = await takeSnapshot(dataDir, `before-rollback-${name}-${stamp}`.slice(0, 64), `automatic, before rolling back to ${name}`);
    await withDb(dataDir, async (db) => {
      for (const tableName of Object.keys(snapshot.tables)) {
        const table = await db.openTable(tableName);
        try {
          await table.checkout(`${TAG_PREFIX}${name}`);
          await table.restore(); // a new version with the tagged content; later versions stay (and are tagged)
        } finally {
          table.close();
        }
      }
    });
    const folder = join(dataDir, SNAPSHOTS, name);
    for (const file of new Set([...(await snapshotFiles(dataDir)), ...snapshot.files])) {
      if (snapshot.files.includes(file)) await replaceAtomically(join(folder, file), join(dataDir, file));
      else await rm(join(dataDir, file), { force: true }); // it did not exist then; its content is in the safety snapshot
    }
    return { restored: snapshot, safety };
  });
  await options.audit?.append({ type: 'admin', action: 'store_rollback', detail: { name, safety: result.safety.name } });
  return result;
}

/** Deletes a snapshot: its tags (letting LanceDB clean those versions up) and its folder. */
export async function deleteSnapshot(dataDir: string, name: string, options: Omit<SnapshotOptions, 'reason'> = {}): Promise<void> {
  const snapshot = await readSnapshot(dataDir, name);
  await withLock(dataDir, options.lockHeld, async () => {
    await withDb(dataDir, async (db) => {
      const present = new Set(await db.tableNames());
      for (const tableName of Object.keys(snapshot.tables)) {
        if (!present.has(tableName)) continue;
        const table = await db.openTable(tableName);
        try {
          const tags = await table.tags();
          if (`${TAG_PREFIX}${name}` in (await tags.list())) await tags.delete(`${TAG_PREFIX}${name}`);
        } finally {
          table.close();
        }
      }
    });
    await rm(join(dataDir, SNAPSHOTS, name), { recursive: true, force: true });
  });
  await options.audit?.append({ type: 'admin', action: 'store_tag_deleted', detail: { name } });
}

/**
 * The `cleanupOlderThan` to pass to `table.optimize()` so that it keeps every tagged version: LanceDB's default
 * (7 days) unless a tag points at an older version, then just before that version.
 */
export function cleanupCutoff(table: lancedb.Table, keepDays = 7): Promise<Date> {
  return cleanupCutoffMs(table, keepDays * 24 * 3600 * 1000);
}
