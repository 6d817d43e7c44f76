/**
 * Settings → Connectors through the main process's handlers, with Electron mocked and the real engine behind them:
 * the token an admin types goes to the keychain (safeStorage, faked here reversibly), never into connectors.json,
 * and never back to the page in any answer.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { Workspace } from '../../../core/app/workspace';
import { EgressPolicy } from '../../../core/net/egress';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';
import { FakeZammad, ZAMMAD_TOKEN } from '../../support/vendors/zammad';

/** A reversible stand-in for the OS keychain, as in safeStorageSecrets.test.ts. */
const keychain = {
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  isAsyncEncryptionAvailable: vi.fn(async () => true),
  encryptStringAsync: vi.fn(async (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`)),
  decryptStringAsync: vi.fn(async (data: Buffer) => ({ shouldReEncrypt: false, result: Buffer.from(data.toString().slice(4), 'hex').toString() })),
};

vi.mock('electron', async () => ({ ...(await import('../fakeElectron')).fakeElectron, safeStorage: keychain }));

const { fakeElectron, resetFakeElectron } = await import('../fakeElectron');
const { createCopilotHandlers, showConnectorFolderDialog } = await import('../../../electron/main/ipcHandlers');
const { PreferencesStore } = await import('../../../electron/main/preferencesStore');
const { SafeStorageSecretStore } = await import('../../../electron/main/safeStorageSecrets');
const { ServiceHost } = await import('../../../electron/main/serviceHost');

const event = { sender: {} } as unknown as IpcMainInvokeEvent;
const WRONG_TOKEN = 'zm-wrong-0123456789abcdef';

describe('connector handlers in the main process', () => {
  let work: string;
  let dataDir: string;
  let host: InstanceType<typeof ServiceHost>;
  let zammad: FakeZammad;
  let handlers: ReturnType<typeof createCopilotHandlers>;

  beforeAll(async () => {
    zammad = await new FakeZammad().start();
    work = await tempFolder('vigil-connector-handlers-');
    dataDir = join(work, 'data');
    host = new ServiceHost(async () => {
      const workspace = await Workspace.open({ dataDir, delayedReviewEveryMs: 0 });
      await workspace.connectors.startWatching({ secrets: new SafeStorageSecretStore(dataDir), egress: new EgressPolicy() });
      return workspace;
    });
    // The defaults the app uses: the safeStorage store of the data folder and the native folder dialog.
    handlers = createCopilotHandlers({ host, settings: { preferences: await PreferencesStore.open(work), dataDir } });
  });

  afterAll(async () => {
    await host?.close();
    await zammad?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  beforeEach(() => resetFakeElectron());

  /** Calls a handler as the router does: the request validated first. */
  async function call<M extends keyof typeof handlers>(method: M, request?: unknown): Promise<Awaited<ReturnType<(typeof handlers)[M]>>> {
    const parsed = parseIpcRequest(method, request === undefined ? [] : [request]);
    return (handlers[method] as (r: unknown, e: IpcMainInvokeEvent) => Promise<Awaited<ReturnType<(typeof handlers)[M]>>>)(parsed, event);
  }

  const draft = (token: string) => ({ kind: 'zammad', id: 'zm', values: { baseUrl: zammad.url, writeBack: true }, secrets: { token } });

  it('tests an unsaved connector with the token typed in, and never echoes a wrong one', async () => {
    expect(await call('testConnectorDraft', { mode: 'add', draft: draft(ZAMMAD_TOKEN) })).toEqual({ ok: true, id: 'zm' });
    const wrong = await call('testConnectorDraft', { mode: 'add', draft: draft(WRONG_TOKEN) });
    expect(wrong.ok).toBe(false);
    expect(JSON.stringify(wrong)).not.toContain(WRONG_TOKEN);
    // Nothing was stored by testing.
    expect(await new SafeStorageSecretStore(dataDir).list()).toEqual([]);
  });

  it('saves the token in the keychain only: encrypted on disk, absent from connectors.json and from every answer', async () => {
    const saved = await call('saveConnector', { mode: 'add', draft: draft(ZAMMAD_TOKEN) });
    expect(saved).toEqual({ ok: true, id: 'zm', watchProblem: null });
    expect(keychain.encryptStringAsync).toHaveBeenCalledWith(ZAMMAD_TOKEN);
    const connectorsJson = await readFile(join(dataDir, 'connectors.json'), 'utf8');
    expect(connectorsJson).not.toContain(ZAMMAD_TOKEN);
    expect(JSON.parse(connectorsJson).connectors[0].token).toEqual({ secret: 'zm.token' });
    expect(await readFile(join(dataDir, 'secrets.safe.json'), 'utf8')).not.toContain(ZAMMAD_TOKEN);
    expect(await new SafeStorageSecretStore(dataDir).get('zm.token')).toBe(ZAMMAD_TOKEN);

    const edit = await call('connectorForEdit', { id: 'zm' });
    expect(edit).toEqual({ id: 'zm', kind: 'zammad', values: { id: 'zm', baseUrl: zammad.url, writeBack: true }, secretsStored: { token: true } });
    const overview = await handlers.connectorsOverview(undefined, event);
    const forms = await call('connectorForms');
    for (const answer of [saved, edit, overview, forms]) expect(JSON.stringify(answer)).not.toContain(ZAMMAD_TOKEN);
    // The saved connector is watched at once, with its stored token.
    expect(overview.connectors.map((c) => c.id)).toEqual(['zm']);
    expect(await handlers.testConnector({ id: 'zm' }, event)).toEqual({ id: 'zm', ok: true });
  });

  it('removes the connector and deletes its token from the keychain', async () => {
    expect(await call('removeConnector', { id: 'zm' })).toEqual({ id: 'zm', secretsDeleted: ['zm.token'], syncStateKept: join(dataDir, 'watch', 'zm'), watchProblem: null });
    expect(await new SafeStorageSecretStore(dataDir).list()).toEqual([]);
    expect((await handlers.connectorsOverview(undefined, event)).connectors).toEqual([]);
  });

  it('asks for a ticket folder in a native folder dialog', async () => {
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/srv/tickets'] });
    await expect(call('pickConnectorFolder')).resolves.toBe('/srv/tickets');
    const options = fakeElectron.dialog.showOpenDialog.mock.calls[0]?.at(-1) as { properties: string[] };
    expect(options.properties).toContain('openDirectory');
    await expect(showConnectorFolderDialog(event)).resolves.toBeNull();
  });
});
