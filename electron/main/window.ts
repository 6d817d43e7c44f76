/**
 * Vigil's main window. The page runs sandboxed and isolated from the preload, with no Node.js anywhere, as
 * Electron's security checklist asks; what the page may do beyond that is set in security.ts.
 */
import { BrowserWindow, nativeTheme, type WebPreferences } from 'electron';
import { log } from '../../core/privacy/redactingLogger';

/** Settings every Vigil page runs with. Exported so a test can hold them to the checklist. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    // A file dropped on the window would otherwise replace the UI with that file.
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Where the window's page and preload come from. */
export interface MainWindowOptions {
  preloadPath: string;
  /** `app://vigil/index.html` when built, the Vite dev server during `electron-vite dev`. */
  entryUrl: string;
}

/** Opens the main window; it is shown once its first paint is ready, so it never flashes white in dark mode. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Vigil Desktop',
    // Matches the page background of styles.css, so resizing never shows the other theme's colour.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#17191c' : '#f7f7f5',
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  window.loadURL(options.entryUrl).catch((error: unknown) => {
    log.error(`Vigil could not load its UI from ${options.entryUrl}: ${String(error)}. Rebuild with \`npm run build\`.`);
  });
  return window;
}
