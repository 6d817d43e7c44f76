/**
 * Everything a team's admin does with packs on one data folder, as plain-data calls for the front doors (the
 * `vigil pack` commands, the app's settings over IPC): install, remove and list packs, manage the trust list and
 * subscriptions, and export the team's own knowledge as a pack. CopilotService exposes one as `packs`.
 */
import { writeFileAtomic } from '../formats/durableFile';
import type { Entry } from '../formats/schemas';
import { exportPack, type ExportOptions } from './packExport';
import { PackError } from './packError';
import { keyIdOf, readPublicKey } from './packKeys';
import type { InstallResult, InstalledPack, InstalledPackInfo, PackLibrary } from './packLibrary';
import { PackFolderWatcher, Subscriptions, type ScanReport, type Subscription, type WatcherOptions } from './packSubscriptions';
import type { TrustedKey, TrustScope } from './trustList';
import type { RedactionCounts } from './packRedaction';

/** A verified pack file, described for a person. */
export interface PackFileSummary {
  file: string;
  name: string;
  version: string;
  team: string;
  created: string;
  description: string | null;
  entries: number;
  entriesSha256: string;
  keyId: string;
  /** The trust-list name of the signer, or null when this team does not trust the key. */
  trustedAs: string | null;
}

export interface TeamExportResult {
  file: string;
  name: string;
  version: string;
  entries: number;
  considered: number;
  signedBy: string | null;
  redacted: { id: string; counts: RedactionCounts }[];
}

export class PackAdmin {
  private readonly subscriptions: Subscriptions;
  private watcher: PackFolderWatcher | null = null;
  private watchOptions: WatcherOptions | null = null;

  constructor(
    readonly library: PackLibrary,
    private readonly teamEntries: () => AsyncIterable<Entry>,
  ) {
    this.subscriptions = new Subscriptions(library.dataDir);
  }

  list(): InstalledPackInfo[] {
    return this.library.list();
  }

  install(file: string): Promise<InstallResult> {
    return this.library.install(file);
  }

  remove(name: string): Promise<InstalledPack> {
    return this.library.remove(name);
  }

  /** Verifies a pack file completely without installing it; throws PackError when it is refused. */
  async verify(file: string): Promise<PackFileSummary> {
    const { checked, trustedKey } = await this.library.verify(file);
    const { manifest, signature } = checked;
    if (!signature) throw new PackError('unsigned', `${file}: pack ${manifest.name} ${manifest.version} is not signed.`);
    return {
      file,
      name: manifest.name,
      version: manifest.version,
      team: manifest.team,
      created: manifest.created,
      description: manifest.description ?? null,
      entries: manifest.entries,
      entriesSha256: manifest.entriesSha256,
      keyId: signature.keyId,
      trustedAs: trustedKey?.name ?? null,
    };
  }

  trustedKeys(): Promise<TrustedKey[]> {
    return this.library.trust.list();
  }

  /** Trusts the public key in `file` (PEM, or raw base64) under `name`, bound to `scope` (pack names, team) if given. */
  async trustKeyFile(file: string, name: string, scope: TrustScope = {}): Promise<{ key: TrustedKey; added: boolean }> {
    const result = await this.library.trust.add(await readPublicKey(file), name, scope);
    await this.library.refreshTrust();
    return result;
  }

  async untrustKey(idOrName: string): Promise<TrustedKey> {
    const key = await this.library.trust.remove(idOrName);
    await this.library.refreshTrust();
    return key;
  }

  /**
   * Writes the team's own knowledge as a pack to `file` (replaced atomically): filters, redaction and signing
   * as in `exportPack`.
   */
  async exportTeamPack(file: string, options: ExportOptions): Promise<TeamExportResult> {
    const result = await exportPack(this.teamEntries(), options);
    await writeFileAtomic(file, result.bytes);
    return {
      file,
      name: result.manifest.name,
      version: result.manifest.version,
      entries: result.selected,
      considered: result.considered,
      signedBy: options.privateKey ? keyIdOf(options.privateKey) : null,
      redacted: result.redacted,
    };
  }

  listSubscriptions(): Promise<Subscription[]> {
    return this.subscriptions.list();
  }

  /** Subscribes to packs in a folder; a running watch starts watching it at once. */
  async subscribe(folder: string, packs: readonly string[]): Promise<Subscription> {
    const subscription = await this.subscriptions.subscribe(folder, packs);
    if (this.watchOptions) await this.watchSubscriptions(this.watchOptions);
    return subscription;
  }

  async unsubscribe(folder: string, packs: readonly string[] = []): Promise<Subscription | null> {
    const subscription = await this.subscriptions.unsubscribe(folder, packs);
    if (this.watchOptions) await this.watchSubscriptions(this.watchOptions);
    return subscription;
  }

  /** Scans every subscribed folder once and installs newer versions of subscribed packs. */
  async syncSubscriptions(): Promise<ScanReport[]> {
    return new PackFolderWatcher(this.library, await this.subscriptions.list()).scan();
  }

  /** Watches the subscribed folders until `stopWatching` or `close` (the desktop app does this while it runs). */
  async watchSubscriptions(options: WatcherOptions): Promise<void> {
    await this.stopWatching();
    this.watchOptions = options;
    this.watcher = new PackFolderWatcher(this.library, await this.subscriptions.list(), options);
    this.watcher.start();
  }

  async stopWatching(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = null;
    this.watchOptions = null;
    await watcher?.stop();
  }

  async close(): Promise<void> {
    await this.stopWatching();
    await this.library.close();
  }
}
