/**
 * The desktop app's secret store: each value is encrypted with Electron's safeStorage (the OS keychain on macOS,
 * DPAPI on Windows, libsecret or KWallet on Linux) and the ciphertexts are kept in `secrets.safe.json` in the
 * team's data folder (mode 0600). On Linux without a keyring Electron falls back to a hard-coded key
 * (`basic_text`), which protects nothing: the store refuses it and says what to install.
 */
import { join } from 'node:path';
import { SecretMapFile, type SecretFileDamage } from '../../core/secrets/secretMapFile';
import { safeStorage } from 'electron';

export const SAFE_SECRETS_FILE = 'secrets.safe.json';

export class SafeStorageSecretStore extends SecretMapFile {
  constructor(dataDir: string) {
    super(join(dataDir, SAFE_SECRETS_FILE));
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

  protected async encode(value: string): Promise<string> {
    await this.assertAvailable();
    return (await safeStorage.encryptStringAsync(value)).toString('base64');
  }

  protected async decode(stored: string): Promise<string> {
    await this.assertAvailable();
    const { result } = await safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'));
    return result;
  }

  protected damaged(damage: SecretFileDamage): Error {
    // Unparseable JSON keeps the parser's own error, as before this store shared its file code.
    if (damage.kind === 'json') return damage.error;
    return new Error(`${this.file} is not in the expected format; restore it from a backup or delete it and enter the secrets again.`);
  }
}
