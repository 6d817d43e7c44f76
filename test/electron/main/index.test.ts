import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { fakeElectron as FakeElectronModule } from '../fakeElectron';
import { fakeDeskMethods, fakeEngineMethods, fakePackMethods } from './fakeDesktopService';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const engine = vi.hoisted(() => ({
  open: vi.fn(),
  close: vi.fn(),
  onDeskEvent: vi.fn((_listener: (event: unknown) => void) => () => undefined),
  startWatching: vi.fn(async (_options: unknown): Promise<string[]> => []),
}));
vi.mock('../../../core/app/workspace', () => ({ Workspace: { open: engine.open } }));
/** The engine's LLM monitor: its status now, and the listeners the main process subscribed. */
const llm = vi.hoisted(() => {
  type Status = { mode: 'llm' | 'retrieval-only'; reason: string; modelId: string | null; checkedAt: string | null; nextCheckAt: string | null };
  const monitor = {
    status: { mode: 'retrieval-only', reason: 'Ollama is not running at 127.0.0.1:11434. Start it with `ollama serve`, or keep working in retrieval-only mode.', modelId: 'ollama:llama3.2', checkedAt: null, nextCheckAt: null } as Status,
    listeners: [] as Array<(status: Status) => void>,
    /** What `workspace.service` offers of the monitor. */
    service: () => ({
      llmStatus: () => monitor.status,
      onLlmStatus: (listener: (status: Status) => void) => {
        monitor.listeners.push(listener);
        return () => undefined;
      },
    }),
    /** The monitor re-checked the model and its status changed. */
    change: (status: Partial<Status>) => {
      monitor.status = { ...monitor.status, ...status };
      for (const listener of monitor.listeners) listener(monitor.status);
    },
  };
  return monitor;
});
// The real guard patches Node's sockets for the whole process; here only its installation is checked.
const guard = vi.hoisted(() => ({ install: vi.fn((_policy: unknown, _options?: unknown) => ({ attempts: [], denied: () => [], uninstall: () => undefined })) }));
vi.mock('../../../core/net/processGuard', () => ({ installEgressGuard: guard.install }));

/**
 * The workspace the shell opens: the feature services its handlers call, with the shell's own hooks in their
 * places (the desk's events and tickets, the connectors' watching, the packs' folder watch).
 */
function shellWorkspace(parts: { listTickets?: (() => unknown) | undefined; close: () => Promise<unknown> }) {
  const desk = fakeDeskMethods();
  const packs = fakePackMethods();
  return {
    service: { ...llm.service(), ...fakeEngineMethods() },
    ...desk,
    ...packs,
    desk: { ...desk.desk, onEvent: engine.onDeskEvent, ...(parts.listTickets ? { listTickets: parts.listTickets } : {}) },
    connectors: { ...desk.connectors, startWatching: engine.startWatching },
    packs: { ...packs.packs, watch: vi.fn(async (_onReport: (report: unknown) => void) => undefined) },
    close: parts.close,
  };
}

type FakeElectron = typeof FakeElectronModule;
interface Fake {
  fakeElectron: FakeElectron;
  FakeBrowserWindow: FakeElectron['BrowserWindow'];
  ipcMainHandlers: FakeElectron['testing']['ipcMainHandlers'];
}

/**
 * Loads electron/main/index.ts afresh, as Electron would at start-up, and lets `whenReady` settle. The fake
 * is taken from `import('electron')`, so it is the very instance the entry gets; `arrange` runs before it.
 */
async function boot(arrange: (fake: Fake) => void = () => undefined): Promise<Fake> {
  vi.resetModules();
  const fakeElectron = (await import('electron')) as unknown as FakeElectron;
  fakeElectron.testing.reset();
  const fake = { fakeElectron, FakeBrowserWindow: fakeElectron.BrowserWindow, ipcMainHandlers: fakeElectron.testing.ipcMainHandlers };
  arrange(fake);
  await import('../../../electron/main/index');
  await new Promise((r) => setTimeout(r, 0));
  // Start-up ends by subscribing to the engine's desk events; wait for it so no step leaks into the next test.
  if (fakeElectron.app.requestSingleInstanceLock.mock.results[0]?.value === true) {
    await vi.waitFor(() => expect(engine.onDeskEvent).toHaveBeenCalled());
  }
  return fake;
}

describe('main process start-up and shutdown', () => {
  beforeEach(() => {
    engine.close.mockReset().mockResolvedValue(undefined);
    engine.onDeskEvent.mockClear();
    engine.startWatching.mockReset().mockResolvedValue([]);
    engine.open.mockReset().mockResolvedValue(shellWorkspace({ close: engine.close }));
  });

  it('quits at once when another Vigil holds the single-instance lock', async () => {
    const { fakeElectron, FakeBrowserWindow, ipcMainHandlers } = await boot(({ fakeElectron }) =>
      fakeElectron.app.requestSingleInstanceLock.mockReturnValue(false),
    );
    expect(fakeElectron.app.quit).toHaveBeenCalledOnce();
    expect(FakeBrowserWindow.created).toHaveLength(0);
    expect(ipcMainHandlers.size).toBe(0);
  });

  it('registers the app: scheme before ready, then serves it, guards permissions and opens one window', async () => {
    const { fakeElectron, FakeBrowserWindow, ipcMainHandlers } = await boot();
    expect(fakeElectron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledOnce();
    expect(fakeElectron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(fakeElectron.session.defaultSession.requestHandler).not.toBeNull();
    expect(FakeBrowserWindow.created).toHaveLength(1);
    expect([...ipcMainHandlers.keys()].every((c) => c.startsWith('vigil:'))).toBe(true);
    expect(fakeElectron.app.listenerCount('web-contents-created')).toBe(1);
  });

  it('loads the built UI from app://vigil/ when packaged, ignoring a dev server URL in the environment', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173/');
    let fake: Fake;
    try {
      fake = await boot(({ fakeElectron }) => {
        fakeElectron.app.isPackaged = true;
      });
    } finally {
      vi.unstubAllEnvs();
    }
    const { FakeBrowserWindow } = fake;
    expect(FakeBrowserWindow.created[0]?.loadURL).toHaveBeenCalledWith('app://vigil/index.html');
  });

  it('uses the dev server URL in an unpackaged run', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173/');
    let fake: Fake;
    try {
      fake = await boot();
    } finally {
      vi.unstubAllEnvs();
    }
    expect(fake.FakeBrowserWindow.created[0]?.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
  });

  it('holds the quit until the engine has closed, then quits', async () => {
    const { fakeElectron, ipcMainHandlers } = await boot();
    // Open the engine through an IPC call from the app's own window.
    const status = ipcMainHandlers.get('vigil:status')!;
    await status({ senderFrame: { url: 'app://vigil/index.html', parent: null } }, undefined);
    expect(engine.open).toHaveBeenCalledOnce();

    const quitEvent = { preventDefault: vi.fn() };
    fakeElectron.app.emit('before-quit', quitEvent);
    expect(quitEvent.preventDefault).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(fakeElectron.app.quit).toHaveBeenCalledOnce());
    expect(engine.close).toHaveBeenCalledOnce();

    // The second before-quit (from that app.quit) goes through.
    const secondQuit = { preventDefault: vi.fn() };
    fakeElectron.app.emit('before-quit', secondQuit);
    expect(secondQuit.preventDefault).not.toHaveBeenCalled();
  });

  it('puts Vigil in the tray with a global shortcut, opens the bubble from the tray, and cleans up on quit', async () => {
    const { fakeElectron, FakeBrowserWindow } = await boot();
    await vi.waitFor(() => expect(fakeElectron.Tray.created).toHaveLength(1));
    const tray = fakeElectron.Tray.created[0]!;
    // Drawn while the engine opens: greyed out ("starting").
    expect(tray.image).toEqual({ path: '/opt/vigil/resources/tray/tray-starting.png' });
    expect(fakeElectron.globalShortcut.register).toHaveBeenCalledWith('CommandOrControl+Shift+Space', expect.any(Function));

    const menu = tray.setContextMenu.mock.calls.at(-1)![0] as { template: Array<{ label?: string; click?: () => void }> };
    menu.template.find((item) => item.label === 'Show assist bubble')!.click!();
    expect(FakeBrowserWindow.created).toHaveLength(2);
    expect(FakeBrowserWindow.created[1]!.options).toMatchObject({ alwaysOnTop: true });

    fakeElectron.app.emit('will-quit');
    expect(fakeElectron.globalShortcut.unregisterAll).toHaveBeenCalledOnce();
    expect(tray.destroy).toHaveBeenCalledOnce();
  });

  it('pushes desk events to every window and notifies about a suggestion on another ticket', async () => {
    const { fakeElectron, FakeBrowserWindow } = await boot();
    await vi.waitFor(() => expect(engine.onDeskEvent).toHaveBeenCalledOnce());
    const listener = engine.onDeskEvent.mock.calls[0]![0];
    const ticket = { id: 'T-7', subject: 'Card declined', status: 'open', requester: null, updatedAt: '2026-11-22T10:00:00Z', preview: '', waiting: 1 };
    const shown = { id: 's1', shownAt: '2026-11-22T10:00:00Z', suggestion: {}, citations: [], feedback: [] };
    const event = { type: 'suggestion', ticketId: 'T-7', subject: 'Card declined', suggestionId: 's1', kind: 'answer', text: 'Ask for a new card.', ticket, shown };
    listener(event);
    expect(FakeBrowserWindow.created[0]!.webContents.send).toHaveBeenCalledWith('vigil:deskEvent', event);
    expect(fakeElectron.Notification.created).toHaveLength(1);
    expect(fakeElectron.Notification.created[0]!.options.title).toBe('Suggested answer · Card declined');
    // Clicking it brings the window forward on that ticket.
    fakeElectron.Notification.created[0]!.emit('click');
    expect(FakeBrowserWindow.created[0]!.webContents.send).toHaveBeenLastCalledWith('vigil:deskEvent', { type: 'open-ticket', ticketId: 'T-7' });
  });

  it('applies preferences saved from the Settings screen: do-not-disturb in the tray, the new global shortcut', async () => {
    const userData = await tempFolder('vigil-index-prefs-');
    const { fakeElectron, ipcMainHandlers } = await boot(({ fakeElectron }) => fakeElectron.app.getPath.mockReturnValue(userData));
    await vi.waitFor(() => expect(fakeElectron.Tray.created).toHaveLength(1));
    const tray = fakeElectron.Tray.created[0]!;
    const own = { senderFrame: { url: 'app://vigil/index.html', parent: null } };
    const view = (await ipcMainHandlers.get('vigil:getPreferences')!(own, undefined)) as { preferences: { notifications: object; showShortcut: string } };
    const next = { ...view.preferences, notifications: { ...view.preferences.notifications, doNotDisturb: true }, showShortcut: 'Alt+Shift+V' };
    await ipcMainHandlers.get('vigil:setPreferences')!(own, next);
    expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining('do not disturb'));
    expect(fakeElectron.globalShortcut.unregister).toHaveBeenCalledWith('CommandOrControl+Shift+Space');
    expect(fakeElectron.globalShortcut.register).toHaveBeenLastCalledWith('Alt+Shift+V', expect.any(Function));

    // A shortcut another application owns is not taken: the previous one is registered again and kept.
    fakeElectron.globalShortcut.register.mockImplementation((accelerator: string) => accelerator !== 'Alt+Tab');
    const refused = (await ipcMainHandlers.get('vigil:setPreferences')!(own, { ...next, showShortcut: 'Alt+Tab' })) as {
      preferences: { showShortcut: string };
      shortcutProblem: string;
    };
    expect(refused.preferences.showShortcut).toBe('Alt+Shift+V');
    expect(refused.shortcutProblem).toMatch(/^showShortcut: Another application already uses Alt\+Tab/);
    expect(fakeElectron.globalShortcut.register).toHaveBeenLastCalledWith('Alt+Shift+V', expect.any(Function));

    // The tray's own switch goes through the same preferences.
    const menu = tray.setContextMenu.mock.calls.at(-1)![0] as { template: Array<{ label?: string; click?: (item: { checked: boolean }) => void }> };
    menu.template.find((item) => item.label === 'Do not disturb')!.click!({ checked: false });
    await vi.waitFor(async () => {
      const now = (await ipcMainHandlers.get('vigil:getPreferences')!(own, undefined)) as { preferences: { notifications: { doNotDisturb: boolean } } };
      expect(now.preferences.notifications.doNotDisturb).toBe(false);
    });
  });

  it('watches the subscribed pack folders while the workspace is open', async () => {
    await boot();
    const workspace = (await engine.open.mock.results[0]!.value) as { packs: { watch: ReturnType<typeof vi.fn> } };
    expect(workspace.packs.watch).toHaveBeenCalledOnce();
  });

  it('tells the windows how far opening the workspace is (re-indexing after a change of embedder)', async () => {
    const { FakeBrowserWindow } = await boot();
    const options = engine.open.mock.calls[0]![0] as { onProgress: (message: string) => void };
    options.onProgress('Re-indexing knowledge for tiny-bert@ab12: 500/1000');
    expect(FakeBrowserWindow.created[0]!.webContents.send).toHaveBeenCalledWith('vigil:deskEvent', {
      type: 'workspace-progress',
      message: 'Re-indexing knowledge for tiny-bert@ab12: 500/1000',
    });
  });

  it('watches the team’s queues once the engine is open, and shows a broken connectors.json in the tray', async () => {
    engine.startWatching.mockRejectedValueOnce(new Error('connectors.json: connectors.0 ("rt").token: credentials never go in settings files'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { fakeElectron } = await boot();
    await vi.waitFor(() => expect(engine.startWatching).toHaveBeenCalledOnce());
    expect(engine.startWatching.mock.calls[0]![0]).toMatchObject({ secrets: expect.objectContaining({ file: expect.stringContaining('teams') }) });
    const tray = fakeElectron.Tray.created[0]!;
    await vi.waitFor(() => expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining('needs attention: connectors.json: connectors.0 ("rt").token')));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Vigil is not watching any queue'));
    warn.mockRestore();
  });

  it('guards every connection of the main process, with the connectors’ hosts allowed on the same policy', async () => {
    guard.install.mockClear();
    await boot();
    expect(guard.install).toHaveBeenCalledOnce();
    const policy = guard.install.mock.calls[0]![0] as { check(host: string): { allowed: boolean } };
    expect(policy.check('127.0.0.1').allowed).toBe(true);
    expect(policy.check('telemetry.example.com').allowed).toBe(false);
    await vi.waitFor(() => expect(engine.startWatching).toHaveBeenCalled());
    expect((engine.startWatching.mock.calls.at(-1)![0] as { egress: unknown }).egress).toBe(policy);
  });
});

describe('the tray follows the engine, every connector and the queue', () => {
  const listTickets = vi.fn(async (): Promise<Array<{ id: string; waiting: number }>> => []);
  beforeEach(() => {
    llm.listeners.length = 0;
    llm.status = { ...llm.status, mode: 'retrieval-only', reason: 'Ollama is not running at 127.0.0.1:11434. Start it with `ollama serve`, or keep working in retrieval-only mode.' };
    listTickets.mockReset().mockResolvedValue([]);
    engine.onDeskEvent.mockClear();
    engine.startWatching.mockReset().mockResolvedValue(['rt', 'mail']);
    engine.open.mockReset().mockResolvedValue(shellWorkspace({ listTickets, close: vi.fn(async () => undefined) }));
  });

  /** Boots the app and answers its tray once the engine is open. */
  async function bootTray() {
    const fake = await boot();
    const tray = fake.fakeElectron.Tray.created[0]!;
    await vi.waitFor(() => expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.not.stringContaining('starting')));
    const menuLines = () =>
      (tray.setContextMenu.mock.calls.at(-1)![0] as { template: Array<{ label?: string; enabled?: boolean }> }).template.filter((i) => i.enabled === false).map((i) => i.label);
    const image = () => (tray.setImage.mock.calls.at(-1)?.[0] as { path: string } | undefined)?.path ?? (tray.image as { path: string }).path;
    return { ...fake, tray, menuLines, image };
  }

  it('shows the LLM monitor’s mode, and changes tooltip, menu and icon when the monitor changes its mind', async () => {
    const { tray, menuLines, image } = await bootTray();
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · retrieval-only (no local model)');
    expect(menuLines()).toContain('Retrieval-only: Ollama is not running at 127.0.0.1:11434');
    expect(image()).toBe('/opt/vigil/resources/tray/tray-retrieval-only.png');

    llm.change({ mode: 'llm', reason: 'Using llama3.2 for scope checks and drafts.' });
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · ready with the local model');
    expect(menuLines()).toContain('Ready with the local model');
    expect(image()).toBe('/opt/vigil/resources/tray/tray-ready.png');

    // Three unreadable answers in a row: the monitor sets the model aside.
    llm.change({ mode: 'retrieval-only', reason: 'llama3.2 gave three unreadable answers in a row; Vigil set it aside for 5 minutes.' });
    // Long reasons are shortened in the menu (Settings → Local LLM has the whole of it).
    expect(menuLines()).toContain('Retrieval-only: llama3.2 gave three unreadable answers in a row; Vigil set it aside for 5…');
    expect(image()).toBe('/opt/vigil/resources/tray/tray-retrieval-only.png');
  });

  it('shows "starting" while the workspace reopens, then the new engine’s mode; the closed one’s monitor no longer counts', async () => {
    const { tray, ipcMainHandlers } = await bootTray();
    const closedMonitor = llm.listeners[0]!;
    const own = { sender: {}, senderFrame: { url: 'app://vigil/index.html', parent: null } };
    // The reopened engine has its own monitor, with the local model ready.
    const reopened = { mode: 'llm' as const, reason: 'Using llama3.2.', modelId: 'ollama:llama3.2', checkedAt: null, nextCheckAt: null };
    let reopenedListener: ((status: typeof reopened) => void) | null = null;
    const first = (await engine.open.mock.results[0]!.value) as Record<string, unknown>;
    engine.open.mockResolvedValueOnce({
      ...first,
      service: { ...fakeEngineMethods(), llmStatus: () => reopened, onLlmStatus: (listener: (status: typeof reopened) => void) => ((reopenedListener = listener), () => undefined) },
    });
    const tooltips = tray.setToolTip.mock.calls.length;
    await ipcMainHandlers.get('vigil:restartWorkspace')!(own, undefined);
    expect(tray.setToolTip.mock.calls.slice(tooltips).map(([t]) => t)).toContain('Vigil · no help waiting · starting');
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · ready with the local model');
    closedMonitor({ ...llm.status, mode: 'retrieval-only', reason: 'stale' });
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · ready with the local model');
    reopenedListener!({ ...reopened, mode: 'retrieval-only', reason: 'Ollama stopped answering.' } as never);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · retrieval-only (no local model)');
  });

  it('keeps one connector’s failure shown while another reports healthy, until that one recovers', async () => {
    const { tray, menuLines, image } = await bootTray();
    const { onHealth } = engine.startWatching.mock.calls.at(-1)![0] as { onHealth: (health: object) => void };
    const health = (id: string, lastError: string | null) => ({ id, kind: 'rt', state: lastError ? 'retrying' : 'idle', lastError });

    onHealth(health('rt', 'RT refused the token (401). Check it in Settings → Connectors.'));
    expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining('needs attention: rt: RT refused the token (401)'));
    expect(image()).toBe('/opt/vigil/resources/tray/tray-problem.png');

    onHealth(health('mail', null)); // the other connector syncs fine: the problem stays
    expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining('needs attention: rt: RT refused the token (401)'));
    expect(menuLines()[0]).toBe('Problem: rt: RT refused the token (401). Check it in Settings → Connectors.');
    expect(image()).toBe('/opt/vigil/resources/tray/tray-problem.png');

    onHealth(health('rt', null)); // that one recovers
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · retrieval-only (no local model)');
    expect(image()).toBe('/opt/vigil/resources/tray/tray-retrieval-only.png');
  });

  it('counts the tickets with help waiting when a suggestion arrives, and again when one is opened', async () => {
    const { tray, menuLines, image } = await bootTray();
    const listener = engine.onDeskEvent.mock.calls[0]![0];
    const summary = (id: string, waiting: number) => ({ id, subject: 'Card declined', status: 'open', requester: null, updatedAt: '2026-11-22T10:00:00Z', preview: '', waiting });
    listener({ type: 'suggestion', ticketId: 'T-7', subject: 'Card declined', suggestionId: 's2', kind: 'answer', text: 'Ask for a new card.', ticket: summary('T-7', 2) });
    await vi.waitFor(() => expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · 1 ticket with help waiting · retrieval-only (no local model)'));
    expect(menuLines()).toContain('1 ticket with help waiting');
    expect(image()).toBe('/opt/vigil/resources/tray/tray-waiting.png');

    listener({ type: 'tickets-changed', tickets: [summary('T-7', 0), summary('T-8', 0)] });
    await vi.waitFor(() => expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · retrieval-only (no local model)'));
    expect(image()).toBe('/opt/vigil/resources/tray/tray-retrieval-only.png');
  });

  it('counts waiting tickets from the summaries the desk events carry, without listing the tickets again', async () => {
    const { tray, menuLines } = await bootTray();
    await vi.waitFor(() => expect(listTickets).toHaveBeenCalled());
    const listed = listTickets.mock.calls.length;
    const listener = engine.onDeskEvent.mock.calls[0]![0];
    const summary = (id: string, waiting: number) => ({ id, subject: 'Card declined', status: 'open', requester: null, updatedAt: '2026-11-22T10:00:00Z', preview: '', waiting });

    listener({ type: 'suggestion', ticketId: 'T-7', subject: 'Card declined', suggestionId: 's2', kind: 'answer', text: 'Ask for a new card.', ticket: summary('T-7', 1) });
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · 1 ticket with help waiting · retrieval-only (no local model)');
    listener({ type: 'tickets-changed', tickets: [summary('T-8', 2)] });
    expect(menuLines()).toContain('2 tickets with help waiting');
    listener({ type: 'tickets-changed', tickets: [summary('T-7', 0), summary('T-8', 0)] });
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Vigil · no help waiting · retrieval-only (no local model)');
    expect(listTickets).toHaveBeenCalledTimes(listed);
  });

  it('stays up and shows the problem in the tray when the data folder cannot be opened', async () => {
    engine.open.mockReset().mockRejectedValue(new Error('The data folder /srv/team is in use by another Vigil process (pid 4242 on ws-7).'));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      vi.resetModules();
      const fakeElectron = (await import('electron')) as unknown as FakeElectron;
      fakeElectron.testing.reset();
      await import('../../../electron/main/index');
      await vi.waitFor(() => expect(fakeElectron.Tray.created).toHaveLength(1));
      const tray = fakeElectron.Tray.created[0]!;
      await vi.waitFor(() => expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining('needs attention: Vigil could not open the team’s data folder')));
      expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining('engine not running'));
      expect(tray.setImage).toHaveBeenLastCalledWith({ path: '/opt/vigil/resources/tray/tray-problem.png' });
      expect(fakeElectron.app.exit).not.toHaveBeenCalled();
      expect(error).toHaveBeenCalledWith(expect.stringContaining('Vigil started without its engine'));
    } finally {
      error.mockRestore();
    }
  });
});

describe('choosing the team data folder in the running app', () => {
  beforeEach(() => {
    llm.listeners.length = 0;
    engine.onDeskEvent.mockClear();
    engine.close.mockReset().mockResolvedValue(undefined);
    engine.startWatching.mockReset().mockResolvedValue([]);
    engine.open.mockReset().mockResolvedValue(shellWorkspace({ listTickets: vi.fn(async () => []), close: engine.close }));
  });

  it('picks the folder in the native dialog, closes the workspace, relaunches, and the next start opens that folder', async () => {
    const userData = await tempFolder('vigil-index-userdata-');
    const chosen = await tempFolder('vigil-index-team-');
    const own = { sender: {}, senderFrame: { url: 'app://vigil/index.html', parent: null } };
    const { fakeElectron, ipcMainHandlers } = await boot(({ fakeElectron }) => {
      fakeElectron.app.getPath.mockReturnValue(userData);
      fakeElectron.dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [chosen] });
    });
    // The default: the team folder the CLI uses too (core/app/dataDir.ts).
    const { defaultDataDir } = await import('../../../core/formats/dataDir');
    const defaultDir = defaultDataDir('default', { ...process.env, VIGIL_DATA_DIR: '' });
    expect(engine.open.mock.calls[0]![0]).toMatchObject({ dataDir: defaultDir });

    const result = (await ipcMainHandlers.get('vigil:chooseDataFolder')!(own, undefined)) as { found: string; restarting: boolean };
    expect(result).toMatchObject({ found: 'empty', restarting: true });
    // The native folder dialog, in the main process: the page sent no path.
    expect(fakeElectron.dialog.showOpenDialog).toHaveBeenCalledWith(expect.objectContaining({ properties: ['openDirectory', 'createDirectory'] }));
    // The relaunch is the ordinary quit: the workspace is closed (its writes committed, its lock released) first.
    await vi.waitFor(() => expect(fakeElectron.app.relaunch).toHaveBeenCalledOnce());
    const quit = { preventDefault: vi.fn() };
    fakeElectron.app.emit('before-quit', quit);
    expect(quit.preventDefault).toHaveBeenCalledOnce();
    await vi.waitFor(() => expect(engine.close).toHaveBeenCalledOnce());
    // A page asking for a path of its own is refused by the schema.
    await expect(ipcMainHandlers.get('vigil:chooseDataFolder')!(own, { path: '/etc' })).rejects.toThrow();

    // The new start reads the choice from the user's preferences and opens the chosen folder.
    engine.open.mockClear();
    const again = await boot(({ fakeElectron }) => fakeElectron.app.getPath.mockReturnValue(userData));
    expect(engine.open.mock.calls[0]![0]).toMatchObject({ dataDir: chosen });
    const view = await again.ipcMainHandlers.get('vigil:dataFolderOverview')!(own, undefined);
    expect(view).toEqual({ inUse: chosen, source: 'chosen', defaultDir, next: null, problem: null });
  });

  it('does not open (or create) a chosen folder that has gone, says so in the tray, and can go back to the default', async () => {
    const userData = await tempFolder('vigil-index-userdata-');
    const gone = join(userData, 'not-mounted', 'vigil');
    const { saveDataFolderChoice } = await import('../../../electron/main/dataFolderChoice');
    await saveDataFolderChoice(userData, gone);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      vi.resetModules();
      const fakeElectron = (await import('electron')) as unknown as FakeElectron;
      fakeElectron.testing.reset();
      fakeElectron.app.getPath.mockReturnValue(userData);
      await import('../../../electron/main/index');
      await vi.waitFor(() => expect(fakeElectron.Tray.created).toHaveLength(1));
      const tray = fakeElectron.Tray.created[0]!;
      await vi.waitFor(() => expect(tray.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining(`needs attention: Vigil could not open the team’s data folder: The team data folder ${gone}`.slice(0, 60))));
      expect(engine.open).not.toHaveBeenCalled();
      const { existsSync } = await import('node:fs');
      expect(existsSync(gone)).toBe(false);

      const own = { sender: {}, senderFrame: { url: 'app://vigil/index.html', parent: null } };
      const view = (await fakeElectron.testing.ipcMainHandlers.get('vigil:dataFolderOverview')!(own, undefined)) as { problem: string };
      expect(view.problem).toContain(`The team data folder ${gone} is not there`);
      const back = await fakeElectron.testing.ipcMainHandlers.get('vigil:useDefaultDataFolder')!(own, undefined);
      expect(back).toMatchObject({ found: 'default', restarting: true });
      await vi.waitFor(() => expect(fakeElectron.app.relaunch).toHaveBeenCalledOnce());
    } finally {
      error.mockRestore();
    }
  });
});

describe('main process privacy wiring', () => {
  it('applies the saved offline mode before the workspace opens and records each refused connection in its audit log', async () => {
    const dataDir = await tempFolder('vigil-index-privacy-');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ privacy: { offline: true, redactBeforeStorage: false } }));
    const append = vi.fn(async (_record: unknown) => undefined);
    engine.onDeskEvent.mockClear();
    engine.startWatching.mockReset().mockResolvedValue([]);
    engine.open.mockReset().mockResolvedValue(shellWorkspace({ listTickets: vi.fn(async () => []), close: vi.fn(async () => undefined) }));
    guard.install.mockClear();
    vi.stubEnv('VIGIL_DATA_DIR', dataDir);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { fakeElectron } = await boot();
      await vi.waitFor(() => expect(engine.startWatching).toHaveBeenCalled());
      // The tray says so too: connectors to other machines are paused.
      expect(fakeElectron.Tray.created[0]!.setToolTip).toHaveBeenLastCalledWith(expect.stringContaining('offline mode'));
      expect(fakeElectron.Tray.created[0]!.setImage).toHaveBeenLastCalledWith({ path: '/opt/vigil/resources/tray/tray-offline.png' });
      const [policy, options] = guard.install.mock.calls[0]! as [{ offline: boolean; check(host: string): { allowed: boolean } }, { onAttempt(a: unknown): void }];
      expect(policy.offline).toBe(true);
      // The workspace opened with the process's refusal log: attached to a log, it writes what the guard refused.
      const { egressDenials } = engine.open.mock.calls.at(-1)![0] as { egressDenials: { attach(audit: unknown): () => Promise<void> } };
      const detach = egressDenials.attach({ append });
      const attempt = { via: 'fetch', host: 'telemetry.example.net', port: 443, allowed: false, reason: 'Blocked a connection to telemetry.example.net: offline mode allows only this machine (loopback)', origin: '' };
      options.onAttempt(attempt);
      options.onAttempt(attempt); // a library retrying: recorded once
      options.onAttempt({ ...attempt, host: '127.0.0.1', allowed: true, reason: null });
      expect(append).toHaveBeenCalledOnce();
      expect(append).toHaveBeenCalledWith({ type: 'egress_denied', host: 'telemetry.example.net', via: 'fetch', reason: 'offline mode allows only this machine (loopback)' });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Vigil blocked a connection to telemetry.example.net'));
      // A refusal by a policy, before any socket (a connector's `policy.fetch`), is recorded as well.
      const { EgressPolicy } = await import('../../../core/net/egress');
      expect(() => new EgressPolicy({ offline: true }).assertAllowed('helpdesk.example.com')).toThrow();
      expect(append).toHaveBeenLastCalledWith({ type: 'egress_denied', via: 'policy', host: 'helpdesk.example.com', reason: 'offline mode allows only this machine (loopback)' });
      await detach();
    } finally {
      warn.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
