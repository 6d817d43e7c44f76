/**
 * The team store: one LanceDB table, `ops`, at the team's URI (s3://bucket/prefix or a shared folder), holding
 * every analyst's operations. LanceDB commits a new table version by a conditional write (a PUT with If-None-Match
 * on S3, a link that fails if the manifest exists on a filesystem), so several analysts append at once without a
 * lock and without a replication protocol of our own: a writer that loses the race rebases and retries.
 *
 * Reads are incremental: appended rows land in new fragments, whose ids only grow, and a row's `_rowid` is
 * (fragment id << 32 | offset). The reader keeps the first fragment id it has not read and asks only for rows at or
 * above it. A compaction rewrites old rows into new fragments; they are read again and dropped by opId.
 */
import * as lancedb from '@lancedb/lancedb';
import { Field, Schema, Utf8 } from 'apache-arrow';
import { errorMessage } from '../formats/errorMessage';
import { TeamOpSchema, type TeamOp } from './outbox';

/** The table's name inside the team store. */
export const TEAM_OPS_TABLE = 'ops';

const OPS_SCHEMA = new Schema([
  new Field('opId', new Utf8(), false),
  new Field('analyst', new Utf8(), false),
  new Field('kind', new Utf8(), false),
  new Field('at', new Utf8(), false),
  new Field('payload', new Utf8(), false),
]);

/**
 * How many times a commit that lost to another writer is retried. LanceDB already retries a conflicting append
 * internally; this covers the merge-insert conflicts it reports instead (seen with 4 writers on one table).
 */
const COMMIT_ATTEMPTS = 8;

/** Rows read since a fragment cursor, and the cursor to read from next time. */
export interface PulledOps {
  ops: TeamOp[];
  nextFragment: number;
  version: number;
}

/** An open team store. */
export class TeamStore {
  private constructor(private readonly table: lancedb.Table) {}

  /**
   * Opens the team store at `uri`, creating its table when `create` (vigil team init). Two analysts creating it at
   * once is fine: the loser opens the winner's table.
   */
  static async open(uri: string, storageOptions: Record<string, string>, create: boolean): Promise<TeamStore> {
    // readConsistencyInterval 0: every read checks for a newer version (one manifest listing), since the point of
    // the store is to see the other analysts' commits.
    const db = await lancedb.connect(uri, { storageOptions, readConsistencyInterval: 0 });
    try {
      return new TeamStore(await db.openTable(TEAM_OPS_TABLE));
    } catch (err) {
      if (!create) throw new Error(`No team store at ${uri} (${errorMessage(err)}). Ask the admin for the URI, or create it with \`vigil team init\`.`);
    }
    try {
      return new TeamStore(await db.createEmptyTable(TEAM_OPS_TABLE, OPS_SCHEMA, { mode: 'create' }));
    } catch {
      return new TeamStore(await db.openTable(TEAM_OPS_TABLE));
    }
  }

  /** The newest version of the table. */
  async latestVersion(): Promise<number> {
    return this.table.version();
  }

  /**
   * Commits `ops`, inserting only the opIds the store does not hold yet: an outbox resent after a crash between the
   * commit and the outbox's update never duplicates an entry.
   */
  async commit(ops: readonly TeamOp[]): Promise<void> {
    if (ops.length === 0) return;
    // One row per opId in the batch too: a merge-insert inserts every unmatched source row, duplicates included
    // (an operation with a derived opId queued twice before a round, such as a merge run again).
    const unique = [...new Map(ops.map((op) => [op.opId, op])).values()];
    let lastError: unknown;
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      try {
        await this.table.mergeInsert('opId').whenNotMatchedInsertAll().execute(unique.map((op) => ({ ...op })));
        return;
      } catch (err) {
        lastError = err;
        if (!/conflict|retry/i.test(errorMessage(err))) throw err;
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * Math.random()));
      }
    }
    throw lastError;
  }

  /** The rows in fragments at or after `fromFragment`, with the cursor for the next read. */
  async pullSince(fromFragment: number): Promise<PulledOps> {
    const version = await this.table.version();
    const floor = BigInt(fromFragment) << 32n;
    const rows = await this.table.query().withRowId().where(`_rowid >= ${floor.toString()}`).toArray();
    let nextFragment = fromFragment;
    const ops: TeamOp[] = [];
    for (const row of rows as Array<Record<string, unknown>>) {
      const fragment = Number(BigInt(row['_rowid'] as bigint) >> 32n);
      if (fragment + 1 > nextFragment) nextFragment = fragment + 1;
      const parsed = TeamOpSchema.safeParse({ opId: row['opId'], analyst: row['analyst'], kind: row['kind'], at: row['at'], payload: row['payload'] });
      if (parsed.success) ops.push(parsed.data);
    }
    return { ops, nextFragment, version };
  }
}
