/** `npm start`'s first step: Electron's runtime used when present, fetched by Electron's installer when missing, explained when offline. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedZipPath, ensureElectronRuntime, type RuntimeHost } from '../../../electron/tools/electronRuntime';

const ELECTRON_DIR = '/clone/node_modules/electron';

interface FakeMachine {
  host: RuntimeHost;
  files: Map<string, string>;
  installerRuns: () => number;
  reached: string[];
  said: string[];
}

/** A machine with the given files; the installer, when run, writes what Electron's install.js writes (or fails). */
function machine(options: {
  files?: Record<string, string>;
  env?: Record<string, string>;
  online?: boolean;
  installerSucceeds?: boolean;
}): FakeMachine {
  const files = new Map(Object.entries(options.files ?? {}));
  let runs = 0;
  const reached: string[] = [];
  const said: string[] = [];
  const host: RuntimeHost = {
    electronDir: ELECTRON_DIR,
    version: '45.4.1',
    platform: 'linux',
    arch: 'x64',
    env: { HOME: '/home/ana', ...options.env },
    exists: (path) => files.has(path),
    readText: (path) => files.get(path),
    canReach: async (url) => {
      reached.push(url);
      return options.online ?? true;
    },
    runInstaller: async () => {
      runs++;
      if (options.installerSucceeds === false) return 1;
      files.set(join(ELECTRON_DIR, 'dist', 'version'), 'v45.4.1');
      files.set(join(ELECTRON_DIR, 'dist', 'electron'), 'ELF');
      files.set(join(ELECTRON_DIR, 'path.txt'), 'electron');
      return 0;
    },
    say: (line) => said.push(line),
  };
  return { host, files, installerRuns: () => runs, reached, said };
}

const INSTALLED = {
  [join(ELECTRON_DIR, 'dist', 'version')]: '45.4.1',
  [join(ELECTRON_DIR, 'dist', 'electron')]: 'ELF',
  [join(ELECTRON_DIR, 'path.txt')]: 'electron',
};

describe('npm start: the Electron runtime', () => {
  it('uses an installed runtime as it is, without the network or the installer', async () => {
    const m = machine({ files: INSTALLED, online: false });
    expect(await ensureElectronRuntime(m.host)).toEqual({ kind: 'present', executable: join(ELECTRON_DIR, 'dist', 'electron') });
    expect(m.installerRuns()).toBe(0);
    expect(m.reached).toEqual([]);
  });

  it('fetches a missing runtime with Electron’s installer when the download site answers, saying so first', async () => {
    const m = machine({ online: true });
    expect(await ensureElectronRuntime(m.host)).toEqual({ kind: 'installed', executable: join(ELECTRON_DIR, 'dist', 'electron') });
    expect(m.installerRuns()).toBe(1);
    expect(m.reached).toEqual(['https://github.com/electron/electron/releases/download/v45.4.1/electron-v45.4.1-linux-x64.zip']);
    expect(m.said.join('\n')).toMatch(/Downloading Electron 45\.4\.1/);
  });

  it('reinstalls a runtime of another version (an upgraded package over an old dist folder)', async () => {
    const m = machine({ files: { ...INSTALLED, [join(ELECTRON_DIR, 'dist', 'version')]: '44.0.0' } });
    expect((await ensureElectronRuntime(m.host)).kind).toBe('installed');
    expect(m.installerRuns()).toBe(1);
  });

  it('offline, stops with one message naming both ways to provide the runtime, and runs no installer', async () => {
    const m = machine({ online: false });
    const result = await ensureElectronRuntime(m.host);
    expect(m.installerRuns()).toBe(0);
    expect(result.kind).toBe('unavailable');
    if (result.kind !== 'unavailable') return;
    expect(result.message).not.toContain('\n');
    expect(result.message).toContain('github.com cannot be reached');
    expect(result.message).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(result.message).toContain(cachedZipPath(m.host));
  });

  it('offline with the release zip in Electron’s cache, installs from it without asking the network', async () => {
    const probe = machine({});
    const zip = cachedZipPath(probe.host);
    expect(zip).toMatch(/^\/home\/ana\/\.cache\/electron\/[0-9a-f]{64}\/electron-v45\.4\.1-linux-x64\.zip$/);
    const m = machine({ files: { [zip]: 'PK' }, online: false });
    expect((await ensureElectronRuntime(m.host)).kind).toBe('installed');
    expect(m.reached).toEqual([]);
  });

  it('uses ELECTRON_OVERRIDE_DIST_PATH as given, and says so when it holds no Electron', async () => {
    const good = machine({ env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, files: { '/opt/electron/electron': 'ELF' }, online: false });
    expect(await ensureElectronRuntime(good.host)).toEqual({ kind: 'present', executable: '/opt/electron/electron' });
    const bad = machine({ env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/empty' }, online: true });
    const result = await ensureElectronRuntime(bad.host);
    expect(result.kind).toBe('unavailable');
    expect(bad.installerRuns()).toBe(0);
  });

  it('reports a failed download with the same way out instead of starting electron-vite', async () => {
    const m = machine({ online: true, installerSucceeds: false });
    const result = await ensureElectronRuntime(m.host);
    expect(result).toMatchObject({ kind: 'unavailable', message: expect.stringContaining('installer failed (exit code 1)') });
  });

  it('asks a configured mirror, and keys the cache by it as Electron’s installer does', async () => {
    const m = machine({ env: { ELECTRON_MIRROR: 'https://mirror.example/electron/' }, online: true });
    await ensureElectronRuntime(m.host);
    expect(m.reached).toEqual(['https://mirror.example/electron/v45.4.1/electron-v45.4.1-linux-x64.zip']);
    expect(cachedZipPath(m.host)).not.toBe(cachedZipPath(machine({}).host));
  });
});
