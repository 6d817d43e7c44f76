/**
 * Knowledge packs as the app's Settings screen sees them (docs/packs.md): installed packs, trusted keys and
 * subscriptions as plain data that crosses IPC, and the same actions as `vigil pack …`, on the engine's PackAdmin.
 */
import type { PackAdmin } from './packAdmin';
import type { ScanReport } from './packSubscriptions';

/** An installed pack as the settings list it. */
export interface PackView {
  name: string;
  version: string;
  team: string;
  description: string | null;
  entries: number;
  /** The trust-list name of the key that signed it, and that key's id. */
  signer: string;
  keyId: string;
  installedAt: string;
  /** Why it is left out of search (damaged folder, signer no longer trusted), or null when it is in use. */
  problem: string | null;
}

export interface TrustedKeyView {
  id: string;
  name: string;
  addedAt: string;
}

export interface SubscriptionView {
  folder: string;
  packs: string[];
}

/** Everything the packs section shows, read in one call. */
export interface PacksOverview {
  packs: PackView[];
  trustedKeys: TrustedKeyView[];
  subscriptions: SubscriptionView[];
}

export interface PackInstallReport {
  outcome: 'installed' | 'upgraded' | 'repaired' | 'unchanged';
  name: string;
  version: string;
  previousVersion: string | null;
  entries: number;
  signer: string;
}

export interface TrustKeyReport {
  key: TrustedKeyView;
  /** False when the key was trusted already (under the name it was first given). */
  added: boolean;
}

/** What one "sync now" did in one subscribed folder. */
export interface PackSyncReport {
  folder: string;
  unreachable: string | null;
  installed: { file: string; name: string; version: string; outcome: PackInstallReport['outcome'] }[];
  refused: { file: string; message: string }[];
}

/** The Settings screen's pack actions, answering in plain data. */
export class PackViews {
  constructor(private readonly admin: PackAdmin) {}

  /** Installed packs, trusted keys and subscriptions. */
  async overview(): Promise<PacksOverview> {
    const [keys, subscriptions] = await Promise.all([this.admin.trustedKeys(), this.admin.listSubscriptions()]);
    return {
      packs: this.admin.list().map((p) => ({
        name: p.name,
        version: p.version,
        team: p.team,
        description: p.description ?? null,
        entries: p.entries,
        signer: p.signer,
        keyId: p.keyId,
        installedAt: p.installedAt,
        problem: p.problem,
      })),
      trustedKeys: keys.map(keyView),
      subscriptions: subscriptions.map((s) => ({ folder: s.folder, packs: [...s.packs] })),
    };
  }

  /** Verifies and installs a pack file (refused unless its signer is trusted). */
  async install(file: string): Promise<PackInstallReport> {
    const { outcome, pack, previousVersion } = await this.admin.install(file);
    return { outcome, name: pack.name, version: pack.version, previousVersion, entries: pack.entries, signer: pack.signer };
  }

  async remove(name: string): Promise<{ name: string; version: string }> {
    const pack = await this.admin.remove(name);
    return { name: pack.name, version: pack.version };
  }

  /** Trusts the public key in `file` under `name`. */
  async trustKeyFile(file: string, name: string): Promise<TrustKeyReport> {
    const { key, added } = await this.admin.trustKeyFile(file, name);
    return { key: keyView(key), added };
  }

  async untrustKey(id: string): Promise<TrustedKeyView> {
    return keyView(await this.admin.untrustKey(id));
  }

  async subscribe(folder: string, packs: readonly string[]): Promise<SubscriptionView> {
    const s = await this.admin.subscribe(folder, packs);
    return { folder: s.folder, packs: [...s.packs] };
  }

  /** Drops the whole subscription to `folder`. */
  async unsubscribe(folder: string): Promise<void> {
    await this.admin.unsubscribe(folder);
  }

  /** Scans every subscribed folder once and installs newer versions of subscribed packs. */
  async sync(): Promise<PackSyncReport[]> {
    return (await this.admin.syncSubscriptions()).map(syncReportView);
  }

  /**
   * Watches the subscribed folders while the engine is open (the desktop app does), installing newer versions as
   * they appear; `onReport` hears what each scan installed or refused. Stops when the engine closes.
   */
  watch(onReport: (report: PackSyncReport) => void): Promise<void> {
    return this.admin.watchSubscriptions({ onReport: (r) => onReport(syncReportView(r)) });
  }
}

function keyView(key: { id: string; name: string; addedAt: string }): TrustedKeyView {
  return { id: key.id, name: key.name, addedAt: key.addedAt };
}

function syncReportView(r: ScanReport): PackSyncReport {
  return {
    folder: r.folder,
    unreachable: r.unreachable,
    installed: r.installed.map((i) => ({ file: i.file, name: i.pack.name, version: i.pack.version, outcome: i.outcome })),
    refused: r.refused.map((f) => ({ file: f.file, message: f.message })),
  };
}
