import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, resetFakeElectron } from '../fakeElectron';
import { createMainWindow, secureWebPreferences } from '../../../electron/main/window';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

describe('main window', () => {
  beforeEach(() => resetFakeElectron());

  it('runs its page sandboxed and isolated, with no Node.js and no webviews', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
    });
  });

  it('opens with the secure preferences, loads the entry URL and shows only when ready to paint', () => {
    createMainWindow({ preloadPath: '/app/out/preload/index.cjs', entryUrl: 'app://vigil/index.html' });

    expect(FakeBrowserWindow.created).toHaveLength(1);
    const window = FakeBrowserWindow.created[0]!;
    expect(window.options['webPreferences']).toEqual(secureWebPreferences('/app/out/preload/index.cjs'));
    expect(window.options['show']).toBe(false);
    expect(window.loadURL).toHaveBeenCalledWith('app://vigil/index.html');
    expect(window.show).not.toHaveBeenCalled();
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalledOnce();
  });
});
