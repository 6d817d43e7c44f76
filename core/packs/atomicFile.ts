/**
 * Replacing a small JSON file so that a crash leaves either the old or the new content, never a mix: write a
 * temporary file beside it, flush it to disk, rename it over the old one, then flush the folder so the rename
 * itself survives a power cut.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { describeZodError } from '../formats/jsonl';

/**
 * Atomically replaces `file` with `value` as pretty-printed JSON. `beforeRename` runs once the temporary file is on
 * disk, just before it replaces the old one (tests crash there).
 */
export async function writeJsonAtomic(file: string, value: unknown, beforeRename?: () => void | Promise<void>): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await beforeRename?.();
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncFolder(dirname(file));
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
    throw new Error(`Cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is damaged (${(err as Error).message}). Restore it from a backup, or delete it to start again.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new Error(`${file}: ${field}: ${message}. Restore it from a backup, or delete it to start again.`);
  }
  return parsed.data;
}
