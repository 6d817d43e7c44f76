/**
 * Settings → Team's handlers over the real engine (a Workspace linked to a team store on a shared folder), the real
 * egress policy and an in-memory stand-in for the keychain. No Electron runtime is needed: the handlers import none.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../../core/app/workspace';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { EgressPolicy } from '../../../core/net/egress';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { readTeamConfig } from '../../../core/team/teamConfig';
import { TeamStore } from '../../../core/team/teamStore';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';
import { ServiceHost } from '../../../electron/main/serviceHost';
import { createTeamHandlers } from '../../../electron/main/teamHandlers';
import { tempFolder } from '../../support/tempFolder';

const event = {} as IpcMainInvokeEvent;
const hosts: ServiceHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

async function app(egress = new EgressPolicy()) {
  const dataDir = await tempFolder('vigil-team-handlers-');
  const secrets = new MemorySecretStore();
  const host = new ServiceHost(() => Workspace.open({ dataDir, embedder: new HashedEmbedder(), llm: null, delayedReviewEveryMs: 0, team: { secrets, egress, syncEveryMs: 0 } }));
  hosts.push(host);
  return { dataDir, secrets, host, egress, handlers: createTeamHandlers(host, { dataDir, secrets, egress }) };
}

describe('Settings → Team handlers', () => {
  it('the join form is checked before anything runs, naming the field', () => {
    expect(() => parseIpcRequest('joinTeam', [{ mode: 'join', uri: '', analyst: 'Ana' }])).toThrow('uri: give the team store');
    expect(() => parseIpcRequest('joinTeam', [{ mode: 'join', uri: '/mnt/share', analyst: '  ' }])).toThrow('analyst: give your name');
    expect(() => parseIpcRequest('joinTeam', [{ mode: 'merge', uri: '/mnt/share', analyst: 'Ana' }])).toThrow('mode: mode must be init or join');
    expect(() => parseIpcRequest('leaveTeam', [{ force: 'yes' }])).toThrow('force: force must be true or false');
  });

  it('creates a team store on a shared folder, restarts the workspace linked to it, syncs, and leaves', async () => {
    const { dataDir, host, handlers } = await app();
    expect(await handlers.teamOverview(undefined, event)).toBeNull();
    const share = join(await tempFolder('vigil-team-handlers-share-'), 'team');
    await mkdir(share);
    const joined = await handlers.joinTeam({ mode: 'init', uri: share, analyst: 'Ana' }, event);
    expect(joined).toEqual({ team: expect.objectContaining({ uri: share, analyst: 'Ana', endpoint: null }), merged: null });
    expect(await host.use(async (w) => w.team !== null)).toBe(true);
    expect(await handlers.syncTeam(undefined, event)).toMatchObject({ state: 'in-sync', pending: 0 });
    expect(await handlers.leaveTeam({}, event)).toEqual({ left: share, unsent: 0 });
    expect(await readTeamConfig(dataDir)).toBeNull();
    expect(await host.use(async (w) => w.team)).toBeNull();
  });

  it("joining with merge shares the personal folder's knowledge once, as the analyst's", async () => {
    const { dataDir, host, handlers } = await app();
    await host.use(async (w) => {
      await (w as Workspace).service.learning.learnFromClosedTicket(
        {
          id: 'P-1',
          status: 'closed',
          messages: [
            { id: 'm1', author: 'customer', text: 'The label printer in the warehouse prints blank labels since Monday' },
            { id: 'm2', author: 'analyst', text: 'Recalibrate the label sensor: hold the feed button for five seconds until two labels come out.' },
          ],
        },
        'auto',
      );
    });
    const share = join(await tempFolder('vigil-team-handlers-share-'), 'team');
    await mkdir(share);
    const joined = await handlers.joinTeam({ mode: 'init', uri: share, analyst: 'Cy', merge: true }, event);
    expect(joined.merged).toBe(2);
    expect(joined.team).toMatchObject({ state: 'in-sync', pending: 0 });
    const ops = (await (await TeamStore.open(share, {}, false)).pullSince(0)).ops;
    // One operation per entry, named by this copy's writer id and the entry, so a merge run again stores nothing twice.
    const writer = (await readTeamConfig(dataDir))?.writer;
    expect(writer).toMatch(/^[0-9a-f-]{36}$/);
    expect(ops.map((op) => op.opId).toSorted()).toEqual([`${writer}:merge:case-P-1`, `${writer}:merge:qa-P-1`]);
    expect(ops.map((op) => op.analyst)).toEqual(['Cy', 'Cy']);
  });

  it('an object-storage store whose endpoint offline mode refuses: nothing saved, no key kept, the host not left allowed', async () => {
    const { dataDir, secrets, egress, handlers } = await app(new EgressPolicy({ offline: true }));
    await expect(
      handlers.joinTeam({ mode: 'join', uri: 's3://team-bucket/emea', analyst: 'Ana', endpoint: 'https://s3.example.internal:9000', accessKey: 'AKIA-ana', secretKey: 'very-secret' }, event),
    ).rejects.toThrow("The team store's endpoint s3.example.internal:9000 is not allowed: offline mode allows only this machine (loopback).");
    expect(await readTeamConfig(dataDir)).toBeNull();
    expect(await secrets.list()).toEqual([]);
    expect(egress.allowsEndpoint('s3.example.internal', 9000)).toBe(false);
    expect(egress.allowedHosts()).toEqual([]);
  });
});
