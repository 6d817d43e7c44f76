/**
 * The team's trust list: the public keys whose packs may be installed, in `<data folder>/trusted-keys.json`.
 * An admin adds the publisher's `.public.pem`; an install refuses packs signed by any other key.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { PackError } from './packError';
import { keyIdOf, publicKeyFromRaw } from './packKeys';

export const TRUST_FILE = 'trusted-keys.json';

const TrustedKeySchema = z.object({
  id: z.string(),
  /** Raw 32-byte Ed25519 public key, base64. */
  publicKey: z.string(),
  /** Who the key belongs to, as the admin named it ("Network team packs"). */
  name: z.string(),
  addedAt: z.string(),
});
export type TrustedKey = z.infer<typeof TrustedKeySchema>;

const TrustFileSchema = z.object({ format: z.literal(1), keys: z.array(TrustedKeySchema) });

/** Reads and edits a data folder's trust list. Every change is written atomically before it returns. */
export class TrustList {
  constructor(readonly dataDir: string) {}

  get file(): string {
    return join(this.dataDir, TRUST_FILE);
  }

  async list(): Promise<TrustedKey[]> {
    const { keys } = await readJsonFile(this.file, TrustFileSchema, { format: 1, keys: [] });
    // An edited file could pair a key with someone else's id; the id is always recomputed.
    return keys.map((k) => ({ ...k, id: keyIdOf(k.publicKey) }));
  }

  /** The trusted key with this raw public key, or null. */
  async find(publicKey: string): Promise<TrustedKey | null> {
    return (await this.list()).find((k) => k.publicKey === publicKey) ?? null;
  }

  /** Trusts a raw public key under a name; adding a key twice keeps the first entry. */
  async add(publicKey: string, name: string): Promise<{ key: TrustedKey; added: boolean }> {
    try {
      publicKeyFromRaw(publicKey);
    } catch (err) {
      throw new PackError('bad_key', `Not an Ed25519 public key: ${errorMessage(err)}.`);
    }
    const keys = await this.list();
    const existing = keys.find((k) => k.publicKey === publicKey);
    if (existing) return { key: existing, added: false };
    const key: TrustedKey = { id: keyIdOf(publicKey), publicKey, name, addedAt: new Date().toISOString() };
    await writeJsonAtomic(this.file, { format: 1, keys: [...keys, key] });
    return { key, added: true };
  }

  /** Stops trusting a key, named by its id (or a prefix of at least 6 hex digits) or its exact name. */
  async remove(idOrName: string): Promise<TrustedKey> {
    const keys = await this.list();
    const matches = keys.filter((k) => k.name === idOrName || (idOrName.length >= 6 && k.id.startsWith(idOrName.toLowerCase())));
    if (matches.length === 0) throw new PackError('bad_key', `No trusted key has the id or name "${idOrName}" (see \`vigil pack trust list\`).`);
    if (matches.length > 1) throw new PackError('bad_key', `"${idOrName}" names ${matches.length} trusted keys (${matches.map((k) => k.id).join(', ')}); give a full key id.`);
    const [gone] = matches as [TrustedKey];
    await writeJsonAtomic(this.file, { format: 1, keys: keys.filter((k) => k !== gone) });
    return gone;
  }
}
