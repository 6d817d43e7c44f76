/**
 * The handler map the main process must fill, derived from the contract's method table, and the helper that
 * types one screen's group of handlers. No Electron runtime import: the handler files use it, and the
 * browser-test bridge (test/e2e) serves the renderer with those very handlers outside Electron.
 */
import type { IpcMainInvokeEvent } from 'electron';
import type { IpcMethod, IpcParsedRequest, IpcResponse } from '../ipc/contract';

/** One implementation per contract method; the type makes a missing or extra method a compile error. */
export type IpcHandlers = {
  readonly [M in IpcMethod]: (request: IpcParsedRequest<M>, event: IpcMainInvokeEvent) => Promise<IpcResponse<M>>;
};

/**
 * Types one screen's group of handlers by the contract, without naming its methods a second time: each handler
 * gets its method's request and response types, and a name the contract does not have is a compile error.
 * `createCopilotHandlers` joins the groups into the full `IpcHandlers`, where a missing method is the error.
 */
export function ipcHandlerGroup<const H extends Partial<IpcHandlers>>(
  handlers: H & { readonly [K in Exclude<keyof H, IpcMethod>]: never },
): Pick<IpcHandlers, keyof H & IpcMethod> {
  return handlers as Pick<IpcHandlers, keyof H & IpcMethod>;
}

