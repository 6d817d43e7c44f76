/**
 * The base of both file-backed secret stores (the CLI's `FileSecretStore` and the desktop app's safeStorage store):
 * a JSON file `{"format": 1, "secrets": {"name": "stored value"}}`, mode 0600, replaced atomically and durably on
 * every change. A subclass says how a value is stored (as is, or encrypted), what to check before reading, and how
 * to word a damaged file.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../formats/durableFile';
import { assertSecretName, type SecretStore } from './secretStore';

const SecretMapSchema = z.object({ format: z.literal(1), secrets: z.record(z.string(), z.string()) });

/** What is wrong with a secrets file that cannot be used. */
export type SecretFileDamage = { kind: 'json'; error: Error } | { kind: 'format'; field: string };

/**
 * One change of a secrets file at a time in this process, whichever store object makes it: each change reads the
 * whole map and writes it back, so two at once (a connector's token saved while the audit log updates its anchor in
 * the keychain) would lose one of them.
 */
const changes = new Map<string, Promise<unknown>>();
function oneChangeAtATime<T>(file: string, work: () => Promise<T>): Promise<T> {
  const next = (changes.get(file) ?? Promise.resolve()).catch(() => undefined).then(work);
  changes.set(file, next);
  return next;
}

/** A `SecretStore` kept as one JSON map of name → stored value. */
export abstract class SecretMapFile implements SecretStore {
  constructor(readonly file: string) {}

  /** The value as written to the file. */
  protected abstract encode(value: string): Promise<string>;
  /** The value from its stored form. */
  protected abstract decode(stored: string): Promise<string>;
  /** The error for a file that cannot be used; it must never quote the file's content (it holds secrets). */
  protected abstract damaged(damage: SecretFileDamage): Error;
  /** Checks made before the file is read (its permissions, say); a missing file is not an error. */
  protected async beforeRead(): Promise<void> {}

  private async read(): Promise<Record<string, string>> {
    await this.beforeRead();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw this.damaged({ kind: 'json', error: err as Error });
    }
    const result = SecretMapSchema.safeParse(json);
    if (!result.success) throw this.damaged({ kind: 'format', field: result.error.issues[0]?.path.map(String).join('.') || '(file)' });
    return result.data.secrets;
  }

  private async write(secrets: Record<string, string>): Promise<void> {
    await writeJsonAtomic(this.file, { format: 1, secrets }, { mode: 0o600 });
  }

  async get(name: string): Promise<string | null> {
    const stored = (await this.read())[name];
    return stored === undefined ? null : this.decode(stored);
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    if (value.length === 0) throw new Error(`The secret "${name}" is empty; nothing was stored.`);
    const stored = await this.encode(value);
    await oneChangeAtATime(this.file, async () => {
      const secrets = await this.read();
      secrets[name] = stored;
      await this.write(secrets);
    });
  }

  delete(name: string): Promise<boolean> {
    return oneChangeAtATime(this.file, async () => {
      const secrets = await this.read();
      if (!(name in secrets)) return false;
      delete secrets[name];
      await this.write(secrets);
      return true;
    });
  }

  async list(): Promise<string[]> {
    return Object.keys(await this.read()).sort();
  }
}
