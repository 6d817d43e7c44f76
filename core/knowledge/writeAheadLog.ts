/**
 * The fresh tier's write-ahead log: every acknowledged write is appended (fsynced) to `fresh-log.jsonl` before it
 * is searchable. A commit to LanceDB first moves the live log aside as a numbered segment (`fresh-log.<n>.jsonl`),
 * so writes arriving during the commit go to a new live log; the segment is deleted once its rows are committed.
 * On open, segments (oldest first) and then the live log are replayed. The caller serialises the calls.
 */
import { open, readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { checkJsonLimits, jsonDepth, JSON_LIMITS } from '../formats/jsonl';
import type { LineIssue } from '../formats/lineIssue';
import { parseStoredEntry, type StoredEntry } from './storedEntry';
import { renameDurable } from '../formats/durableFile';

const LOG_FILE = 'fresh-log.jsonl';
const SEGMENT = /^fresh-log\.(\d+)\.jsonl$/;

export class WriteAheadLog {
  private handle: FileHandle | null = null;
  private segment = 0;

  constructor(private readonly dir: string) {}

  /**
   * Appends entries, one JSON line each, and waits until they are on disk. An entry over the format's limits
   * (JSON_LIMITS: nesting, field size) is refused with its id and field named, before anything is written: it could
   * not be read back (one nested 5,000 levels deep overflowed the stack here and failed a whole import).
   */
  async append(entries: readonly StoredEntry[]): Promise<void> {
    for (const entry of entries) {
      const over = checkJsonLimits(entry);
      if (over) throw new Error(`Entry ${entry.id} cannot be stored: ${over.field} ${over.message}.`);
    }
    this.handle ??= await open(join(this.dir, LOG_FILE), 'a');
    await this.handle.appendFile(entries.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
    await this.handle.datasync();
  }

  /** Moves the live log aside as the next segment; returns its number (everything appended so far is in segments up to it). */
  async rotate(): Promise<number> {
    await this.handle?.close();
    this.handle = null;
    this.segment++;
    await renameDurable(join(this.dir, LOG_FILE), join(this.dir, `fresh-log.${this.segment}.jsonl`)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    return this.segment;
  }

  /** Deletes the segments up to `upTo`, whose rows are committed. */
  async dropSegments(upTo: number): Promise<void> {
    for (const file of await this.segments()) {
      if (Number(SEGMENT.exec(file)?.[1]) <= upTo) await rm(join(this.dir, file), { force: true });
    }
  }

  /**
   * Every entry in the segments (oldest first) and the live log, for recovery at open. A bad line other than a torn
   * last one is skipped and told to `onSkipped` by file and line (the store says it in words; this tier logs nothing).
   */
  async readAll(onSkipped: (issue: LineIssue) => void = () => undefined): Promise<StoredEntry[]> {
    const segments = await this.segments();
    this.segment = segments.length > 0 ? Number(SEGMENT.exec(segments.at(-1)!)?.[1]) : 0;
    const entries: StoredEntry[] = [];
    for (const file of [...segments, LOG_FILE]) {
      let text: string;
      try {
        text = await readFile(join(this.dir, file), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        try {
          if (line.length > JSON_LIMITS.maxLineBytes || jsonDepth(line, JSON_LIMITS.maxDepth) > JSON_LIMITS.maxDepth) {
            throw new Error(`over the limits of one line (${JSON_LIMITS.maxLineBytes} bytes, ${JSON_LIMITS.maxDepth} levels)`);
          }
          entries.push(parseStoredEntry(line));
        } catch (err) {
          // A torn last line from a crash mid-append: that write was never acknowledged, so nothing is lost.
          if (i === lines.length - 1) return; // the file's last line has no newline after it: torn
          // Any other bad line is said, by file and line, and the others are still recovered.
          onSkipped({ file: join(this.dir, file), line: i + 1, field: '(line)', message: `skipped in recovery: ${(err as Error).message}` });
        }
      });
    }
    return entries;
  }

  /** Empties the log after recovery committed what `readAll` returned. */
  async clear(): Promise<void> {
    await this.dropSegments(Number.MAX_SAFE_INTEGER);
    await writeFile(join(this.dir, LOG_FILE), '');
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
  }

  private async segments(): Promise<string[]> {
    return (await readdir(this.dir))
      .filter((file) => SEGMENT.test(file))
      .sort((a, b) => Number(SEGMENT.exec(a)?.[1]) - Number(SEGMENT.exec(b)?.[1]));
  }
}
