/**
 * An append-only JSON Lines file whose every acknowledged record is on disk: each append is written and
 * fdatasync-ed before it resolves, appends are serialised, and a torn last line left by a crash is skipped
 * (and reported) when the file is read back, never fatal.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { readJsonl, type LineIssue, type LineRecord } from './jsonl';

export class AppendLog<T> {
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens (creating it and its folder, readable by the user only) the log at `file` for appending. */
  static async open<T>(file: string): Promise<AppendLog<T>> {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const handle = await open(file, 'a+', 0o600);
    // A crash can leave a torn last line without its newline; end it, so the next record starts on its own line.
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await handle.appendFile('\n');
    }
    return new AppendLog<T>(file, handle);
  }

  /** Reads every valid record; bad or torn lines go to `onIssue` with their file and line. */
  static async *read<S extends z.ZodType>(file: string, schema: S, onIssue: (issue: LineIssue) => void): AsyncGenerator<LineRecord<z.output<S>>> {
    try {
      yield* readJsonl(file, schema, onIssue);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
  }

  /** Appends records; resolves once they are durable. */
  append(...records: T[]): Promise<void> {
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const run = this.tail.then(async () => {
      await this.handle.appendFile(text, 'utf8');
      await this.handle.datasync();
    });
    // A failed append must not poison the next one; the caller of this one still sees the error.
    this.tail = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.handle.close();
  }
}
