/**
 * The `vigil` command runs under the process egress guard: loopback (Ollama) and the configured connectors' hosts
 * only, loopback only with --offline. A refused attempt fails with a sentence and is recorded in the data folder's
 * audit log. Real commands, spawned (`node core/cli/bin.mjs …`) and in-process; 192.0.2.1 is TEST-NET-1, never
 * routed, so nothing could leave even if the guard failed open.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { egressScope } from '../../../core/cli/cliEgress';
import { main } from '../../../core/cli/vigil';
import { readAuditLog, verifyAuditLog } from '../../../core/privacy/auditLog';
import { writePrivacySettings } from '../../../core/privacy/privacySettings';
import { FileSecretStore } from '../../../core/secrets/fileSecretStore';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'core', 'cli', 'bin.mjs');

/** Runs the real `vigil` command in a child process; never throws on a non-zero exit. */
async function vigil(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function denials(dataDir: string): Promise<Array<{ host: string; via: string; reason: string }>> {
  const { records } = await readAuditLog(dataDir, { type: 'egress_denied' });
  return records.map((r) => (r.type === 'egress_denied' ? { host: r.host, via: r.via, reason: r.reason } : { host: '', via: '', reason: '' }));
}

describe('the vigil command under the egress guard', () => {
  let ollama: FakeOllama | undefined;
  afterEach(async () => {
    await ollama?.close();
    ollama = undefined;
  });

  it('refuses an Ollama host that is not this machine, says so, and records it; a loopback Ollama works', async () => {
    const dataDir = await tempFolder('vigil-cli-egress-');
    const refused = await vigil(['status', '--data-dir', dataDir, '--llm', 'llama3.2', '--ollama-host', '192.0.2.1:11434']);
    expect(refused.code).toBe(0); // the engine keeps working, retrieval-only
    expect(refused.stdout).toMatch(/mode: retrieval-only: Vigil will not send ticket text to 192\.0\.2\.1:11434: Blocked a connection to 192\.0\.2\.1: offline mode allows only this machine \(loopback\)/);
    expect(refused.stderr).toContain('vigil: blocked a connection to 192.0.2.1 (policy): offline mode allows only this machine (loopback).');
    expect(await denials(dataDir)).toEqual([{ host: '192.0.2.1', via: 'policy', reason: 'offline mode allows only this machine (loopback)' }]);

    ollama = await startOllamaServer({ models: [{ name: 'llama3.2' }] });
    const allowed = await vigil(['status', '--data-dir', dataDir, '--llm', 'llama3.2', '--ollama-host', ollama.host]);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/mode: llm: Using the local model llama3\.2/);
    expect(allowed.stderr).not.toContain('blocked');
    expect(ollama.requests.some((r) => r.path === '/api/version')).toBe(true);
    expect(await denials(dataDir)).toHaveLength(1); // nothing new
    expect((await verifyAuditLog(dataDir)).ok).toBe(true);
  }, 240_000);

  it('in offline mode refuses a configured connector that is not on this machine, before connecting', async () => {
    const dataDir = await tempFolder('vigil-cli-offline-');
    const settings = { format: 1, connectors: [{ id: 'mail', kind: 'imap', host: '192.0.2.1', user: 'support', password: { secret: 'mail-pass' }, supportAddresses: ['@help.example.com'] }] };
    await writeFile(join(dataDir, 'connectors.json'), JSON.stringify(settings));
    await new FileSecretStore(dataDir).set('mail-pass', 'not-used-7731');

    // `vigil watch --offline` takes the same path, then retries with back-off for half a minute before it gives up.
    const offline = await vigil(['connectors', 'test', 'mail', '--data-dir', dataDir], { VIGIL_OFFLINE: '1' });
    expect(offline.code).toBe(1);
    expect(offline.stdout + offline.stderr).toContain('mail: Blocked a connection to 192.0.2.1: offline mode allows only this machine (loopback)');
    expect(offline.stderr).toContain('vigil: blocked a connection to 192.0.2.1 (policy)');
    expect(offline.stderr).not.toContain('not-used-7731');
    expect(await denials(dataDir)).toEqual([{ host: '192.0.2.1', via: 'policy', reason: 'offline mode allows only this machine (loopback)' }]);
    expect((await verifyAuditLog(dataDir)).ok).toBe(true);
  }, 240_000);

  it('keeps the offline mode the team switched on in the app (settings.json), without --offline', async () => {
    const dataDir = await tempFolder('vigil-cli-offline-');
    const settings = { format: 1, connectors: [{ id: 'mail', kind: 'imap', host: '192.0.2.1', user: 'support', password: { secret: 'mail-pass' }, supportAddresses: ['@help.example.com'] }] };
    await writeFile(join(dataDir, 'connectors.json'), JSON.stringify(settings));
    await new FileSecretStore(dataDir).set('mail-pass', 'not-used-7731');
    await writePrivacySettings(dataDir, { offline: true });

    const run = await vigil(['connectors', 'test', 'mail', '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('mail: Blocked a connection to 192.0.2.1: offline mode allows only this machine (loopback)');
    expect(await denials(dataDir)).toEqual([{ host: '192.0.2.1', via: 'policy', reason: 'offline mode allows only this machine (loopback)' }]);
  }, 240_000);

  it('stops what a dependency would open behind the engine’s back during a command, and records each host once', async () => {
    const dir = await tempFolder('vigil-cli-guard-');
    const dataDir = join(dir, 'data');
    const entries = join(dir, 'entries.jsonl');
    await writeFile(entries, `${JSON.stringify({ id: 'kb-vpn', kind: 'article', title: 'VPN drops on hotel wifi', body: 'Lower the tunnel MTU to 1380 when the VPN drops on hotel wifi.' })}\n`);
    const tickets = join(dir, 'tickets.jsonl');
    await writeFile(tickets, `${JSON.stringify({ id: 'T-1', status: 'open', messages: [{ id: '1', author: 'customer', text: 'My VPN drops on hotel wifi.' }] })}\n`);
    const out = { log: (_l: string) => undefined, error: (l: string) => void stderr.push(l) };
    const stderr: string[] = [];
    expect(await main(['kb', 'import', entries, '--data-dir', dataDir], out)).toBe(0);

    // While the command runs, code in this process (here: the loopback "Ollama" answering it) tries to phone home.
    const tried: string[] = [];
    ollama = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: async () => {
        const socket = connect({ host: '192.0.2.1', port: 443 });
        tried.push(await new Promise<string>((resolve) => socket.once('error', (e) => resolve(e.message)).once('connect', () => resolve('connected'))));
        tried.push(await fetch('https://telemetry.example.com/v1/ping').then(() => 'fetched', (e: Error) => e.message));
        tried.push(await fetch('https://telemetry.example.com/v1/ping').then(() => 'fetched', (e: Error) => e.message));
        return 'Lower the tunnel MTU to 1380 [kb-vpn].';
      },
    });
    const code = await main(['ask', '--tickets', tickets, '--ticket', 'T-1', '--data-dir', dataDir, '--llm', 'llama3.2', '--ollama-host', ollama.host, 'what', 'fixes', 'it'], out);
    expect(code).toBe(0);
    expect(tried).toEqual([
      'Blocked a connection to 192.0.2.1: it is not the host of a configured connector',
      'Blocked a connection to telemetry.example.com: it is not the host of a configured connector',
      'Blocked a connection to telemetry.example.com: it is not the host of a configured connector',
    ]);
    expect(stderr).toContain('vigil: blocked a connection to 192.0.2.1 (tcp): it is not the host of a configured connector. Vigil connects only to this machine and to the hosts of configured connectors (docs/privacy.md).');
    expect(await denials(dataDir)).toEqual([
      { host: '192.0.2.1', via: 'tcp', reason: 'it is not the host of a configured connector' },
      { host: 'telemetry.example.com', via: 'fetch', reason: 'it is not the host of a configured connector' },
    ]);
    expect((await verifyAuditLog(dataDir)).ok).toBe(true);

    // After the command the guard is gone: this test process is back to its own rules.
    const after = connect({ host: '127.0.0.1', port: 9 });
    await new Promise<void>((resolve) => after.once('error', () => resolve()).once('connect', () => resolve()));
    after.destroy();
  }, 240_000);

  it('guards the data folder the command names, and goes offline on --offline or VIGIL_OFFLINE=1', () => {
    expect(egressScope(['--data-dir', '/srv/team', '--once'], '/default', {})).toEqual({ dataDir: '/srv/team', offline: false });
    expect(egressScope(['--data-dir=/srv/a', '--offline'], '/default', {})).toEqual({ dataDir: '/srv/a', offline: true });
    expect(egressScope(['QUESTION', '--', '--offline'], '/default', { VIGIL_OFFLINE: '1' })).toEqual({ dataDir: '/default', offline: true });
    expect(egressScope(['--', '--offline'], '/default', {})).toEqual({ dataDir: '/default', offline: false });
  });
});
