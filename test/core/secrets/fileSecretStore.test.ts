import { chmod, readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { FileSecretStore } from '../../../core/secrets/fileSecretStore';
import { redactSecrets } from '../../../core/secrets/secretStore';

describe('the CLI secret store', () => {
  it('stores secrets in a file only its user can read', async () => {
    const dir = await tempFolder('vigil-secrets-');
    const store = new FileSecretStore(dir);
    expect(await store.get('imap')).toBeNull();
    await store.set('imap', 'hunter22');
    await store.set('rt-main', 'tok');
    expect(await store.get('imap')).toBe('hunter22');
    expect(await store.list()).toEqual(['imap', 'rt-main']);
    if (process.platform !== 'win32') expect((await stat(store.file)).mode & 0o777).toBe(0o600);
    expect(await store.delete('rt-main')).toBe(true);
    expect(await store.delete('rt-main')).toBe(false);
    await expect(store.set('no spaces', 'x')).rejects.toThrow(/not a valid secret name/);
    // A plain object's "__proto__" key is its prototype: stored there, the secret would vanish on the next save.
    await expect(store.set('__proto__', 'hunter22')).rejects.toThrow(/not a valid secret name/);
    expect(await store.list()).toEqual(['imap']);
  });

  it('refuses a file others can read, without quoting its content', async () => {
    if (process.platform === 'win32') return;
    const dir = await tempFolder('vigil-secrets-');
    const store = new FileSecretStore(dir);
    await store.set('imap', 'hunter22');
    await chmod(store.file, 0o644);
    await expect(store.get('imap')).rejects.toThrow(`Refusing to use ${store.file}: other users may read it (mode 644). Run \`chmod 600 ${store.file}\``);
    await chmod(store.file, 0o600);
    expect(await store.get('imap')).toBe('hunter22');
    expect(await readFile(store.file, 'utf8')).toContain('"format": 1');
  });

  it('removes secret values, raw, URL-encoded or base64, from text', () => {
    const text = 'GET https://h/x?token=p%40ss%2Fw0rd failed; Authorization: Basic cEBzcy93MHJk; p@ss/w0rd';
    expect(redactSecrets(text, ['p@ss/w0rd'])).toBe('GET https://h/x?token=[secret] failed; Authorization: Basic [secret]; [secret]');
  });
});
