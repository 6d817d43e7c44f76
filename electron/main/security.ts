/**
 * The rules every web page in Vigil lives under: it cannot navigate away, open windows, attach webviews, get
 * permissions or call the engine unless it is Vigil's own top frame, and the only way out to the web is
 * `shell.openExternal` for an allowlisted https address.
 */
import { shell, type Session, type WebContents, type WebFrameMain } from 'electron';
import { log } from '../../core/privacy/redactingLogger';

/**
 * Hosts that a link in Vigil may open in the system browser. Ollama's site is where the retrieval-only notice
 * sends analysts to install a local model; a team's helpdesk host will join this list with team settings.
 */
export const EXTERNAL_HOST_ALLOWLIST: readonly string[] = Object.freeze(['ollama.com']);

/**
 * Opens `url` in the system browser only when it is https to an allowlisted host, with no credentials in it.
 * Returns whether it was opened, so callers can tell the analyst when a link was refused.
 */
export function openExternalIfAllowed(url: string, allowedHosts: readonly string[] = EXTERNAL_HOST_ALLOWLIST): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const allowed =
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    allowedHosts.includes(parsed.hostname.toLowerCase());
  if (!allowed) return false;
  // Fire and forget: a browser that fails to start must not take the renderer's event down with it.
  shell.openExternal(parsed.toString()).catch((error: unknown) => {
    log.warn(`Could not open ${parsed.toString()} in the system browser: ${String(error)}`);
  });
  return true;
}

/**
 * Denies navigation, new windows and webviews for one page. Links the analyst clicks go through
 * `openExternalIfAllowed` instead of replacing Vigil's UI (Electron's security checklist, items 13 and 14).
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    event.preventDefault();
    openExternalIfAllowed(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    // Subframes have no business in Vigil's UI (CSP says frame-src 'none'); refuse them too.
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
}

/**
 * Refuses every permission (camera, notifications, geolocation, clipboard reading...) a page asks for or
 * checks, with one exception: writing plain text to the clipboard (`clipboard-sanitized-write`), which the
 * Copy button of a suggestion needs, and only for Vigil's own page.
 */
export function denyAllPermissions(session: Session, origin?: AppOrigin): void {
  const allowed = (permission: string, requestingUrl: string | undefined): boolean => {
    if (permission !== 'clipboard-sanitized-write' || !origin || !requestingUrl) return false;
    try {
      const url = new URL(requestingUrl);
      return url.protocol === origin.protocol && url.host === origin.host;
    } catch {
      return false;
    }
  };
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(allowed(permission, details?.requestingUrl)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowed(permission, requestingOrigin));
}

/** The address Vigil's UI is served from: `app://vigil/` when built, the Vite dev server in development. */
export interface AppOrigin {
  protocol: string;
  host: string;
}

/** The origin of the UI's entry URL. Compared by protocol and host: `URL.origin` is "null" for `app:`. */
export function appOriginOf(entryUrl: string): AppOrigin {
  const url = new URL(entryUrl);
  return { protocol: url.protocol, host: url.host };
}

/** The part of an IPC event that says who sent it. */
export interface IpcSender {
  senderFrame: Pick<WebFrameMain, 'url' | 'parent'> | null;
}

/**
 * Whether an IPC message comes from Vigil's own UI: the top frame of a page loaded from the app's origin.
 * A subframe, a page that navigated elsewhere, or a frame already gone (`senderFrame` null) is refused.
 */
export function isTrustedSender(event: IpcSender, origin: AppOrigin): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  return url.protocol === origin.protocol && url.host === origin.host;
}

/** Says who sent a refused message, for the error and the log. */
export function describeSender(event: IpcSender): string {
  const frame = event.senderFrame;
  if (!frame) return 'a frame that no longer exists';
  return `${frame.parent === null ? 'top frame' : 'subframe'} ${frame.url || '(no URL)'}`;
}
