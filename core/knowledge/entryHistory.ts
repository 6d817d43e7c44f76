/**
 * Every learned or reviewed entry's history: each change (created, merged with another ticket, approved,
 * edited, rejected, retired, restored, …) is a numbered version holding the whole entry as it was after the
 * change, who made it and why. Kept in `<data folder>/learn/history.jsonl`, append-only and fsynced, apart from
 * the knowledge store, so any version can be restored even after the store's copy changed.
 *
 * When an entry that has no history yet (an import, say) is changed for the first time, its state before the
 * change is recorded first as version 1 (`baseline`), so nothing that was stored is ever lost.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { AppendLog } from '../formats/appendLog';
import type { LineIssue } from '../formats/lineIssue';
import { EntrySchema } from '../formats/schemas';
import { ENTRY_STATUSES, ProvenanceSchema, type StoredEntry } from './storedEntry';

export const HISTORY_ACTIONS = [
  'baseline',
  'created',
  'merged',
  'approved',
  'edited',
  'rejected',
  'retired',
  'restored',
  'modified',
  // A delayed-review decision that changed nothing (keep, pending, a correction proposed beside it): the version
  // is the entry as it stands, the note says why.
  'reviewed',
] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

const StoredEntrySchema = z.intersection(
  EntrySchema,
  z.looseObject({ status: z.enum(ENTRY_STATUSES), provenance: ProvenanceSchema }),
);

export const HistoryRecordSchema = z.looseObject({
  entryId: z.string().min(1),
  version: z.number().int().positive(),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 time'),
  action: z.enum(HISTORY_ACTIONS),
  /** `policy:auto`, `policy:confidence`, `feedback:dismissals`, `review:delayed`, or the analyst's name. */
  actor: z.string().min(1),
  note: z.string().optional(),
  /** The version this one restored, for `restored`. */
  restoredFrom: z.number().int().positive().optional(),
  /** Set on a version that came from the team store (core/team/teamLink.ts): never shared back. */
  team: z.object({ opId: z.string().min(1), analyst: z.string().min(1) }).optional(),
  entry: StoredEntrySchema,
});

/** Marks a version received from the team store: the operation it came in and the analyst who made it. */
export interface TeamMark {
  opId: string;
  analyst: string;
}
export interface HistoryRecord {
  entryId: string;
  version: number;
  at: string;
  action: HistoryAction;
  actor: string;
  note?: string;
  restoredFrom?: number;
  team?: TeamMark;
  entry: StoredEntry;
}

export interface ChangeOptions {
  at?: string;
  note?: string;
  /** The stored entry being replaced; recorded as version 1 when the entry has no history yet. */
  before?: StoredEntry | null;
  restoredFrom?: number;
  team?: TeamMark;
}

export interface Change extends ChangeOptions {
  action: HistoryAction;
  entry: StoredEntry;
  actor: string;
}

export function historyPath(dataDir: string): string {
  return join(dataDir, 'learn', 'history.jsonl');
}

export class EntryHistory {
  private readonly byEntry = new Map<string, HistoryRecord[]>();
  private readonly listeners = new Set<(records: readonly HistoryRecord[]) => Promise<void>>();
  private log: AppendLog<HistoryRecord> | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    /** Lines of the history file that could not be read (file, line, field); the rest was loaded. */
    readonly issues: LineIssue[],
  ) {}

  /** Loads a data folder's history (an absent file is an empty history). */
  static async open(dataDir: string): Promise<EntryHistory> {
    const file = historyPath(dataDir);
    const history = new EntryHistory(file, []);
    for await (const { value } of AppendLog.read(file, HistoryRecordSchema, (issue) => history.issues.push(issue))) {
      history.index(value as HistoryRecord);
    }
    history.log = await AppendLog.open<HistoryRecord>(file);
    return history;
  }

  /** An entry's versions, oldest first. */
  versions(entryId: string): HistoryRecord[] {
    return [...(this.byEntry.get(entryId) ?? [])];
  }

  /** Every entry's versions (entry id → versions, oldest first). */
  all(): ReadonlyMap<string, readonly HistoryRecord[]> {
    return this.byEntry;
  }

  /**
   * Hears every batch of versions once it is on disk (baselines included), before `record` returns: the team store
   * link (core/team/teamLink.ts) puts them in its outbox then, so an acknowledged change is never left unshared by a
   * crash. A listener's failure is the listener's to report; it never undoes the recorded change. Returns the
   * unsubscribe function.
   */
  onRecorded(listener: (records: readonly HistoryRecord[]) => Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  version(entryId: string, version: number): HistoryRecord | null {
    return this.byEntry.get(entryId)?.find((r) => r.version === version) ?? null;
  }

  /**
   * Records a change: `entry` is the entry after it. `before` is the stored entry it replaces, recorded first as
   * a `baseline` version when the entry has no history yet.
   */
  async record(action: HistoryAction, entry: StoredEntry, actor: string, options: ChangeOptions = {}): Promise<HistoryRecord> {
    const [record] = await this.recordAll([{ action, entry, actor, ...options }]);
    return record as HistoryRecord;
  }

  /**
   * Records several changes with one write (one fsync), in order; the history changes only once it is on disk.
   * Calls run one at a time, so version numbers never collide.
   */
  recordAll(changes: readonly Change[]): Promise<HistoryRecord[]> {
    const run = this.tail.then(() => this.recordNow(changes));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async recordNow(changes: readonly Change[]): Promise<HistoryRecord[]> {
    if (!this.log) throw new Error(`The entry history (${this.file}) is closed; the change was not made.`);
    const lines: HistoryRecord[] = [];
    const records: HistoryRecord[] = [];
    const known = new Map<string, number>();
    const versionsOf = (id: string): number => known.get(id) ?? this.byEntry.get(id)?.length ?? 0;
    for (const change of changes) {
      const at = change.at ?? new Date().toISOString();
      const entry = change.entry;
      if (versionsOf(entry.id) === 0 && change.before) {
        lines.push({ entryId: entry.id, version: 1, at, action: 'baseline', actor: 'store', entry: change.before });
        known.set(entry.id, 1);
      }
      const record: HistoryRecord = {
        entryId: entry.id,
        version: versionsOf(entry.id) + 1,
        at,
        action: change.action,
        actor: change.actor,
        ...(change.note ? { note: change.note } : {}),
        ...(change.restoredFrom ? { restoredFrom: change.restoredFrom } : {}),
        ...(change.team ? { team: change.team } : {}),
        entry,
      };
      known.set(entry.id, record.version);
      lines.push(record);
      records.push(record);
    }
    if (lines.length === 0) return records;
    await this.log.append(...lines);
    for (const line of lines) this.index(line);
    for (const listener of this.listeners) await listener(lines);
    return records;
  }

  async close(): Promise<void> {
    await this.tail;
    const log = this.log;
    this.log = null;
    await log?.close();
  }

  private index(record: HistoryRecord): void {
    const list = this.byEntry.get(record.entryId) ?? [];
    list.push(record);
    this.byEntry.set(record.entryId, list);
  }
}
