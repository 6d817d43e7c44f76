import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { ipcRequestSchemas } from '../../../electron/ipc/requestSchemas';
import { createWhatIfHandlers } from '../../../electron/main/whatIfHandlers';
import { ServiceHost, type DesktopService } from '../../../electron/main/serviceHost';
import { fakeDeskMethods, fakeEngineMethods, fakePackMethods, fakePrivacyMethods } from './fakeDesktopService';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const event = {} as IpcMainInvokeEvent;

function setUp(picked: { file?: string | null; folder?: string | null; report?: string | null } = {}) {
  const service = {
    service: fakeEngineMethods(),
    ...fakeDeskMethods(),
    ...fakePackMethods(),
    ...fakePrivacyMethods(),
    close: vi.fn(async () => undefined),
  } satisfies DesktopService;
  const deps = {
    pickTicketsFile: vi.fn(async () => picked.file ?? null),
    pickTicketsFolder: vi.fn(async () => picked.folder ?? null),
    pickReportFile: vi.fn(async () => picked.report ?? null),
  };
  return { service, deps, handlers: createWhatIfHandlers(new ServiceHost(async () => service), deps) };
}

describe('Insights → What if handlers', () => {
  it('replay the file or folder picked in the main process’s dialog, or the desk’s queue without a dialog', async () => {
    const { service, deps, handlers } = setUp({ file: '/home/ana/queue.jsonl', folder: '/home/ana/recorded' });
    await handlers.startWhatIf({ source: 'file' }, event);
    expect(deps.pickTicketsFile).toHaveBeenCalledWith(event);
    expect(service.whatIf.start).toHaveBeenLastCalledWith({ kind: 'file', path: '/home/ana/queue.jsonl' });
    await handlers.startWhatIf({ source: 'folder' }, event);
    expect(service.whatIf.start).toHaveBeenLastCalledWith({ kind: 'folder', path: '/home/ana/recorded' });
    await handlers.startWhatIf({ source: 'desk' }, event);
    expect(service.whatIf.start).toHaveBeenLastCalledWith({ kind: 'desk' });
    expect(deps.pickTicketsFile).toHaveBeenCalledOnce();
    expect(deps.pickTicketsFolder).toHaveBeenCalledOnce();
  });

  it('start nothing when the dialog is cancelled, and save nothing without a destination', async () => {
    const { service, handlers } = setUp();
    await expect(handlers.startWhatIf({ source: 'file' }, event)).resolves.toBeNull();
    expect(service.whatIf.start).not.toHaveBeenCalled();
    await expect(handlers.saveWhatIfReport(undefined, event)).resolves.toBeNull();
    expect(service.whatIf.saveReport).not.toHaveBeenCalled();
  });

  it('report progress, cancel, and save the report where the save dialog says', async () => {
    const { service, handlers } = setUp({ report: '/home/ana/what-if.html' });
    await expect(handlers.whatIfStatus(undefined, event)).resolves.toMatchObject({ state: 'idle' });
    await expect(handlers.cancelWhatIf(undefined, event)).resolves.toMatchObject({ state: 'cancelled' });
    await expect(handlers.saveWhatIfReport(undefined, event)).resolves.toEqual({ file: '/home/ana/what-if.html' });
    expect(service.whatIf.saveReport).toHaveBeenCalledWith('/home/ana/what-if.html');
  });

  it('take no path from the page: the source is one of three words', () => {
    expect(ipcRequestSchemas.startWhatIf.safeParse({ source: '/etc/passwd' }).success).toBe(false);
    expect(ipcRequestSchemas.startWhatIf.safeParse({ source: 'file', path: '/tmp/x' }).success).toBe(false);
    expect(ipcRequestSchemas.saveWhatIfReport.safeParse({ file: '/tmp/x' }).success).toBe(false);
  });
});
