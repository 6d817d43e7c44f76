/**
 * The file both secret stores keep their map in: every change reads and rewrites the whole map, so changes made at
 * once (a connector's token saved while the audit log updates its anchor in the keychain) must never lose another.
 */
import { describe, expect, it } from 'vitest';
import { FileSecretStore } from '../../../core/secrets/fileSecretStore';
import { tempFolder } from '../../support/tempFolder';

describe('a secrets file changed from several places at once', () => {
  it('keeps every secret set at the same time through different store objects on one folder', async () => {
    const dir = await tempFolder('vigil-secret-map-');
    const stores = [new FileSecretStore(dir), new FileSecretStore(dir)];
    const names = Array.from({ length: 24 }, (_, i) => `token-${i}`);
    await Promise.all(names.map((name, i) => stores[i % 2]!.set(name, `value-${i}`)));
    expect(await stores[0]!.list()).toEqual([...names].sort());
    await Promise.all([stores[0]!.delete('token-0'), stores[1]!.set('late', 'x'), stores[0]!.set('token-1', 'changed')]);
    expect(await stores[1]!.list()).toEqual([...names.filter((n) => n !== 'token-0'), 'late'].sort());
    expect(await stores[1]!.get('token-1')).toBe('changed');
  });
});
