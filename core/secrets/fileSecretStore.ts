/**
 * The CLI's secret store: a JSON file that only its owner may read or write (mode 0600), in the team's data
 * folder. It refuses to read a file that others could read, as ssh does with private keys: a secret that was
 * exposed must be rotated, not silently used. Writes replace the file atomically, so a crash never leaves half
 * a file. On Windows, where POSIX modes do not apply, the file inherits the per-user profile folder's ACL.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretMapFile, type SecretFileDamage } from './secretMapFile';

export const SECRETS_FILE = 'secrets.json';

export class SecretFilePermissionError extends Error {
  constructor(readonly file: string, mode: number) {
    super(
      `Refusing to use ${file}: other users may read it (mode ${(mode & 0o777).toString(8).padStart(3, '0')}). ` +
        `Run \`chmod 600 ${file}\`, and change the secrets it holds if others could have read them.`,
    );
    this.name = 'SecretFilePermissionError';
  }
}

export class FileSecretStore extends SecretMapFile {
  /** `dir` is the team's data folder; the file is `secrets.json` in it. */
  constructor(dir: string, private readonly platform: NodeJS.Platform = process.platform) {
    super(join(dir, SECRETS_FILE));
  }

  protected override async beforeRead(): Promise<void> {
    let info;
    try {
      info = await stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (this.platform !== 'win32') {
      if ((info.mode & 0o077) !== 0) throw new SecretFilePermissionError(this.file, info.mode);
      const uid = process.getuid?.();
      if (uid !== undefined && info.uid !== uid) {
        throw new Error(`Refusing to use ${this.file}: it belongs to another user (uid ${info.uid}). Only its owner may keep secrets in it.`);
      }
    }
  }

  protected async encode(value: string): Promise<string> {
    return value;
  }

  protected async decode(stored: string): Promise<string> {
    return stored;
  }

  protected damaged(damage: SecretFileDamage): Error {
    return damage.kind === 'json'
      ? new Error(`${this.file} is not valid JSON (${damage.error.name}). Restore it from a backup or delete it and add the secrets again with \`vigil secrets set NAME\`.`)
      : new Error(`${this.file}: ${damage.field}: not in the secrets format (expected {"format": 1, "secrets": {"name": "value"}}).`);
  }
}
