/**
 * The data folder holds customer tickets, learned knowledge and the audit log, so on a shared machine it must be
 * the user's alone: created with mode 0700, and checked every time it is opened. A folder that other users can
 * read (created by hand, restored from a backup, unpacked from an archive) is tightened to 0700 with a warning
 * that says what was found; when that is impossible the warning says what to run. Encryption at rest is the
 * operating system's job: docs/privacy.md says how to put the folder on an encrypted volume.
 */
import { chmod, mkdir, stat } from 'node:fs/promises';
import { errorMessage } from '../formats/errorMessage';

export interface FolderSecurity {
  dir: string;
  created: boolean;
  /** Permission bits found (e.g. 0o755), or null where POSIX modes do not apply (Windows). */
  modeBefore: number | null;
  /** True when the folder was tightened to 0700. */
  repaired: boolean;
  /** What a person should know, in words, or null when all is well. */
  warning: string | null;
}

const PRIVATE_MODE = 0o700;

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Makes sure `dir` exists, is a folder, and only its owner can enter it. `repair: false` only reports (for a
 * status check); the default repairs.
 */
export async function securePrivateFolder(
  dir: string,
  options: { repair?: boolean; platform?: NodeJS.Platform } = {},
): Promise<FolderSecurity> {
  const repair = options.repair ?? true;
  const platform = options.platform ?? process.platform;
  let created = false;
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!repair) return { dir, created: false, modeBefore: null, repaired: false, warning: `The data folder ${dir} does not exist yet.` };
    await mkdir(dir, { recursive: true, mode: PRIVATE_MODE });
    created = true;
    info = await stat(dir);
  }
  if (!info.isDirectory()) {
    throw new Error(`The data folder ${dir} is a file, not a folder. Move that file away or choose another data folder (--data-dir or VIGIL_DATA_DIR).`);
  }
  // On Windows a folder under the user's profile inherits an ACL that only the user (and administrators) can
  // read; POSIX mode bits mean nothing there.
  if (platform === 'win32') return { dir, created, modeBefore: null, repaired: false, warning: null };

  const mode = info.mode & 0o777;
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  if (uid !== null && info.uid !== uid && uid !== 0) {
    return {
      dir,
      created,
      modeBefore: mode,
      repaired: false,
      warning: `The data folder ${dir} belongs to another user (uid ${info.uid}), so its permissions cannot be checked or fixed. Use a folder of your own.`,
    };
  }
  if ((mode & 0o077) === 0) return { dir, created, modeBefore: mode, repaired: false, warning: null };

  const who = mode & 0o007 ? 'every user of this machine' : 'other members of its group';
  if (!repair) {
    return {
      dir,
      created,
      modeBefore: mode,
      repaired: false,
      warning: `The data folder ${dir} can be read by ${who} (mode ${octal(mode)}). Run \`chmod 700 "${dir}"\` so only you can.`,
    };
  }
  try {
    await chmod(dir, PRIVATE_MODE);
  } catch (error) {
    return {
      dir,
      created,
      modeBefore: mode,
      repaired: false,
      warning: `The data folder ${dir} can be read by ${who} (mode ${octal(mode)}) and could not be changed (${errorMessage(error)}). Run \`chmod 700 "${dir}"\`.`,
    };
  }
  return {
    dir,
    created,
    modeBefore: mode,
    repaired: true,
    warning: `The data folder ${dir} could be read by ${who} (mode ${octal(mode)}); it is now readable by you only (0700).`,
  };
}
