import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent } from 'electron';
import { fakeElectron, resetFakeElectron } from '../fakeElectron';
import { createCopilotHandlers, showEntriesFileDialog } from '../../../electron/main/ipcHandlers';
import { ServiceHost, type DesktopService } from '../../../electron/main/serviceHost';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const event = { sender: {} } as unknown as IpcMainInvokeEvent;
const report = { file: '/tmp/kb.jsonl', imported: 2, issues: [] };

function fakeService() {
  return {
    status: vi.fn(),
    searchKnowledge: vi.fn(async () => []),
    importEntries: vi.fn(async () => report),
    listTickets: vi.fn(async () => []),
    openTicket: vi.fn(async () => null),
    sendFeedback: vi.fn(),
    insights: vi.fn(),
    startWatching: vi.fn(async () => []),
    onDeskEvent: vi.fn(() => () => undefined),
    close: vi.fn(async () => undefined),
  } satisfies DesktopService;
}

describe('copilot IPC handlers', () => {
  beforeEach(() => resetFakeElectron());

  it('imports the file the analyst picked in the dialog', async () => {
    const service = fakeService();
    const handlers = createCopilotHandlers(new ServiceHost(async () => service), async () => '/tmp/kb.jsonl');
    await expect(handlers.importEntries(undefined, event)).resolves.toEqual(report);
    expect(service.importEntries).toHaveBeenCalledWith('/tmp/kb.jsonl');
  });

  it('imports nothing and answers null when the dialog is cancelled', async () => {
    const service = fakeService();
    const handlers = createCopilotHandlers(new ServiceHost(async () => service), async () => null);
    await expect(handlers.importEntries(undefined, event)).resolves.toBeNull();
    expect(service.importEntries).not.toHaveBeenCalled();
  });

  it('passes the query and limit through to the engine', async () => {
    const service = fakeService();
    const handlers = createCopilotHandlers(new ServiceHost(async () => service), async () => null);
    await handlers.searchKnowledge({ query: 'vpn', limit: 3 }, event);
    expect(service.searchKnowledge).toHaveBeenCalledWith('vpn', 3);
  });

  it('offers only .jsonl files in the open dialog', async () => {
    fakeElectron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/tmp/kb.jsonl'] });
    await expect(showEntriesFileDialog(event)).resolves.toBe('/tmp/kb.jsonl');
    const options = fakeElectron.dialog.showOpenDialog.mock.calls[0]?.at(-1) as { filters: unknown; properties: string[] };
    expect(options.filters).toEqual([{ name: 'Knowledge entries (JSON Lines)', extensions: ['jsonl'] }]);
    expect(options.properties).toEqual(['openFile']);
  });
});
