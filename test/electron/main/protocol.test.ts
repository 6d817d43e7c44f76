import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeElectron, resetFakeElectron } from '../fakeElectron';
import {
  APP_ENTRY_URL,
  registerAppScheme,
  resolveInsideRoot,
  serveAppRequest,
} from '../../../electron/main/protocol';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const root = resolve('/opt/vigil/out/renderer');

describe('app:// protocol', () => {
  beforeEach(() => resetFakeElectron());

  it('registers app: as a standard, secure scheme', () => {
    registerAppScheme();
    expect(fakeElectron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    expect(APP_ENTRY_URL).toBe('app://vigil/index.html');
  });

  it('maps paths inside the built UI, with / as index.html', () => {
    expect(resolveInsideRoot(root, '/')).toBe(join(root, 'index.html'));
    expect(resolveInsideRoot(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(resolveInsideRoot(root, '/assets/a%20b.css')).toBe(join(root, 'assets', 'a b.css'));
  });

  it.each(['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fsecret', '/%E0%A4%A', '/a%00.js'])(
    'refuses %s, which would leave the UI folder or is not a path',
    (path) => {
      expect(resolveInsideRoot(root, path)).toBeNull();
    },
  );

  it('serves files of the vigil host only, for GET only', async () => {
    const fetchFile = vi.fn(async () => new Response('<html>'));
    const ok = await serveAppRequest(new Request('app://vigil/index.html'), root, fetchFile);
    expect(await ok.text()).toBe('<html>');
    expect(fetchFile).toHaveBeenCalledWith(pathToFileURL(join(root, 'index.html')).toString());

    const otherHost = await serveAppRequest(new Request('app://elsewhere/index.html'), root, fetchFile);
    expect(otherHost.status).toBe(404);
    const post = await serveAppRequest(new Request('app://vigil/index.html', { method: 'POST', body: 'x' }), root, fetchFile);
    expect(post.status).toBe(405);
    expect(fetchFile).toHaveBeenCalledOnce();
  });

  it('answers 404 when the file is missing', async () => {
    const missing = await serveAppRequest(new Request('app://vigil/nope.js'), root, async () => {
      throw new Error('ENOENT');
    });
    expect(missing.status).toBe(404);
  });
});
