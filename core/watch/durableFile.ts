/**
 * Writes that survive a crash or a power cut at any instant: whole-file replacement by write → fsync → rename →
 * fsync of the folder (a reader sees the old file or the new one, never half of either), and appends that are
 * fsynced before they are acknowledged. The watcher's cursors, its delivered-event ledger and the decision journal
 * are all written through here.
 */
import { access, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync of a folder, so a rename or a new file in it is durable. Not supported on Windows, where it is skipped. */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `file` with `data` atomically and durably; `mode` applies to the new file (0o600 for secrets). */
export async function writeFileAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', mode);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.chmod(mode); // the umask may have narrowed or (for an existing tmp) not applied `mode`
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  await rename(tmp, file);
  await syncDir(dirname(file));
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
  if (!existed) await syncDir(dirname(file)); // the new file's name must survive a power cut too
}
