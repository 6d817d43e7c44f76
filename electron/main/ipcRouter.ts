/**
 * Registers the contract's methods with `ipcMain`, each behind two checks (VS Code's `validatedIpcMain`): the
 * sender must be Vigil's own top frame, and the request must match the method's schema. Handlers therefore
 * receive only typed, validated requests and can trust them.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import { IPC_METHODS, ipcChannel, type IpcMethod, type IpcRequest, type IpcResponse } from '../ipc/contract';
import { ipcRequestSchemas } from '../ipc/requestSchemas';
import { describeSender, isTrustedSender, type AppOrigin } from './security';

/** One implementation per contract method; the type makes a missing or extra method a compile error. */
export type IpcHandlers = {
  readonly [M in IpcMethod]: (request: IpcRequest<M>, event: IpcMainInvokeEvent) => Promise<IpcResponse<M>>;
};

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
  const schema: z.ZodType = ipcRequestSchemas[method];
  // Not `async`: TypeScript would re-wrap the handler's promise and lose its response type. Refusals are
  // rejected promises either way, which is what `ipcRenderer.invoke` turns into an error for the renderer.
  return (event, ...args) => {
    if (!isTrustedSender(event, origin)) {
      console.warn(`Refused ${channel} from ${describeSender(event)}.`);
      return Promise.reject(
        new Error(
          `${channel} refused a call from ${describeSender(event)}: only Vigil's own window may use the engine. ` +
            'If an embedded page or a link caused this, close it and restart Vigil.',
        ),
      );
    }
    if (args.length > 1) {
      return Promise.reject(new Error(`${channel} received ${args.length} arguments but takes at most one request object.`));
    }
    const parsed = schema.safeParse(args[0]);
    if (!parsed.success) {
      return Promise.reject(
        new Error(
          `${channel} received a malformed request: ${describeIssues(parsed.error)}. ` +
            'Correct the request and try again; if you did not type it, restart Vigil (its window and engine may be out of step).',
        ),
      );
    }
    // The contract's `satisfies` clause ties each schema's output to its method's request type.
    return handler(parsed.data as IpcRequest<M>, event);
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

/** `query: the search query is empty; …` — each problem with the field it is in. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'request'}: ${issue.message}`).join('; ');
}
