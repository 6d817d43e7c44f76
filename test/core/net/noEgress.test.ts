/**
 * The promise to security-sensitive teams, checked: a full replay, sync and learning cycle (egressHarness.ts) with
 * every destination but this machine made to fail, proving nothing even tried one. Twice: in this process under the egress guard (which names the code that tried), and in a
 * child process under a system-call trace (which also sees native code: LanceDB, onnxruntime, esbuild).
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import type { ReplaySummary } from '../../../core/app/replay';
import { EgressDeniedError, EgressPolicy, isLoopbackAddress } from '../../../core/net/egress';
import { installEgressGuard, type EgressGuard } from '../../../core/net/processGuard';
import { fullCycleSteps, installTripwire, runCycle, type Tripwire } from './egressHarness';
import { describeWithData } from '../../support/publicData';
import { tempFolder } from '../../support/tempFolder';
import { ImapFlow } from 'imapflow';
import { dovecotSkipReason, startDovecot } from '../../support/dovecot';
import { FakeZammad, ZAMMAD_TOKEN } from '../../support/vendors/zammad';

const run = promisify(execFile);
const installed: Array<EgressGuard | Tripwire> = [];

afterEach(() => {
  for (const hook of installed.splice(0).reverse()) hook.uninstall();
});

function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describeWithData(['banking77'], 'no egress during a full cycle', () => {
  it('replays, learns, installs a knowledge pack and syncs a connector with every outbound attempt refused and none made', async () => {
    const tripwire = installTripwire();
    installed.push(tripwire);
    const guard = installEgressGuard(new EgressPolicy({ offline: true }));
    installed.push(guard);

    const context = await runCycle(fullCycleSteps());

    const replay = context.results['replay'] as ReplaySummary;
    expect(replay).toMatchObject({ tickets: 30, decisions: 30, ticketsLearnedFrom: 20, entriesLearned: 40 });
    expect(context.results['learning']).toMatchObject({
      learned: { entryIds: ['case-L-1', 'qa-L-1'], status: 'proposed' },
      suggestion: { ticketId: 'L-2' },
    });
    expect(context.results['pack']).toMatchObject({ listed: ['team-cycle'] });
    const sync = context.results['sync'] as { code: number; lines: string[] };
    expect(sync.code).toBe(0);
    expect(sync.lines).toContainEqual(expect.stringMatching(/^folder: \d+ new events?$/));
    expect(sync.lines.filter((l) => / closed: learned case-folder:W-B-\d+/.test(l))).toHaveLength(8); // 8 of 12 are closed
    expect(guard.denied()).toEqual([]);
    expect(guard.attempts.filter((a) => a.via !== 'dns' || a.host !== 'localhost')).toEqual([]);
    expect(tripwire.reached).toEqual([]);

    // The guard was live all along: the same process cannot phone home now either.
    await expect(fetch('https://telemetry.example.com/v1/events')).rejects.toThrow(EgressDeniedError);
    expect(guard.denied()).toMatchObject([{ via: 'fetch', host: 'telemetry.example.com', allowed: false }]);
    expect(tripwire.reached).toEqual([]);
  });

  // Skipped where strace is missing, unless VIGIL_REQUIRE_STRACE=1 (CI) makes its absence a failure.
  const strace = hasStrace();
  it.skipIf(!strace && process.env['VIGIL_REQUIRE_STRACE'] !== '1')('makes no connection but to loopback, native code included (system-call trace)', async () => {
    if (!strace) throw new Error('strace is not installed (Debian: apt-get install strace); VIGIL_REQUIRE_STRACE=1 requires this test.');
    const dir = await tempFolder('vigil-strace-');
    const trace = join(dir, 'connect.trace');
    const child = await run(
      'strace',
      ['-f', '-qq', '-e', 'trace=connect,sendto,sendmsg,sendmmsg', '-e', 'signal=none', '-o', trace, process.execPath, '--import', 'tsx', 'test/core/net/cycleChild.ts', join(dir, 'work')],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const summary = JSON.parse(child.stdout.trim().split('\n').pop()!) as { controlPort: number; results: { replay: ReplaySummary; pack: { listed: string[] } } };
    expect(summary.results.replay.entriesLearned).toBe(40);
    expect(summary.results.pack.listed).toEqual(['team-cycle']);

    const lines = (await readFile(trace, 'utf8')).split('\n');
    const destinations = lines
      .map((line) => /sa_family=AF_INET6?, (?:sin6?_port)=htons\((\d+)\),.*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ port: Number(m[1]), address: (m[2] ?? m[3])! }));
    // The positive control: the trace saw the one loopback connection the child made on purpose.
    expect(destinations).toContainEqual({ port: summary.controlPort, address: '127.0.0.1' });
    // Every AF_INET/AF_INET6 line was parsed (none slipped past the pattern), and all of them are loopback.
    expect(destinations.length).toBe(lines.filter((l) => /AF_INET6?\b/.test(l)).length);
    expect(destinations.filter((d) => !isLoopbackAddress(d.address))).toEqual([]);
  });

  it.skipIf((!strace && process.env['VIGIL_REQUIRE_STRACE'] !== '1') || dovecotSkipReason() !== null)(
    'embeds with transformers.js and syncs an IMAP and an HTTP connector by .localhost names with no connection but to loopback, and no DNS query (system-call trace)',
    async () => {
      if (!strace) throw new Error('strace is not installed (Debian: apt-get install strace); VIGIL_REQUIRE_STRACE=1 requires this test.');
      // The servers run here, outside the trace: only Vigil's own code is traced.
      const user = { user: 'support', password: 'imap-pass-7431' };
      const dovecot = await startDovecot([user]);
      const zammad = await new FakeZammad().start();
      try {
        const admin = new ImapFlow({ host: dovecot.host, port: dovecot.port, secure: false, doSTARTTLS: false, auth: { user: user.user, pass: user.password }, logger: false });
        await admin.connect();
        await admin.append('INBOX', 'From: Ann <ann@customer.org>\r\nTo: help@help.example.com\r\nSubject: VPN drops\r\nMessage-ID: <a1@customer.org>\r\nDate: Sun, 01 Mar 2026 09:00:00 +0000\r\n\r\nMy VPN drops every ten minutes.\r\n');
        await admin.logout();
        zammad.open('Printer offline', 'The office printer shows offline since this morning.');
        const dir = await tempFolder('vigil-strace-connectors-');
        const trace = join(dir, 'connect.trace');
        const child = await run(
          'strace',
          ['-f', '-qq', '-e', 'trace=connect,sendto,sendmsg,sendmmsg', '-e', 'signal=none', '-o', trace, process.execPath, '--import', 'tsx', 'test/core/net/connectorTraceChild.ts', dir, String(dovecot.port), user.user, user.password, new URL(zammad.url).port, ZAMMAD_TOKEN],
          { maxBuffer: 16 * 1024 * 1024 },
        );
        const summary = JSON.parse(child.stdout.trim().split('\n').pop()!) as { dimensions: number[]; events: Record<string, number>; lookups: string[] };
        expect(summary.dimensions).toEqual([6, 6]);
        expect(summary.events['mail']).toBeGreaterThan(0);
        expect(summary.events['zm']).toBeGreaterThan(0);
        expect(summary.lookups).toEqual(['127.0.0.1', '127.0.0.1']);

        const lines = (await readFile(trace, 'utf8')).split('\n');
        const destinations = lines
          .map((line) => /sa_family=AF_INET6?, (?:sin6?_port)=htons\((\d+)\),.*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/.exec(line))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => ({ port: Number(m[1]), address: (m[2] ?? m[3])! }));
        // Positive controls: the trace saw both syncs reach their loopback servers.
        expect(destinations).toContainEqual({ port: dovecot.port, address: '127.0.0.1' });
        expect(destinations).toContainEqual({ port: Number(new URL(zammad.url).port), address: '127.0.0.1' });
        expect(destinations.length).toBe(lines.filter((l) => /AF_INET6?\b/.test(l)).length);
        expect(destinations.filter((d) => !isLoopbackAddress(d.address))).toEqual([]);
        expect(destinations.filter((d) => d.port === 53)).toEqual([]); // no DNS query, not even to a loopback resolver
      } finally {
        await zammad.close();
        await dovecot.stop();
      }
    },
    180_000,
  );
});
