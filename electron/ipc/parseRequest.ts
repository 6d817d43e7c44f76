/**
 * Run-time check of one IPC request against its method's schema, with no Electron import: the main process's
 * router and the browser-test bridge (test/e2e) refuse exactly the same calls with exactly the same words.
 */
import type { z } from 'zod';
import { ipcChannel, type IpcMethod, type IpcParsedRequest } from './contract';
import { ipcRequestSchemas } from './requestSchemas';

/** The validated request of `method`, or an error that names the channel, each bad field and what to do. */
export function parseIpcRequest<M extends IpcMethod>(method: M, args: readonly unknown[]): IpcParsedRequest<M> {
  const channel = ipcChannel(method);
  if (args.length > 1) {
    throw new Error(`${channel} received ${args.length} arguments but takes at most one request object.`);
  }
  const schema: z.ZodType = ipcRequestSchemas[method];
  const parsed = schema.safeParse(args[0]);
  if (!parsed.success) {
    throw new Error(
      `${channel} received a malformed request: ${describeIssues(parsed.error)}. ` +
        'Correct the request and try again; if you did not type it, restart Vigil (its window and engine may be out of step).',
    );
  }
  // The method's request type is this very schema's output (contract.ts derives it from the schema table).
  return parsed.data as IpcParsedRequest<M>;
}

/** `query: the search query is empty; …` — each problem with the field it is in. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'request'}: ${issue.message}`).join('; ');
}
