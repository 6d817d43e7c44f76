/**
 * The engine's handlers as the router runs them (each request checked against its schema, then handed to the
 * workspace); Electron is mocked (test/electron/fakeElectron.ts).
 */
import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createEngineHandlers } from '../../../electron/main/engineHandlers';
import { createValidatedHandler } from '../../../electron/main/ipcRouter';
import { appOriginOf } from '../../../electron/main/security';
import { ServiceHost } from '../../../electron/main/serviceHost';
import { fakeDesktopService } from './fakeDesktopService';

vi.mock('electron', async () => (await import('../fakeElectron')).fakeElectron);

const origin = appOriginOf('app://vigil/index.html');
const ownWindow = { senderFrame: { url: 'app://vigil/index.html', parent: null } } as unknown as IpcMainInvokeEvent;

function setUp() {
  const service = fakeDesktopService();
  const handlers = createEngineHandlers(new ServiceHost(async () => service), () => undefined, () => 'ana');
  return {
    service,
    setGate: createValidatedHandler('setGateRecalibration', handlers.setGateRecalibration, origin),
    resetGate: createValidatedHandler('resetGateRecalibration', handlers.resetGateRecalibration, origin),
  };
}

describe('Insights → the confidence gate’s controls', () => {
  it('switch the recalibration from feedback off and on again, answering what the gate does now', async () => {
    const { service, setGate } = setUp();
    await expect(setGate(ownWindow, { enabled: false })).resolves.toMatchObject({ state: 'off', summary: expect.stringMatching(/^gate recalibration is off/) });
    expect(service.setGateRecalibration).toHaveBeenLastCalledWith(false);
    await expect(setGate(ownWindow, { enabled: true })).resolves.toMatchObject({ state: 'recalibrated', threshold: 0.561 });
    expect(service.setGateRecalibration).toHaveBeenLastCalledWith(true);
  });

  it('start the recalibration over, so the gate counts from zero again', async () => {
    const { service, resetGate } = setUp();
    await expect(resetGate(ownWindow)).resolves.toMatchObject({ state: 'default', reactions: 0, summary: 'using the default gate (0 of 30 reactions needed)' });
    expect(service.resetGateRecalibration).toHaveBeenCalledOnce();
  });

  it.each([
    ['a string for the switch', { enabled: 'off' }, /enabled: enabled must be true or false/],
    ['no switch at all', {}, /enabled: enabled must be true or false/],
    ['an unknown field', { enabled: true, since: '2026-01-01' }, /Unrecognized key/i],
  ])('refuse %s with a clear error, and the team setting is left alone', async (_name, payload, detail) => {
    const { service, setGate } = setUp();
    await expect(setGate(ownWindow, payload)).rejects.toThrow(/^vigil:setGateRecalibration received a malformed request: /);
    await expect(setGate(ownWindow, payload)).rejects.toThrow(detail);
    expect(service.setGateRecalibration).not.toHaveBeenCalled();
  });

  it('refuse a payload sent to "Start over", which takes none', async () => {
    const { service, resetGate } = setUp();
    await expect(resetGate(ownWindow, { since: '2026-01-01' })).rejects.toThrow(/vigil:resetGateRecalibration received a malformed request: request: this method takes no arguments/);
    expect(service.resetGateRecalibration).not.toHaveBeenCalled();
  });
});
