// @vitest-environment happy-dom
/** Settings → Team and the top bar: the team store's state, creating or joining one, syncing, leaving. */
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeVigilApi, sampleTeam } from './fakeVigilApi';
import { button, byName, checkbox, click, mountApp, section, type } from './mountApp';

async function openTeam(api = fakeVigilApi()) {
  const mounted = await mountApp(api, { view: 'settings' });
  await act(async () => undefined);
  return { ...mounted, team: section(mounted.container, 'Team store') };
}

describe('Settings → Team', () => {
  it('a personal folder offers to join a team store; the top bar says nothing about a team', async () => {
    const { team, container } = await openTeam();
    expect(team.textContent).toContain('This data folder is personal');
    expect(button(team, 'Join').disabled).toBe(false);
    expect(container.querySelector('.app-header')?.textContent).not.toContain('Team:');
  });

  it('joins an object-storage store with its endpoint and keys, then shows it in sync, in Settings and in the top bar', async () => {
    const api = fakeVigilApi();
    const { team, container } = await openTeam(api);
    await type(byName(team, 'Store (s3://bucket/prefix or a shared folder)'), 's3://support-team/emea');
    await type(byName(team, 'Your name (shown on what you teach)'), 'Ana Diaz');
    await type(byName(team, 'Endpoint (https://host:port)'), 'https://s3.example.internal:9000');
    await type(byName(team, 'Access key'), 'AKIA-ana');
    await type(byName(team, 'Secret key'), 'very-secret');
    await click(button(team, 'Join'));
    expect(api.joinTeam).toHaveBeenCalledWith({
      mode: 'join',
      uri: 's3://support-team/emea',
      analyst: 'Ana Diaz',
      endpoint: 'https://s3.example.internal:9000',
      accessKey: 'AKIA-ana',
      secretKey: 'very-secret',
    });
    expect(team.querySelector('[role="status"][aria-label="Team store state"]')?.textContent).toContain('In sync');
    expect(team.textContent).toContain('s3.example.internal:9000');
    expect(team.textContent).toContain('Joined the team store as Ana Diaz.');
    // The keys are not kept on the page once sent.
    expect(container.querySelector('input[type="password"]')).toBeNull();
    expect(container.querySelector('.app-header')?.textContent).toContain('Team: In sync');
  });

  it('a shared folder needs no endpoint or keys', async () => {
    const api = fakeVigilApi();
    const { team } = await openTeam(api);
    await type(byName(team, 'Store (s3://bucket/prefix or a shared folder)'), '/mnt/support-share/vigil-team');
    expect(team.querySelector('input[type="password"]')).toBeNull();
    await type(byName(team, 'Your name (shown on what you teach)'), 'Bo');
    await click(button(team, 'Join'));
    expect(api.joinTeam).toHaveBeenCalledWith({ mode: 'join', uri: '/mnt/support-share/vigil-team', analyst: 'Bo' });
  });

  it("offers to share the folder's existing knowledge once, and says how much was shared", async () => {
    const api = fakeVigilApi();
    const { team } = await openTeam(api);
    await type(byName(team, 'Store (s3://bucket/prefix or a shared folder)'), '/mnt/share/team');
    await type(byName(team, 'Your name (shown on what you teach)'), 'Cy');
    await click(checkbox(team, 'Share this folder’s existing knowledge with the team (once, as mine)'));
    await click(button(team, 'Join'));
    expect(api.joinTeam).toHaveBeenCalledWith({ mode: 'join', uri: '/mnt/share/team', analyst: 'Cy', merge: true });
    expect(team.textContent).toContain('This folder’s 12 entries were shared with the team.');
  });

  it('shows why the store refused, and stays on the form', async () => {
    const api = fakeVigilApi();
    api.joinTeam.mockRejectedValueOnce(new Error("Error invoking remote method 'vigil:joinTeam': Error: The team store's endpoint s3.example.internal:9000 is not allowed: offline mode allows only this machine (loopback)."));
    const { team } = await openTeam(api);
    await type(byName(team, 'Store (s3://bucket/prefix or a shared folder)'), '/mnt/share/team');
    await type(byName(team, 'Your name (shown on what you teach)'), 'Ana');
    await click(button(team, 'Join'));
    expect(team.querySelector('[role="alert"]')?.textContent).toBe("The team store's endpoint s3.example.internal:9000 is not allowed: offline mode allows only this machine (loopback).");
    expect(button(team, 'Join').disabled).toBe(false);
  });

  it('offline: says since when and why, in Settings and the top bar; leaving with unsent changes needs the analyst to say so', async () => {
    const api = fakeVigilApi();
    const offline = { ...sampleTeam, state: 'offline' as const, pending: 3, offlineSince: '2026-11-22T09:30:00.000Z', lastError: 'connection refused' };
    api.teamOverview.mockResolvedValue(offline);
    const { team, container } = await openTeam(api);
    expect(team.textContent).toMatch(/Offline since 22 Nov 2026, \d\d:30, 3 of your changes waiting to be sent/);
    expect(team.textContent).toContain('Last error: connection refused');
    expect(container.querySelector('.app-header')?.textContent).toMatch(/Team: Offline since/);
    api.leaveTeam.mockRejectedValueOnce(new Error('3 of your writes are not in the team store yet; let the app sync, or leave anyway (they stay in this folder’s outbox).'));
    await click(button(team, 'Leave the team store'));
    expect(api.leaveTeam).toHaveBeenLastCalledWith({ force: false });
    expect(team.querySelector('[role="alert"]')?.textContent).toMatch(/^3 of your writes are not in the team store yet/);
    const force = team.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    await click(force);
    api.leaveTeam.mockResolvedValueOnce({ left: sampleTeam.uri, unsent: 3 });
    await click(button(team, 'Leave the team store'));
    expect(api.leaveTeam).toHaveBeenLastCalledWith({ force: true });
    expect(team.textContent).toContain('Your 3 unsent write(s) stay in this folder’s outbox.');
  });

  it('behind: says by how many versions; Sync now asks the main process and shows the new state', async () => {
    const api = fakeVigilApi();
    api.teamOverview.mockResolvedValue({ ...sampleTeam, state: 'behind', behindBy: 4 });
    api.syncTeam.mockResolvedValueOnce(sampleTeam);
    const { team } = await openTeam(api);
    expect(team.textContent).toContain('Behind by 4 versions');
    await click(button(team, 'Sync now'));
    expect(api.syncTeam).toHaveBeenCalledOnce();
    expect(team.querySelector('[aria-label="Team store state"]')?.textContent).toContain('In sync');
  });
});
