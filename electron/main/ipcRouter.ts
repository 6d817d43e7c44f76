/**
 * Registers the contract's methods with `ipcMain`, each behind two checks (VS Code's `validatedIpcMain`): the
 * sender must be Vigil's own top frame, and the request must match the method's schema. Handlers therefore
 * receive only typed, validated requests and can trust them.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_METHODS, ipcChannel, type IpcMethod, type IpcParsedRequest, type IpcResponse } from '../ipc/contract';
import type { IpcHandlers } from './ipcHandlerGroup';
import { parseIpcRequest } from '../ipc/parseRequest';
import { describeSender, isTrustedSender, type AppOrigin } from './security';
import { log } from '../../core/privacy/redactingLogger';

export type { IpcHandlers } from './ipcHandlerGroup';

/**
 * Wraps one handler with the sender check and the request validation. Both failures reject with an error
 * that names the channel and what to do, which is what the renderer shows.
 */
export function createValidatedHandler<M extends IpcMethod>(
  method: M,
  handler: IpcHandlers[M],
  origin: AppOrigin,
): (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<IpcResponse<M>> {
  const channel = ipcChannel(method);
  // Not `async`: TypeScript would re-wrap the handler's promise and lose its response type. Refusals are
  // rejected promises either way, which is what `ipcRenderer.invoke` turns into an error for the renderer.
  return (event, ...args) => {
    if (!isTrustedSender(event, origin)) {
      log.warn(`Refused ${channel} from ${describeSender(event)}.`);
      return Promise.reject(
        new Error(
          `${channel} refused a call from ${describeSender(event)}: only Vigil's own window may use the engine. ` +
            'If an embedded page or a link caused this, close it and restart Vigil.',
        ),
      );
    }
    let request: IpcParsedRequest<M>;
    try {
      request = parseIpcRequest(method, args);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return handler(request, event);
  };
}

/** Registers every contract method on `ipcMain`; returns a function that removes them again. */
export function registerIpcHandlers(handlers: IpcHandlers, origin: AppOrigin): () => void {
  for (const method of IPC_METHODS) {
    ipcMain.handle(ipcChannel(method), createValidatedHandler(method, handlers[method], origin));
  }
  return () => {
    for (const method of IPC_METHODS) ipcMain.removeHandler(ipcChannel(method));
  };
}
