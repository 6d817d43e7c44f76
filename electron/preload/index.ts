/**
 * The preload: exposes `window.vigil`, one small object with a named function per method of the contract's
 * table (electron/ipc/contract.ts) and nothing else. The page never sees `ipcRenderer`, so it can reach only the channels listed in the contract, and only
 * with one request object each, which the main process validates.
 *
 * Built as a single CommonJS file: a sandboxed preload cannot be an ES module and has no node_modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DeskEvent } from '../../core/app/deskTypes';
import { DESK_EVENT_CHANNEL, IPC_METHODS, ipcChannel, type IpcMethod, type IpcResponse, type VigilApi, type VigilBridge } from '../ipc/contract';

function invoker<M extends IpcMethod>(method: M): (request?: unknown) => Promise<IpcResponse<M>> {
  const channel = ipcChannel(method);
  // Forward exactly one argument: extra ones the page passes are dropped, not smuggled to the main process.
  return (request) => ipcRenderer.invoke(channel, request) as Promise<IpcResponse<M>>;
}

// One function per method of the contract's table, and nothing else. The cast is the one place the names meet
// their types: each invoker forwards its request untouched and the main process checks it against the schema.
const methods = Object.fromEntries(IPC_METHODS.map((method) => [method, invoker(method)])) as unknown as VigilApi;

// What the renderer sees as `window.vigil`; `satisfies` makes a missing subscription a compile error.
const vigilApi = {
  ...methods,
  onDeskEvent(listener: (event: DeskEvent) => void): () => void {
    // The page gets the event's data only, never Electron's IpcRendererEvent (which holds `sender`).
    const forward = (_event: unknown, payload: DeskEvent): void => listener(payload);
    ipcRenderer.on(DESK_EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(DESK_EVENT_CHANNEL, forward);
    };
  },
} satisfies VigilBridge;

contextBridge.exposeInMainWorld('vigil', vigilApi);
