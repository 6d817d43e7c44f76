import { describe, expect, it, vi } from 'vitest';
import { ServiceHost, type DesktopService } from '../../../electron/main/serviceHost';
import { fakeDeskMethods, fakeEngineMethods, fakeImportMethods, fakePackMethods, fakePrivacyMethods } from './fakeDesktopService';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function fakeService(overrides: Partial<DesktopService> = {}) {
  const log: string[] = [];
  const service = {
    service: fakeEngineMethods(),
    ...fakeDeskMethods(),
    ...fakePackMethods(),
    ...fakePrivacyMethods(),
    close: vi.fn(async () => {
      log.push('close');
    }),
    ...overrides,
  } satisfies DesktopService;
  return { service, log };
}

describe('ServiceHost', () => {
  it('opens the engine once, on first use', async () => {
    const { service } = fakeService();
    const open = vi.fn(async () => service);
    const host = new ServiceHost(open);
    expect(open).not.toHaveBeenCalled();
    await Promise.all([host.use((s) => s.knowledge.searchKnowledge('a')), host.use((s) => s.knowledge.searchKnowledge('b'))]);
    expect(open).toHaveBeenCalledOnce();
  });

  it('waits for an import in flight before closing the engine on quit', async () => {
    const importDone = deferred<void>();
    const { service, log } = fakeService({
      imports: {
        ...fakeImportMethods(),
        importPath: vi.fn(async (path: string) => {
          await importDone.promise;
          log.push('import finished');
          return { source: path, imported: 1, skipped: 0, reasons: [], issues: [] };
        }),
      },
    });
    const host = new ServiceHost(async () => service);
    const importing = host.use((s) => s.imports.importPath('/tmp/kb.jsonl'));
    await Promise.resolve();

    const closing = host.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(service.close).not.toHaveBeenCalled();

    importDone.resolve();
    await closing;
    await expect(importing).resolves.toMatchObject({ imported: 1 });
    expect(log).toEqual(['import finished', 'close']);
  });

  it('refuses new work once shutdown has begun', async () => {
    const { service } = fakeService();
    const host = new ServiceHost(async () => service);
    await host.use((s) => s.knowledge.searchKnowledge('warm up'));
    await host.close();
    await expect(host.use((s) => s.knowledge.searchKnowledge('late'))).rejects.toThrow(/shutting down/);
    expect(service.close).toHaveBeenCalledOnce();
  });

  it('does not open the engine just to close it', async () => {
    const open = vi.fn(async () => fakeService().service);
    await new ServiceHost(open).close();
    expect(open).not.toHaveBeenCalled();
  });

  it('says what to do when the store cannot be opened, and retries on the next call', async () => {
    const { service } = fakeService();
    const open = vi.fn<() => Promise<DesktopService>>()
      .mockRejectedValueOnce(new Error('lock held'))
      .mockResolvedValueOnce(service);
    const host = new ServiceHost(open);
    await expect(host.use((s) => s.knowledge.searchKnowledge('x'))).rejects.toThrow(
      /could not open its knowledge store: lock held\. Close other Vigil windows/,
    );
    await expect(host.use((s) => s.knowledge.searchKnowledge('x'))).resolves.toEqual([]);
    expect(open).toHaveBeenCalledTimes(2);
  });
});

describe('ServiceHost.restart', () => {
  it('lets calls in flight finish, closes the engine, and runs later calls on a freshly opened one', async () => {
    const importDone = deferred<void>();
    const first = fakeService({
      imports: {
        ...fakeImportMethods(),
        importPath: vi.fn(async (path: string) => {
          await importDone.promise;
          return { source: path, imported: 1, skipped: 0, reasons: [], issues: [] };
        }),
      },
    });
    const second = fakeService();
    const open = vi.fn<() => Promise<DesktopService>>().mockResolvedValueOnce(first.service).mockResolvedValueOnce(second.service);
    const host = new ServiceHost(open);
    const importing = host.use((s) => s.imports.importPath('/tmp/kb.jsonl'));
    await Promise.resolve();

    const restarting = host.restart();
    const during = host.use((s) => s.knowledge.searchKnowledge('asked during the restart'));
    await new Promise((r) => setTimeout(r, 10));
    expect(first.service.close).not.toHaveBeenCalled();

    importDone.resolve();
    await restarting;
    await expect(importing).resolves.toMatchObject({ imported: 1 });
    await during;
    expect(first.service.close).toHaveBeenCalledOnce();
    expect(open).toHaveBeenCalledTimes(2);
    expect(first.service.knowledge.searchKnowledge).not.toHaveBeenCalled();
    expect(second.service.knowledge.searchKnowledge).toHaveBeenCalledWith('asked during the restart');
  });

  it('says why the engine cannot be reopened, and tries again on the next call', async () => {
    const first = fakeService();
    const second = fakeService();
    const open = vi
      .fn<() => Promise<DesktopService>>()
      .mockResolvedValueOnce(first.service)
      .mockRejectedValueOnce(new Error('the embedding model tiny-bert cannot be loaded'))
      .mockResolvedValueOnce(second.service);
    const host = new ServiceHost(open);
    await host.use((s) => s.knowledge.searchKnowledge('warm up'));
    await expect(host.restart()).rejects.toThrow(/could not open its knowledge store: the embedding model tiny-bert cannot be loaded/);
    await expect(host.use((s) => s.knowledge.searchKnowledge('x'))).resolves.toEqual([]);
    expect(second.service.knowledge.searchKnowledge).toHaveBeenCalled();
  });
});

describe('ServiceHost.restart with work while closed', () => {
  it('runs the work after the engine closed and before it opens again (a store rollback needs the folder)', async () => {
    const log: string[] = [];
    const first = fakeService({ close: vi.fn(async () => void log.push('close')) });
    const second = fakeService();
    const open = vi.fn().mockImplementationOnce(async () => (log.push('open 1'), first.service)).mockImplementationOnce(async () => (log.push('open 2'), second.service));
    const host = new ServiceHost(open);
    await host.use(async () => undefined);
    await host.restart(async () => void log.push('rollback'));
    expect(log).toEqual(['open 1', 'close', 'rollback', 'open 2']);
  });

  it('opens the engine again when the work fails, and rejects with the work’s error', async () => {
    const second = fakeService();
    const open = vi.fn().mockResolvedValueOnce(fakeService().service).mockResolvedValueOnce(second.service);
    const host = new ServiceHost(open);
    await host.use(async () => undefined);
    await expect(host.restart(async () => Promise.reject(new Error('There is no snapshot named "x"')))).rejects.toThrow('There is no snapshot named "x"');
    await host.use((s) => s.knowledge.searchKnowledge('after'));
    expect(open).toHaveBeenCalledTimes(2);
    expect(second.service.knowledge.searchKnowledge).toHaveBeenCalledWith('after');
  });
});
