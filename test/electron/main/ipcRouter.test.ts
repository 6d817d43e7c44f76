import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { ipcMainHandlers, resetFakeElectron } from '../fakeElectron';
import { IPC_METHODS, ipcChannel } from '../../../electron/ipc/contract';
import { createValidatedHandler, registerIpcHandlers, type IpcHandlers } from '../../../electron/main/ipcRouter';
import { appOriginOf } from '../../../electron/main/security';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const origin = appOriginOf('app://vigil/index.html');

function eventFrom(url: string, parent: object | null = null): IpcMainInvokeEvent {
  return { senderFrame: { url, parent } } as unknown as IpcMainInvokeEvent;
}

const ownWindow = eventFrom('app://vigil/index.html');

function fakeHandlers() {
  return {
    status: vi.fn(async () => ({ entries: 3 }) as never),
    searchKnowledge: vi.fn(async () => []),
    chooseImportSource: vi.fn(async () => null),
    importKnowledge: vi.fn(async () => ({}) as never),
    helpCenters: vi.fn(async () => []),
    importHelpCenter: vi.fn(async () => ({}) as never),
    listTickets: vi.fn(async () => []),
    openTicket: vi.fn(async () => null),
    sendFeedback: vi.fn(async () => ({}) as never),
    insights: vi.fn(async () => ({}) as never),
    resetGateRecalibration: vi.fn(async () => ({}) as never),
    setGateRecalibration: vi.fn(async () => ({}) as never),
    publishSuggestion: vi.fn(async () => ({}) as never),
    connectorsOverview: vi.fn(async () => ({}) as never),
    testConnector: vi.fn(async () => ({}) as never),
    reviewQueue: vi.fn(async () => []),
    reviewEntry: vi.fn(async () => []),
    getPreferences: vi.fn(async () => ({}) as never),
    homeFolder: vi.fn(async () => '/home/ana'),
    setPreferences: vi.fn(async () => ({}) as never),
    packsOverview: vi.fn(async () => ({}) as never),
    installPack: vi.fn(async () => null),
    removePack: vi.fn(async () => ({}) as never),
    trustKey: vi.fn(async () => null),
    untrustKey: vi.fn(async () => ({}) as never),
    subscribePacks: vi.fn(async () => null),
    unsubscribePacks: vi.fn(async () => []),
    syncPacks: vi.fn(async () => []),
    modelsOverview: vi.fn(async () => ({}) as never),
    useModel: vi.fn(async () => ({}) as never),
    restartWorkspace: vi.fn(async () => ({}) as never),
    llmOverview: vi.fn(async () => ({}) as never),
    pullLlmModel: vi.fn(async () => ({}) as never),
    recheckLlm: vi.fn(async () => ({}) as never),
    connectorForms: vi.fn(async () => []),
    connectorForEdit: vi.fn(async () => ({}) as never),
    testConnectorDraft: vi.fn(async () => ({}) as never),
    saveConnector: vi.fn(async () => ({}) as never),
    removeConnector: vi.fn(async () => ({}) as never),
    pickConnectorFolder: vi.fn(async () => null),
    replyDraft: vi.fn(async () => ({}) as never),
    saveReplyDraft: vi.fn(async () => ({}) as never),
    sendReply: vi.fn(async () => ({}) as never),
    listEntries: vi.fn(async () => ({}) as never),
    entryDetail: vi.fn(async () => null),
    editEntry: vi.fn(async () => ({}) as never),
    setEntryStatus: vi.fn(async () => ({}) as never),
    restoreEntryVersion: vi.fn(async () => ({}) as never),
    privacyOverview: vi.fn(async () => ({}) as never),
    setPrivacySettings: vi.fn(async () => ({}) as never),
    repairDataFolder: vi.fn(async () => ({}) as never),
    tagSnapshot: vi.fn(async () => ({}) as never),
    rollbackPreview: vi.fn(async () => ({}) as never),
    rollbackSnapshot: vi.fn(async () => ({}) as never),
    auditPage: vi.fn(async () => ({}) as never),
    verifyAudit: vi.fn(async () => ({}) as never),
    exportAudit: vi.fn(async () => null),
    dataFolderOverview: vi.fn(async () => ({}) as never),
    chooseDataFolder: vi.fn(async () => null),
    useDefaultDataFolder: vi.fn(async () => ({}) as never),
    rulesOverview: vi.fn(async () => ({}) as never),
    saveRule: vi.fn(async () => ({}) as never),
    setRuleEnabled: vi.fn(async () => ({}) as never),
    removeRule: vi.fn(async () => ({}) as never),
    testRule: vi.fn(async () => ({}) as never),
    startWhatIf: vi.fn(async () => null),
    whatIfStatus: vi.fn(async () => ({}) as never),
    cancelWhatIf: vi.fn(async () => ({}) as never),
    saveWhatIfReport: vi.fn(async () => null),
    teamOverview: vi.fn(async () => null),
    syncTeam: vi.fn(async () => null),
    joinTeam: vi.fn(async () => ({ team: null, merged: null })),
    leaveTeam: vi.fn(async () => ({}) as never),
  } satisfies IpcHandlers;
}

describe('IPC router', () => {
  beforeEach(() => {
    resetFakeElectron();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  });

  it('registers exactly one vigil: channel per contract method and can remove them', () => {
    const dispose = registerIpcHandlers(fakeHandlers(), origin);
    expect([...ipcMainHandlers.keys()].sort()).toEqual(IPC_METHODS.map((m) => ipcChannel(m)).sort());
    expect([...ipcMainHandlers.keys()].every((channel) => channel.startsWith('vigil:'))).toBe(true);
    dispose();
    expect(ipcMainHandlers.size).toBe(0);
  });

  it('passes a valid, trimmed request from the app window to the handler', async () => {
    const handlers = fakeHandlers();
    registerIpcHandlers(handlers, origin);
    const search = ipcMainHandlers.get('vigil:searchKnowledge')!;
    await expect(search(ownWindow, { query: '  vpn drops  ', limit: 5 })).resolves.toEqual([]);
    expect(handlers.searchKnowledge).toHaveBeenCalledWith({ query: 'vpn drops', limit: 5 }, ownWindow);
  });

  it.each([
    ['an empty query', { query: '   ' }, /query: the search query is empty/],
    ['a query that is not text', { query: 42 }, /query: /],
    ['a bare string instead of an object', 'vpn', /request: /],
    ['an unknown field', { query: 'vpn', sql: 'DROP TABLE entries' }, /Unrecognized key/i],
    ['a limit out of range', { query: 'vpn', limit: 10_000 }, /limit: the result limit must be at most 50/],
    ['a fractional limit', { query: 'vpn', limit: 2.5 }, /limit: the result limit must be a whole number/],
  ])('rejects %s with a clear error and never reaches the handler', async (_name, payload, detail) => {
    const handler = vi.fn(async () => []);
    const search = createValidatedHandler('searchKnowledge', handler, origin);
    const call = search(ownWindow, payload);
    await expect(call).rejects.toThrow(/^vigil:searchKnowledge received a malformed request: /);
    await expect(search(ownWindow, payload)).rejects.toThrow(detail);
    await expect(search(ownWindow, payload)).rejects.toThrow(/restart Vigil/);
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects a payload sent to a method that takes none', async () => {
    const handler = vi.fn(async () => ({}) as never);
    const status = createValidatedHandler('status', handler, origin);
    await expect(status(ownWindow, { everything: true })).rejects.toThrow(/vigil:status received a malformed request: request: this method takes no arguments/);
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects extra arguments', async () => {
    const handler = vi.fn(async () => []);
    const search = createValidatedHandler('searchKnowledge', handler, origin);
    await expect(search(ownWindow, { query: 'vpn' }, { query: 'other' })).rejects.toThrow(/takes at most one request object/);
    expect(handler).not.toHaveBeenCalled();
  });

  it.each([
    ['another site', eventFrom('https://evil.example/')],
    ['a subframe of the app', eventFrom('app://vigil/index.html', {})],
    ['a frame that is gone', { senderFrame: null } as unknown as IpcMainInvokeEvent],
  ])('refuses a call from %s before looking at the payload', async (_name, event) => {
    const handler = vi.fn(async () => []);
    const search = createValidatedHandler('searchKnowledge', handler, origin);
    await expect(search(event, { query: 'vpn' })).rejects.toThrow(/^vigil:searchKnowledge refused a call from .*only Vigil's own window/);
    expect(handler).not.toHaveBeenCalled();
  });
});
