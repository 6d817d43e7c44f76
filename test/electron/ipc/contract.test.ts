import { describe, expect, it } from 'vitest';
import { IPC_CHANNEL_PREFIX, IPC_CHANNELS, IPC_METHODS, ipcChannel } from '../../../electron/ipc/contract';
import { ipcRequestSchemas } from '../../../electron/ipc/requestSchemas';

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
});
