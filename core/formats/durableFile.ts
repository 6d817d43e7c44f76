/**
 * The one way to write a file that must survive a crash or a power cut at any instant:
 *  - whole-file replacement: write a temporary file beside the target, fsync it, rename it over the target, fsync
 *    the folder (a reader sees the old file or the new one, never half of either, and the rename itself is on disk);
 *  - appends that are fsynced before they are acknowledged;
 *  - renames of existing files and folders, followed by an fsync of the folders involved.
 * test/core/formats/durableFile.test.ts fails when any other file in core/ or electron/ calls `rename(`.
 */
import { access, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { describeZodError } from './jsonl';
import { errorMessage } from './errorMessage';

/** How a whole-file replacement is made. */
export interface AtomicWriteOptions {
  /** The new file's permissions, whatever the umask (0o600 for secrets); without it, the usual 0o666 less umask. */
  mode?: number;
  /** Runs once the temporary file is on disk, just before it replaces the old one (crash tests stop there). */
  beforeRename?: () => void | Promise<void>;
}

/** Flushes a folder's entries (renames, new files) to disk; a no-op where folders cannot be opened (Windows). */
export async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; its renames are journaled by NTFS.
  } finally {
    await handle?.close();
  }
}

/** Replaces `file` with `data` atomically and durably, creating its folder when missing. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', options.mode ?? 0o666);
  try {
    await handle.writeFile(data);
    // The umask may have narrowed, or (for a left-over temporary file) not applied, the requested mode.
    if (options.mode !== undefined) await handle.chmod(options.mode);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await options.beforeRename?.();
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncFolder(dirname(file));
}

/** Replaces `file` with `value` as pretty-printed JSON (two-space indent, final newline), atomically and durably. */
export async function writeJsonAtomic(file: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, options);
}

/**
 * Renames a file or folder that is already complete on disk (a finished snapshot, a set-aside damaged file, a
 * rotated log), then flushes the folders involved so the new name survives a power cut.
 */
export async function renameDurable(from: string, to: string): Promise<void> {
  await rename(from, to);
  await syncFolder(dirname(to));
  if (dirname(from) !== dirname(to)) await syncFolder(dirname(from));
}

/** Appends `text` to `file` (created when missing) and fsyncs before resolving. */
export async function appendDurable(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const existed = await access(file).then(
    () => true,
    () => false,
  );
  const handle = await open(file, 'a');
  try {
    await handle.appendFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (!existed) await syncFolder(dirname(file)); // the new file's name must survive a power cut too
}

/**
 * Reads and validates a JSON file written by `writeJsonAtomic`; `fallback` when it does not exist. A damaged file
 * is an error naming the file and field, never silently replaced: it holds an admin's decisions.
 */
export async function readJsonFile<S extends z.ZodType>(file: string, schema: S, fallback: z.output<S>): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new Error(`Cannot read ${file}: ${errorMessage(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is damaged (${errorMessage(err)}). Restore it from a backup, or delete it to start again.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new Error(`${file}: ${field}: ${message}. Restore it from a backup, or delete it to start again.`);
  }
  return parsed.data;
}
