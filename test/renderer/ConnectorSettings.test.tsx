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
