/**
 * Installed knowledge packs: a read-only layer of knowledge beside the team's own, in `<data folder>/packs/`.
 *
 * Each installed version lives in its own folder (`<name>@<version>.<random>/`) holding the verified pack file
 * and a LanceDB table built by the ordinary KnowledgeStore. `packs/installed.json` says which folder is the
 * installed version of each pack; it is replaced atomically, and that replacement is the moment an install (or a
 * removal) happens. A crash before it leaves the old version in charge and an unreferenced folder, which the next
 * open deletes; a crash after it leaves the new version. Nothing is ever half-installed.
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, syncFolder, writeJsonAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import type { Embedder } from '../embed/embedder';
import { KnowledgeStore, type SearchHit, type SearchOptions } from '../knowledge/knowledgeStore';
import { toStoredEntry, type StoredEntry } from '../knowledge/storedEntry';
import { WriteQueue } from '../knowledge/writeQueue';
import { PackError } from './packError';
import { checkPack, compareVersions, DEFAULT_MAX_PACK_BYTES, readPackFile, readPackHeader, type CheckedPack, type PackManifest, type PackSignature } from './packFormat';
import { keyIdOf } from './packKeys';
import { TrustList, type TrustedKey } from './trustList';
import type { RuleSpec } from '../formats/ruleSpec';

export const PACKS_DIR = 'packs';
const INDEX_FILE = 'installed.json';
const PACK_FILE = 'pack.vpack';
/** Entries embedded and written per batch while building an installed pack's table. */
const BUILD_BATCH = 500;

const InstalledPackSchema = z.object({
  name: z.string(),
  version: z.string(),
  team: z.string(),
  created: z.string(),
  description: z.string().optional(),
  entries: z.number(),
  entriesSha256: z.string(),
  keyId: z.string(),
  publicKey: z.string(),
  /** The trust-list name of the signer's key when the pack was installed. */
  signer: z.string(),
  /** Folder under `packs/` holding this version (never a path elsewhere, even in an edited file). */
  dir: z.string().regex(/^[a-z0-9][a-z0-9._-]*@[0-9.]+\.[0-9a-f]{8}$/, 'must be a pack folder name (name@version.random)'),
  installedAt: z.string(),
  /** The file it was installed from, for the admin's information. */
  sourceFile: z.string(),
});
/** What `installed.json` records about one installed pack. */
export type InstalledPack = z.infer<typeof InstalledPackSchema>;

const IndexSchema = z.object({ format: z.literal(1), packs: z.array(InstalledPackSchema) });

/** An installed pack as listed: usable unless `problem` says why it is left out of search. */
export interface InstalledPackInfo extends InstalledPack {
  problem: string | null;
}

/**
 * Points an install goes through, in order; tests use them to simulate a crash or failure at each:
 * `verified` (accepted, rollback snapshot taken, nothing written yet), `copying` (the version's folder and an empty
 * pack file exist), `copied` (the pack file is on disk), `building` (after each batch of entries written to the new
 * table), `built` (the table is complete and flushed), `index-staged` (the new `installed.json` is on disk under its
 * temporary name, not yet renamed), `switched` (the index names the new version; the old one is not yet deleted),
 * `committed` (done).
 */
export type InstallStage = 'verified' | 'copying' | 'copied' | 'building' | 'built' | 'index-staged' | 'switched' | 'committed';

export interface InstallOptions {
  /** Largest pack file accepted (default 64 MiB). */
  maxBytes?: number;
  onStage?: (stage: InstallStage) => void | Promise<void>;
}

export interface InstallResult {
  /** `unchanged`: this exact version was already installed, nothing was done; `repaired`: it was, but damaged. */
  outcome: 'installed' | 'upgraded' | 'repaired' | 'unchanged';
  pack: InstalledPack;
  previousVersion: string | null;
}

/** A search hit from an installed pack: the store's hit plus the pack it came from, for citations. */
export interface PackHit extends SearchHit {
  pack: { name: string; version: string };
}

export type PackSearchOptions = Omit<SearchOptions, 'statuses'>;

/** A pack that verified, with the trust-list entry of its signer (null: the signer is not trusted here). */
export interface VerifiedPack {
  checked: CheckedPack;
  trustedKey: TrustedKey | null;
}

/**
 * Merges hits from several hybrid searches (packs, the team's own store) by fused score (hybridSearch.ts, 0 to 1
 * in every source): each source keeps its own hybrid ranking (a re-sort by cosine alone would undo the full-text
 * leg); a tie goes to the higher cosine.
 */
export function mergeHits<H extends SearchHit>(hits: readonly H[], limit: number): H[] {
  return [...hits].sort((a, b) => b.fused - a.fused || b.similarity - a.similarity).slice(0, limit);
}

export class PackLibrary {
  readonly trust: TrustList;
  private readonly queue = new WriteQueue();
  private readonly reading = new Set<Promise<unknown>>();
  private trustedKeys = new Set<string>();
  /** Installed packs that could not be opened, with the reason, by name. */
  private readonly broken = new Map<string, string>();
  private beforeInstall: ((pack: { name: string; version: string; previousVersion: string | null }) => Promise<void>) | null = null;

  private constructor(
    readonly dataDir: string,
    private readonly embedder: Embedder,
    private installed: InstalledPack[],
    private readonly stores: Map<string, KnowledgeStore>,
  ) {
    this.trust = new TrustList(dataDir);
  }

  private get packsDir(): string {
    return join(this.dataDir, PACKS_DIR);
  }

  /**
   * Opens the installed packs of a data folder. Folders left by an interrupted install or removal are deleted
   * first. The caller holds the data folder's writer lock (CopilotService does).
   */
  static async open(dataDir: string, embedder: Embedder, onProgress?: (message: string) => void): Promise<PackLibrary> {
    const packsDir = join(dataDir, PACKS_DIR);
    await mkdir(packsDir, { recursive: true });
    const index = await readJsonFile(join(packsDir, INDEX_FILE), IndexSchema, { format: 1, packs: [] });
    const referenced = new Set(index.packs.map((p) => p.dir));
    for (const item of await readdir(packsDir, { withFileTypes: true })) {
      // Only folders this class makes (`name@version.random`); anything else an admin put here is left alone.
      if (item.isDirectory() && item.name.includes('@') && !referenced.has(item.name)) {
        await rm(join(packsDir, item.name), { recursive: true, force: true });
      }
      // An index replacement interrupted before its rename.
      if (item.isFile() && item.name.startsWith(`${INDEX_FILE}.`) && item.name.endsWith('.tmp')) await rm(join(packsDir, item.name), { force: true });
    }
    const stores = new Map<string, KnowledgeStore>();
    const library = new PackLibrary(dataDir, embedder, index.packs, stores);
    for (const pack of index.packs) {
      // One damaged pack must not keep the copilot from starting: it is listed with its problem and not searched.
      const dir = join(packsDir, pack.dir);
      try {
        await access(join(dir, PACK_FILE));
      } catch {
        library.broken.set(pack.name, `its folder ${dir} is missing or incomplete; install the pack again`);
        continue;
      }
      try {
        stores.set(pack.name, await KnowledgeStore.open(dir, embedder, onProgress));
      } catch (err) {
        library.broken.set(pack.name, `its table in ${dir} cannot be opened (${errorMessage(err)}); install the pack again`);
      }
    }
    try {
      await library.refreshTrust();
    } catch (err) {
      await library.close();
      throw err;
    }
    return library;
  }

  /**
   * Runs `hook` before each install changes anything, once the pack is verified and accepted (not for a refused
   * or an unchanged one): the service tags the data folder there, so the install can be rolled back
   * (core/privacy/rollback.ts). If the hook fails, nothing is installed.
   */
  onBeforeInstall(hook: ((pack: { name: string; version: string; previousVersion: string | null }) => Promise<void>) | null): void {
    this.beforeInstall = hook;
  }

  /** Installed packs, by name. */
  list(): InstalledPackInfo[] {
    return [...this.installed]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((pack) => ({ ...pack, problem: this.problemOf(pack) }));
  }

  /**
   * The interest rules shipped in the usable installed packs, each checked with its pack (signature and bytes)
   * before it is used; a pack that fails the check contributes none, and says why through `onProblem`.
   */
  async rules(onProblem?: (message: string) => void): Promise<Array<{ pack: string; rule: RuleSpec }>> {
    const found: Array<{ pack: string; rule: RuleSpec }> = [];
    for (const pack of this.list()) {
      if (pack.problem) continue;
      const file = join(this.dataDir, PACKS_DIR, pack.dir, PACK_FILE);
      try {
        const { manifest, signature } = checkPack(await readPackFile(file), file);
        if (signature?.publicKey !== pack.publicKey) throw new Error(`${file}: not signed by the key it was installed with`);
        for (const rule of manifest.rules ?? []) found.push({ pack: `${pack.name} ${pack.version}`, rule });
      } catch (err) {
        onProblem?.(`The rules of pack ${pack.name} are not used: ${(err as Error).message}`);
      }
    }
    return found;
  }

  /** Re-reads the trust list: packs whose signer is no longer trusted are left out of search until it is again. */
  async refreshTrust(): Promise<void> {
    this.trustedKeys = new Set((await this.trust.list()).map((k) => k.publicKey));
  }

  /** Checks a pack file completely (bytes, signature, entries) and says whether its signer is trusted here. */
  async verify(file: string, maxBytes = DEFAULT_MAX_PACK_BYTES): Promise<VerifiedPack> {
    const checked = checkPack(await readPackFile(file, maxBytes), file);
    const trustedKey = checked.signature ? await this.trust.find(checked.signature.publicKey) : null;
    return { checked, trustedKey };
  }

  /**
   * Installs a pack file: verifies it completely, refuses an untrusted signer, an older version, a different
   * signer than the installed version's, or the installed version with other content; then builds the new
   * version beside the old one and switches to it atomically.
   */
  install(file: string, options: InstallOptions = {}): Promise<InstallResult> {
    return this.queue.run(() => this.installNow(file, options));
  }

  /** Uninstalls a pack: atomically forgotten, then its folder deleted. */
  remove(name: string): Promise<InstalledPack> {
    return this.queue.run(async () => {
      const pack = this.installed.find((p) => p.name === name);
      if (!pack) throw new PackError('not_installed', `No pack named "${name}" is installed (see \`vigil pack list\`).`);
      const remaining = this.installed.filter((p) => p !== pack);
      await this.writeIndex(remaining);
      this.installed = remaining;
      this.broken.delete(name);
      const store = this.stores.get(name);
      this.stores.delete(name);
      await this.retire(store, pack.dir);
      return pack;
    });
  }

  /** Hybrid search over every usable installed pack in parallel, merged as `mergeHits` says. */
  async search(query: string, options: PackSearchOptions = {}): Promise<PackHit[]> {
    const limit = options.limit ?? 10;
    const usable = this.installed.filter((p) => this.problemOf(p) === null);
    const job = Promise.all(
      usable.map(async (pack) => {
        const store = this.stores.get(pack.name);
        if (!store) return [];
        const hits = await store.search(query, { ...options, limit, statuses: ['approved'] });
        return hits.map((hit): PackHit => ({ ...hit, pack: { name: pack.name, version: pack.version } }));
      }),
    );
    this.reading.add(job);
    try {
      return mergeHits((await job).flat(), limit);
    } finally {
      this.reading.delete(job);
    }
  }

  /** Waits for installs and removals in progress, then closes every pack's table. */
  async close(): Promise<void> {
    await this.queue.close();
    await Promise.allSettled([...this.reading]);
    for (const store of this.stores.values()) await store.close().catch(() => undefined);
    this.stores.clear();
  }

  private problemOf(pack: InstalledPack): string | null {
    const broken = this.broken.get(pack.name);
    if (broken) return broken;
    if (!this.stores.has(pack.name)) return 'its files are missing; install it again';
    if (!this.trustedKeys.has(pack.publicKey)) {
      return `its signer's key ${pack.keyId} is no longer in the trust list; it is not searched until the key is trusted again`;
    }
    return null;
  }

  /**
   * The trusted key that signed a pack, or a refusal: unsigned, a key id that is not the key's, an untrusted key, or
   * a key that may not publish this pack name or team (trustList.ts). Needs only the header.
   */
  private async signerOf(file: string, manifest: PackManifest, signature: PackSignature | null): Promise<TrustedKey> {
    const label = `${manifest.name} ${manifest.version}`;
    if (!signature) throw new PackError('unsigned', `${file}: pack ${label} is not signed. Sign it with \`vigil pack sign ${file} --key KEY\` before installing it.`);
    if (keyIdOf(signature.publicKey) !== signature.keyId) {
      throw new PackError('bad_signature', `${file}:1: signature.keyId ${signature.keyId} does not belong to the public key in the header: the header was edited.`);
    }
    const trustedKey = await this.trust.find(signature.publicKey);
    if (!trustedKey) {
      throw new PackError(
        'untrusted_signer',
        `${file}: pack ${label} is signed by key ${signature.keyId}, which is not in this team's trust list. Nothing was installed. If you know the publisher, add their public key with \`vigil pack trust add KEY.public.pem\` (or in Settings › Packs) and install again.`,
      );
    }
    const previous = this.installed.find((p) => p.name === manifest.name);
    if (previous && previous.publicKey !== signature.publicKey) {
      throw new PackError(
        'different_signer',
        `${file}: pack ${manifest.name} is installed signed by key ${previous.keyId} (${previous.signer}), but this file is signed by key ${signature.keyId} (${trustedKey.name}). Refused: a pack keeps its signer. If the publisher really changed keys, remove the pack first (\`vigil pack remove ${manifest.name}\`), then install.`,
      );
    }
    await this.trust.assertMayPublish(trustedKey, manifest.name, manifest.team, file);
    return trustedKey;
  }

  private async installNow(file: string, options: InstallOptions): Promise<InstallResult> {
    // The signer is checked on the header alone first: an untrusted 59 MiB pack was read and parsed whole (8 s,
    // 550 MB) before it was refused, on every scan of a subscribed folder.
    const header = await readPackHeader(file, options.maxBytes);
    const headerSigner = await this.signerOf(file, header.manifest, header.signature);
    // The file is read again whole; it must still be signed by the key just accepted (it may have been replaced).
    const checked = checkPack(await readPackFile(file, options.maxBytes), file, {
      signer: (signature) => {
        if (signature.publicKey !== headerSigner.publicKey) throw new PackError('different_signer', `${file} changed while it was read (now signed by key ${signature.keyId}); try again once the copy has finished.`);
      },
    });
    const { manifest, signature } = checked;
    const label = `${manifest.name} ${manifest.version}`;
    const trustedKey = await this.signerOf(file, manifest, signature);
    if (!signature) throw new PackError('unsigned', `${file}: pack ${label} is not signed.`); // signerOf refuses it first
    const previous = this.installed.find((p) => p.name === manifest.name) ?? null;
    if (previous) {
      const order = compareVersions(manifest.version, previous.version);
      if (order < 0) {
        throw new PackError(
          'downgrade',
          `${file}: pack ${manifest.name} ${manifest.version} is older than the installed ${previous.version}. Refused: installing an older version is a downgrade. Remove the pack first if you really want the older one.`,
        );
      }
      if (order === 0 && previous.entriesSha256 === manifest.entriesSha256) {
        // The same pack again: nothing to do, unless the installed copy is damaged, which is then rebuilt.
        if (!this.broken.has(manifest.name)) return { outcome: 'unchanged', pack: previous, previousVersion: previous.version };
      } else if (order === 0) {
        throw new PackError(
          'same_version_changed',
          `${file}: pack ${label} is already installed with different entries (entries sha256 ${previous.entriesSha256.slice(0, 12)}… installed, ${manifest.entriesSha256.slice(0, 12)}… in this file). Refused: a changed pack must carry a new version number.`,
        );
      }
    }
    await this.beforeInstall?.({ name: manifest.name, version: manifest.version, previousVersion: previous?.version ?? null });
    await options.onStage?.('verified');

    const dirName = `${manifest.name}@${manifest.version}.${randomBytes(4).toString('hex')}`;
    const dir = join(this.packsDir, dirName);
    let store: KnowledgeStore | null = null;
    let committed = false;
    try {
      await mkdir(dir);
      const handle = await open(join(dir, PACK_FILE), 'wx');
      try {
        await options.onStage?.('copying');
        await handle.writeFile(checked.bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await options.onStage?.('copied');
      store = await KnowledgeStore.open(dir, this.embedder);
      const installedAt = new Date().toISOString();
      const ref = `${manifest.name}@${manifest.version}`;
      const entries: StoredEntry[] = checked.entries.map(({ entry }) => {
        const { status: _status, provenance: _provenance, ...rest } = entry as Record<string, unknown>;
        return {
          ...toStoredEntry({ ...(rest as typeof entry), source: { type: 'pack', ref } }, { status: 'approved', now: manifest.created }),
          status: 'approved',
          provenance: { sourceTicketIds: [], createdAt: manifest.created, approvedBy: `pack ${ref} signed by ${trustedKey.name} (${signature.keyId})`, approvedAt: installedAt },
        };
      });
      for (let i = 0; i < entries.length; i += BUILD_BATCH) {
        await store.upsert(entries.slice(i, i + BUILD_BATCH));
        await options.onStage?.('building');
      }
      await store.flush();
      await syncFolder(dir);
      await options.onStage?.('built');

      const record: InstalledPack = {
        name: manifest.name,
        version: manifest.version,
        team: manifest.team,
        created: manifest.created,
        ...(manifest.description ? { description: manifest.description } : {}),
        entries: manifest.entries,
        entriesSha256: manifest.entriesSha256,
        keyId: signature.keyId,
        publicKey: signature.publicKey,
        signer: trustedKey.name,
        dir: dirName,
        installedAt,
        sourceFile: basename(file),
      };
      const next = [...this.installed.filter((p) => p.name !== manifest.name), record];
      await this.writeIndex(next, () => options.onStage?.('index-staged')); // the install happens here
      committed = true;
      await this.trust.claim(manifest.name, trustedKey); // the first trusted publisher of a name owns it
      this.installed = next;
      this.broken.delete(manifest.name);
      const old = this.stores.get(manifest.name);
      this.stores.set(manifest.name, store);
      await options.onStage?.('switched');
      await this.retire(old, previous?.dir);
      await options.onStage?.('committed');
      const outcome = !previous ? 'installed' : previous.version === record.version ? 'repaired' : 'upgraded';
      return { outcome, pack: record, previousVersion: previous?.version ?? null };
    } catch (err) {
      if (!committed) {
        await store?.close().catch(() => undefined);
        await rm(dir, { recursive: true, force: true }).catch(() => undefined); // or the next open deletes it
      }
      throw err;
    }
  }

  private async writeIndex(packs: InstalledPack[], beforeRename?: () => void | Promise<void>): Promise<void> {
    await writeJsonAtomic(join(this.packsDir, INDEX_FILE), { format: 1, packs }, { beforeRename });
  }

  /** Closes a replaced or removed version once searches already running on it have finished, then deletes it. */
  private async retire(store: KnowledgeStore | undefined, dir: string | undefined): Promise<void> {
    await Promise.allSettled([...this.reading]);
    await store?.close().catch(() => undefined);
    if (dir) await rm(join(this.packsDir, dir), { recursive: true, force: true }).catch(() => undefined); // else the next open does
  }
}
