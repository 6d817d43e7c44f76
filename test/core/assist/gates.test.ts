import { describe, expect, it } from 'vitest';
import { classifyScope } from '../../../core/assist/scopeGate';
import { RepeatGate } from '../../../core/assist/repeatGate';
import { confidenceOf } from '../../../core/assist/confidence';

describe('scope gate certainty (what goes to the LLM)', () => {
  it.each([
    ['thanks!', 'out'],
    ['Why is my transfer still pending?', 'in'],
    ['My VPN keeps disconnecting at the hotel', 'in'],
    ['card declined at the shop', 'in'],
    ['lovely weather in Lisbon today', 'unsure'],
    ['Crystal Minh', 'unsure'],
  ])('"%s" is %s', (text, verdict) => {
    expect(classifyScope(text).verdict).toBe(verdict);
  });
});

describe('repeat gate', () => {
  it('suppresses the same entry or a near-identical text on the same ticket only', async () => {
    const gate = new RepeatGate();
    gate.remember('T-1', 'kb-mtu', 'Lower the tunnel MTU to 1380 in the client settings.');
    expect(await gate.repeatOf('T-1', 'kb-mtu', 'something else entirely')).not.toBeNull();
    expect(await gate.repeatOf('T-1', 'kb-other', 'Lower the tunnel MTU to 1380 in the client settings')).not.toBeNull();
    expect(await gate.repeatOf('T-1', 'kb-pin', 'Unblock the PIN at any ATM.')).toBeNull();
    expect(await gate.repeatOf('T-2', 'kb-mtu', 'Lower the tunnel MTU to 1380 in the client settings.')).toBeNull();
    // An LLM draft refining the suggestion shown after the same message is not a repeat of it.
    gate.remember('T-3', 'kb-mtu', 'Lower the MTU.', 'msg-1');
    expect(await gate.repeatOf('T-3', 'kb-mtu', 'Lower the tunnel MTU to 1380 [kb-mtu].', 'msg-1')).toBeNull();
    expect(await gate.repeatOf('T-3', 'kb-mtu', 'Lower the tunnel MTU to 1380 [kb-mtu].', 'msg-2')).not.toBeNull();
    gate.forget('T-1');
    expect(await gate.repeatOf('T-1', 'kb-mtu', 'x')).toBeNull();
  });
});

describe('retrieval confidence', () => {
  it('rises with similarity, margin and agreement, and stays in [0, 1]', () => {
    const weak = confidenceOf({ top: 0.3, margin: 0.01, agreement: 0.2 });
    expect(confidenceOf({ top: 0.6, margin: 0.01, agreement: 0.2 })).toBeGreaterThan(weak);
    expect(confidenceOf({ top: 0.3, margin: 0.2, agreement: 0.2 })).toBeGreaterThan(weak);
    expect(confidenceOf({ top: 0.3, margin: 0.01, agreement: 1 })).toBeGreaterThan(weak);
    expect(confidenceOf({ top: 1, margin: 1, agreement: 1 })).toBeLessThanOrEqual(1);
    expect(weak).toBeGreaterThanOrEqual(0);
    expect(weak).toBeLessThan(0.5);
  });
});
