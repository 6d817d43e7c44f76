import { describe, expect, it } from 'vitest';
import { IPC_CHANNEL_PREFIX, IPC_CHANNELS, IPC_METHODS, ipcChannel } from '../../../electron/ipc/contract';
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
});
