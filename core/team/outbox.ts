/**
 * The analyst's own team writes, durable on the local disk before anything leaves the machine: `team-outbox.jsonl`
 * in the data folder, one operation a line. `add` resolves once the line is fsynced — that is the acknowledgement —
 * so a crash (or SIGKILL) at any later point loses nothing: the operation is committed to the team store at the
 * next sync, and its opId makes the commit idempotent (teamStore.ts inserts only unseen opIds).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { appendDurable, writeFileAtomic } from '../formats/durableFile';
import { describeZodError } from '../formats/jsonl';

/** The outbox's file name inside the data folder. */
export const OUTBOX_FILE = 'team-outbox.jsonl';

/** What a team operation carries: a learned entry, a review decision, feedback on a suggestion, or an entry's edit. */
export const TEAM_OP_KINDS = ['entry', 'review', 'feedback', 'history'] as const;

/** One operation of one analyst, as stored in the outbox and in the team store's `ops` table. */
export const TeamOpSchema = z
  .object({
    opId: z.string().min(1),
    analyst: z.string().min(1),
    kind: z.enum(TEAM_OP_KINDS),
    at: z.string(),
    payload: z.string(),
  })
  .strict();

/** A team operation. `payload` is the operation's JSON, already redacted (redact-before-storage ran on it). */
export type TeamOp = z.output<typeof TeamOpSchema>;

/** The local durable outbox of one data folder. One writer per data folder (the folder lock); calls are serialised. */
export class Outbox {
  private readonly file: string;
  private pending: TeamOp[] | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = join(dataDir, OUTBOX_FILE);
  }

  /**
   * Builds an operation for `analyst` and appends it durably; resolves with it once it is on disk. `opId` is for
   * an operation that must be stored once however often it is made (a merge run again after a crash); by default
   * every operation is new.
   */
  add(analyst: string, kind: TeamOp['kind'], payload: unknown, now: Date = new Date(), opId: string = randomUUID()): Promise<TeamOp> {
    const op: TeamOp = { opId, analyst, kind, at: now.toISOString(), payload: JSON.stringify(payload) };
    return this.serial(async () => {
      const pending = await this.load();
      await appendDurable(this.file, `${JSON.stringify(op)}\n`);
      pending.push(op);
      return op;
    });
  }

  /** The operations not yet committed to the team store, oldest first. */
  list(): Promise<TeamOp[]> {
    return this.serial(async () => [...(await this.load())]);
  }

  /** Forgets the operations whose opIds were committed; the file is rewritten atomically with the rest. */
  markCommitted(opIds: ReadonlySet<string>): Promise<void> {
    return this.serial(async () => {
      const pending = await this.load();
      const rest = pending.filter((op) => !opIds.has(op.opId));
      if (rest.length === pending.length) return;
      await writeFileAtomic(this.file, rest.map((op) => `${JSON.stringify(op)}\n`).join(''));
      this.pending = rest;
    });
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Reads the outbox once. A last line cut short by a crash during its append was never acknowledged (its fsync
   * did not return), so it is dropped; any other bad line is an error naming it, since it may hold a write.
   */
  private async load(): Promise<TeamOp[]> {
    if (this.pending !== null) return this.pending;
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const lines = text.split('\n');
    const ops: TeamOp[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      const last = index === lines.length - 1; // no newline after it: the append never finished
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        if (last) return;
        throw new Error(`${this.file}, line ${index + 1}: not valid JSON. It holds a team write not yet sent; repair the line rather than delete the file.`);
      }
      const parsed = TeamOpSchema.safeParse(json);
      if (!parsed.success) {
        const { field, message } = describeZodError(parsed.error);
        throw new Error(`${this.file}, line ${index + 1}: ${field}: ${message}.`);
      }
      ops.push(parsed.data);
    });
    this.pending = ops;
    return ops;
  }
}
