/** `npm start`'s first step: Electron's runtime used when present, fetched by Electron's installer when missing, explained when offline. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DownloadProgress } from '../../../electron/tools/downloadProgress';
import { cachedZipPath, ensureElectronRuntime, type RuntimeHost } from '../../../electron/tools/electronRuntime';

const ELECTRON_DIR = '/clone/node_modules/electron';

interface FakeMachine {
  host: RuntimeHost;
  files: Map<string, string>;
  installerRuns: () => number;
  reached: string[];
  said: string[];
  /** Everything written to the progress terminal, in order, with the lines `say` printed between. */
  screen: string[];
  downloads: () => number;
}

/** A machine with the given files; the installer, when run, writes what Electron's install.js writes (or fails). */
function machine(options: {
  files?: Record<string, string>;
  env?: Record<string, string>;
  online?: boolean;
  installerSucceeds?: boolean;
  /** What the download reports as it goes; it fails with `downloadFails` after them, if given. */
  progress?: DownloadProgress[];
  downloadFails?: string;
  tty?: boolean;
}): FakeMachine {
  const files = new Map(Object.entries(options.files ?? {}));
  let runs = 0;
  const reached: string[] = [];
  const said: string[] = [];
  const screen: string[] = [];
  let downloads = 0;
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
    downloadZip: async (onProgress) => {
      downloads++;
      for (const step of options.progress ?? [{ transferred: 3, total: 3 }]) onProgress(step);
      if (options.downloadFails) throw new Error(options.downloadFails);
      files.set(cachedZipPath(host), 'PK');
    },
    runInstaller: async () => {
      runs++;
      // Electron's installer unpacks the zip from its cache (the download above put it there).
      if (options.installerSucceeds === false || !files.has(cachedZipPath(host))) return 1;
      files.set(join(ELECTRON_DIR, 'dist', 'version'), 'v45.4.1');
      files.set(join(ELECTRON_DIR, 'dist', 'electron'), 'ELF');
      files.set(join(ELECTRON_DIR, 'path.txt'), 'electron');
      return 0;
    },
    say: (line) => {
      said.push(line);
      screen.push(`${line}\n`);
    },
    progress: { isTTY: options.tty ?? true, write: (text) => screen.push(text) },
  };
  return { host, files, installerRuns: () => runs, reached, said, screen, downloads: () => downloads };
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

  it('shows the download’s progress from the start: a line before the first byte, then percent and megabytes', async () => {
    const MB = 1024 * 1024;
    const m = machine({ progress: [{ transferred: 0, total: 110 * MB }, { transferred: 55 * MB, total: 110 * MB }, { transferred: 110 * MB, total: 110 * MB }] });
    expect((await ensureElectronRuntime(m.host)).kind).toBe('installed');
    const shown = m.screen.join('');
    expect(shown.indexOf('electron-v45.4.1-linux-x64.zip: | connecting…')).toBeGreaterThan(shown.indexOf('Downloading Electron 45.4.1'));
    expect(shown).toContain('0% (0.0 of 110.0 MB)');
    expect(shown).toContain('50% (55.0 of 110.0 MB)');
    expect(shown).toContain('100% (110.0 of 110.0 MB)');
    expect(shown.indexOf('50%')).toBeLessThan(shown.indexOf('Unpacking'));
    expect(m.downloads()).toBe(1);
    expect(m.installerRuns()).toBe(1);
  });

  it('shows megabytes with a turning spinner when the server does not say the size', async () => {
    const m = machine({ progress: [{ transferred: 1024 * 1024, total: null }, { transferred: 2 * 1024 * 1024, total: null }] });
    await ensureElectronRuntime(m.host);
    const shown = m.screen.join('');
    expect(shown).toMatch(/zip: [|/\\-] 1\.0 MB so far/);
    expect(shown).toMatch(/zip: [|/\\-] 2\.0 MB so far/);
    expect(shown).not.toContain('%');
  });

  it('a download cut off stops with the way out, after what it got, and runs no installer', async () => {
    const m = machine({ progress: [{ transferred: 5 * 1024 * 1024, total: 110 * 1024 * 1024 }], downloadFails: 'Response code 503 (Service Unavailable)' });
    const result = await ensureElectronRuntime(m.host);
    expect(m.installerRuns()).toBe(0);
    expect(m.screen.join('')).toContain('failed after 5.0 MB');
    expect(result).toMatchObject({ kind: 'unavailable', message: expect.stringContaining("download of Electron's runtime failed (Response code 503") });
    if (result.kind === 'unavailable') expect(result.message).toContain('ELECTRON_OVERRIDE_DIST_PATH');
  });

  it('a runtime zip already in the cache is not downloaded again', async () => {
    const zip = cachedZipPath(machine({}).host);
    const m = machine({ files: { [zip]: 'PK' }, online: true });
    expect((await ensureElectronRuntime(m.host)).kind).toBe('installed');
    expect(m.downloads()).toBe(0);
  });

  it('asks a configured mirror, and keys the cache by it as Electron’s installer does', async () => {
    const m = machine({ env: { ELECTRON_MIRROR: 'https://mirror.example/electron/' }, online: true });
    await ensureElectronRuntime(m.host);
    expect(m.reached).toEqual(['https://mirror.example/electron/v45.4.1/electron-v45.4.1-linux-x64.zip']);
    expect(cachedZipPath(m.host)).not.toBe(cachedZipPath(machine({}).host));
  });
});
