/**
 * Settings → Privacy and the audit view's contract methods (docs/privacy.md): offline mode, switched on the
 * process's egress policy at once; redaction before storage, which the engine reads when it opens, so saving it
 * reopens the workspace; the data folder's protection; store snapshots, whose rollback closes the workspace
 * (the store must not be open while its tables are restored) and opens it again; and the audit log, read a page
 * at a time, verified, and exported to a file the analyst picks in the main process's save dialog.
 * Like settingsHandlers.ts, no Electron runtime import: the dialog is injected.
 */
import type { AuditKeyring } from '../../core/privacy/auditLog';
import type { IpcMainInvokeEvent } from 'electron';
import { readPrivacySettings, rollbackClosedStore, type EgressState } from '../../core/privacy/privacySettings';
import type { PrivacyOverview, RollbackReport } from '../../core/privacy/privacyTypes';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';

/** The contract methods this file answers. */
export type PrivacyMethod = keyof ReturnType<typeof createPrivacyHandlers>;

/** The part of the process's egress policy (core/net/egress.ts) these handlers read and switch. */
export interface EgressSwitch {
  readonly offline: boolean;
  allowedHosts(): string[];
  setOffline(offline: boolean): void;
}

/** Asks where to write an audit export; null when the analyst cancels. */
export type ExportPathPicker = (event: IpcMainInvokeEvent, format: 'jsonl' | 'csv') => Promise<string | null>;

export interface PrivacyDependencies {
  /** The team's data folder the host opens. */
  dataDir: string;
  /** The policy the process guard enforces (electron/main/index.ts installs it). */
  egress: EgressSwitch;
  /** The save dialog (the native one in the app, ipcHandlers.ts; scripted in tests). */
  pickExportFile: ExportPathPicker;
  /** Hears a change of offline mode after it applied (the app restarts its connectors so they notice now). */
  onOfflineChanged?: (offline: boolean) => Promise<void>;
  /** The audit log's copy of its anchor out of the data folder: the keychain-backed secret store in the app. */
  auditKeyring?: AuditKeyring;
}

/** The handlers of the Privacy section's and the audit view's methods. */
export function createPrivacyHandlers(host: ServiceHost, deps: PrivacyDependencies) {
  const egressState = (): EgressState => ({ offline: deps.egress.offline, allowedHosts: deps.egress.allowedHosts() });
  const overview = (): Promise<PrivacyOverview> => host.use((w) => w.privacy.overview(egressState()));
  const applyOffline = async (offline: boolean): Promise<void> => {
    if (deps.egress.offline === offline) return;
    deps.egress.setOffline(offline);
    await deps.onOfflineChanged?.(offline);
  };
  return ipcHandlerGroup({
    privacyOverview: overview,
    setPrivacySettings: async (request) => {
      const { saved, redacting } = await host.use(async (w) => ({ saved: await w.privacy.setSettings(request), redacting: w.privacy.redactsBeforeStorage() }));
      await applyOffline(saved.offline);
      // The engine reads "redact before storage" when it opens (CopilotService.open): reopen it to apply.
      if (saved.redactBeforeStorage !== redacting) await host.restart();
      return overview();
    },
    repairDataFolder: async () => {
      await host.use((w) => w.privacy.repairDataFolder());
      return overview();
    },
    tagSnapshot: async ({ name, reason }) => {
      await host.use((w) => w.privacy.tagSnapshot(name, reason ?? ''));
      return overview();
    },
    rollbackPreview: ({ name }) => host.use((w) => w.privacy.rollbackPreview(name)),
    rollbackSnapshot: async ({ name }) => {
      let report: RollbackReport | null = null;
      await host.restart(async () => {
        report = await rollbackClosedStore(deps.dataDir, name, deps.auditKeyring ? { keyring: deps.auditKeyring } : {});
      });
      // The snapshot brought back its settings.json, offline mode included: the running guard follows it.
      await applyOffline((await readPrivacySettings(deps.dataDir)).offline);
      return report!;
    },
    auditPage: ({ before, limit, type }) =>
      host.use((w) => w.privacy.auditPage({ before: before ?? null, ...(limit !== undefined ? { limit } : {}), ...(type ? { types: [type] } : {}) })),
    verifyAudit: () => host.use((w) => w.privacy.verifyAudit()),
    exportAudit: async ({ format, type }, event) => {
      const file = await deps.pickExportFile(event, format);
      if (file === null) return null;
      return host.use((w) => w.privacy.exportAudit(file, { format, ...(type ? { type } : {}) }));
    },
  });
}
