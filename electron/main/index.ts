/**
 * Entry of Vigil's main process: takes the single-instance lock, puts every page under the security rules,
 * serves the UI from `app://vigil/`, wires the IPC contract to the engine, puts Vigil in the tray with a
 * global shortcut, and drains the engine on quit. The parts live beside it: the tray's state
 * (trayController.ts), where desk events go (deskEventRouter.ts), how the workspace opens (workspaceOpener.ts)
 * and the windows (appWindows.ts).
 */
import { join } from 'node:path';
import { app, session } from 'electron';
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
import { AppWindows } from './appWindows';
import { resolveDataFolder } from './dataFolderChoice';
import { createDeskEventRouter, type DeskEventRouter } from './deskEventRouter';
import { SuggestionNotifier } from './notifier';
import { appOriginOf, denyAllPermissions, hardenWebContents } from './security';
import { ServiceHost } from './serviceHost';
import { PreferencesStore } from './preferencesStore';
import { registerShowShortcut, unregisterShortcut, unregisterShortcuts } from './shortcut';
import { trayIconPath, VigilTray } from './tray';
import { TrayController } from './trayController';
import { DEFAULT_UI_PREFERENCES } from './uiPreferences';
import { createWorkspaceOpener } from './workspaceOpener';

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

/**
 * Every connection this process makes is checked: loopback (Ollama) and the hosts of configured connectors only
 * (docs/privacy.md). A refused attempt fails like an unreachable host, and is logged and written to the data
 * folder's audit log (once per host and reason; those heard before the workspace opens wait for it).
 */
function guardEgress(): { egress: EgressPolicy; egressDenials: EgressDenialLog } {
  const egress = new EgressPolicy();
  const egressDenials = new EgressDenialLog({
    onDenial: (denial) => log.warn(`Vigil blocked a connection to ${denial.host} (${denial.via}): ${denial.reason}`, { keep: [denial.host] }),
    onError: (denial, error) => log.warn(`Vigil could not record the blocked connection to ${denial.host} in the audit log: ${String(error)}`, { keep: [denial.host] }),
  });
  installEgressGuard(egress, { onAttempt: egressDenials.onAttempt });
  egressDenials.observePolicies();
  return { egress, egressDenials };
}

function start(): void {
  // VIGIL_DATA_DIR, else the folder the analyst chose in Settings → Team data folder, else the default team folder.
  const dataFolder = resolveDataFolder(app.getPath('userData'));
  const dataDir = dataFolder.dataDir;
  if (dataFolder.warning) log.warn(dataFolder.warning);
  // The knowledge store's compaction runs in a utility process, so its native memory leaves with it.
  useMaintenanceForker(utilityProcessForker());
  const { egress, egressDenials } = guardEgress();

  const tray = new TrayController();
  const windows = new AppWindows({ preloadPath, entryUrl });
  let preferences: PreferencesStore | null = null;
  let lastOpenedTicket: string | null = null;
  let drained = false;

  const notifier = new SuggestionNotifier(
    () => preferences?.preferences.notifications ?? { ...DEFAULT_UI_PREFERENCES.notifications, enabled: false },
    // Quiet about the ticket in view only while the analyst is actually looking at Vigil's window.
    () => (windows.mainFocused() ? lastOpenedTicket : null),
    (ticketId) => windows.openTicket(ticketId),
  );
  // Declared before the host that it lists tickets through; it routes the events of every workspace the host opens.
  const desk: DeskEventRouter = createDeskEventRouter({
    broadcast: (event) => windows.broadcast(event),
    notify: (notice) => notifier.offer(notice),
    tray,
    listTickets: () => host.use(async (workspace) => workspace.desk.listTickets()),
  });
  const opener = createWorkspaceOpener({ dataFolder, egress, egressDenials, tray, onDeskEvent: desk.route });
  const host = new ServiceHost(opener.open);

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
  const showWindow = (): void => windows.showMain();
  /** Swaps the global shortcut; when the new one cannot be had, the previous one is registered again. */
  const changeShortcut = (previous: string, next: string): string | null => {
    unregisterShortcut(previous);
    const result = registerShowShortcut(next, showWindow);
    if (result.registered || next.trim() === '') return null;
    if (previous.trim() !== '') registerShowShortcut(previous, showWindow);
    return result.reason;
  };

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  app.on('second-instance', () => windows.showMainIfOpen());

  app.on('will-quit', () => {
    unregisterShortcuts();
    tray.destroy();
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

  app.on('activate', () => windows.openMain());

  app
    .whenReady()
    .then(async () => {
      denyAllPermissions(session.defaultSession, appOriginOf(entryUrl));
      serveAppScheme(rendererDir);
      const store = await PreferencesStore.open(app.getPath('userData'), {
        showDoNotDisturb: (on) => tray.show({ doNotDisturb: on }),
        changeShortcut,
      });
      preferences = store;
      registerIpcHandlers(
        createCopilotHandlers({
          host,
          settings: { preferences: store, dataDir, onLlmPullProgress: (p) => desk.route({ type: 'llm-pull-progress', status: p.status, fraction: p.fraction }) },
          imports: { onImportProgress: (p) => desk.route({ type: 'import-progress', source: p.source, imported: p.imported }) },
          onTicketOpened: (ticketId) => {
            lastOpenedTicket = ticketId;
          },
          privacy: {
            egress,
            // Connectors restart at once, so one waiting out a back-off notices the change now.
            onOfflineChanged: async (offline) => {
              tray.show({ offline });
              await host.use((workspace) => opener.startWatching(workspace));
            },
          },
          dataFolder: { userDataDir: app.getPath('userData'), current: dataFolder, restartApp: restartOnChosenFolder },
          team: { egress },
        }),
        appOriginOf(entryUrl),
      );
      windows.openMain();
      tray.attach(
        (state) =>
          new VigilTray((icon) => trayIconPath(join(app.getAppPath(), 'resources'), icon), { showWindow, showBubble: () => windows.showBubble(), setDoNotDisturb, quit: () => app.quit() }, state),
        { doNotDisturb: store.preferences.notifications.doNotDisturb },
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
        desk.refreshWaiting();
      } catch (error) {
        log.error(`Vigil started without its engine: ${error instanceof Error ? error.message : String(error)}`);
      }
    })
    .catch((error: unknown) => {
      log.error(`Vigil could not start: ${String(error)}`);
      app.exit(1);
    });
}
