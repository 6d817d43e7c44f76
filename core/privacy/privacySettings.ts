/**
 * The team's privacy choices and what the app's Settings → Privacy section shows about them (docs/privacy.md).
 * The choices live in the data folder's `settings.json` under `privacy`, beside the team's other choices:
 * offline mode (loopback only), redaction before storage and the documentation hosts whose shared links become
 * article candidates. The desktop app and the `vigil` commands apply them all (`vigil links` edits the
 * documentation hosts). The rest is read from the parts that keep the promise: the egress policy, the audit log, the data folder's permissions and the store snapshots.
 */
import { z } from 'zod';
import { readSetting, writeSetting } from '../formats/settingsFile';
import { normalizeHost } from '../net/egress';
import { AuditLog, auditLogFile, countAuditRecords, readAuditLogPage, verifyAuditLog, type AuditOptions } from './auditLog';
import { securePrivateFolder } from './dataFolder';
import { rollbackToSnapshot, type StoreSnapshot } from './rollback';
import type { AuditVerificationView, DataFolderView, NetworkView, PrivacySettings, RollbackReport, SnapshotView } from './privacyTypes';

/** The key of settings.json this file owns. */
export const PRIVACY_SETTING_KEY = 'privacy';

/** At most this many documentation hosts: a team's docs live on a handful of sites; a longer list is a mistake. */
export const MAX_DOCUMENTATION_HOSTS = 100;

/**
 * The team's documentation hosts, each a host name (no scheme, path or port), normalised as the egress policy
 * compares them (lower case, no trailing dot) and listed once. The error names the host that is not one.
 */
export const DocumentationHostsSchema = z
  .array(z.string('each documentation host must be text'), 'must be a list of host names')
  .max(MAX_DOCUMENTATION_HOSTS, `at most ${MAX_DOCUMENTATION_HOSTS} documentation hosts`)
  .transform((hosts, ctx) => {
    const normal: string[] = [];
    for (const [index, host] of hosts.entries()) {
      const h = normalizeHost(host);
      if (h === null || h.includes('*')) {
        ctx.addIssue({ code: 'custom', path: [index], message: `"${host}" is not a host name; write it as docs.example.com, without https://, a path or a port` });
        return z.NEVER;
      }
      if (!normal.includes(h)) normal.push(h);
    }
    return normal;
  });

export const PrivacySettingsSchema = z.strictObject({
  offline: z.boolean('must be true or false').default(false),
  redactBeforeStorage: z.boolean('must be true or false').default(false),
  documentationHosts: DocumentationHostsSchema.default([]),
});

export const DEFAULT_PRIVACY_SETTINGS: PrivacySettings = { offline: false, redactBeforeStorage: false, documentationHosts: [] };

/**
 * `hosts` as the saved list would hold them (normalised, each once); throws an error naming the first that is not a
 * host name, so `vigil links allow` and Settings say which one to fix.
 */
export function parseDocumentationHosts(hosts: readonly string[]): string[] {
  const parsed = DocumentationHostsSchema.safeParse(hosts);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new Error(`documentationHosts: ${issue.message}.`);
}

/** The saved privacy settings, the defaults (online, no redaction before storage) when none are saved. */
export async function readPrivacySettings(dataDir: string): Promise<PrivacySettings> {
  const saved = await readSetting(dataDir, PRIVACY_SETTING_KEY, PrivacySettingsSchema, 'Fix the value there, or remove the "privacy" key to return to the defaults (online, no redaction before storage, no documentation hosts).');
  return saved ?? { ...DEFAULT_PRIVACY_SETTINGS };
}

/**
 * Changes some privacy settings, keeping the others (and every other key of settings.json); returns them all. A
 * documentation host that is not a host name is an error naming it, and nothing is written.
 */
export async function writePrivacySettings(dataDir: string, change: Partial<PrivacySettings>): Promise<PrivacySettings> {
  const current = await readPrivacySettings(dataDir);
  const hosts = change.documentationHosts === undefined ? {} : { documentationHosts: parseDocumentationHosts(change.documentationHosts) };
  const next = PrivacySettingsSchema.parse({ ...current, ...change, ...hosts });
  // An empty list is the default and is left out, so a folder without documentation hosts keeps its file as it was.
  const { documentationHosts, ...rest } = next;
  await writeSetting(dataDir, PRIVACY_SETTING_KEY, documentationHosts.length ? next : rest);
  return next;
}

/**
 * Whether a snapshot was made by Vigil rather than by a person: those taken before risky operations (marked
 * `automatic`) and the safety snapshot of a rollback (`before-rollback-…`, reason "automatic, …").
 */
export function isAutomaticSnapshot(snapshot: Pick<StoreSnapshot, 'name' | 'reason' | 'automatic'>): boolean {
  return snapshot.automatic === true || /^automatic\b/i.test(snapshot.reason) || snapshot.name.startsWith('before-rollback-');
}

export function snapshotView(snapshot: StoreSnapshot): SnapshotView {
  return {
    name: snapshot.name,
    reason: snapshot.reason,
    createdAt: snapshot.createdAt,
    automatic: isAutomaticSnapshot(snapshot),
    tables: Object.keys(snapshot.tables).length,
  };
}

/** The data folder's protection, checked without changing anything. */
export async function dataFolderView(dataDir: string): Promise<DataFolderView> {
  const check = await securePrivateFolder(dataDir, { repair: false });
  return {
    path: dataDir,
    mode: check.modeBefore === null ? null : `0${(check.modeBefore & 0o777).toString(8).padStart(3, '0')}`,
    private: check.warning === null,
    warning: check.warning,
  };
}

/** The egress policy's state as the Privacy section needs it (the running policy's, in the app). */
export interface EgressState {
  offline: boolean;
  /** Connector hosts the policy allows now (normalised; empty offline). */
  allowedHosts: readonly string[];
}

/** An enabled connector and the hosts it connects to (core/connectors `enabledConnectorHosts`). */
export interface ConnectorHosts {
  id: string;
  hosts: readonly string[];
}

/** How many refused attempts the Privacy section lists. */
const RECENT_REFUSALS = 5;

/**
 * What may leave the machine now: the hosts the policy allows (with the connectors using each, and whether it is one
 * of the team's `documentationHosts`), the connectors
 * offline mode holds back, and the refused attempts the audit log recorded.
 */
export async function networkView(dataDir: string, egress: EgressState, connectors: readonly ConnectorHosts[], documentationHosts: readonly string[] = []): Promise<NetworkView> {
  const enabled = connectors.map((c) => ({ id: c.id, hosts: c.hosts.map((h) => normalizeHost(h) ?? h) }));
  const allowedHosts = [...egress.allowedHosts].map((host) => ({
    host,
    connectors: enabled.filter((c) => c.hosts.includes(host)).map((c) => c.id),
    documentation: documentationHosts.includes(host),
  }));
  const pausedConnectors = egress.offline ? enabled.filter((c) => c.hosts.length > 0) : [];
  const [total, recent] = await Promise.all([
    countAuditRecords(dataDir, 'egress_denied'),
    readAuditLogPage(dataDir, { types: ['egress_denied'], limit: RECENT_REFUSALS }),
  ]);
  return {
    offline: egress.offline,
    allowedHosts,
    pausedConnectors,
    refusals: {
      total,
      recent: recent.records.map((r) => ({
        seq: r.seq,
        at: r.at,
        host: String(r.fields['host'] ?? ''),
        via: String(r.fields['via'] ?? ''),
        reason: String(r.fields['reason'] ?? ''),
      })),
    },
  };
}

/** `verifyAuditLog` with the line of the first problem picked out, for the audit view. */
export async function verifyAuditView(dataDir: string, options: AuditOptions = {}): Promise<AuditVerificationView> {
  const result = await verifyAuditLog(dataDir, options);
  const prefix = `${auditLogFile(dataDir)}:`;
  const first = result.problems[0];
  const line = first?.startsWith(prefix) ? Number.parseInt(first.slice(prefix.length), 10) : NaN;
  return { ok: result.ok, records: result.records, problems: result.problems, firstBrokenLine: Number.isFinite(line) ? line : null };
}

/**
 * Rolls the store of a data folder that no process has open back to snapshot `name` (the app closes its
 * workspace first: ServiceHost.restart), recording it in the audit log.
 */
export async function rollbackClosedStore(dataDir: string, name: string, options: AuditOptions = {}): Promise<RollbackReport> {
  const audit = await AuditLog.open(dataDir, options);
  try {
    const result = await rollbackToSnapshot(dataDir, name, { audit });
    return { restored: snapshotView(result.restored), safety: snapshotView(result.safety) };
  } finally {
    await audit.close();
  }
}
