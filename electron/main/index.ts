/**
 * Entry of Vigil's main process: takes the single-instance lock, puts every page under the security rules,
 * serves the UI from `app://vigil/`, wires the IPC contract to the engine, puts Vigil in the tray with a
 * global shortcut, and drains the engine on quit.
 */
import { join } from 'node:path';
import { app, BrowserWindow, session } from 'electron';
import type { DeskEvent } from '../../core/app/deskTypes';
import { Workspace } from '../../core/app/workspace';
import { userDataDir } from '../../core/formats/dataDir';
import { createCopilotHandlers } from './ipcHandlers';
import { registerIpcHandlers } from './ipcRouter';
import { APP_ENTRY_URL, registerAppScheme, serveAppScheme } from './protocol';
import { EgressPolicy } from '../../core/net/egress';
import { installEgressGuard } from '../../core/net/processGuard';
import { EgressDenialLog } from '../../core/privacy/egressDenials';
import { log } from '../../core/privacy/redactingLogger';
import { useMaintenanceForker } from '../../core/knowledge/optimizeInChild';
import { utilityProcessForker } from './maintenanceProcess';
import { readPrivacySettings } from '../../core/app/privacySettings';
import type { WatchOptions } from '../../core/app/workspace';
import { DESK_EVENT_CHANNEL } from '../ipc/contract';
import { createAssistBubble } from './bubble';
import { chosenFolderProblem, resolveDataFolder } from './dataFolderChoice';
import { SafeStorageSecretStore } from './safeStorageSecrets';
import { SuggestionNotifier } from './notifier';
import { appOriginOf, denyAllPermissions, hardenWebContents } from './security';
import { ServiceHost } from './serviceHost';
import { PreferencesStore } from './preferencesStore';
import { registerShowShortcut, unregisterShortcut, unregisterShortcuts } from './shortcut';
import { INITIAL_TRAY_STATE, TrayProblems, trayIconPath, VigilTray, type TrayState } from './tray';
import { DEFAULT_UI_PREFERENCES } from './uiPreferences';
import { createMainWindow } from './window';

// Built layout: out/main/index.js next to out/preload/index.cjs and out/renderer/.
const outDir = join(import.meta.dirname, '..');
const preloadPath = join(outDir, 'preload', 'index.cjs');
const rendererDir = join(outDir, 'renderer');
// The dev server URL is honoured only in an unpackaged run, so an environment variable cannot point an
// installed Vigil at someone else's page.
const entryUrl = (!app.isPackaged && process.env['ELECTRON_RENDERER_URL']) || APP_ENTRY_URL;

// Same folder the `vigil` CLI computes (core/app/dataDir), so knowledge imported there is what the app shows.
app.setPath('userData', userDataDir());
registerAppScheme();

if (app.requestSingleInstanceLock()) {
  start();
} else {
  // Another Vigil owns the data folder and its write queue; it is brought forward by 'second-instance'.
  app.quit();
}

function start(): void {
  // VIGIL_DATA_DIR, else the folder the analyst chose in Settings → Team data folder, else the default team folder.
  const dataFolder = resolveDataFolder(app.getPath('userData'));
  const dataDir = dataFolder.dataDir;
  if (dataFolder.warning) log.warn(dataFolder.warning);
  // The knowledge store's compaction runs in a utility process, so its native memory leaves with it.
  useMaintenanceForker(utilityProcessForker());
  // Every connection this process makes is checked: loopback (Ollama) and the hosts of configured connectors only
  // (docs/privacy.md). A refused attempt fails like an unreachable host, and is logged and written to the data
  // folder's audit log (once per host and reason; those heard before the workspace opens wait for it).
  const egress = new EgressPolicy();
  const egressDenials = new EgressDenialLog({
    onDenial: (denial) => log.warn(`Vigil blocked a connection to ${denial.host} (${denial.via}): ${denial.reason}`, { keep: [denial.host] }),
    onError: (denial, error) => log.warn(`Vigil could not record the blocked connection to ${denial.host} in the audit log: ${String(error)}`, { keep: [denial.host] }),
  });
  installEgressGuard(egress, { onAttempt: egressDenials.onAttempt });
  egressDenials.observePolicies();
  /**
   * What the tray shows, kept here rather than in the tray so that what happens before the tray exists (the engine
   * opening, a connector's first health) is shown once it does. Problems are gathered over every connector.
   */
  let trayState: TrayState = INITIAL_TRAY_STATE;
  const problems = new TrayProblems();
  /** Counts the workspaces opened, so a closed one's LLM monitor can never speak for the one open now. */
  let opened = 0;
  const showInTray = (patch: Partial<TrayState> = {}): void => {
    trayState = { ...trayState, ...patch, problem: problems.summary() };
    tray?.update(trayState);
  };
  /** How the workspace watches the team's queues: through the guarded policy, reporting health to the tray. */
  const watchOptions = (): WatchOptions => ({
    secrets: new SafeStorageSecretStore(dataDir),
    egress,
    onHealth: (health) => {
      problems.connectorHealth(health);
      showInTray();
    },
  });
  /** Starts (or restarts) watching the team's queues; a mistake in connectors.json is shown in the tray. */
  const startWatching = async (workspace: Pick<Workspace, 'startWatching'>): Promise<void> => {
    try {
      await workspace.startWatching(watchOptions());
      problems.setWatchProblem(null);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn(`Vigil is not watching any queue: ${message}`);
      problems.setWatchProblem(message);
    }
    showInTray();
  };
  // Every workspace the host opens (again after a restart from the Settings screen) sends its desk events here.
  const host = new ServiceHost(async () => {
    showInTray({ mode: 'starting', modeReason: null });
    // Offline mode (Settings → Privacy) before any connector starts: read again at every open, since a rollback
    // can bring back an older settings.json.
    try {
      egress.setOffline((await readPrivacySettings(dataDir)).offline);
    } catch (error) {
      log.warn(`Vigil cannot read its privacy settings, so offline mode stays as it was: ${String(error)}`);
    }
    showInTray({ offline: egress.offline });
    let workspace: Workspace;
    try {
      // A chosen folder that has gone (its volume not mounted) is not created again on the wrong disk.
      const unavailable = chosenFolderProblem(dataFolder);
      if (unavailable) throw new Error(unavailable);
      workspace = await Workspace.open({
        dataDir,
        egressDenials,
        onWarning: (w) => log.warn(w),
        // Re-indexing after a change of embedder can take minutes: the Settings screen shows how far it is.
        onProgress: (message) => onDeskEvent({ type: 'workspace-progress', message }),
      });
    } catch (error) {
      problems.setEngineProblem(`Vigil could not open the team’s data folder: ${error instanceof Error ? error.message : String(error)}`);
      showInTray({ mode: 'stopped', modeReason: null });
      throw error;
    }
    problems.setEngineProblem(null);
    // The engine's mode follows its LLM monitor: ready with the local model, or retrieval-only and why.
    const generation = ++opened;
    const llm = workspace.service.llmStatus();
    showInTray({ mode: llm.mode, modeReason: llm.reason });
    workspace.service.onLlmStatus((status) => {
      if (generation === opened) showInTray({ mode: status.mode, modeReason: status.reason });
    });
    workspace.onDeskEvent(onDeskEvent);
    // New versions of subscribed packs (a share, a USB stick) are installed while Vigil runs.
    try {
      await workspace.watchPacks((report) => {
        for (const done of report.installed) log.info(`Vigil installed pack ${done.name} ${done.version} from ${done.file}.`);
        for (const refused of report.refused) log.warn(`Vigil refused pack file ${refused.file}: ${refused.message}`);
        if (report.unreachable) log.warn(`Vigil cannot read the subscribed folder ${report.folder}: ${report.unreachable}`);
      });
    } catch (error) {
      // A damaged subscriptions file must not keep the copilot from starting; Settings shows the same error.
      log.warn(`Vigil cannot watch the subscribed pack folders: ${String(error)}`);
    }
    // Watch the team's queues (connectors.json); a mistake there is shown, and the rest of Vigil works on.
    await startWatching(workspace);
    return workspace;
  });
  let mainWindow: BrowserWindow | null = null;
  let bubble: BrowserWindow | null = null;
  let tray: VigilTray | null = null;
  let preferences: PreferencesStore | null = null;
  let lastOpenedTicket: string | null = null;
  let drained = false;

  const showWindow = (): void => {
    if (!mainWindow || mainWindow.isDestroyed()) {
      mainWindow = createMainWindow({ preloadPath, entryUrl });
      return;
    }
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };
  const showBubble = (): void => {
    if (!bubble || bubble.isDestroyed()) bubble = createAssistBubble({ preloadPath, entryUrl });
    else bubble.showInactive();
  };
  const openTicketInWindow = (ticketId: string): void => {
    showWindow();
    mainWindow?.webContents.send(DESK_EVENT_CHANNEL, { type: 'open-ticket', ticketId } satisfies DeskEvent);
  };
  const notifier = new SuggestionNotifier(
    () => preferences?.preferences.notifications ?? { ...DEFAULT_UI_PREFERENCES.notifications, enabled: false },
    // Quiet about the ticket in view only while the analyst is actually looking at Vigil's window.
    () => (mainWindow && !mainWindow.isDestroyed() && mainWindow.isFocused() ? lastOpenedTicket : null),
    openTicketInWindow,
  );
  const refreshWaiting = (): void => {
    host
      .use((workspace) => workspace.listTickets())
      .then((tickets) => showInTray({ waiting: tickets.filter((t) => t.waiting > 0).length }))
      .catch((error: unknown) => log.warn(`Vigil could not count waiting suggestions: ${String(error)}`));
  };
  const onDeskEvent = (event: DeskEvent): void => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(DESK_EVENT_CHANNEL, event);
    }
    if (event.type === 'suggestion') {
      notifier.offer({ ticketId: event.ticketId, kind: event.kind, subject: event.subject, text: event.text });
    }
    if (event.type === 'tickets-changed' || event.type === 'suggestion') refreshWaiting();
  };
  /**
   * Starts Vigil again on the data folder just chosen: the ordinary quit (the engine drained and closed, its folder
   * lock released) and a new start. Deferred so that the answer to the Settings screen goes out first.
   */
  const restartOnChosenFolder = (): void => {
    setImmediate(() => {
      // An AppImage runs from a mount that goes away when this process exits: start the AppImage file itself again.
      const appImage = process.env['APPIMAGE'];
      if (appImage) app.relaunch({ execPath: appImage, args: process.argv.slice(1) });
      else app.relaunch();
      app.quit();
    });
  };
  const setDoNotDisturb = (on: boolean): void => {
    preferences?.setDoNotDisturb(on).catch((error: unknown) => log.warn(`Vigil could not save your preferences: ${String(error)}`));
  };
  /** Swaps the global shortcut; when the new one cannot be had, the previous one is registered again. */
  const changeShortcut = (previous: string, next: string): string | null => {
    unregisterShortcut(previous);
    const result = registerShowShortcut(next, showWindow);
    if (result.registered || next.trim() === '') return null;
    if (previous.trim() !== '') registerShowShortcut(previous, showWindow);
    return result.reason;
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    showWindow();
  });

  app.on('will-quit', () => {
    unregisterShortcuts();
    tray?.destroy();
    tray = null;
  });

  app.on('before-quit', (event) => {
    if (drained) return;
    // Hold the quit until in-flight calls finish and LanceDB's queued writes are on disk.
    event.preventDefault();
    host
      .close()
      .catch((error: unknown) => log.error(`Vigil could not close its knowledge store cleanly: ${String(error)}`))
      .finally(() => {
        drained = true;
        app.quit();
      });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createMainWindow({ preloadPath, entryUrl });
  });

  app
    .whenReady()
    .then(async () => {
      denyAllPermissions(session.defaultSession, appOriginOf(entryUrl));
      serveAppScheme(rendererDir);
      const store = await PreferencesStore.open(app.getPath('userData'), {
        showDoNotDisturb: (on) => showInTray({ doNotDisturb: on }),
        changeShortcut,
      });
      preferences = store;
      registerIpcHandlers(
        createCopilotHandlers(
          host,
          { preferences: store, dataDir, onLlmPullProgress: (p) => onDeskEvent({ type: 'llm-pull-progress', status: p.status, fraction: p.fraction }) },
          undefined,
          (ticketId) => {
            lastOpenedTicket = ticketId;
          },
          {},
          {
            egress,
            // Connectors restart at once, so one waiting out a back-off notices the change now.
            onOfflineChanged: async (offline) => {
              showInTray({ offline });
              await host.use((workspace) => startWatching(workspace));
            },
          },
          { userDataDir: app.getPath('userData'), current: dataFolder, restartApp: restartOnChosenFolder },
        ),
        appOriginOf(entryUrl),
      );
      mainWindow = createMainWindow({ preloadPath, entryUrl });
      trayState = { ...trayState, doNotDisturb: store.preferences.notifications.doNotDisturb };
      tray = new VigilTray(
        (icon) => trayIconPath(join(app.getAppPath(), 'resources'), icon),
        { showWindow, showBubble, setDoNotDisturb, quit: () => app.quit() },
        trayState,
      );
      const shortcut = registerShowShortcut(store.preferences.showShortcut, showWindow);
      if (!shortcut.registered) {
        log.warn(shortcut.reason);
        if (store.preferences.showShortcut.trim() !== '') store.noteShortcutProblem(`showShortcut: ${shortcut.reason}`);
      }
      // Open the engine now rather than on the first call: the desk's events start flowing at once. When it cannot
      // be opened (the folder is locked by a `vigil` command, or missing), Vigil stays up and says so in the tray:
      // the window's Settings can still choose another data folder, and the next call tries again.
      try {
        await host.use(async () => undefined);
        refreshWaiting();
      } catch (error) {
        log.error(`Vigil started without its engine: ${error instanceof Error ? error.message : String(error)}`);
      }
    })
    .catch((error: unknown) => {
      log.error(`Vigil could not start: ${String(error)}`);
      app.exit(1);
    });
}
