import { describe, expect, it, vi } from 'vitest';
import { TrayController } from '../../../electron/main/trayController';
import type { TrayState, VigilTray } from '../../../electron/main/tray';

// tray.ts draws with Electron's Tray and Menu; the controller is tested without them.
vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

/** A stand-in for the tray icon: what it was last told to show. */
function fakeTray() {
  const shown: TrayState[] = [];
  const tray = { update: vi.fn((state: TrayState) => shown.push(state)), destroy: vi.fn() } as unknown as VigilTray;
  return { tray, shown };
}

describe('tray controller', () => {
  it('shows once the tray exists what happened before it did', () => {
    const controller = new TrayController();
    controller.show({ mode: 'llm', modeReason: null });
    controller.setEngineProblem(null);
    controller.connectorHealth({ id: 'rt', state: 'retrying', lastError: 'RT refused the token (401).' });
    const { tray } = fakeTray();
    let initial: TrayState | null = null;
    controller.attach((state) => {
      initial = state;
      return tray;
    }, { doNotDisturb: true });
    expect(initial).toMatchObject({ mode: 'llm', doNotDisturb: true, problem: 'rt: RT refused the token (401).' });
  });

  it('counts the tickets with help waiting, a full list replacing what pushed summaries said', () => {
    const controller = new TrayController();
    const { tray, shown } = fakeTray();
    controller.attach(() => tray);
    controller.mergeTickets([{ id: 'T-1', waiting: 1 }]);
    controller.mergeTickets([{ id: 'T-2', waiting: 4 }]);
    expect(shown.at(-1)?.waiting).toBe(2);
    controller.setTickets([{ id: 'T-3', waiting: 1 }]);
    expect(shown.at(-1)?.waiting).toBe(1);
    controller.destroy();
    expect(tray.destroy).toHaveBeenCalledOnce();
  });
});
