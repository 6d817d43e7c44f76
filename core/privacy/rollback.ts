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
 * A snapshot also keeps what a later operation would delete outright, so a rollback can bring it back: each table's
 * folder (`snapshots/NAME/lancedb/`: a finished re-index drops the old table when the store closes) and the installed
 * packs (`snapshots/NAME/packs/`: `installed.json` and each installed version's folder, which an upgrade deletes).
 * LanceDB's data, index, manifest and transaction files are never changed once written, so they are hard links, not
 * copies (a snapshot holds on to the files its tables had, until it is deleted); the small files that change are copied.
 *
 * Automatic snapshots (`createAutomaticSnapshot`) are taken by the engine before a re-index, a pack install and a
 * bulk delete. Only the last `AUTOMATIC_SNAPSHOTS_KEPT` of them are kept; snapshots made by hand are never deleted.
 *
 * LanceDB refuses to clean up a tagged version: `table.optimize()`, whose default removes versions older than
 * 7 days, fails while a tag is older than that. `cleanupCutoff` gives the cutoff that keeps every tagged version;
 * the store's compaction passes it (core/knowledge/versionCleanup.ts).
 */
import { copyFile, link, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { z } from 'zod';
import { renameDurable } from '../formats/durableFile';
import { tableNameFor } from '../knowledge/entryTable';
import { lockDataFolder } from '../knowledge/folderLock';
import { readMeta } from '../knowledge/storeMeta';
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
  /** Taken by the engine before a risky operation; only the last few are kept. Absent: made by hand. */
  automatic: z.boolean().optional(),
  /** Whether the tables' folders were kept beside the tags (snapshots made before that was done lack them). */
  tablesKept: z.boolean().optional(),
  /** The installed packs' index and folders kept (`packs/`): the folder names, or absent when none were installed. */
  packs: z.array(z.string()).optional(),
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
  await renameDurable(`${target}.rollback-tmp`, target);
}

/** Files LanceDB never changes once written: linked into a snapshot, not copied. */
const IMMUTABLE = /\.(lance|manifest|txn|arrow|bin)$/;
/** Files never copied into a snapshot: a pack folder's writer lock belongs to the process that holds it. */
const NEVER_KEPT = new Set(['writer.lock']);

/**
 * Copies the folder `source` to `target`: immutable LanceDB files as hard links (a copy where links are not
 * possible: another file system, a file system without them), everything else as a copy.
 */
async function keepTree(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true, mode: 0o700 });
  for (const item of await readdir(source, { withFileTypes: true })) {
    if (NEVER_KEPT.has(item.name)) continue;
    const from = join(source, item.name);
    const to = join(target, item.name);
    if (item.isDirectory()) await keepTree(from, to);
    else if (item.isFile()) {
      if (IMMUTABLE.test(item.name)) {
        try {
          await link(from, to);
          continue;
        } catch {
          // fall through to a copy
        }
      }
      await copyFile(from, to);
    }
  }
}

const PACKS = 'packs';
const PACK_INDEX = 'installed.json';

/** The folders `packs/installed.json` names (pack folder names only, as the pack library writes them). */
async function installedPackFolders(dataDir: string): Promise<string[] | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, PACKS, PACK_INDEX), 'utf8');
  } catch {
    return null;
  }
  const parsed = z.object({ packs: z.array(z.object({ dir: z.string().regex(/^[a-z0-9][a-z0-9._-]*@[0-9.]+\.[0-9a-f]{8}$/) })) }).safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(dataDir, PACKS, PACK_INDEX)} is damaged; the installed packs cannot be kept in a snapshot. Repair or remove it first.`);
  return parsed.data.packs.map((p) => p.dir);
}

async function takeSnapshot(dataDir: string, name: string, reason: string, automatic = false): Promise<StoreSnapshot> {
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
  // The tables' folders (tags included: they were made above), so a table dropped later can come back.
  for (const tableName of Object.keys(tables)) {
    await keepTree(join(dataDir, 'lancedb', `${tableName}.lance`), join(partial, 'lancedb', `${tableName}.lance`));
  }
  const packDirs = await installedPackFolders(dataDir);
  if (packDirs) {
    await mkdir(join(partial, PACKS), { mode: 0o700 });
    await copyFile(join(dataDir, PACKS, PACK_INDEX), join(partial, PACKS, PACK_INDEX));
    for (const dir of packDirs) {
      if (await exists(join(dataDir, PACKS, dir))) await keepTree(join(dataDir, PACKS, dir), join(partial, PACKS, dir));
    }
  }
  const snapshot: StoreSnapshot = {
    format: 1,
    name,
    createdAt: new Date().toISOString(),
    reason,
    tables,
    files,
    tablesKept: true,
    ...(automatic ? { automatic: true } : {}),
    ...(packDirs ? { packs: packDirs } : {}),
  };
  const handle = await open(join(partial, MANIFEST), 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(snapshot, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await renameDurable(partial, folder); // the moment the snapshot exists
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
    // A table dropped since (the old table of a finished re-index) comes back from the snapshot's copy of it.
    const kept = join(dataDir, SNAPSHOTS, name, 'lancedb');
    for (const tableName of Object.keys(snapshot.tables)) {
      const live = join(dataDir, 'lancedb', `${tableName}.lance`);
      if (snapshot.tablesKept && !(await exists(live)) && (await exists(join(kept, `${tableName}.lance`)))) {
        await keepTree(join(kept, `${tableName}.lance`), `${live}.rollback-tmp`);
        await renameDurable(`${live}.rollback-tmp`, live);
      }
    }
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
    if (snapshot.tablesKept) {
      // The installed packs as they were: their folders first (an upgrade deleted the old one), then the index that
      // names them, in one step. Folders of later versions are left to the pack library, which deletes unnamed ones
      // at its next open; the safety snapshot keeps them.
      for (const dir of snapshot.packs ?? []) {
        const live = join(dataDir, PACKS, dir);
        if (!(await exists(live)) && (await exists(join(folder, PACKS, dir)))) {
          await keepTree(join(folder, PACKS, dir), `${live}.rollback-tmp`);
          await renameDurable(`${live}.rollback-tmp`, live);
        }
      }
      if (snapshot.packs) await replaceAtomically(join(folder, PACKS, PACK_INDEX), join(dataDir, PACKS, PACK_INDEX));
      else await rm(join(dataDir, PACKS, PACK_INDEX), { force: true });
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

/** Automatic snapshots kept: the last five risky operations can be undone; older ones are deleted. */
export const AUTOMATIC_SNAPSHOTS_KEPT = 5;

/** What the engine is about to do, for the automatic snapshot's name. */
export type RiskyOperation = 'reindex' | 'pack-install' | 'bulk-delete';

export interface AutomaticSnapshotOptions extends Omit<SnapshotOptions, 'reason'> {
  /** How many automatic snapshots to keep (default AUTOMATIC_SNAPSHOTS_KEPT). */
  keep?: number;
}

/**
 * Tags the store before a risky operation (`auto-<time>-<operation>`), with `reason` in words ("before re-index to
 * bge-small", "before installing pack netops 1.2.0", "before deleting 12 entries"), then deletes the automatic
 * snapshots beyond the last `keep`. Snapshots made by hand are never deleted.
 */
export async function createAutomaticSnapshot(dataDir: string, operation: RiskyOperation, reason: string, options: AutomaticSnapshotOptions = {}): Promise<StoreSnapshot> {
  const keep = Math.max(1, options.keep ?? AUTOMATIC_SNAPSHOTS_KEPT);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('.', '');
  const { snapshot, removed } = await withLock(dataDir, options.lockHeld, async () => {
    let name = checkSnapshotName(`auto-${stamp}-${operation}`);
    for (let n = 2; await exists(join(dataDir, SNAPSHOTS, name)); n++) name = `auto-${stamp}-${operation}-${n}`;
    const taken = await takeSnapshot(dataDir, name, reason, true);
    const automatic = (await listSnapshots(dataDir)).filter((s) => s.automatic);
    const old = automatic.slice(0, Math.max(0, automatic.length - keep));
    for (const s of old) await deleteSnapshot(dataDir, s.name, { lockHeld: true });
    return { snapshot: taken, removed: old.map((s) => s.name) };
  });
  await options.audit?.append({
    type: 'admin',
    action: 'store_tag',
    detail: { name: snapshot.name, reason, automatic: true, tables: Object.keys(snapshot.tables).length, ...(removed.length ? { removedOldest: removed.join(' ') } : {}) },
  });
  return snapshot;
}

/**
 * Before the store is opened with `embedderId`: if that starts a re-index (the folder's active table was written by
 * another embedder), tags the store first, so the re-index can be rolled back, old model and index included. A
 * re-index interrupted and started again does not take a second snapshot. Returns the snapshot, or null when no
 * re-index is coming. Takes the writer lock for a moment: call it before the store is opened.
 */
export async function snapshotBeforeReindex(dataDir: string, embedderId: string, options: AutomaticSnapshotOptions = {}): Promise<StoreSnapshot | null> {
  const meta = await readMeta(dataDir);
  if (!meta || meta.activeTable === tableNameFor(embedderId)) return null;
  if (!(await exists(join(dataDir, 'lancedb', `${meta.activeTable}.lance`)))) return null; // nothing to re-index from
  const reason = `before re-index to ${embedderId}`;
  const latest = (await listSnapshots(dataDir)).filter((s) => s.automatic).at(-1);
  if (latest?.reason === reason && latest.tables[meta.activeTable] !== undefined) return null; // the same re-index, restarted
  return createAutomaticSnapshot(dataDir, 'reindex', reason, options);
}
