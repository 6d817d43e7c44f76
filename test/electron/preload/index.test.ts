import { beforeAll, describe, expect, it, vi } from 'vitest';
import { fakeElectron } from '../fakeElectron';
import { DESK_EVENT_CHANNEL, IPC_METHODS, ipcChannel, type VigilBridge } from '../../../electron/ipc/contract';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

let exposedKey: string | undefined;
let api: VigilBridge;

beforeAll(async () => {
  await import('../../../electron/preload/index');
  const [call] = fakeElectron.contextBridge.exposeInMainWorld.mock.calls;
  exposedKey = call?.[0];
  api = call?.[1] as VigilBridge;
});

describe('preload', () => {
  it('exposes one object, window.vigil, once', () => {
    expect(fakeElectron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    expect(exposedKey).toBe('vigil');
  });

  it("exposes exactly the contract's methods and its one subscription, as functions, and nothing else", () => {
    expect(Object.keys(api).sort()).toEqual([...IPC_METHODS, 'onDeskEvent'].sort());
    expect(typeof api.onDeskEvent).toBe('function');
    for (const method of IPC_METHODS) expect(typeof api[method], method).toBe('function');
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('send');
    expect(api).not.toHaveProperty('on');
  });

  it("calls each method on the contract's channel with only the one request", async () => {
    const channels = new Set<string>();
    for (const method of IPC_METHODS) {
      fakeElectron.ipcRenderer.invoke.mockClear();
      const request = method === 'searchKnowledge' ? { query: 'vpn' } : undefined;
      // The page may pass anything; the preload must forward the request alone.
      const call = api[method] as (...args: unknown[]) => Promise<unknown>;
      await call(request, 'smuggled', { extra: true });
      expect(fakeElectron.ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(ipcChannel(method), request);
      channels.add(fakeElectron.ipcRenderer.invoke.mock.calls[0]![0]);
    }
    expect([...channels].sort()).toEqual(IPC_METHODS.map((m) => ipcChannel(m)).sort());
  });

  it('forwards desk events without Electron’s event object, and unsubscribes', () => {
    const received: unknown[] = [];
    const unsubscribe = api.onDeskEvent((event) => received.push(event));
    const payload = { type: 'tickets-changed' };
    fakeElectron.ipcRenderer.emit(DESK_EVENT_CHANNEL, { sender: 'secret ipcRenderer' }, payload);
    expect(received).toEqual([payload]);
    unsubscribe();
    fakeElectron.ipcRenderer.emit(DESK_EVENT_CHANNEL, {}, payload);
    expect(received).toHaveLength(1);
    expect(fakeElectron.ipcRenderer.listenerCount(DESK_EVENT_CHANNEL)).toBe(0);
  });
});
