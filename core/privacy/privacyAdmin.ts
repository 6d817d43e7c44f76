/**
 * Privacy administration for the app's Settings → Privacy section and audit view (docs/privacy.md): the saved
 * choices, what may leave the machine, the data folder's protection, store snapshots and the audit log, all on one
 * open data folder. Offline mode is the caller's to apply to its egress policy; redaction before storage is read
 * when the engine opens, so the caller reopens it after a change (ServiceHost.restart); documentation hosts apply
 * at once, through `applyDocumentationHosts`.
 */
import { AUDIT_TYPES, exportAuditLog, readAuditLogPage, type AuditKeyring, type AuditLog, type AuditPageOptions, type AuditType } from './auditLog';
import { securePrivateFolder } from './dataFolder';
import {
  dataFolderView,
  networkView,
  readPrivacySettings,
  snapshotView,
  verifyAuditView,
  writePrivacySettings,
  type ConnectorHosts,
  type EgressState,
} from './privacySettings';
import type {
  AuditExportReport,
  AuditPage,
  AuditVerificationView,
  DataFolderView,
  PrivacyOverview,
  PrivacySettings,
  RollbackPreview,
  SnapshotView,
} from './privacyTypes';
import { createSnapshot, listSnapshots, readSnapshot } from './rollback';

/** What the privacy section reads from the rest of the open workspace. */
export interface PrivacySources {
  dataDir: string;
  /** The data folder's audit log, held open by the engine. */
  audit: AuditLog;
  /** Whether the running engine redacts before storage (read from the settings when it opened). */
  redactingBeforeStorage: boolean;
  /** When each stored entry was created, for what a rollback would undo. */
  entryCreationTimes: () => AsyncIterable<string>;
  /** The enabled connectors and their hosts (none when connectors.json cannot be read). */
  connectorHosts: () => Promise<ConnectorHosts[]>;
  /** The audit log's copy of its anchor out of the data folder (the app's keychain), checked by `verifyAudit`. */
  auditKeyring?: AuditKeyring;
  /** Applies saved documentation hosts to the running engine and egress policy (no restart). */
  applyDocumentationHosts?: (hosts: readonly string[]) => void;
}

/** Settings → Privacy and the audit view on one open data folder. */
export class PrivacyAdmin {
  constructor(private readonly sources: PrivacySources) {}

  /**
   * The Privacy section: the saved settings, what may leave the machine under `egress` (the process's policy in
   * the app), the data folder's protection and the store snapshots, newest first.
   */
  async overview(egress: EgressState): Promise<PrivacyOverview> {
    const { dataDir } = this.sources;
    const settings = await readPrivacySettings(dataDir);
    const [network, dataFolder, snapshots] = await Promise.all([
      this.sources.connectorHosts().then((hosts) => networkView(dataDir, egress, hosts, settings.documentationHosts)),
      dataFolderView(dataDir),
      listSnapshots(dataDir),
    ]);
    return {
      settings,
      redactingBeforeStorage: this.sources.redactingBeforeStorage,
      network,
      dataFolder,
      snapshots: snapshots.map(snapshotView).reverse(),
      auditFile: this.sources.audit.file,
    };
  }

  /** Whether the running engine redacts tickets before learning from them (read from the settings at open). */
  redactsBeforeStorage(): boolean {
    return this.sources.redactingBeforeStorage;
  }

  /**
   * Saves privacy settings; see the class comment for when each applies. Documentation hosts apply at once: the
   * next shared link is fetched (or not) by the saved list. A host that is not a host name is an error naming it.
   */
  async setSettings(change: Partial<PrivacySettings>): Promise<PrivacySettings> {
    const saved = await writePrivacySettings(this.sources.dataDir, change);
    if (change.documentationHosts !== undefined) this.sources.applyDocumentationHosts?.(saved.documentationHosts);
    return saved;
  }

  /** Re-applies mode 0700 to the data folder (recorded in the audit log when it changed anything). */
  async repairDataFolder(): Promise<DataFolderView> {
    const result = await securePrivateFolder(this.sources.dataDir);
    if (result.repaired) {
      const before = result.modeBefore === null ? 'unknown' : `0${(result.modeBefore & 0o777).toString(8)}`;
      await this.sources.audit.append({ type: 'admin', action: 'permissions_repaired', detail: { modeBefore: before, modeAfter: '0700' } });
    }
    if (!result.repaired && result.warning) throw new Error(result.warning);
    return dataFolderView(this.sources.dataDir);
  }

  /** Tags the store's current state as `name` (the open engine holds the folder's writer lock). */
  async tagSnapshot(name: string, reason: string): Promise<SnapshotView> {
    return snapshotView(await createSnapshot(this.sources.dataDir, name, { lockHeld: true, reason, audit: this.sources.audit }));
  }

  /** What rolling back to `name` would undo: entries created since, and newer snapshots left behind. */
  async rollbackPreview(name: string): Promise<RollbackPreview> {
    const snapshot = await readSnapshot(this.sources.dataDir, name);
    let entriesAddedSince = 0;
    for await (const at of this.sources.entryCreationTimes()) if (at > snapshot.createdAt) entriesAddedSince++;
    const newerSnapshots = (await listSnapshots(this.sources.dataDir)).filter((s) => s.createdAt > snapshot.createdAt).length;
    return { snapshot: snapshotView(snapshot), entriesAddedSince, newerSnapshots };
  }

  /** One page of the audit log, newest first (see readAuditLogPage). */
  auditPage(options: AuditPageOptions): Promise<AuditPage> {
    return readAuditLogPage(this.sources.dataDir, options);
  }

  /** Checks the audit log's hash chain, as `vigil audit verify`. */
  verifyAudit(): Promise<AuditVerificationView> {
    return verifyAuditView(this.sources.dataDir, this.sources.auditKeyring ? { keyring: this.sources.auditKeyring } : {});
  }

  /** Writes the audit log (or the records of one type) to `file`, in the format of `vigil audit export`. */
  async exportAudit(file: string, options: { format: 'jsonl' | 'csv'; type?: string }): Promise<AuditExportReport> {
    const type = options.type && (AUDIT_TYPES as readonly string[]).includes(options.type) ? (options.type as AuditType) : undefined;
    if (options.type && !type) throw new Error(`type: "${options.type}" is not a record type this version can export (use ${AUDIT_TYPES.join(', ')}, or none for all).`);
    const result = await exportAuditLog(this.sources.dataDir, file, { format: options.format, ...(type ? { type } : {}) });
    return { file: result.file, exported: result.exported, format: options.format };
  }
}
