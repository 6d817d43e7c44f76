import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { Workspace } from '../../../core/app/workspace';
import { EgressPolicy } from '../../../core/net/egress';
import { installEgressGuard } from '../../../core/net/processGuard';
import { AuditLog, readAuditLog } from '../../../core/privacy/auditLog';
import { EgressDenialLog, type EgressDenial } from '../../../core/privacy/egressDenials';

const dataDir = (): Promise<string> => tempFolder('vigil-denials-');

describe('refused connections in the audit log', () => {
  it('records what the egress guard refused, once per host and reason, and says so as it happens', async () => {
    const dir = await dataDir();
    const log = await AuditLog.open(dir);
    const heard: EgressDenial[] = [];
    const denials = new EgressDenialLog({ onDenial: (d) => heard.push(d) });
    const detach = denials.attach(log);
    const guard = installEgressGuard(new EgressPolicy({ offline: true }), { onAttempt: denials.onAttempt });
    try {
      await expect(fetch('https://updates.example.com/check')).rejects.toThrow(/offline mode/);
      await expect(fetch('https://updates.example.com/again')).rejects.toThrow(/offline mode/);
    } finally {
      guard.uninstall();
    }
    await detach();
    await log.close();
    const { records } = await readAuditLog(dir, { type: 'egress_denied' });
    expect(records).toMatchObject([{ host: 'updates.example.com', via: 'fetch', reason: expect.stringMatching(/offline mode/) }]);
    expect(records[0]).not.toHaveProperty('reason', expect.stringMatching(/^Blocked a connection/));
    expect(heard).toHaveLength(1);
  });

  it('keeps refusals heard before a log is attached and writes them when one is', async () => {
    const dir = await dataDir();
    const denials = new EgressDenialLog();
    const stop = denials.observePolicies();
    // A policy refusing before any socket is opened (a connector's address checked ahead of connecting).
    expect(() => new EgressPolicy({ offline: true }).assertAllowed('198.51.100.7')).toThrow();
    stop();
    const log = await AuditLog.open(dir);
    const detach = denials.attach(log);
    await detach();
    await log.close();
    const { records } = await readAuditLog(dir, { type: 'egress_denied' });
    expect(records).toMatchObject([{ host: '198.51.100.7', via: 'policy' }]);
    expect(denials.takePending()).toEqual([]);
  });

  it('writes into the audit log of the workspace that is open, and stops when it closes', async () => {
    const dir = await dataDir();
    const denials = new EgressDenialLog();
    const workspace = await Workspace.open({ dataDir: dir, llm: null, delayedReviewEveryMs: 0, egressDenials: denials });
    denials.record({ host: 'telemetry.example.com', via: 'tcp', reason: 'not a configured connector' });
    await workspace.close();
    denials.record({ host: 'later.example.com', via: 'tcp', reason: 'not a configured connector' });
    const { records } = await readAuditLog(dir, { type: 'egress_denied' });
    expect(records.map((r) => (r as { host: string }).host)).toEqual(['telemetry.example.com']);
    expect(denials.takePending()).toMatchObject([{ host: 'later.example.com' }]);
  });
});
