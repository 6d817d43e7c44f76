/**
 * Entry of Vigil's main process: takes the single-instance lock, puts every page under the security rules,
 * serves the UI from `app://vigil/`, wires the IPC contract to the engine, puts Vigil in the tray with a
 * global shortcut, and drains the engine on quit.
 */
import { join } from 'node:path';
import { app, BrowserWindow, session } from 'electron';
import type { DeskEvent } from '../../core/app/deskTypes';
import { Workspace } from '../../core/app/workspace';
import { defaultDataDir, userDataDir } from '../../core/app/dataDir';
import { createCopilotHandlers } from './ipcHandlers';
import { registerIpcHandlers } from './ipcRouter';
import { APP_ENTRY_URL, registerAppScheme, serveAppScheme } from './protocol';
import { DESK_EVENT_CHANNEL } from '../ipc/contract';
import { createAssistBubble } from './bubble';
import { SafeStorageSecretStore } from './safeStorageSecrets';
import { SuggestionNotifier } from './notifier';
import { appOriginOf, denyAllPermissions, hardenWebContents } from './security';
import { ServiceHost } from './serviceHost';
import { registerShowShortcut, unregisterShortcuts } from './shortcut';
import { VigilTray } from './tray';
import { DEFAULT_UI_PREFERENCES, loadUiPreferences, saveUiPreferences, type UiPreferences } from './uiPreferences';
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
  const dataDir = defaultDataDir('default');
  const host = new ServiceHost(() => Workspace.open({ dataDir, onWarning: (w) => console.warn(w) }));
  let mainWindow: BrowserWindow | null = null;
  let bubble: BrowserWindow | null = null;
  let tray: VigilTray | null = null;
  let preferences: UiPreferences | null = null;
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
    () => preferences?.notifications ?? { ...DEFAULT_UI_PREFERENCES.notifications, enabled: false },
    // Quiet about the ticket in view only while the analyst is actually looking at Vigil's window.
    () => (mainWindow && !mainWindow.isDestroyed() && mainWindow.isFocused() ? lastOpenedTicket : null),
    openTicketInWindow,
  );
  const refreshWaiting = (): void => {
    host
      .use((workspace) => workspace.listTickets())
      .then((tickets) => tray?.update({ waiting: tickets.reduce((sum, t) => sum + t.waiting, 0) }))
      .catch((error: unknown) => console.warn(`Vigil could not count waiting suggestions: ${String(error)}`));
  };
  const onDeskEvent = (event: DeskEvent): void => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (!window.isDestroyed()) window.webContents.send(DESK_EVENT_CHANNEL, event);
    }
    if (event.type === 'suggestion') {
      notifier.offer({ ticketId: event.ticketId, kind: event.kind, subject: event.subject, text: event.text });
    }
    if (event.type === 'tickets-changed') refreshWaiting();
  };
  const setDoNotDisturb = (on: boolean): void => {
    if (!preferences) return;
    preferences = { ...preferences, notifications: { ...preferences.notifications, doNotDisturb: on, dndUntil: null } };
    tray?.update({ doNotDisturb: on });
    saveUiPreferences(app.getPath('userData'), preferences).catch((error: unknown) =>
      console.warn(`Vigil could not save your preferences: ${String(error)}`),
    );
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
      .catch((error: unknown) => console.error(`Vigil could not close its knowledge store cleanly: ${String(error)}`))
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
      registerIpcHandlers(
        createCopilotHandlers(host, undefined, (ticketId) => {
          lastOpenedTicket = ticketId;
        }),
        appOriginOf(entryUrl),
      );
      mainWindow = createMainWindow({ preloadPath, entryUrl });
      const loaded = await loadUiPreferences(app.getPath('userData'));
      for (const warning of loaded.warnings) console.warn(warning);
      preferences = loaded.preferences;
      tray = new VigilTray(join(app.getAppPath(), 'resources', 'tray.png'), {
        showWindow,
        showBubble,
        setDoNotDisturb,
        quit: () => app.quit(),
      });
      tray.update({ doNotDisturb: preferences.notifications.doNotDisturb });
      const shortcut = registerShowShortcut(preferences.showShortcut, showWindow);
      if (!shortcut.registered) console.warn(shortcut.reason);
      // Open the engine now rather than on the first call: the desk's events start flowing at once.
      await host.use(async (workspace) => {
        workspace.onDeskEvent(onDeskEvent);
        // Watch the team's queues (connectors.json); a mistake there is shown, and the rest of Vigil works on.
        try {
          await workspace.startWatching({
            secrets: new SafeStorageSecretStore(dataDir),
            onHealth: (health) => tray?.update({ problem: health.lastError ? `${health.id}: ${health.lastError}` : null }),
          });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          console.warn(`Vigil is not watching any queue: ${message}`);
          tray?.update({ problem: message });
        }
      });
      refreshWaiting();
    })
    .catch((error: unknown) => {
      console.error(`Vigil could not start: ${String(error)}`);
      app.exit(1);
    });
}
