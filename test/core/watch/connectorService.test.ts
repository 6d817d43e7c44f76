/**
 * Testing and saving a connector's unsaved settings from the app: a stored secret goes only to the origin it was
 * saved with, and a draft test leaves the session's egress allow-list as it found it. The attack of the security
 * review (issue 18, row 1): the page edits a saved connector's address to its own server and presses "Test".
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorService } from '../../../core/watch/connectorService';
import { EgressPolicy } from '../../../core/net/egress';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { tempFolder } from '../../support/tempFolder';

const STORED_TOKEN = 'stored-zammad-token-5fe1c0';

/** A loopback server answering like Zammad's "who am I", recording every request's headers. */
async function zammadLike(): Promise<{ server: Server; port: number; requests: IncomingHttpHeaders[] }> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    requests.push(request.headers);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ id: 7 }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as AddressInfo).port, requests };
}

describe('a connector draft and the secrets stored for it', () => {
  let dataDir: string;
  let secrets: MemorySecretStore;
  let egress: EgressPolicy;
  let service: ConnectorService;
  let saved: Awaited<ReturnType<typeof zammadLike>>;
  let evil: Awaited<ReturnType<typeof zammadLike>>;

  beforeEach(async () => {
    dataDir = await tempFolder('vigil-connector-service-');
    saved = await zammadLike();
    evil = await zammadLike();
    secrets = new MemorySecretStore();
    await secrets.set('helpdesk.token', STORED_TOKEN);
    // Disabled, so nothing polls the saved server; its settings and secret are what the attack is after.
    await writeFile(
      join(dataDir, 'connectors.json'),
      JSON.stringify({ format: 1, connectors: [{ id: 'helpdesk', kind: 'zammad', enabled: false, baseUrl: `http://127.0.0.1:${saved.port}`, token: { secret: 'helpdesk.token' } }] }),
    );
    egress = new EgressPolicy({ allowHosts: ['rt.example.com'] });
    service = new ConnectorService(dataDir, { deliver: async () => undefined });
    expect(await service.startWatching({ secrets, egress })).toEqual([]);
  });

  afterEach(async () => {
    await service.stopWatching();
    for (const { server } of [saved, evil]) await new Promise((done) => server.close(done));
  });

  /** The saved connector, its address pointed at the evil server (`localhost`, a host not yet allowed). */
  const redirected = (typedSecrets: Record<string, string> = {}) => ({
    mode: 'edit' as const,
    draft: { kind: 'zammad', id: 'helpdesk', values: { baseUrl: `http://localhost:${evil.port}` }, secrets: typedSecrets },
  });

  it('sends nothing to another server when a saved connector\'s address is changed without typing the token again', async () => {
    const before = egress.allowedHosts();
    const result = await service.testDraft(redirected(), secrets);
    expect(result).toMatchObject({ ok: false, fieldErrors: { token: expect.stringMatching(/^type it again: the address changed from http:\/\/127\.0\.0\.1:\d+ to http:\/\/localhost:\d+/) } });
    expect(result.ok ? '' : result.message).toContain('API token');
    expect(evil.requests).toEqual([]);
    expect(egress.allowedHosts()).toEqual(before);
  });

  it('treats another port on the same host as another origin', async () => {
    const draft = { kind: 'zammad', id: 'helpdesk', values: { baseUrl: `http://127.0.0.1:${evil.port}` }, secrets: {} };
    expect(await service.testDraft({ mode: 'edit', draft }, secrets)).toMatchObject({ ok: false, fieldErrors: { token: expect.stringContaining('type it again') } });
    expect(evil.requests).toEqual([]);
  });

  it('tests the new address with a token typed again, sending only that token, and allows its host for the test only', async () => {
    const before = egress.allowedHosts();
    expect(await service.testDraft(redirected({ token: 'typed-for-the-new-server' }), secrets)).toEqual({ ok: true, id: 'helpdesk' });
    expect(evil.requests.map((h) => h.authorization)).toEqual(['Token token=typed-for-the-new-server']);
    expect(JSON.stringify(evil.requests)).not.toContain(STORED_TOKEN);
    expect(egress.allowedHosts()).toEqual(before);
    expect(egress.allows('localhost')).toBe(false);
  });

  it('still offers the stored token when the origin is unchanged (another path on it)', async () => {
    const draft = { kind: 'zammad', id: 'helpdesk', values: { baseUrl: `http://127.0.0.1:${saved.port}/zammad` }, secrets: {} };
    expect(await service.testDraft({ mode: 'edit', draft }, secrets)).toEqual({ ok: true, id: 'helpdesk' });
    expect(saved.requests.map((h) => h.authorization)).toEqual([`Token token=${STORED_TOKEN}`]);
  });

  it('refuses to save a changed origin unless the token is typed again, and then saves it', async () => {
    const file = join(dataDir, 'connectors.json');
    const original = await readFile(file, 'utf8');
    expect(await service.save(redirected(), secrets)).toMatchObject({ ok: false, fieldErrors: { token: expect.stringContaining('type it again') } });
    expect(await readFile(file, 'utf8')).toBe(original);
    expect(await secrets.get('helpdesk.token')).toBe(STORED_TOKEN);

    expect(await service.save(redirected({ token: 'typed-for-the-new-server' }), secrets)).toMatchObject({ ok: true, id: 'helpdesk' });
    expect(await readFile(file, 'utf8')).toContain(`http://localhost:${evil.port}`);
    expect(await secrets.get('helpdesk.token')).toBe('typed-for-the-new-server');
  });
});
