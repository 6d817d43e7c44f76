import { readFile, stat } from 'node:fs/promises';
import { tempFolder } from '../../support/tempFolder';
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A reversible stand-in for the OS keychain: enough to prove nothing is written in the clear. */
const keychain = {
  backend: 'gnome_libsecret' as string,
  available: true,
  getSelectedStorageBackend: vi.fn(() => keychain.backend),
  isAsyncEncryptionAvailable: vi.fn(async () => keychain.available),
  encryptStringAsync: vi.fn(async (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`)),
  decryptStringAsync: vi.fn(async (data: Buffer) => ({ shouldReEncrypt: false, result: Buffer.from(data.toString().slice(4), 'hex').toString() })),
};

vi.mock('electron', async () => ({ ...(await import('../fakeElectron')).fakeElectron, safeStorage: keychain }));

const { SafeStorageSecretStore } = await import('../../../electron/main/safeStorageSecrets');

describe('the desktop secret store', () => {
  beforeEach(() => {
    keychain.backend = 'gnome_libsecret';
    keychain.available = true;
  });

  it('keeps only ciphertexts, in a file only the user can read', async () => {
    const dir = await tempFolder('vigil-safe-');
    const store = new SafeStorageSecretStore(dir);
    await store.set('rt-main', 'tok-123456');
    expect(await store.get('rt-main')).toBe('tok-123456');
    expect(await store.list()).toEqual(['rt-main']);
    const text = await readFile(store.file, 'utf8');
    expect(text).not.toContain('tok-123456');
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
    expect(await store.delete('rt-main')).toBe(true);
    expect(await store.get('rt-main')).toBeNull();
  });

  it('refuses a keyring-less Linux, where Electron would encrypt with a fixed key', async () => {
    if (process.platform !== 'linux') return;
    keychain.backend = 'basic_text';
    const store = new SafeStorageSecretStore(await tempFolder('vigil-safe-'));
    await expect(store.set('x-token', 'value')).rejects.toThrow(/No system keyring/);
  });
});
