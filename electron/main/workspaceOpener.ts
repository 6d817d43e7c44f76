/**
 * Opens the team's workspace for the main process's ServiceHost (at start, and again after a restart from the
 * Settings screen): applies offline mode first, opens the folder (or says in the tray why it cannot), follows the
 * local LLM's status into the tray, routes the workspace's desk events, installs new versions of subscribed packs
 * while Vigil runs, and starts watching the team's queues.
 */
import type { DeskEvent } from '../../core/app/deskTypes';
import { readPrivacySettings } from '../../core/privacy/privacySettings';
import { Workspace, type WatchOptions } from '../../core/app/workspace';
import type { ConnectorService } from '../../core/watch/connectorService';
import type { EgressPolicy } from '../../core/net/egress';
import type { EgressDenialLog } from '../../core/privacy/egressDenials';
import { log } from '../../core/privacy/redactingLogger';
import type { PackSyncReport } from '../../core/app/settingsTypes';
import { chosenFolderProblem, type ResolvedDataFolder } from './dataFolderChoice';
import { SafeStorageSecretStore } from './safeStorageSecrets';
import type { TrayController } from './trayController';

export interface WorkspaceOpenerDependencies {
  /** The data folder this run uses, and how it was chosen. */
  dataFolder: ResolvedDataFolder;
  /** The process's guarded egress policy (offline mode is switched on it). */
  egress: EgressPolicy;
  /** Refused connections, written to the audit log of the workspace once it is open. */
  egressDenials: EgressDenialLog;
  tray: TrayController;
  /** Where the workspace's desk events (and the opening's progress) go. */
  onDeskEvent(event: DeskEvent): void;
}

export interface WorkspaceOpener {
  /** Opens the workspace; rejects, with the tray saying why, when the folder cannot be opened. */
  open(): Promise<Workspace>;
  /** Starts (or restarts) watching the team's queues; a mistake in connectors.json is shown in the tray. */
  startWatching(workspace: { connectors: Pick<ConnectorService, 'startWatching'> }): Promise<void>;
}

/** The opener of the workspace on `deps.dataFolder`. */
export function createWorkspaceOpener(deps: WorkspaceOpenerDependencies): WorkspaceOpener {
  const { dataFolder, egress, tray } = deps;
  const dataDir = dataFolder.dataDir;
  /** Counts the workspaces opened, so a closed one's LLM monitor can never speak for the one open now. */
  let opened = 0;

  /** How the workspace watches the team's queues: through the guarded policy, reporting health to the tray. */
  const watchOptions = (): WatchOptions => ({
    secrets: new SafeStorageSecretStore(dataDir),
    egress,
    onHealth: (health) => tray.connectorHealth(health),
  });

  const startWatching = async (workspace: { connectors: Pick<ConnectorService, 'startWatching'> }): Promise<void> => {
    try {
      await workspace.connectors.startWatching(watchOptions());
      tray.setWatchProblem(null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn(`Vigil is not watching any queue: ${message}`);
      tray.setWatchProblem(message);
    }
  };

  const open = async (): Promise<Workspace> => {
    tray.show({ mode: 'starting', modeReason: null });
    // Offline mode (Settings → Privacy) before any connector starts: read again at every open, since a rollback
    // can bring back an older settings.json.
    try {
      egress.setOffline((await readPrivacySettings(dataDir)).offline);
    } catch (error) {
      log.warn(`Vigil cannot read its privacy settings, so offline mode stays as it was: ${String(error)}`);
    }
    tray.show({ offline: egress.offline });
    let workspace: Workspace;
    try {
      // A chosen folder that has gone (its volume not mounted) is not created again on the wrong disk.
      const unavailable = chosenFolderProblem(dataFolder);
      if (unavailable) throw new Error(unavailable);
      workspace = await Workspace.open({
        dataDir,
        egressDenials: deps.egressDenials,
        // Shared links are fetched through the guarded policy, which allows the team's documentation hosts.
        egress,
        // The audit log keeps a copy of its anchor in the keychain, where an edit of the data folder cannot forge it.
        auditKeyring: new SafeStorageSecretStore(dataDir),
        // The team store (when the folder is in one): its keys in the keychain, exactly its endpoint on the policy.
        team: { secrets: new SafeStorageSecretStore(dataDir), egress },
        onWarning: (w) => log.warn(w),
        // Re-indexing after a change of embedder can take minutes: the Settings screen shows how far it is.
        onProgress: (message) => deps.onDeskEvent({ type: 'workspace-progress', message }),
      });
    } catch (error) {
      tray.setEngineProblem(`Vigil could not open the team’s data folder: ${error instanceof Error ? error.message : String(error)}`);
      tray.show({ mode: 'stopped', modeReason: null });
      throw error;
    }
    tray.setEngineProblem(null);
    // The engine's mode follows its LLM monitor: ready with the local model, or retrieval-only and why.
    const generation = ++opened;
    const llm = workspace.service.llmStatus();
    tray.show({ mode: llm.mode, modeReason: llm.reason });
    workspace.service.onLlmStatus((status) => {
      if (generation === opened) tray.show({ mode: status.mode, modeReason: status.reason });
    });
    workspace.desk.onEvent((event) => deps.onDeskEvent(event));
    // New versions of subscribed packs (a share, a USB stick) are installed while Vigil runs.
    try {
      await workspace.packs.watch(logPackSync);
    } catch (error) {
      // A damaged subscriptions file must not keep the copilot from starting; Settings shows the same error.
      log.warn(`Vigil cannot watch the subscribed pack folders: ${String(error)}`);
    }
    // Watch the team's queues (connectors.json); a mistake there is shown, and the rest of Vigil works on.
    await startWatching(workspace);
    return workspace;
  };

  return { open, startWatching };
}

/** Logs what one scan of a subscribed pack folder did. */
function logPackSync(report: PackSyncReport): void {
  for (const done of report.installed) log.info(`Vigil installed pack ${done.name} ${done.version} from ${done.file}.`);
  for (const refused of report.refused) log.warn(`Vigil refused pack file ${refused.file}: ${refused.message}`);
  if (report.unreachable) log.warn(`Vigil cannot read the subscribed folder ${report.folder}: ${report.unreachable}`);
}
