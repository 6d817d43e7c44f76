/**
 * Plain data the app's Settings → Privacy section and audit view get from the engine (docs/privacy.md). Like
 * settingsTypes.ts, nothing here holds a function or a class instance, so it crosses IPC unchanged.
 */
import type { AuditPage, AuditRecordView, AuditValue } from './auditLog';

export type { AuditPage, AuditRecordView, AuditValue };

/** The team's privacy choices, kept in the data folder's settings.json under `privacy`. */
export interface PrivacySettings {
  /** Loopback only: Ollama on this machine; connectors to other hosts are refused (paused) until it is off. */
  offline: boolean;
  /** Replace personal data in a closed ticket before anything is learned (stored) from it. */
  redactBeforeStorage: boolean;
  /**
   * The team's documentation hosts: links an analyst shares from them (or their subdomains) are fetched and become
   * article candidates in the review queue, and model answers may link to them. Refused in offline mode.
   */
  documentationHosts: string[];
}

/** A host connections may go to right now besides loopback, and the connectors that use it. */
export interface AllowedHostView {
  host: string;
  connectors: string[];
  /** One of the team's documentation hosts (shared links are fetched from it). */
  documentation: boolean;
}

/** A connection the egress guard refused, from the audit log. */
export interface EgressRefusalView {
  seq: number | null;
  at: string | null;
  host: string;
  via: string;
  reason: string;
}

/** What may leave the machine right now. */
export interface NetworkView {
  /** Whether the running egress policy is in offline mode (loopback only). */
  offline: boolean;
  /** Connector hosts allowed now (empty offline); loopback (127.0.0.0/8, ::1, localhost) is always allowed. */
  allowedHosts: AllowedHostView[];
  /** Connectors whose hosts offline mode refuses, with those hosts: they wait until offline mode is off. */
  pausedConnectors: Array<{ id: string; hosts: string[] }>;
  /** Refused connection attempts recorded in the audit log: how many in all, and the last few, newest first. */
  refusals: { total: number; recent: EgressRefusalView[] };
}

/** Whether the data folder is the user's alone (docs/privacy.md, "Data at rest"). */
export interface DataFolderView {
  path: string;
  /** Its permission bits as octal (`0700`), or null where POSIX modes do not apply (Windows). */
  mode: string | null;
  /** True when only the user can enter it (mode 0700 or stricter; always on Windows, where the ACL decides). */
  private: boolean;
  /** What is wrong and what to do, in words, or null when all is well. */
  warning: string | null;
}

/** A store snapshot as the Privacy section lists it. */
export interface SnapshotView {
  name: string;
  reason: string;
  createdAt: string;
  /** Made by Vigil before a risky operation or a rollback, rather than tagged by a person. */
  automatic: boolean;
  /** LanceDB tables tagged. */
  tables: number;
}

export interface PrivacyOverview {
  /** As saved in settings.json. */
  settings: PrivacySettings;
  /** Whether the engine running now redacts before storage (it reads the setting when the workspace opens). */
  redactingBeforeStorage: boolean;
  network: NetworkView;
  dataFolder: DataFolderView;
  /** Newest first. */
  snapshots: SnapshotView[];
  /** The audit log's file. */
  auditFile: string;
}

/** What rolling back to a snapshot would undo, for the confirmation dialog. */
export interface RollbackPreview {
  snapshot: SnapshotView;
  /** Entries in the store now that were created after the snapshot: they leave the store. */
  entriesAddedSince: number;
  /** Snapshots newer than this one: their states stay available, but the store leaves them. */
  newerSnapshots: number;
}

export interface RollbackReport {
  restored: SnapshotView;
  /** The state before the rollback, saved first: roll back to it to undo. */
  safety: SnapshotView;
}

/** `vigil audit verify` for the app. */
export interface AuditVerificationView {
  ok: boolean;
  records: number;
  problems: string[];
  /** The line of the first problem in the log file, or null. */
  firstBrokenLine: number | null;
}

export interface AuditExportReport {
  file: string;
  exported: number;
  format: 'jsonl' | 'csv';
}
