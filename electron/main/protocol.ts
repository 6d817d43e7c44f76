/**
 * Serves the built UI from `app://vigil/` instead of `file://`. A file:// page may read any file the user can,
 * and every file:// page shares one origin; a privileged standard scheme gives the UI its own origin, which
 * the CSP's 'self' and the IPC sender check both rely on.
 */
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';

/** Scheme of Vigil's own pages. */
export const APP_SCHEME = 'app';
/** Host of Vigil's own pages; any other host under the scheme is refused. */
export const APP_HOST = 'vigil';
/** Where the built UI starts. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Declares the scheme standard and secure, so pages on it get a real origin, a secure context and fetch.
 * Electron accepts this only before the app is ready, and only once: a second call replaces the first, so any
 * future scheme must be added to this list rather than registered elsewhere. `corsEnabled` stays off: the UI
 * loads only same-origin resources, and without it no other origin can read Vigil's files.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves `app://vigil/<path>` from `rendererDir` (the built `out/renderer`). Call after the app is ready. */
export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, rendererDir, (url) => net.fetch(url)));
}

/**
 * Maps a URL path onto a file inside `rootDir`, or `null` when the path would leave it (`..`, encoded or not).
 * `/` is the UI's index.html.
 */
export function resolveInsideRoot(rootDir: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const root = resolve(rootDir);
  const file = resolve(root, `.${decoded === '/' ? '/index.html' : decoded}`);
  return file.startsWith(root + sep) ? file : null;
}

/** Answers one request for the app scheme; `fetchFile` reads a file:// URL (Electron's `net.fetch`). */
export async function serveAppRequest(
  request: Request,
  rootDir: string,
  fetchFile: (fileUrl: string) => Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('Method not allowed', { status: 405 });
  const file = resolveInsideRoot(rootDir, url.pathname);
  if (!file) return new Response('Not found', { status: 404 });
  try {
    return await fetchFile(pathToFileURL(file).toString());
  } catch {
    return new Response('Not found', { status: 404 });
  }
}
