/**
 * A stand-in for the `electron` module: the Electron binary cannot run in CI, so main-process and preload
 * tests `vi.mock('electron', ...)` with this and inspect what the code asked Electron to do.
 *
 * Usage: `vi.mock('electron', async () => (await import('./fakeElectron')).fakeElectron)` and
 * `resetFakeElectron()` in `beforeEach`.
 */
import { fork as nodeFork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

/** A recorded `new BrowserWindow(options)`. */
export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  static fromWebContents = vi.fn((_contents: unknown): FakeBrowserWindow | null => null);
  static getAllWindows = vi.fn((): FakeBrowserWindow[] => FakeBrowserWindow.created);
  readonly webContents = { send: vi.fn((_channel: string, ..._args: unknown[]) => undefined) };
  readonly isFocused = vi.fn(() => true);
  readonly loadURL = vi.fn((_url: string) => Promise.resolve());
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  readonly isMinimized = vi.fn(() => false);
  readonly isDestroyed = vi.fn(() => false);
  readonly showInactive = vi.fn();
  readonly setAlwaysOnTop = vi.fn((_flag: boolean, _level?: string) => undefined);

  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
}

/** A fake `WebContents` that records its listeners and window-open handler. */
export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

/** A fake `Session` that records its permission handlers. */
export class FakeSession {
  requestHandler: Listener | null = null;
  checkHandler: Listener | null = null;
  setPermissionRequestHandler(handler: Listener): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: Listener): void {
    this.checkHandler = handler;
  }
}

/** A recorded `new Tray(image)`. */
export class FakeTray extends EventEmitter {
  static created: FakeTray[] = [];
  readonly setToolTip = vi.fn((_text: string) => undefined);
  readonly setContextMenu = vi.fn((_menu: unknown) => undefined);
  readonly setImage = vi.fn((_image: unknown) => undefined);
  readonly destroy = vi.fn();
  constructor(readonly image: unknown) {
    super();
    FakeTray.created.push(this);
  }
}

/** A recorded `new Notification(options)`. */
export class FakeNotification extends EventEmitter {
  static created: FakeNotification[] = [];
  static isSupported = vi.fn(() => true);
  readonly show = vi.fn();
  constructor(readonly options: { title: string; body: string; silent?: boolean }) {
    super();
    FakeNotification.created.push(this);
  }
}

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  getAppPath: vi.fn(() => '/opt/vigil'),
  getPath: vi.fn((_name: string) => '/tmp/vigil-fake-user-data'),
  setPath: vi.fn(),
  quit: vi.fn(),
  exit: vi.fn(),
  relaunch: vi.fn(),
  requestSingleInstanceLock: vi.fn(() => true),
  whenReady: vi.fn(() => Promise.resolve()),
});

/** Channel → handler, as registered with `ipcMain.handle`. */
export const ipcMainHandlers = new Map<string, Listener>();

/** The fake module; the mock factory returns this object. */
export const fakeElectron = {
  app,
  BrowserWindow: FakeBrowserWindow,
  nativeTheme: { shouldUseDarkColors: false },
  ipcMain: {
    handle: vi.fn((channel: string, handler: Listener) => {
      ipcMainHandlers.set(channel, handler);
    }),
    removeHandler: vi.fn((channel: string) => {
      ipcMainHandlers.delete(channel);
    }),
  },
  ipcRenderer: Object.assign(new EventEmitter(), {
    invoke: vi.fn((_channel: string, ..._args: unknown[]): Promise<unknown> => Promise.resolve(null)),
  }),
  contextBridge: { exposeInMainWorld: vi.fn((_key: string, _api: unknown) => undefined) },
  Tray: FakeTray,
  Notification: FakeNotification,
  Menu: { buildFromTemplate: vi.fn((template: unknown[]) => ({ template })) },
  nativeImage: { createFromPath: vi.fn((path: string) => ({ path })) },
  globalShortcut: {
    register: vi.fn((_accelerator: string, _callback: () => void) => true),
    unregister: vi.fn((_accelerator: string) => undefined),
    unregisterAll: vi.fn(),
  },
  shell: { openExternal: vi.fn((_url: string) => Promise.resolve()) },
  dialog: {
    showOpenDialog: vi.fn((..._args: unknown[]) => Promise.resolve({ canceled: true, filePaths: [] as string[] })),
    showSaveDialog: vi.fn((..._args: unknown[]) => Promise.resolve({ canceled: true, filePath: '' })),
  },
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  net: { fetch: vi.fn((_url: string): Promise<globalThis.Response> => Promise.resolve(new Response('file'))) },
  session: { defaultSession: new FakeSession() },
  /**
   * A utility process cannot start without Electron; a Node child process running the same script with the same
   * environment and piped output stands in for it (what the script sees of a utility process is Node's API).
   */
  utilityProcess: {
    fork: vi.fn((modulePath: string, args: string[] = [], options: { env?: NodeJS.ProcessEnv } = {}) =>
      nodeFork(modulePath, args, { env: options.env ?? process.env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] }),
    ),
  },
  /**
   * Not part of Electron: lets a test that resets modules reach the instance the code under test got, via
   * `await import('electron')`.
   */
  testing: { ipcMainHandlers, reset: (): void => resetFakeElectron() },
};

/** Forgets every recorded call and listener. */
export function resetFakeElectron(): void {
  vi.clearAllMocks();
  app.removeAllListeners();
  app.isPackaged = false;
  app.requestSingleInstanceLock.mockImplementation(() => true);
  app.whenReady.mockImplementation(() => Promise.resolve());
  FakeBrowserWindow.created = [];
  FakeTray.created = [];
  FakeNotification.created = [];
  FakeNotification.isSupported.mockImplementation(() => true);
  fakeElectron.globalShortcut.register.mockImplementation(() => true);
  app.getPath.mockImplementation(() => '/tmp/vigil-fake-user-data');
  FakeBrowserWindow.fromWebContents.mockImplementation(() => null);
  FakeBrowserWindow.getAllWindows.mockImplementation(() => FakeBrowserWindow.created);
  ipcMainHandlers.clear();
  fakeElectron.session.defaultSession = new FakeSession();
}
