/**
 * What the watcher remembers per connector, in `<data folder>/watch/<connector id>/`:
 *
 * - `state.json`: the cursor of the last page whose events were all committed, and when that was. Replaced
 *   atomically (write, fsync, rename), so a crash leaves the previous cursor or the new one.
 * - `delivered.jsonl`: the ids of events already delivered, one JSON string per line, fsynced before the cursor
 *   moves. A torn last line (a crash mid-append) was never acknowledged and is ignored. Only the newest
 *   `DEDUPE_WINDOW` ids are kept, in memory and (after compaction) on disk, so memory stays bounded.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { appendDurable, writeFileAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { connectorStateDir } from '../connectors/connector';
import { describeZodError } from '../formats/jsonl';

/**
 * Event ids remembered per connector. Duplicates come from overlapping pages and re-sent items, which are at most
 * a few pages apart; 50,000 covers several full bursts of the largest page while costing a few MB.
 */
export const DEDUPE_WINDOW = 50_000;

const StateSchema = z.object({
  format: z.literal(1),
  connectorId: z.string(),
  cursor: z.string().nullable(),
  lastSyncAt: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  delivered: z.number().int().min(0),
});
export type SyncStateData = z.infer<typeof StateSchema>;

async function readIds(file: string): Promise<string[]> {
  const ids: string[] = [];
  let input;
  try {
    input = createReadStream(file, { encoding: 'utf8' });
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (!line) continue;
      try {
        const id: unknown = JSON.parse(line);
        if (typeof id === 'string') ids.push(id);
      } catch {
        // a torn last line from a crash mid-append: that append was never acknowledged
      }
      if (ids.length > 2 * DEDUPE_WINDOW) ids.splice(0, ids.length - DEDUPE_WINDOW);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    input?.destroy();
  }
  return ids.slice(-DEDUPE_WINDOW);
}

/** One connector's durable sync state. Not safe for two processes at once: the data folder's lock guards it. */
export class SyncState {
  private readonly delivered = new Set<string>();
  private linesOnDisk = 0;

  private constructor(
    readonly dir: string,
    private data: SyncStateData,
  ) {}

  static async open(dataDir: string, connectorId: string): Promise<SyncState> {
    const dir = connectorStateDir(dataDir, connectorId);
    const file = join(dir, 'state.json');
    let data: SyncStateData = { format: 1, connectorId, cursor: null, lastSyncAt: null, lastEventAt: null, delivered: 0 };
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (text !== null) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error(`${file}: not valid JSON (${errorMessage(err)}). Restore it from a backup, or delete it to sync ${connectorId} again from the start.`);
      }
      const result = StateSchema.safeParse(parsed);
      if (!result.success) {
        const { field, message } = describeZodError(result.error);
        throw new Error(`${file}: ${field}: ${message}. Restore it from a backup, or delete it to sync ${connectorId} again from the start.`);
      }
      data = result.data;
    }
    const state = new SyncState(dir, data);
    const ids = await readIds(state.ledgerFile);
    for (const id of ids) state.delivered.add(id);
    state.linesOnDisk = ids.length;
    return state;
  }

  get cursor(): string | null {
    return this.data.cursor;
  }

  get snapshot(): Readonly<SyncStateData> {
    return this.data;
  }

  /** How many event ids are remembered for de-duplication (at most `DEDUPE_WINDOW`). */
  get rememberedIds(): number {
    return this.delivered.size;
  }

  private get ledgerFile(): string {
    return join(this.dir, 'delivered.jsonl');
  }

  hasDelivered(eventId: string): boolean {
    return this.delivered.has(eventId);
  }

  /** Records delivered event ids durably. Call only after the sink committed their effects. */
  async recordDelivered(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await appendDurable(this.ledgerFile, ids.map((id) => `${JSON.stringify(id)}\n`).join(''));
    this.linesOnDisk += ids.length;
    for (const id of ids) this.delivered.add(id);
    while (this.delivered.size > DEDUPE_WINDOW) {
      const oldest = this.delivered.values().next().value as string;
      this.delivered.delete(oldest);
    }
    if (this.linesOnDisk > 2 * DEDUPE_WINDOW) {
      await writeFileAtomic(this.ledgerFile, [...this.delivered].map((id) => `${JSON.stringify(id)}\n`).join(''));
      this.linesOnDisk = this.delivered.size;
    }
  }

  /** Stores the cursor after a page's events are committed (and recorded with `recordDelivered`). */
  async commit(cursor: string | null, info: { syncedAt: string; lastEventAt: string | null; delivered: number }): Promise<void> {
    const next: SyncStateData = {
      ...this.data,
      cursor,
      lastSyncAt: info.syncedAt,
      lastEventAt: info.lastEventAt ?? this.data.lastEventAt,
      delivered: this.data.delivered + info.delivered,
    };
    await writeFileAtomic(join(this.dir, 'state.json'), `${JSON.stringify(next, null, 2)}\n`);
    this.data = next;
  }
}

/** What was saved for each connector that has synced in this data folder (for `vigil status`), by id. */
export async function savedSyncStates(dataDir: string): Promise<SyncStateData[]> {
  let names: string[];
  try {
    names = (await readdir(join(dataDir, 'watch'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const states: SyncStateData[] = [];
  for (const name of names.sort()) {
    try {
      const result = StateSchema.safeParse(JSON.parse(await readFile(join(dataDir, 'watch', name, 'state.json'), 'utf8')));
      if (result.success) states.push(result.data);
    } catch {
      // never synced, or unreadable: `vigil watch` reports it when it opens the connector
    }
  }
  return states;
}
