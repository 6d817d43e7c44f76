/**
 * `vigil store tag|tags|rollback|untag`: snapshots of the data folder's knowledge store, for an administrator to
 * return to the moment before a risky operation (core/privacy/rollback.ts). These take the folder's writer lock,
 * so the desktop app must be closed; every change is recorded in the audit log.
 */
import { parseArgs } from 'node:util';
import { appDataDir } from '../formats/dataDir';
import { lockDataFolder } from '../knowledge/folderLock';
import { AuditLog } from '../privacy/auditLog';
import { createSnapshot, deleteSnapshot, listSnapshots, rollbackToSnapshot } from '../privacy/rollback';
import { usageMessage } from './usage';

export const STORE_USAGE = `  vigil store tag NAME [--reason TEXT] [--data-dir DIR]
  vigil store tags [--data-dir DIR]
  vigil store rollback NAME [--data-dir DIR]
  vigil store untag NAME [--data-dir DIR]`;

type Out = { log: (line: string) => void; error: (line: string) => void };

class StoreUsageError extends Error {}

async function asAdmin<T>(dataDir: string, run: (audit: AuditLog) => Promise<T>): Promise<T> {
  const lock = await lockDataFolder(dataDir);
  try {
    const audit = await AuditLog.open(dataDir);
    try {
      return await run(audit);
    } finally {
      await audit.close();
    }
  } finally {
    await lock.release();
  }
}

/** Runs `vigil store …` and returns the exit code. */
export async function storeCommand(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { reason: { type: 'string' }, 'data-dir': { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const dataDir = values['data-dir'] ?? appDataDir();
    const name = positionals[0];
    if (sub === 'tags') {
      const snapshots = await listSnapshots(dataDir);
      if (snapshots.length === 0) out.log('no snapshots');
      for (const s of snapshots) {
        out.log(`${s.name}  ${s.createdAt}  ${Object.keys(s.tables).length} table(s)${s.automatic ? '  automatic' : ''}${s.reason ? `  ${s.reason}` : ''}`);
      }
      // LanceDB's default compaction cleans versions older than 7 days and fails on a tagged one (docs/privacy.md).
      const old = snapshots.filter((s) => Date.now() - Date.parse(s.createdAt) > 6 * 24 * 3600 * 1000);
      if (old.length > 0) {
        out.error(`${old.length} snapshot(s) are about a week old or older; keep them only as long as you need them (\`vigil store untag NAME\`), as tagged versions are never cleaned up.`);
      }
      return 0;
    }
    if (sub !== 'tag' && sub !== 'rollback' && sub !== 'untag') {
      throw new StoreUsageError(`unknown store command "${sub ?? ''}" (use tag, tags, rollback or untag)`);
    }
    if (!name || positionals.length > 1) throw new StoreUsageError(`store ${sub} needs one snapshot NAME`);
    if (sub === 'tag') {
      const s = await asAdmin(dataDir, (audit) => createSnapshot(dataDir, name, { reason: values.reason ?? 'tagged by hand', audit, lockHeld: true }));
      out.log(`tagged the store as "${s.name}" (${Object.keys(s.tables).length} table(s)); undo later with \`vigil store rollback ${s.name}\``);
      return 0;
    }
    if (sub === 'rollback') {
      const r = await asAdmin(dataDir, (audit) => rollbackToSnapshot(dataDir, name, { audit, lockHeld: true }));
      out.log(`rolled the store back to "${r.restored.name}" (${r.restored.createdAt})`);
      out.log(`the state before the rollback is kept as "${r.safety.name}": \`vigil store rollback ${r.safety.name}\` undoes this`);
      return 0;
    }
    await asAdmin(dataDir, (audit) => deleteSnapshot(dataDir, name, { audit, lockHeld: true }));
    out.log(`deleted snapshot "${name}"; LanceDB may now clean up its versions`);
    return 0;
  } catch (error) {
    if (error instanceof StoreUsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error(usageMessage('vigil store', (error as Error).message));
      return 2;
    }
    throw error;
  }
}
