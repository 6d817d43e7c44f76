/**
 * The CLI's secret store: a JSON file that only its owner may read or write (mode 0600), in the team's data
 * folder. It refuses to read a file that others could read, as ssh does with private keys: a secret that was
 * exposed must be rotated, not silently used. Writes replace the file atomically, so a crash never leaves half
 * a file. On Windows, where POSIX modes do not apply, the file inherits the per-user profile folder's ACL.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../watch/durableFile';
import { assertSecretName, type SecretStore } from './secretStore';

export const SECRETS_FILE = 'secrets.json';

const SecretsFileSchema = z.object({
  format: z.literal(1),
  secrets: z.record(z.string(), z.string()),
});

export class SecretFilePermissionError extends Error {
  constructor(readonly file: string, mode: number) {
    super(
      `Refusing to use ${file}: other users may read it (mode ${(mode & 0o777).toString(8).padStart(3, '0')}). ` +
        `Run \`chmod 600 ${file}\`, and change the secrets it holds if others could have read them.`,
    );
    this.name = 'SecretFilePermissionError';
  }
}

export class FileSecretStore implements SecretStore {
  readonly file: string;

  /** `dir` is the team's data folder; the file is `secrets.json` in it. */
  constructor(dir: string, private readonly platform: NodeJS.Platform = process.platform) {
    this.file = join(dir, SECRETS_FILE);
  }

  private async read(): Promise<Record<string, string>> {
    let info;
    try {
      info = await stat(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    if (this.platform !== 'win32') {
      if ((info.mode & 0o077) !== 0) throw new SecretFilePermissionError(this.file, info.mode);
      const uid = process.getuid?.();
      if (uid !== undefined && info.uid !== uid) {
        throw new Error(`Refusing to use ${this.file}: it belongs to another user (uid ${info.uid}). Only its owner may keep secrets in it.`);
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch (err) {
      // Never quote the file's content: it holds secrets.
      throw new Error(`${this.file} is not valid JSON (${(err as Error).name}). Restore it from a backup or delete it and add the secrets again with \`vigil secrets set NAME\`.`);
    }
    const result = SecretsFileSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`${this.file}: ${issue?.path.map(String).join('.') || '(file)'}: not in the secrets format (expected {"format": 1, "secrets": {"name": "value"}}).`);
    }
    return result.data.secrets;
  }

  private async write(secrets: Record<string, string>): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ format: 1, secrets }, null, 2)}\n`, 0o600);
  }

  async get(name: string): Promise<string | null> {
    return (await this.read())[name] ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    if (value.length === 0) throw new Error(`The secret "${name}" is empty; nothing was stored.`);
    const secrets = await this.read();
    secrets[name] = value;
    await this.write(secrets);
  }

  async delete(name: string): Promise<boolean> {
    const secrets = await this.read();
    if (!(name in secrets)) return false;
    delete secrets[name];
    await this.write(secrets);
    return true;
  }

  async list(): Promise<string[]> {
    return Object.keys(await this.read()).sort();
  }
}
