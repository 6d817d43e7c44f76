/**
 * The preload: exposes `window.vigil`, one small object with a named function per contract method and nothing
 * else. The page never sees `ipcRenderer`, so it can reach only the channels listed in the contract, and only
 * with one request object each, which the main process validates.
 *
 * Built as a single CommonJS file: a sandboxed preload cannot be an ES module and has no node_modules.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { ipcChannel, type IpcMethod, type IpcRequest, type IpcResponse, type VigilApi } from '../ipc/contract';

function invoker<M extends IpcMethod>(method: M): (request?: IpcRequest<M>) => Promise<IpcResponse<M>> {
  const channel = ipcChannel(method);
  // Forward exactly one argument: extra ones the page passes are dropped, not smuggled to the main process.
  return (request) => ipcRenderer.invoke(channel, request) as Promise<IpcResponse<M>>;
}

// What the renderer sees as `window.vigil`; `satisfies` makes a missing or extra method a compile error.
const vigilApi = {
  status: invoker('status'),
  searchKnowledge: invoker('searchKnowledge'),
  importEntries: invoker('importEntries'),
} satisfies VigilApi;

contextBridge.exposeInMainWorld('vigil', vigilApi);
