/**
 * The team's trust list: the public keys whose packs may be installed, in `<data folder>/trusted-keys.json`.
 * An admin adds the publisher's `.public.pem`; an install refuses packs signed by any other key.
 *
 * Trust binds a key to what it may publish, not only to "anything": a key may carry the pack names it publishes
 * (`packs`) and the team its packs must name (`team`). A pack name is claimed by the first trusted key that installs
 * it (`claims`), and no other key may then publish under that name, unless the admin grants the name to that key
 * (`vigil pack trust add … --packs NAME`), which moves the claim. Before this, any trusted publisher could take over
 * another's pack name (a security review did).
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
  /** The only pack names this key may publish; absent: any name no other key has claimed. */
  packs: z.array(z.string()).optional(),
  /** The team its packs must name in their manifest; absent: any team. */
  team: z.string().optional(),
});
export type TrustedKey = z.infer<typeof TrustedKeySchema>;

const TrustFileSchema = z.object({
  format: z.literal(1),
  keys: z.array(TrustedKeySchema),
  /** Pack name → the id of the key that claimed it (the first trusted key that installed it, or the admin's grant). */
  claims: z.record(z.string(), z.string()).optional(),
});
type TrustFile = z.infer<typeof TrustFileSchema>;

/** What the admin binds a key to when trusting it. */
export interface TrustScope {
  /** Pack names the key may publish (and claims for it, taking them from any other key). */
  packs?: readonly string[];
  /** The team its packs must name. */
  team?: string;
}

/** Reads and edits a data folder's trust list. Every change is written atomically before it returns. */
export class TrustList {
  constructor(readonly dataDir: string) {}

  get file(): string {
    return join(this.dataDir, TRUST_FILE);
  }

  async list(): Promise<TrustedKey[]> {
    return (await this.read()).keys;
  }

  /** Pack name → id of the key that claimed it. */
  async claims(): Promise<Record<string, string>> {
    return { ...((await this.read()).claims ?? {}) };
  }

  private async read(): Promise<TrustFile> {
    const file = await readJsonFile(this.file, TrustFileSchema, { format: 1, keys: [] });
    // An edited file could pair a key with someone else's id; the id is always recomputed.
    return { ...file, keys: file.keys.map((k) => ({ ...k, id: keyIdOf(k.publicKey) })) };
  }

  private write(file: TrustFile): Promise<void> {
    return writeJsonAtomic(this.file, file);
  }

  /**
   * Refuses a pack `name` of `team` signed by `key` unless the key may publish it: the name is in the key's `packs`
   * (when it has a list), the team is the key's (when it has one), and no other key claimed the name.
   */
  async assertMayPublish(key: TrustedKey, name: string, team: string, file: string): Promise<void> {
    const who = `key ${key.id} ("${key.name}")`;
    if (key.packs && !key.packs.includes(name)) {
      throw new PackError('name_not_allowed', `${file}: pack ${name} is signed by ${who}, which is trusted for ${key.packs.join(', ') || 'no pack'} only. Refused. If that publisher really publishes ${name}, trust the key for it: \`vigil pack trust add KEY.public.pem --name "${key.name}" --packs ${name}\`.`);
    }
    if (key.team !== undefined && key.team !== team) {
      throw new PackError('wrong_team', `${file}: pack ${name} says it is from team "${team}", but ${who} is trusted for team "${key.team}" only. Refused.`);
    }
    const owner = (await this.claims())[name];
    if (owner !== undefined && owner !== key.id && !key.packs?.includes(name)) {
      const holder = (await this.list()).find((k) => k.id === owner);
      throw new PackError('name_claimed', `${file}: the pack name ${name} belongs to key ${owner}${holder ? ` ("${holder.name}")` : ''}, which installed it first; this copy is signed by ${who}. Refused: a trusted publisher cannot take over another's pack. If ${name} really moved to this publisher, grant it: \`vigil pack trust add KEY.public.pem --name "${key.name}" --packs ${name}\`.`);
    }
  }

  /** Records that `key` published `name`, if nobody claimed it yet (the first trusted publisher of a name owns it). */
  async claim(name: string, key: TrustedKey): Promise<void> {
    const file = await this.read();
    if (file.claims?.[name] !== undefined) return;
    await this.write({ ...file, claims: { ...(file.claims ?? {}), [name]: key.id } });
  }

  /** The trusted key with this raw public key, or null. */
  async find(publicKey: string): Promise<TrustedKey | null> {
    return (await this.list()).find((k) => k.publicKey === publicKey) ?? null;
  }

  /**
   * Trusts a raw public key under a name, optionally bound to pack names and a team (`scope`); the names in
   * `scope.packs` are claimed for it. A name another key already goes by is refused, so two keys never read the same.
   * Adding a key again keeps its entry, and adds the scope given (the admin widening or moving a grant).
   */
  async add(publicKey: string, name: string, scope: TrustScope = {}): Promise<{ key: TrustedKey; added: boolean }> {
    try {
      publicKeyFromRaw(publicKey);
    } catch (err) {
      throw new PackError('bad_key', `Not an Ed25519 public key: ${errorMessage(err)}.`);
    }
    const file = await this.read();
    const claims = { ...(file.claims ?? {}) };
    const id = keyIdOf(publicKey);
    for (const pack of scope.packs ?? []) claims[pack] = id;
    const existing = file.keys.find((k) => k.publicKey === publicKey);
    if (existing) {
      if (!scope.packs && scope.team === undefined) return { key: existing, added: false };
      const key: TrustedKey = {
        ...existing,
        ...(scope.packs ? { packs: [...new Set([...(existing.packs ?? []), ...scope.packs])].sort() } : {}),
        ...(scope.team !== undefined ? { team: scope.team } : {}),
      };
      await this.write({ ...file, keys: file.keys.map((k) => (k === existing ? key : k)), claims });
      return { key, added: false };
    }
    const namesake = file.keys.find((k) => k.name.trim().toLowerCase() === name.trim().toLowerCase());
    if (namesake) {
      throw new PackError('bad_key', `The trust list already has a key named "${namesake.name}" (key ${namesake.id}). Give this key (${id}) another name, so the two cannot be mistaken for each other.`);
    }
    const key: TrustedKey = {
      id,
      publicKey,
      name,
      addedAt: new Date().toISOString(),
      ...(scope.packs ? { packs: [...new Set(scope.packs)].sort() } : {}),
      ...(scope.team !== undefined ? { team: scope.team } : {}),
    };
    await this.write({ ...file, keys: [...file.keys, key], claims });
    return { key, added: true };
  }

  /** Stops trusting a key, named by its id (or a prefix of at least 6 hex digits) or its exact name. */
  async remove(idOrName: string): Promise<TrustedKey> {
    const keys = await this.list();
    const matches = keys.filter((k) => k.name === idOrName || (idOrName.length >= 6 && k.id.startsWith(idOrName.toLowerCase())));
    if (matches.length === 0) throw new PackError('bad_key', `No trusted key has the id or name "${idOrName}" (see \`vigil pack trust list\`).`);
    if (matches.length > 1) throw new PackError('bad_key', `"${idOrName}" names ${matches.length} trusted keys (${matches.map((k) => k.id).join(', ')}); give a full key id.`);
    const [gone] = matches as [TrustedKey];
    // Its claims stay: a key trusted again gets its names back, and no other key inherits them meanwhile.
    const file = await this.read();
    await this.write({ ...file, keys: file.keys.filter((k) => k.id !== gone.id) });
    return gone;
  }
}
