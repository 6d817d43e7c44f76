// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { GateCalibrationStatus } from '../../renderer/src/api/contractTypes';
import { fakeVigilApi, sampleGate, sampleInsights } from './fakeVigilApi';
import { button, byName, checkbox, click, mountApp } from './mountApp';

async function openInsights(api = fakeVigilApi()) {
  api.insights.mockResolvedValue({ ...sampleInsights, gate: sampleGate });
  const mounted = await mountApp(api, { view: 'insights' });
  await act(async () => undefined);
  const gate = byName(mounted.container, 'Confidence gate');
  const sentence = () => gate.querySelector('.gate-calibration')?.textContent;
  return { ...mounted, gate, sentence };
}

describe('Insights: the confidence gate’s controls', () => {
  it('switches the recalibration from feedback off and on, and the gate sentence follows', async () => {
    const { api, gate, sentence } = await openInsights();
    expect(sentence()).toBe('Confidence gate: gate recalibrated from 40 reactions: threshold 0.561 (default 0.5).');
    expect(checkbox(gate, 'Recalibrate the gate from our feedback').checked).toBe(true);

    await click(checkbox(gate, 'Recalibrate the gate from our feedback'));
    expect(api.setGateRecalibration).toHaveBeenLastCalledWith({ enabled: false });
    expect(sentence()).toBe('Confidence gate: gate recalibration is off for this team: using the default gate (threshold 0.5).');
    expect(checkbox(gate, 'Recalibrate the gate from our feedback').checked).toBe(false);

    await click(checkbox(gate, 'Recalibrate the gate from our feedback'));
    expect(api.setGateRecalibration).toHaveBeenLastCalledWith({ enabled: true });
    expect(sentence()).toBe('Confidence gate: gate recalibrated from 40 reactions: threshold 0.561 (default 0.5).');
    // The answer replaces the sentence: no second load of the whole screen.
    expect(api.insights).toHaveBeenCalledOnce();
  });

  it('starts over only once confirmed, saying the reactions stay in the log, and the sentence counts from zero', async () => {
    const { api, gate, sentence } = await openInsights();
    await click(button(gate, 'Start over…'));
    const confirm = byName(gate, 'Confirm starting the gate’s recalibration over');
    expect(confirm.textContent).toContain('The reactions stay in the log; only the counting restarts');
    await click(button(confirm, 'Cancel'));
    expect(api.resetGateRecalibration).not.toHaveBeenCalled();
    expect(sentence()).toContain('recalibrated from 40 reactions');

    await click(button(gate, 'Start over…'));
    await click(button(byName(gate, 'Confirm starting the gate’s recalibration over'), 'Yes, start over'));
    expect(api.resetGateRecalibration).toHaveBeenCalledOnce();
    expect(sentence()).toBe('Confidence gate: using the default gate (0 of 30 reactions needed).');
  });

  it('keeps the switch where the analyst put it while the team setting is saved', async () => {
    const api = fakeVigilApi();
    let answer: (status: GateCalibrationStatus) => void = () => undefined;
    api.setGateRecalibration.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const { gate, sentence } = await openInsights(api);
    await click(checkbox(gate, 'Recalibrate the gate from our feedback'));
    expect(checkbox(gate, 'Recalibrate the gate from our feedback').checked).toBe(false);
    expect(checkbox(gate, 'Recalibrate the gate from our feedback').disabled).toBe(true);
    await act(async () => answer({ ...sampleGate, state: 'off', summary: 'gate recalibration is off for this team: using the default gate (threshold 0.5)' }));
    expect(checkbox(gate, 'Recalibrate the gate from our feedback').checked).toBe(false);
    expect(sentence()).toContain('gate recalibration is off for this team');
  });

  it('says why when the engine refuses, and keeps the sentence it had', async () => {
    const api = fakeVigilApi();
    api.setGateRecalibration.mockRejectedValue(new Error('The team settings could not be saved: disk full.'));
    const { gate, sentence } = await openInsights(api);
    await click(checkbox(gate, 'Recalibrate the gate from our feedback'));
    expect(gate.querySelector('[role="alert"]')?.textContent).toContain('The team settings could not be saved: disk full.');
    expect(sentence()).toContain('recalibrated from 40 reactions');
    expect(checkbox(gate, 'Recalibrate the gate from our feedback').checked).toBe(true);
  });
});
