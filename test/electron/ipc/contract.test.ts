import { describe, expect, expectTypeOf, it } from 'vitest';
import { IPC_CHANNEL_PREFIX, IPC_CHANNELS, IPC_METHODS, ipcChannel, type IpcParsedRequest, type IpcRequest, type IpcResponse, type ImportSourceView, type VigilApi } from '../../../electron/ipc/contract';
import { ipcRequestSchemas, ipcRequestSchemaTable } from '../../../electron/ipc/requestSchemas';

describe('IPC contract', () => {
  it('names every channel vigil:<method>, each once', () => {
    const channels = IPC_METHODS.map((m) => ipcChannel(m));
    expect(channels.every((c) => c.startsWith(IPC_CHANNEL_PREFIX))).toBe(true);
    expect(new Set(channels).size).toBe(IPC_METHODS.length);
    expect(Object.isFrozen(IPC_CHANNELS)).toBe(true);
  });

  it('has a run-time request schema for exactly the contract methods', () => {
    expect(Object.keys(ipcRequestSchemas).sort()).toEqual([...IPC_METHODS].sort());
  });

  it('takes a request only for the methods with a schema; every other method of the table takes nothing', () => {
    const withRequest = Object.keys(ipcRequestSchemaTable);
    expect(withRequest.every((m) => (IPC_METHODS as readonly string[]).includes(m))).toBe(true);
    for (const method of IPC_METHODS.filter((m) => !withRequest.includes(m))) {
      expect(ipcRequestSchemas[method].safeParse(undefined).success, method).toBe(true);
      expect(ipcRequestSchemas[method].safeParse({}).success, method).toBe(false);
    }
  });

  it('types each request as its schema takes it, and each response as the table gives it (checked by the compiler)', () => {
    expectTypeOf<IpcRequest<'searchKnowledge'>>().toEqualTypeOf<{ query: string; limit?: number | undefined }>();
    expectTypeOf<IpcParsedRequest<'untrustKey'>>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<IpcRequest<'status'>>().toEqualTypeOf<undefined>();
    expectTypeOf<IpcResponse<'chooseImportSource'>>().toEqualTypeOf<ImportSourceView | null>();
    expectTypeOf<IpcRequest<'importKnowledge'>>().toHaveProperty('mapping');
    expectTypeOf<VigilApi['status']>().toEqualTypeOf<() => Promise<IpcResponse<'status'>>>();
    expectTypeOf<Parameters<VigilApi['auditPage']>[0]>().toHaveProperty('before');
  });
});
