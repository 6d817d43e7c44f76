/**
 * The desktop app's secret store: each value is encrypted with Electron's safeStorage (the OS keychain on macOS,
 * DPAPI on Windows, libsecret or KWallet on Linux) and the ciphertexts are kept in `secrets.safe.json` in the
 * team's data folder (mode 0600). On Linux without a keyring Electron falls back to a hard-coded key
 * (`basic_text`), which protects nothing: the store refuses it and says what to install.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { z } from 'zod';
import { assertSecretName, type SecretStore } from '../../core/secrets/secretStore';
import { writeFileAtomic } from '../../core/watch/durableFile';

export const SAFE_SECRETS_FILE = 'secrets.safe.json';

const FileSchema = z.object({ format: z.literal(1), secrets: z.record(z.string(), z.string()) });

export class SafeStorageSecretStore implements SecretStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, SAFE_SECRETS_FILE);
  }

  private async assertAvailable(): Promise<void> {
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      throw new Error(
        'No system keyring is available to protect connector secrets (Electron would use a fixed key). Install and unlock GNOME Keyring or KWallet, or use the `vigil` command with its user-only secrets file.',
      );
    }
    if (!(await safeStorage.isAsyncEncryptionAvailable())) {
      throw new Error('The system keychain is not available yet, so secrets cannot be encrypted. Unlock it and try again.');
    }
  }

  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    const result = FileSchema.safeParse(JSON.parse(text));
    if (!result.success) throw new Error(`${this.file} is not in the expected format; restore it from a backup or delete it and enter the secrets again.`);
    return result.data.secrets;
  }

  private async write(secrets: Record<string, string>): Promise<void> {
    await writeFileAtomic(this.file, `${JSON.stringify({ format: 1, secrets }, null, 2)}\n`, 0o600);
  }

  async get(name: string): Promise<string | null> {
    const encrypted = (await this.read())[name];
    if (encrypted === undefined) return null;
    await this.assertAvailable();
    const { result } = await safeStorage.decryptStringAsync(Buffer.from(encrypted, 'base64'));
    return result;
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    if (value.length === 0) throw new Error(`The secret "${name}" is empty; nothing was stored.`);
    await this.assertAvailable();
    const secrets = await this.read();
    secrets[name] = (await safeStorage.encryptStringAsync(value)).toString('base64');
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
