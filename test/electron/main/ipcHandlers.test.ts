import { userInfo } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { tempFolder } from '../../support/tempFolder';
import { fakeElectron, resetFakeElectron } from '../fakeElectron';
import { createCopilotHandlers, showImportDialog, type SettingsOptions } from '../../../electron/main/ipcHandlers';
import { PreferencesStore } from '../../../electron/main/preferencesStore';
import { ServiceHost } from '../../../electron/main/serviceHost';
import { fakeDesktopService } from './fakeDesktopService';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const event = { sender: {} } as unknown as IpcMainInvokeEvent;


async function settings(): Promise<SettingsOptions> {
  const folder = await tempFolder('vigil-handlers-');
  return { preferences: await PreferencesStore.open(folder), dataDir: join(folder, 'data') };
}

describe('copilot IPC handlers', () => {
  beforeEach(() => resetFakeElectron());

  it('imports the file the analyst picked in the dialog, by the id the page was given, never a path from the page', async () => {
    const service = fakeDesktopService();
    const progress: unknown[] = [];
    const handlers = createCopilotHandlers({
      host: new ServiceHost(async () => service),
      settings: await settings(),
      imports: { pickImportPath: async (_event, what) => (what === 'file' ? '/tmp/faq.csv' : null), onImportProgress: (p) => progress.push(p) },
    });
    const chosen = await handlers.chooseImportSource({ what: 'file' }, event);
    expect(chosen).toMatchObject({ name: 'faq.csv', format: 'csv', columns: ['Question', 'Answer'], sourceId: expect.stringMatching(/^src-[0-9a-f]{16}$/) });
    expect(JSON.stringify(chosen)).not.toContain('/tmp');
    await handlers.importKnowledge({ sourceId: chosen!.sourceId, mapping: { question: 'Question', body: 'Answer' } }, event);
    expect(service.imports.importPath).toHaveBeenCalledWith('/tmp/faq.csv', { question: 'Question', body: 'Answer' }, expect.any(Function));
    await expect(handlers.importKnowledge({ sourceId: 'src-0000000000000000' }, event)).rejects.toThrow('choose it again');
  });

  it('imports nothing and answers null when the dialog is cancelled', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings(), imports: { pickImportPath: async () => null } });
    await expect(handlers.chooseImportSource({ what: 'folder' }, event)).resolves.toBeNull();
    expect(service.imports.describe).not.toHaveBeenCalled();
  });

  it('passes the query and limit through to the engine', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    await handlers.searchKnowledge({ query: 'vpn', limit: 3 }, event);
    expect(service.knowledge.searchKnowledge).toHaveBeenCalledWith('vpn', 3);
  });

  it('offers the knowledge shapes the import reads (entries, spreadsheets, articles) in the open dialog, and a folder dialog for article folders', async () => {
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/tmp/kb.jsonl'] });
    await expect(showImportDialog(event, 'file')).resolves.toBe('/tmp/kb.jsonl');
    const options = fakeElectron.dialog.showOpenDialog.mock.calls[0]?.at(-1) as { filters: unknown; properties: string[] };
    expect((options.filters as { extensions: string[] }[]).flatMap((f) => f.extensions)).toEqual(
      expect.arrayContaining(['jsonl', 'json', 'csv', 'md', 'html', 'txt']),
    );
    expect(options.properties).toEqual(['openFile']);
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/tmp/articles'] });
    await expect(showImportDialog(event, 'folder')).resolves.toBe('/tmp/articles');
    expect((fakeElectron.dialog.showOpenDialog.mock.calls[1]?.at(-1) as { properties: string[] }).properties).toEqual(['openDirectory']);
  });

  it('asks for the what-if replay’s tickets (JSON Lines) and the report’s destination (HTML) in native dialogs', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/ana/queue.jsonl'] });
    await handlers.startWhatIf({ source: 'file' }, event);
    expect(service.whatIf.start).toHaveBeenCalledWith({ kind: 'file', path: '/home/ana/queue.jsonl' });
    const open = fakeElectron.dialog.showOpenDialog.mock.calls[0]?.at(-1) as { filters: Array<{ extensions: string[] }>; properties: string[] };
    expect(open.filters.flatMap((f) => f.extensions)).toEqual(['jsonl', 'ndjson']);
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/ana/recorded'] });
    await handlers.startWhatIf({ source: 'folder' }, event);
    expect((fakeElectron.dialog.showOpenDialog.mock.calls[1]?.at(-1) as { properties: string[] }).properties).toEqual(['openDirectory']);
    fakeElectron.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: '/home/ana/what-if.html' });
    await expect(handlers.saveWhatIfReport(undefined, event)).resolves.toEqual({ file: '/home/ana/what-if.html' });
    const save = fakeElectron.dialog.showSaveDialog.mock.calls[0]?.at(-1) as { filters: Array<{ extensions: string[] }>; defaultPath: string };
    expect(save.filters[0]?.extensions).toEqual(['html']);
    expect(save.defaultPath).toMatch(/^vigil-what-if-\d{4}-\d{2}-\d{2}\.html$/);
  });

  it('decides a review as the signed-in user of this machine, never a name from the page', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    const request = { entryId: 'qa-T-1', decision: 'approve' as const };
    await handlers.reviewEntry(request, event);
    expect(service.learning.reviewEntry).toHaveBeenCalledWith(request, userInfo().username);
  });

  it('installs the pack file chosen in the native dialog, which offers only .vpack files', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/media/usb/network-basics-1.0.0.vpack'] });
    await expect(handlers.installPack(undefined, event)).resolves.toMatchObject({ outcome: 'installed' });
    expect(service.packs.install).toHaveBeenCalledWith('/media/usb/network-basics-1.0.0.vpack');
    const options = fakeElectron.dialog.showOpenDialog.mock.calls[0]?.at(-1) as { filters: unknown; properties: string[] };
    expect(options.filters).toEqual([{ name: 'Vigil knowledge pack', extensions: ['vpack'] }]);
    expect(options.properties).toEqual(['openFile']);
  });

  it('installs nothing when the pack dialog is cancelled', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    await expect(handlers.installPack(undefined, event)).resolves.toBeNull();
    expect(service.packs.install).not.toHaveBeenCalled();
  });

  it('trusts the key file chosen in the dialog under the name the analyst typed', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/media/usb/network.public.pem'] });
    await expect(handlers.trustKey({ name: 'Network team' }, event)).resolves.toMatchObject({ added: true });
    expect(service.packs.trustKeyFile).toHaveBeenCalledWith('/media/usb/network.public.pem', 'Network team');
    const options = fakeElectron.dialog.showOpenDialog.mock.calls[0]?.at(-1) as { filters: unknown };
    expect(options.filters).toEqual([{ name: 'Public key (PEM)', extensions: ['pem', 'pub'] }]);
  });

  it('subscribes to the folder chosen in a folder dialog', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/mnt/share/packs'] });
    await expect(handlers.subscribePacks({ packs: ['network-basics'] }, event)).resolves.toEqual({ folder: '/mnt/share/packs', packs: ['network-basics'] });
    const options = fakeElectron.dialog.showOpenDialog.mock.calls[0]?.at(-1) as { properties: string[] };
    expect(options.properties).toEqual(['openDirectory']);
  });

  it('refuses to unsubscribe a folder that is not subscribed', async () => {
    const service = fakeDesktopService();
    const handlers = createCopilotHandlers({ host: new ServiceHost(async () => service), settings: await settings() });
    await expect(handlers.unsubscribePacks({ folder: '/etc' }, event)).rejects.toThrow(/^folder: there is no subscription to \/etc/);
    expect(service.packs.unsubscribe).not.toHaveBeenCalled();
  });
});
