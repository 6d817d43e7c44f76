// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi } from './fakeVigilApi';
import { button, byName, click, mountApp } from './mountApp';

describe('the connectors section of Settings', () => {
  it('lists each connector with its health and last error, and says where connectors are configured', async () => {
    const { container, api } = await mountApp(fakeVigilApi(), { view: 'settings' });
    await act(async () => undefined);
    expect(api.connectorsOverview).toHaveBeenCalled();
    const list = byName(container, 'Connectors');
    const [rt, mail] = [...list.querySelectorAll('li')].map((li) => li.textContent ?? '');
    expect(rt).toContain('rt (rt, may post notes)');
    expect(rt).toContain('Retrying');
    expect(rt).toContain('12 events waiting');
    expect(rt).toContain('Request Tracker refused the token (HTTP 401)');
    expect(mail).toContain('Disabled');
    expect(container.textContent).toContain('/home/ana/.config/Vigil Desktop/teams/default/connectors.json');
  });

  it('tests a connection on request and shows the answer in words', async () => {
    const api = fakeVigilApi();
    api.testConnector.mockResolvedValueOnce({ id: 'rt', ok: false, message: 'Request Tracker at rt.example.com cannot be reached: connection refused.' });
    const { container } = await mountApp(api, { view: 'settings' });
    await act(async () => undefined);
    await click(button(container, 'Test rt'));
    expect(api.testConnector).toHaveBeenCalledWith({ id: 'rt' });
    expect(byName(container, 'Connectors').textContent).toContain('cannot be reached: connection refused.');
    await click(button(container, 'Test mail'));
    expect(byName(container, 'Connectors').textContent).toContain('mail: connection and credentials work.');
  });
});

/** Sets a form control's value as React sees it (the prototype's setter), then fires the event React listens to. */
async function setControl(control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, value: string) {
  const prototype = Object.getPrototypeOf(control) as object;
  const setValue = Object.getOwnPropertyDescriptor(prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(control, value);
    control.dispatchEvent(new Event(control instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  });
}

async function openSettings(api = fakeVigilApi()) {
  const mounted = await mountApp(api, { view: 'settings' });
  await act(async () => undefined);
  return mounted;
}

describe('adding, editing and removing connectors', () => {
  it('adds a helpdesk from a form generated for its kind, the token sent only as a secret', async () => {
    const { container, api } = await openSettings();
    await click(button(container, 'Add connector'));
    const form = byName(container, 'Add a connector');
    expect(api.connectorForms).toHaveBeenCalled();
    await setControl(byName<HTMLSelectElement>(form, 'Kind'), 'rt');
    await setControl(byName<HTMLInputElement>(form, 'Connector id'), 'rt-main');
    await setControl(byName<HTMLInputElement>(form, 'Address (https://…)'), 'https://rt.example.com');
    await setControl(byName<HTMLInputElement>(form, 'API token'), '1-14-secret-token');
    expect(byName<HTMLInputElement>(form, 'API token').type).toBe('password');
    expect(byName<HTMLInputElement>(form, 'Tickets per page (optional)').placeholder).toBe('50 (default)');

    await click(button(form, 'Test connection'));
    const draft = { kind: 'rt', id: 'rt-main', values: { enabled: true, writeBack: false, baseUrl: 'https://rt.example.com' }, secrets: { token: '1-14-secret-token' } };
    expect(api.testConnectorDraft).toHaveBeenCalledWith({ mode: 'add', draft });
    expect(form.textContent).toContain('rt-main: connection and credentials work. Save it to start watching.');

    await click(button(form, 'Save connector'));
    expect(api.saveConnector).toHaveBeenCalledWith({ mode: 'add', draft });
    expect(() => byName(container, 'Add a connector')).toThrow();
    expect(container.textContent).toContain('rt-main was added; Vigil is watching it now.');
    expect(api.connectorsOverview).toHaveBeenCalledTimes(2);
  });

  it('shows each mistake under its field, naming it', async () => {
    const api = fakeVigilApi();
    api.saveConnector.mockResolvedValueOnce({
      ok: false,
      message: 'The connector was not saved. Address (https://…): must be a web address such as https://helpdesk.example.com.',
      fieldErrors: { baseUrl: 'must be a web address such as https://helpdesk.example.com', token: 'is required: type it here; it is saved in the system keychain, never in connectors.json' },
    });
    const { container } = await openSettings(api);
    await click(button(container, 'Add connector'));
    const form = byName(container, 'Add a connector');
    await setControl(byName<HTMLSelectElement>(form, 'Kind'), 'rt');
    await click(button(form, 'Save connector'));
    const address = byName<HTMLInputElement>(form, 'Address (https://…)');
    expect(address.getAttribute('aria-invalid')).toBe('true');
    const described = address.getAttribute('aria-describedby')!.split(' ').map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain('Address (https://…): must be a web address such as https://helpdesk.example.com');
    expect(form.textContent).toContain('API token: is required: type it here; it is saved in the system keychain');
    // The form stays open with what was typed.
    expect(byName(container, 'Add a connector')).toBeDefined();
  });

  it('chooses a folder connector\'s folder in the main process\'s dialog', async () => {
    const { container, api } = await openSettings();
    await click(button(container, 'Add connector'));
    const form = byName(container, 'Add a connector');
    await setControl(byName<HTMLInputElement>(form, 'Connector id'), 'demo');
    const folder = byName<HTMLInputElement>(form, 'Ticket folder');
    expect(folder.readOnly).toBe(true);
    await click(button(form, 'Choose folder…'));
    expect(api.pickConnectorFolder).toHaveBeenCalled();
    expect(byName<HTMLInputElement>(form, 'Ticket folder').value).toBe('/home/ana/tickets');
    await click(button(form, 'Save connector'));
    expect(api.saveConnector).toHaveBeenCalledWith({
      mode: 'add',
      draft: { kind: 'folder', id: 'demo', values: { enabled: true, writeBack: false, path: '/home/ana/tickets' }, secrets: {} },
    });
  });

  it('edits a connector: the token stays in the keychain unless a new one is typed, and only changes are sent', async () => {
    const { container, api } = await openSettings();
    await click(button(container, 'Edit rt'));
    expect(api.connectorForEdit).toHaveBeenCalledWith({ id: 'rt' });
    const form = byName(container, 'Edit rt');
    expect(byName<HTMLInputElement>(form, 'Address (https://…)').value).toBe('https://rt.example.com');
    expect(byName<HTMLInputElement>(form, 'Connector id').disabled).toBe(true);
    expect(byName<HTMLInputElement>(form, 'API token').value).toBe('');
    expect(form.textContent).toContain('Saved in the keychain.');
    await setControl(byName<HTMLInputElement>(form, 'Queue (optional)'), 'Support');
    await click(button(form, 'Save changes'));
    expect(api.saveConnector).toHaveBeenCalledWith({ mode: 'edit', draft: { kind: 'rt', id: 'rt', values: { queue: 'Support' }, secrets: {} } });
    expect(container.textContent).toContain('rt was saved; Vigil is watching it now.');
  });

  it('asks for the token again once the address is changed, since a saved one goes only to its own address', async () => {
    const { container } = await openSettings();
    await click(button(container, 'Edit rt'));
    const form = byName(container, 'Edit rt');
    const address = byName<HTMLInputElement>(form, 'Address (https://…)');
    await setControl(address, 'https://rt.other.example');
    expect(form.textContent).toContain('The address changed: type this again (API token).');
    expect(form.textContent).not.toContain('Saved in the keychain.');
    await setControl(byName<HTMLInputElement>(form, 'API token'), 'typed-again');
    expect(form.textContent).not.toContain('The address changed');
    await setControl(byName<HTMLInputElement>(form, 'API token'), '');
    await setControl(address, 'https://rt.example.com');
    expect(form.textContent).toContain('Saved in the keychain.');
    expect(form.textContent).not.toContain('The address changed');
  });

  it('removes a connector only after confirming, saying what happens to its secret and sync state', async () => {
    const { container, api } = await openSettings();
    await click(button(container, 'Remove rt'));
    const dialog = byName(container, 'Remove rt?');
    expect(dialog.textContent).toContain('deletes its secret from the keychain');
    expect(dialog.textContent).toContain('its sync state (watch/rt) is kept');
    await click(button(dialog, 'Keep it'));
    expect(api.removeConnector).not.toHaveBeenCalled();
    await click(button(container, 'Remove rt'));
    await click(button(byName(container, 'Remove rt?'), 'Yes, remove rt'));
    expect(api.removeConnector).toHaveBeenCalledWith({ id: 'rt' });
    expect(container.textContent).toContain('rt was removed. Its secret (rt.token) was deleted from the keychain. Its sync state stays in /data/watch/rt');
  });

  it('offers nothing that would overwrite a connectors.json it cannot read', async () => {
    const api = fakeVigilApi();
    api.connectorsOverview.mockResolvedValue({
      file: '/data/connectors.json',
      connectors: [],
      problem: '/data/connectors.json:7: not valid JSON (Unexpected token \',\')',
    });
    const { container } = await openSettings(api);
    const alert = container.querySelector('.settings-section [role="alert"]')!;
    expect(alert.textContent).toContain('/data/connectors.json:7: not valid JSON');
    expect(alert.textContent).toContain('Vigil does not change connectors.json while it has a mistake');
    expect(button(container, 'Add connector').disabled).toBe(true);
  });
});
