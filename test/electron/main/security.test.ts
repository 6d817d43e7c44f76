import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session, WebContents } from 'electron';
import { FakeSession, FakeWebContents, fakeElectron, resetFakeElectron } from '../fakeElectron';
import {
  appOriginOf,
  denyAllPermissions,
  hardenWebContents,
  isTrustedSender,
  openExternalIfAllowed,
} from '../../../electron/main/security';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);
// For the start-up test: the engine never finishes opening (nothing of it is needed), and the process guard, which
// would patch this test process's sockets, is left out.
vi.mock('../../../core/app/workspace', () => ({ Workspace: { open: () => new Promise<never>(() => undefined) } }));
vi.mock('../../../core/net/processGuard', () => ({ installEgressGuard: () => ({ attempts: [], denied: () => [], uninstall: () => undefined }) }));

function navigationEvent(url: string, isMainFrame = true) {
  return { url, isMainFrame, preventDefault: vi.fn() };
}

function hardened(): FakeWebContents {
  const contents = new FakeWebContents();
  hardenWebContents(contents as unknown as WebContents);
  return contents;
}

describe('navigation and new windows', () => {
  beforeEach(() => resetFakeElectron());

  it('refuses every navigation of the main frame, even to an allowlisted site', () => {
    const contents = hardened();
    for (const url of ['https://evil.example/phish', 'file:///etc/passwd', 'app://vigil/index.html', 'https://ollama.com/']) {
      const event = navigationEvent(url);
      contents.emit('will-navigate', event);
      expect(event.preventDefault, url).toHaveBeenCalledOnce();
    }
  });

  it('sends an allowlisted https link to the system browser instead of navigating', () => {
    const contents = hardened();
    contents.emit('will-navigate', navigationEvent('https://ollama.com/download'));
    contents.emit('will-navigate', navigationEvent('https://evil.example/'));
    expect(fakeElectron.shell.openExternal).toHaveBeenCalledTimes(1);
    expect(fakeElectron.shell.openExternal).toHaveBeenCalledWith('https://ollama.com/download');
  });

  it('refuses subframe navigation', () => {
    const contents = hardened();
    const event = navigationEvent('https://evil.example/frame', false);
    contents.emit('will-frame-navigate', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it('denies window.open for every URL and opens only allowlisted https ones externally', () => {
    const contents = hardened();
    const handler = contents.windowOpenHandler;
    expect(handler).not.toBeNull();
    for (const url of ['https://evil.example/', 'about:blank', 'app://vigil/index.html', 'https://ollama.com/library']) {
      expect(handler!({ url }), url).toEqual({ action: 'deny' });
    }
    expect(fakeElectron.shell.openExternal).toHaveBeenCalledTimes(1);
    expect(fakeElectron.shell.openExternal).toHaveBeenCalledWith('https://ollama.com/library');
  });

  it('refuses to attach webviews', () => {
    const contents = hardened();
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });
});

describe('permissions', () => {
  it('denies every permission request and check', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      session.requestHandler!({}, permission, callback, {});
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(session.checkHandler!({}, permission, 'app://vigil', {}), permission).toBe(false);
    }
  });

  it('lets only Vigil’s own page write plain text to the clipboard (the Copy button)', () => {
    const session = new FakeSession();
    denyAllPermissions(session as unknown as Session, { protocol: 'app:', host: 'vigil' });
    const ask = (url: string) => {
      const callback = vi.fn();
      session.requestHandler!({}, 'clipboard-sanitized-write', callback, { requestingUrl: url });
      return callback.mock.calls[0]![0];
    };
    expect(ask('app://vigil/index.html')).toBe(true);
    expect(ask('https://evil.example/')).toBe(false);
    expect(session.checkHandler!({}, 'clipboard-sanitized-write', 'app://vigil', {})).toBe(true);
    expect(session.checkHandler!({}, 'clipboard-read', 'app://vigil', {})).toBe(false);
  });
});

describe('openExternalIfAllowed', () => {
  beforeEach(() => resetFakeElectron());

  it('opens https links to allowlisted hosts', () => {
    expect(openExternalIfAllowed('https://ollama.com/download')).toBe(true);
    expect(openExternalIfAllowed('https://OLLAMA.com/x', ['ollama.com'])).toBe(true);
    expect(openExternalIfAllowed('https://help.example.com/t/1', ['help.example.com'])).toBe(true);
    expect(fakeElectron.shell.openExternal).toHaveBeenCalledTimes(3);
  });

  it.each([
    ['plain http', 'http://ollama.com/download'],
    ['a host not on the list', 'https://evil.example/'],
    ['a look-alike subdomain', 'https://ollama.com.evil.example/'],
    ['credentials in the URL', 'https://user:secret@ollama.com/'],
    ['a local file', 'file:///etc/passwd'],
    ['javascript', 'javascript:alert(1)'],
    ['a custom scheme', 'ms-msdt:/id PCWDiagnostic'],
    ['text that is no URL', 'not a url'],
  ])('refuses %s', (_name, url) => {
    expect(openExternalIfAllowed(url)).toBe(false);
    expect(fakeElectron.shell.openExternal).not.toHaveBeenCalled();
  });
});

describe('isTrustedSender', () => {
  const app = appOriginOf('app://vigil/index.html');
  const sender = (url: string, parent: object | null = null) => ({ senderFrame: { url, parent } as never });

  it("accepts the app's own top frame", () => {
    expect(isTrustedSender(sender('app://vigil/index.html'), app)).toBe(true);
    expect(isTrustedSender(sender('app://vigil/index.html#/search'), app)).toBe(true);
  });

  it('refuses other origins, subframes and vanished frames', () => {
    expect(isTrustedSender(sender('https://evil.example/'), app)).toBe(false);
    expect(isTrustedSender(sender('app://other/index.html'), app)).toBe(false);
    expect(isTrustedSender(sender('file:///index.html'), app)).toBe(false);
    expect(isTrustedSender(sender('app://vigil/index.html', {}), app)).toBe(false);
    expect(isTrustedSender({ senderFrame: null }, app)).toBe(false);
  });

  it('trusts the dev server only when it is the entry URL', () => {
    const dev = appOriginOf('http://localhost:5173/');
    expect(isTrustedSender(sender('http://localhost:5173/index.html'), dev)).toBe(true);
    expect(isTrustedSender(sender('http://localhost:5173/index.html'), app)).toBe(false);
    expect(isTrustedSender(sender('http://localhost:4000/'), dev)).toBe(false);
  });
});

describe('the running app hardens every web contents it creates', () => {
  /**
   * Loads the main process entry (electron/main/index.ts) as Electron would, with the engine never opening, and
   * returns what it registered for `web-contents-created`. Counting that listener passed with hardenWebContents
   * replaced by a no-op; here its effect is checked: a navigation and a window.open from the page are refused.
   */
  async function createdContents(): Promise<FakeWebContents> {
    vi.resetModules();
    const electron = (await import('electron')) as unknown as typeof fakeElectron;
    electron.testing.reset();
    await import('../../../electron/main/index');
    await vi.waitFor(() => expect(electron.app.listenerCount('web-contents-created')).toBe(1));
    const contents = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, contents);
    return contents;
  }

  it('refuses a navigation of the page to another site', async () => {
    const contents = await createdContents();
    const event = navigationEvent('https://evil.example/phish');
    contents.emit('will-navigate', event);
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });

  it('refuses window.open, to any URL', async () => {
    const contents = await createdContents();
    expect(contents.windowOpenHandler).not.toBeNull();
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'app://vigil/index.html' })).toEqual({ action: 'deny' });
  });
});
