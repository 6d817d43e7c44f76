/** Every refusal of every egress policy in the process is heard, so a front door can audit it. */
import { describe, expect, it } from 'vitest';
import { EgressPolicy, observeEgressDenials, type EgressDenial } from '../../../core/net/egress';

describe('observing egress refusals', () => {
  it('hears each refusal a policy makes before connecting, and nothing it allows', async () => {
    const heard: EgressDenial[] = [];
    const stop = observeEgressDenials((d) => heard.push(d));
    try {
      const offline = new EgressPolicy({ offline: true });
      expect(offline.assertAllowed('127.0.0.1')).toBe('loopback');
      expect(() => offline.assertAllowed('helpdesk.example.com')).toThrow('Blocked a connection to helpdesk.example.com');
      await expect(offline.fetch('ftp://127.0.0.1/file')).rejects.toThrow(/only http and https/);
      const local = new EgressPolicy({ resolveAll: async () => [{ address: '192.0.2.1', family: 4 }] });
      await expect(local.resolve('localhost')).rejects.toThrow(/resolves to 192\.0\.2\.1/);
      expect(offline.check('elsewhere.example.com').allowed).toBe(false); // a question, not a refusal: not heard
    } finally {
      stop();
    }
    expect(heard).toEqual([
      { host: 'helpdesk.example.com', reason: 'offline mode allows only this machine (loopback)' },
      { host: '127.0.0.1', reason: 'only http and https are allowed, not ftp:' },
      { host: 'localhost', reason: expect.stringMatching(/^it should be this machine but resolves to 192\.0\.2\.1/) },
    ]);
    expect(() => new EgressPolicy({ offline: true }).assertAllowed('after.example.com')).toThrow();
    expect(heard).toHaveLength(3); // no longer listening
  });
});
