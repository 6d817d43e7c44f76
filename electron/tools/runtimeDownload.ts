/**
 * Fetches Electron's release zip into Electron's download cache with Electron's own downloader (`@electron/get`,
 * the library `node_modules/electron/install.js` uses), reporting progress as the bytes arrive. Same version, cache
 * folder, mirror variables and checksums as the installer, so the installer run afterwards finds the zip in its
 * cache and only unpacks it. The downloader's own progress bar is switched off (`quiet`): it appears only after
 * 30 s, and `npm start` shows its own from the start (downloadProgress.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { downloadArtifact } from '@electron/get';
import type { DownloadProgress } from './downloadProgress';
import { downloadBase, type RuntimeHost } from './electronRuntime';

/** What to download and where progress goes. */
export interface RuntimeDownloadRequest extends Pick<RuntimeHost, 'electronDir' | 'version' | 'platform' | 'arch' | 'env'> {
  onProgress(progress: DownloadProgress): void;
  /**
   * The zip's sha256 by file name; by default the `electron` package's checksums.json, as install.js uses (unless
   * `electron_use_remote_checksums` asks for the release's SHASUMS256.txt).
   */
  checksums?: Record<string, string>;
}

/** The part of `@electron/get` used here. */
interface ElectronGet {
  downloadArtifact: typeof downloadArtifact;
}

/** `@electron/get` as the `electron` package resolves it (its dependency, wherever npm placed it). */
async function electronGet(electronDir: string): Promise<ElectronGet> {
  const resolved = createRequire(join(electronDir, 'package.json')).resolve('@electron/get');
  return (await import(pathToFileURL(resolved).href)) as ElectronGet;
}

function packageChecksums(request: RuntimeDownloadRequest): Record<string, string> | undefined {
  if (request.checksums) return request.checksums;
  if (request.env['electron_use_remote_checksums'] || request.env['npm_config_electron_use_remote_checksums']) return undefined;
  return JSON.parse(readFileSync(join(request.electronDir, 'checksums.json'), 'utf8')) as Record<string, string>;
}

/**
 * Downloads the release zip into Electron's cache (checked against the checksums) and resolves to its path there.
 * Rejects, with the downloader's message, when the server refuses or the checksum does not match.
 */
export async function downloadRuntimeZip(request: RuntimeDownloadRequest): Promise<string> {
  const { downloadArtifact } = await electronGet(request.electronDir);
  const checksums = packageChecksums(request);
  const cacheRoot = request.env['electron_config_cache'];
  return downloadArtifact({
    version: request.version,
    artifactName: 'electron',
    platform: request.platform,
    arch: request.arch,
    ...(cacheRoot ? { cacheRoot } : {}),
    ...(checksums ? { checksums } : {}),
    // The mirror the reachability check asked (the variables @electron/get reads itself win over this, as for install.js).
    mirrorOptions: { mirror: downloadBase(request.env) },
    downloadOptions: {
      quiet: true,
      getProgressCallback: async ({ transferred, total }: { transferred: number; total: number | null }) => {
        request.onProgress({ transferred, total: total && total > 0 ? total : null });
      },
    },
  });
}
