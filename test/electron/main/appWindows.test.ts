import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeElectron } from '../fakeElectron';
import { AppWindows } from '../../../electron/main/appWindows';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const { BrowserWindow } = fakeElectron;

describe('the shell’s windows', () => {
  beforeEach(() => fakeElectron.testing.reset());

  it('brings the open main window forward instead of opening a second one, and reopens it once closed', () => {
    const windows = new AppWindows({ preloadPath: '/app/out/preload/index.cjs', entryUrl: 'app://vigil/' });
    windows.showMainIfOpen();
    expect(BrowserWindow.created).toHaveLength(0);
    windows.openMain();
    windows.openMain();
    const [main] = BrowserWindow.created;
    expect(BrowserWindow.created).toHaveLength(1);
    main!.isMinimized.mockReturnValue(true);
    windows.showMainIfOpen();
    expect(main!.restore).toHaveBeenCalledOnce();
    expect(main!.focus).toHaveBeenCalledOnce();
    main!.isDestroyed.mockReturnValue(true);
    expect(windows.mainFocused()).toBe(false);
    windows.showMain();
    expect(BrowserWindow.created).toHaveLength(2);
  });

  it('opens a ticket in the main window and sends desk events to every window', () => {
    const windows = new AppWindows({ preloadPath: '/app/out/preload/index.cjs', entryUrl: 'app://vigil/' });
    windows.openMain();
    windows.showBubble();
    const [main, bubble] = BrowserWindow.created;
    windows.openTicket('T-7');
    expect(main!.webContents.send).toHaveBeenLastCalledWith('vigil:deskEvent', { type: 'open-ticket', ticketId: 'T-7' });
    expect(bubble!.webContents.send).not.toHaveBeenCalled();
    windows.broadcast({ type: 'tickets-changed', tickets: [] });
    expect(main!.webContents.send).toHaveBeenLastCalledWith('vigil:deskEvent', { type: 'tickets-changed', tickets: [] });
    expect(bubble!.webContents.send).toHaveBeenLastCalledWith('vigil:deskEvent', { type: 'tickets-changed', tickets: [] });
  });
});
