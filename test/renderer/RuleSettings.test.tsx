// @vitest-environment happy-dom
/** Settings → Rules: the rule centre's list, its form with each problem beside its field, and the test on recent tickets. */
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi, sampleRules } from './fakeVigilApi';
import { button, byName, click, mountApp, section } from './mountApp';

async function openRules(api = fakeVigilApi()) {
  const mounted = await mountApp(api, { view: 'settings' });
  await act(async () => undefined);
  return { ...mounted, rules: section(mounted.container, 'Rules') };
}

/** Sets a form control's value as React sees it (the prototype's setter), then fires the event React listens to. */
async function setControl(control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string) {
  const prototype = Object.getPrototypeOf(control) as object;
  const setValue = Object.getOwnPropertyDescriptor(prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(control, value);
    control.dispatchEvent(new Event(control instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

/** The error text a control points at with aria-describedby. */
function errorOf(control: HTMLElement): string {
  const ids = control.getAttribute('aria-describedby')?.split(' ') ?? [];
  return ids
    .map((id) => control.ownerDocument.getElementById(id))
    .filter((el) => el?.classList.contains('field-error'))
    .map((el) => el!.textContent)
    .join(' ');
}

describe('Settings → Rules', () => {
  it('lists the team’s and the packs’ rules with how they match, stay quiet and alert, and a refused webhook beside its rule', async () => {
    const { rules, api } = await openRules();
    expect(api.rulesOverview).toHaveBeenCalled();
    const outage = byName(rules, 'Rule Outage reports');
    expect(outage.textContent).toContain('pattern /outage|down for everyone/; quiet 360 min per ticket; alerts to desktop, internal note; from team');
    const angry = byName(rules, 'Rule Angry customer');
    expect(angry.textContent).toContain('disabled');
    expect(angry.textContent).toContain('by meaning (2 examples, 1 negative); quiet 60 min per rule (all tickets); alerts to desktop, webhook hooks.example.com; from pack support-basics 1.2.0');
    expect(angry.querySelector('[role="alert"]')?.textContent).toContain('alerts to hooks.example.com will be refused');
    // A pack's own rule can be disabled or replaced, not removed.
    expect(() => byName<HTMLButtonElement>(angry, 'Remove Angry customer')).toThrow('No control');
    expect(byName<HTMLButtonElement>(outage, 'Remove Outage reports').disabled).toBe(false);
  });

  it('enables and disables a rule through the main process, and says so', async () => {
    const { rules, api } = await openRules();
    await click(byName<HTMLButtonElement>(rules, 'Enable Angry customer'));
    expect(api.setRuleEnabled).toHaveBeenCalledWith({ id: 'angry-customer', enabled: true });
    expect(byName(rules, 'Rule Angry customer').textContent).not.toContain('disabled');
    expect(rules.querySelector('[role="status"]')?.textContent).toBe('Rule angry-customer enabled.');
  });

  it('adds a pattern rule with a helpdesk note, sending the draft as the rules file holds it', async () => {
    const { rules, api } = await openRules();
    await click(button(rules, 'Add a rule'));
    const form = byName(rules, 'New rule');
    await setControl(byName(form, 'Id'), 'chargeback');
    await setControl(byName(form, 'Name'), 'Chargeback threat');
    await setControl(byName(form, 'Kind'), 'regex');
    await setControl(byName(form, 'Pattern'), '\\bcharge ?back\\b');
    await setControl(byName(form, 'Quiet time (minutes)'), '120');
    await click([...form.querySelectorAll('label')].find((l) => l.textContent?.includes('An internal'))!.querySelector('input')!);
    await click(button(form, 'Save rule'));
    expect(api.saveRule).toHaveBeenCalledWith({
      originalId: null,
      rule: {
        id: 'chargeback',
        name: 'Chargeback threat',
        enabled: true,
        priority: 'P1',
        mode: 'detect',
        match: { type: 'regex', pattern: '\\bcharge ?back\\b', flags: 'i' },
        lookbackMinutes: 0,
        minTickets: 1,
        suppress: { per: 'ticket', minutes: 120 },
        deliver: [{ type: 'note' }],
      },
    });
    // Saved: the form closes and the list shows the new rule.
    expect(() => byName(rules, 'New rule')).toThrow();
    expect(byName(rules, 'Rule Chargeback threat').textContent).toContain('pattern /\\bcharge ?back\\b/');
    expect(rules.textContent).toContain('Rule chargeback saved; it applies to new messages at once.');
  });

  it('shows each problem the main process found beside its field, keeps the draft, and marks the field invalid', async () => {
    const api = fakeVigilApi();
    api.saveRule.mockResolvedValueOnce({
      ok: false,
      issues: [
        { field: 'id', message: 'must be lower-case letters, digits and dashes' },
        { field: 'match.examples', message: 'needs at least one example message' },
        { field: 'suppress.minutes', message: 'Invalid input: expected number, received string' },
        { field: 'deliver.0.url', message: 'must be an http(s) URL' },
      ],
    });
    const { rules } = await openRules(api);
    await click(button(rules, 'Add a rule'));
    const form = byName(rules, 'New rule');
    await setControl(byName(form, 'Id'), 'Chargeback Rule');
    await setControl(byName(form, 'Quiet time (minutes)'), 'six hours');
    await setControl(byName(form, 'Webhooks'), 'ftp://hooks.example.com/x');
    await click(button(form, 'Save rule'));
    const id = byName<HTMLInputElement>(form, 'Id');
    expect(errorOf(id)).toBe('must be lower-case letters, digits and dashes');
    expect(id.getAttribute('aria-invalid')).toBe('true');
    expect(id.value).toBe('Chargeback Rule');
    expect(errorOf(byName(form, 'Examples that match'))).toBe('needs at least one example message');
    expect(errorOf(byName(form, 'Quiet time (minutes)'))).toBe('Invalid input: expected number, received string');
    expect(errorOf(byName(form, 'Webhooks'))).toBe('ftp://hooks.example.com/x: must be an http(s) URL');
    // The number was sent as typed, so the check in the main process could name the field.
    expect(api.saveRule.mock.calls[0]![0].rule['suppress']).toEqual({ per: 'ticket', minutes: 'six hours' });
  });

  it('tests a draft on recent tickets: which tickets match, why, and which would alert', async () => {
    const api = fakeVigilApi();
    api.testRule.mockResolvedValueOnce({
      ok: true,
      result: {
        ruleId: 'vpn-outage',
        tickets: 120,
        customerMessages: 310,
        matches: [
          { ticketId: 'T-4821', messageId: '1', text: 'The VPN is down for the whole office', why: 'nearest example “vpn down for everyone” (similarity 0.71, threshold 0.30)' },
          { ticketId: 'T-4830', messageId: '2', text: 'vpn down again?', why: 'nearest example “vpn down for everyone” (similarity 0.52, threshold 0.30)' },
        ],
        alerts: [{ ruleId: 'vpn-outage', priority: 'P1', ticketId: 'T-4821', afterMessageId: '1', ticketIds: ['T-4821'], text: 'P1 VPN outage: "The VPN is down for the whole office"' }],
      },
      subjects: { 'T-4821': 'VPN down', 'T-4830': null },
      recentLimit: 200,
    });
    const { rules } = await openRules(api);
    await click(button(rules, 'Add a rule'));
    const form = byName(rules, 'New rule');
    await setControl(byName(form, 'Examples that match'), 'vpn down for everyone\nnobody can reach the vpn');
    await click(button(form, 'Test on recent tickets'));
    expect((api.testRule.mock.calls[0]![0].rule['match'] as { examples: string[] }).examples).toEqual(['vpn down for everyone', 'nobody can reach the vpn']);
    const results = byName(form, 'Test on recent tickets');
    expect(results.querySelector('[role="status"]')?.textContent).toBe(
      'Matches 2 of 310 customer messages, on 2 of the 120 most recent tickets; as configured it would raise 1 alert.',
    );
    const items = [...results.querySelectorAll('.rule-test-tickets > li')].map((li) => li.textContent);
    expect(items[0]).toContain('T-4821 — VPN down');
    expect(items[0]).toContain('would alert');
    expect(items[0]).toContain('Why: nearest example “vpn down for everyone” (similarity 0.71, threshold 0.30)');
    expect(items[1]).toContain('matched; no alert: minimum tickets or quiet time');
    expect(api.saveRule).not.toHaveBeenCalled();
  });

  it('edits a pack’s rule under its own id, which cannot change', async () => {
    const { rules, api } = await openRules();
    await click(byName<HTMLButtonElement>(rules, 'Edit Angry customer'));
    const form = byName(rules, 'Edit rule angry-customer');
    expect(byName<HTMLInputElement>(form, 'Id').disabled).toBe(true);
    expect(form.textContent).toContain('This rule comes from pack support-basics 1.2.0');
    expect(byName<HTMLTextAreaElement>(form, 'Examples that must not match').value).toBe('Thanks, that fixed it');
    // The pack rule's webhook warning is shown beside the webhook field from the start.
    expect(errorOf(byName(form, 'Webhooks'))).toContain('https://hooks.example.com/vigil: alerts to hooks.example.com will be refused');
    await setControl(byName(form, 'Name'), 'Upset customer');
    await click(button(form, 'Save rule'));
    expect(api.saveRule.mock.calls[0]![0]).toMatchObject({ originalId: 'angry-customer', rule: { id: 'angry-customer', name: 'Upset customer' } });
    expect(sampleRules.rules[1]!.name).toBe('Angry customer');
  });
});
