/**
 * Makes sure Electron's runtime is on the machine before `npm start` hands over to electron-vite.
 *
 * Since Electron 45 the `electron` package no longer downloads its runtime at install time, and electron-vite only
 * reads `node_modules/electron/path.txt`: with no runtime it stops with "Electron uninstall" and a stack trace,
 * never trying to fetch anything. This step runs first: a runtime already there is used as it is; a missing one is
 * downloaded into Electron's cache with Electron's own downloader (runtimeDownload.ts: `@electron/get`, checked
 * against the package's checksums), showing progress from the first byte (downloadProgress.ts; Electron's own bar
 * waits 30 s), then unpacked by Electron's own installer (`node_modules/electron/install.js`), which finds the zip
 * in its cache; when the download site cannot be reached it stops with one message saying how to provide the
 * runtime by hand.
 *
 * Everything that touches the disk, the network or a child process comes in through {@link RuntimeHost}, so the
 * decisions are tested without the runtime (test/electron/tools/electronRuntime.test.ts).
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DownloadProgressView, type DownloadProgress, type ProgressTerminal } from './downloadProgress';

/** Where Electron's release zips are downloaded from unless a mirror is configured (as in `@electron/get`). */
export const ELECTRON_DOWNLOAD_BASE = 'https://github.com/electron/electron/releases/download/';

/** What the start step needs from the machine. */
export interface RuntimeHost {
  /** The `node_modules/electron` folder. */
  readonly electronDir: string;
  /** The `electron` package's version (`45.4.1`). */
  readonly version: string;
  /** `process.platform`, or the platform an install was asked for. */
  readonly platform: NodeJS.Platform;
  /** `process.arch`. */
  readonly arch: string;
  /** The environment (`ELECTRON_OVERRIDE_DIST_PATH`, `ELECTRON_MIRROR`, `electron_config_cache`, proxies). */
  readonly env: Readonly<Record<string, string | undefined>>;
  exists(path: string): boolean;
  /** A file's text, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** Whether the download site answers at all (any HTTP status counts). */
  canReach(url: string): Promise<boolean>;
  /**
   * Downloads the release zip into Electron's download cache (where the installer looks first), calling
   * `onProgress` as bytes arrive; rejects with why when it fails (runtimeDownload.ts in `npm start`).
   */
  downloadZip(onProgress: (progress: DownloadProgress) => void): Promise<void>;
  /** Runs Electron's installer with its output on the terminal; resolves to its exit code. */
  runInstaller(): Promise<number>;
  /** Progress lines for the person running `npm start`. */
  say(line: string): void;
  /** Where the download's progress line goes (stderr in `npm start`). */
  readonly progress: ProgressTerminal;
}

/** The outcome: the executable electron-vite should run, or why there is none. */
export type RuntimeResult =
  | { readonly kind: 'present' | 'installed'; readonly executable: string }
  | { readonly kind: 'unavailable'; readonly message: string };

/** The executable's path inside a runtime folder, as Electron's installer writes it to `path.txt`. */
export function executableInRuntime(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/** The release zip's file name for this version, platform and architecture. */
export function runtimeZipName(host: Pick<RuntimeHost, 'version' | 'platform' | 'arch'>): string {
  return `electron-v${host.version}-${host.platform}-${host.arch}.zip`;
}

/** The download base in use: a configured mirror (the variables `@electron/get` reads) or GitHub's releases. */
export function downloadBase(env: RuntimeHost['env']): string {
  const base = env.ELECTRON_MIRROR ?? env.npm_config_electron_mirror ?? env.electron_config_mirror ?? ELECTRON_DOWNLOAD_BASE;
  return base.endsWith('/') ? base : `${base}/`;
}

/**
 * Where Electron's installer looks for an already-downloaded zip before going to the network: its cache root
 * (`electron_config_cache`, or the per-user cache folder) and, inside it, a folder named by the sha256 of the
 * download URL's folder, exactly as `@electron/get`'s Cache does.
 */
export function cachedZipPath(host: Pick<RuntimeHost, 'version' | 'platform' | 'arch' | 'env'>): string {
  const root = host.env.electron_config_cache ?? defaultCacheRoot(host.platform, host.env);
  const releaseFolder = new URL(`v${host.version}`, downloadBase(host.env)).toString();
  const folder = createHash('sha256').update(releaseFolder).digest('hex');
  return join(root, folder, runtimeZipName(host));
}

function defaultCacheRoot(platform: NodeJS.Platform, env: RuntimeHost['env']): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'electron');
}

/** The installed runtime's executable, when `install.js` would call it installed (version, path.txt, file). */
function installedExecutable(host: RuntimeHost): string | undefined {
  const relative = executableInRuntime(host.platform);
  const version = host.readText(join(host.electronDir, 'dist', 'version'))?.trim().replace(/^v/, '');
  const pathTxt = host.readText(join(host.electronDir, 'path.txt'));
  const executable = join(host.electronDir, 'dist', relative);
  if (version !== host.version || pathTxt !== relative || !host.exists(executable)) return undefined;
  return executable;
}

function howToProvide(host: RuntimeHost, reason: string): string {
  return (
    `${reason} Provide Electron ${host.version} by hand: set ELECTRON_OVERRIDE_DIST_PATH to a folder holding it ` +
    `unpacked, or save its release zip as ${cachedZipPath(host)}, then run npm start again.`
  );
}

/**
 * Finds Electron's runtime or fetches it. Order: a runtime given by `ELECTRON_OVERRIDE_DIST_PATH` (used as it is,
 * never downloaded over); one already installed; a zip already in Electron's cache (installed without the
 * network); a download, when the download site answers or a proxy is configured (the installer, not this check,
 * knows how to go through a proxy).
 */
export async function ensureElectronRuntime(host: RuntimeHost): Promise<RuntimeResult> {
  const override = host.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const executable = join(override, executableInRuntime(host.platform));
    if (host.exists(executable)) return { kind: 'present', executable };
    return {
      kind: 'unavailable',
      message: `ELECTRON_OVERRIDE_DIST_PATH is ${override}, but ${executableInRuntime(host.platform)} is not in it: point it at an unpacked Electron ${host.version}.`,
    };
  }
  const present = installedExecutable(host);
  if (present) return { kind: 'present', executable: present };

  const cached = host.exists(cachedZipPath(host));
  if (!cached) {
    const proxied = Boolean(host.env.HTTPS_PROXY ?? host.env.https_proxy ?? host.env.GLOBAL_AGENT_HTTPS_PROXY);
    const url = `${downloadBase(host.env)}v${host.version}/${runtimeZipName(host)}`;
    if (!proxied && !(await host.canReach(url))) {
      return {
        kind: 'unavailable',
        message: howToProvide(host, `Electron's runtime is not installed and ${new URL(url).host} cannot be reached.`),
      };
    }
    if (host.env.force_no_cache !== 'true') {
      host.say(`Downloading Electron ${host.version}'s runtime, once (about 110 MB)…`);
      const view = new DownloadProgressView(host.progress, runtimeZipName(host));
      view.start();
      try {
        await host.downloadZip((progress) => view.update(progress));
        view.finish(true);
        host.say(`Unpacking it with Electron's installer…`);
      } catch (error) {
        view.finish(false);
        const why = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/\.$/, '');
        return { kind: 'unavailable', message: howToProvide(host, `The download of Electron's runtime failed (${why}).`) };
      }
    } else {
      // force_no_cache makes the installer download again whatever the cache holds: leave the download to it.
      host.say(`Downloading Electron ${host.version}'s runtime with Electron's installer (force_no_cache is set; its progress bar shows after 30 s)…`);
    }
  } else {
    host.say(`Installing Electron ${host.version}'s runtime from Electron's download cache…`);
  }
  const code = await host.runInstaller();
  const installed = installedExecutable(host);
  if (code === 0 && installed) return { kind: 'installed', executable: installed };
  return { kind: 'unavailable', message: howToProvide(host, `Electron's installer failed (exit code ${code}).`) };
}
