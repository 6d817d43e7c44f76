import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { ipcRequestSchemas } from '../../../electron/ipc/requestSchemas';
import { createRuleHandlers } from '../../../electron/main/ruleHandlers';
import { ServiceHost } from '../../../electron/main/serviceHost';
import { fakeDesktopService } from './fakeDesktopService';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const event = {} as IpcMainInvokeEvent;


describe('Settings → Rules handlers', () => {
  it('hand each request to the workspace’s rule centre', async () => {
    const service = fakeDesktopService();
    const handlers = createRuleHandlers(new ServiceHost(async () => service));
    await handlers.rulesOverview(undefined, event);
    expect(service.rules.view).toHaveBeenCalledOnce();
    const rule = { id: 'outage', name: 'Outage', match: { type: 'regex', pattern: 'down' } };
    await handlers.saveRule({ rule, originalId: null }, event);
    expect(service.rules.save).toHaveBeenCalledWith(rule, null);
    await handlers.saveRule({ rule, originalId: 'outage' }, event);
    expect(service.rules.save).toHaveBeenLastCalledWith(rule, 'outage');
    await handlers.setRuleEnabled({ id: 'outage', enabled: false }, event);
    expect(service.rules.setEnabled).toHaveBeenCalledWith('outage', false);
    await handlers.removeRule({ id: 'outage' }, event);
    expect(service.rules.remove).toHaveBeenCalledWith('outage');
    await handlers.testRule({ rule }, event);
    expect(service.rules.test).toHaveBeenCalledWith(rule);
  });

  it('refuse a request that is not a rule draft before it reaches the rule centre', () => {
    expect(ipcRequestSchemas.saveRule.safeParse({ rule: 'x', originalId: null }).success).toBe(false);
    expect(ipcRequestSchemas.setRuleEnabled.safeParse({ id: '../etc', enabled: true }).error?.issues[0]?.message).toBe('must be a rule id as the rules list shows');
    const tooMany = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i]));
    expect(ipcRequestSchemas.testRule.safeParse({ rule: tooMany }).error?.issues[0]?.message).toBe('a rule has at most 32 fields');
  });
});
