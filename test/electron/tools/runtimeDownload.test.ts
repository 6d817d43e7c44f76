/**
 * The runtime download through Electron's own downloader (`@electron/get`), against a loopback mirror serving a
 * stand-in zip: progress from the first chunk, the zip left where the installer and `cachedZipPath` look for it,
 * and a zip that does not match its checksum refused.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadProgress } from '../../../electron/tools/downloadProgress';
import { cachedZipPath, runtimeZipName } from '../../../electron/tools/electronRuntime';
import { downloadRuntimeZip } from '../../../electron/tools/runtimeDownload';

const ELECTRON_DIR = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
const VERSION = '45.4.1';
const NAME = runtimeZipName({ version: VERSION, platform: 'linux', arch: 'x64' });
/** A stand-in for the release zip: 1 MB, sent in 64 kB chunks so progress arrives several times. */
const ZIP = Buffer.alloc(1024 * 1024, 7);
const SHA = createHash('sha256').update(ZIP).digest('hex');

let server: Server;
let mirror: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'vigil-electron-get-'));
  server = createServer((request, response) => {
    const sized = !request.url?.includes('/unsized/');
    if (!request.url?.endsWith(`/v${VERSION}/${NAME}`)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, sized ? { 'content-length': String(ZIP.length) } : {});
    for (let at = 0; at < ZIP.length; at += 65_536) response.write(ZIP.subarray(at, at + 65_536));
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(work, { recursive: true, force: true });
});

async function download(base: string, cache: string, checksums: Record<string, string>) {
  const progress: DownloadProgress[] = [];
  const env = { ELECTRON_MIRROR: base, electron_config_cache: join(work, cache), HOME: work };
  const request = { electronDir: ELECTRON_DIR, version: VERSION, platform: 'linux' as const, arch: 'x64', env, checksums, onProgress: (p: DownloadProgress) => void progress.push(p) };
  return { progress, env, path: () => downloadRuntimeZip(request) };
}

describe('npm start: downloading Electron’s runtime', () => {
  it('reports the bytes as they arrive and leaves the zip where the installer looks for it', async () => {
    const run = await download(mirror, 'cache-a', { [NAME]: SHA });
    const path = await run.path();
    expect(path).toBe(cachedZipPath({ version: VERSION, platform: 'linux', arch: 'x64', env: run.env }));
    expect(createHash('sha256').update(await readFile(path)).digest('hex')).toBe(SHA);
    expect(run.progress.length).toBeGreaterThan(2);
    expect(run.progress.every((p) => p.total === ZIP.length)).toBe(true);
    const transferred = run.progress.map((p) => p.transferred);
    expect(transferred).toEqual([...transferred].sort((a, b) => a - b));
    expect(transferred.at(-1)).toBe(ZIP.length);
  });

  it('reports bytes with no total when the server sends no length', async () => {
    const run = await download(`${mirror}unsized/`, 'cache-b', { [NAME]: SHA });
    await run.path();
    expect(run.progress.length).toBeGreaterThan(2);
    expect(run.progress.every((p) => p.total === null)).toBe(true);
    expect(run.progress.at(-1)?.transferred).toBe(ZIP.length);
  });

  it('refuses a zip that does not match its checksum and leaves nothing in the cache', async () => {
    const run = await download(mirror, 'cache-c', { [NAME]: '0'.repeat(64) });
    await expect(run.path()).rejects.toThrow(/checksum|sha/i);
    expect(existsSync(cachedZipPath({ version: VERSION, platform: 'linux', arch: 'x64', env: run.env }))).toBe(false);
  });
});
