/**
 * The tests' temporary folders: `tempFolder('vigil-x-')` makes a fresh, empty folder under the system's temporary
 * folder, and every folder made by a test file is removed once that file's tests have run (a test that wants a
 * folder gone sooner removes it itself; removing twice is harmless). Import it from test files only: the clean-up
 * is a vitest `afterAll` hook registered when this module loads inside a test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made = new Set<string>();

afterAll(async () => {
  const folders = [...made];
  made.clear();
  // A test may leave a folder it made unreadable (to check an error); the clean-up must not fail the file for it.
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }).catch(() => undefined)));
});

/** A new empty folder whose name starts with `prefix`, removed after the test file. */
export async function tempFolder(prefix = 'vigil-test-'): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  made.add(folder);
  return folder;
}

/** `tempFolder` for code that cannot wait (a test's synchronous set-up). */
export function tempFolderSync(prefix = 'vigil-test-'): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  made.add(folder);
  return folder;
}

/** Removes a folder now (rather than after the file), for tests that check a clean start. */
export function removeFolderSync(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  made.delete(folder);
}
