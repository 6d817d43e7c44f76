import { join } from 'node:path';
import { mkdir, unlink } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../../core/app/workspace';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Ticket } from '../../../core/formats/schemas';
import { EgressPolicy } from '../../../core/net/egress';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { writeTeamConfig } from '../../../core/team/teamConfig';
import { TeamStore } from '../../../core/team/teamStore';
import { TEAM_STATE_FILE } from '../../../core/team/teamSync';
import { tempFolder } from '../../support/tempFolder';

const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
});

async function teamUri(): Promise<string> {
  const uri = join(await tempFolder('vigil-team-link-share-'), 'team');
  await mkdir(uri);
  await TeamStore.open(uri, {}, true);
  return uri;
}

/** An analyst's app on its own data folder, in the team store at `uri`; it syncs only when told (syncOnce). */
async function analyst(name: string, uri: string, dataDir?: string, writer?: string): Promise<Workspace> {
  const dir = dataDir ?? (await tempFolder(`vigil-team-link-${name}-`));
  await writeTeamConfig(dir, { version: 1, uri, analyst: name, joinedAt: new Date().toISOString(), ...(writer ? { writer } : {}) });
  const workspace = await Workspace.open({ dataDir: dir, embedder: new HashedEmbedder(), llm: null, delayedReviewEveryMs: 0, team: { syncEveryMs: 0 } });
  open.push(workspace);
  return workspace;
}

function team(w: Workspace) {
  if (w.team === null) throw new Error('the workspace did not link to its team store');
  return w.team;
}

const ANSWER = 'Switch the VPN profile to TCP 443 in the client settings; hotel networks often block UDP, then reconnect.';

function closedTicket(id: string): Ticket {
  return {
    id,
    status: 'closed',
    messages: [
      { id: 'm1', author: 'customer', text: 'My VPN keeps disconnecting every few minutes at the hotel, what can I do?' },
      { id: 'm2', author: 'analyst', text: ANSWER },
      { id: 'm3', author: 'customer', text: 'That worked, thanks.' },
    ],
  };
}

describe('the app linked to a team store', () => {
  it("what one analyst learns from a closed ticket, the other's copilot finds, naming who learned it, with the version in its history", async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    const learned = await ana.service.learning.learnFromClosedTicket(closedTicket('T-1'), 'auto');
    expect(learned.entryIds).toContain('qa-T-1');
    expect(await bo.service.teamCache().get('qa-T-1')).toBeNull();
    await team(ana).syncOnce();
    await team(bo).syncOnce();
    const [hit] = await bo.service.teamCache().search('vpn keeps disconnecting at the hotel');
    expect(hit?.entry.id).toMatch(/-T-1$/);
    expect(hit?.entry.provenance).toMatchObject({ learnedBy: 'ana', sourceTicketIds: ['T-1'] });
    const [version] = bo.service.learning.entryHistory('qa-T-1');
    expect(version).toMatchObject({ action: 'created', team: { analyst: 'ana' } });
    expect(version?.note).toMatch(/from the team store \(ana\)/);
    expect(await team(bo).status()).toMatchObject({ state: 'in-sync', pending: 0, analyst: 'bo' });
  });

  it('two analysts who give the same name still get each other’s learned entries (each copy knows its own writes by its writer id)', async () => {
    const uri = await teamUri();
    const first = await analyst('sam', uri, undefined, 'writer-first-0001');
    const second = await analyst('sam', uri, undefined, 'writer-second-002');
    await first.service.learning.learnFromClosedTicket(closedTicket('T-7'), 'auto');
    await team(first).syncOnce();
    await team(second).syncOnce();
    const [hit] = await second.service.teamCache().search('vpn keeps disconnecting at the hotel');
    expect(hit?.entry.id).toMatch(/-T-7$/);
    // Its own writes come back from the store too, and are not applied twice.
    await team(first).syncOnce();
    expect(first.service.learning.entryHistory('qa-T-7')).toHaveLength(1);
  });

  it('the review queue is the team’s: an entry approved by one analyst is approved for all', async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    await ana.service.learning.learnFromClosedTicket(closedTicket('T-2'), 'review');
    expect((await ana.service.learning.reviewQueue()).map((i) => i.id)).toContain('qa-T-2');
    await team(ana).syncOnce();
    await team(bo).syncOnce();
    expect((await bo.service.learning.reviewQueue()).map((i) => i.id)).toContain('qa-T-2');
    await bo.service.learning.reviewEntry({ entryId: 'qa-T-2', decision: 'approve' }, 'bo');
    await team(bo).syncOnce();
    await team(ana).syncOnce();
    expect((await ana.service.teamCache().get('qa-T-2'))?.status).toBe('approved');
    expect((await ana.service.learning.reviewQueue()).map((i) => i.id)).not.toContain('qa-T-2');
    expect(ana.service.learning.entryHistory('qa-T-2').at(-1)).toMatchObject({ action: 'approved', actor: 'bo' });
  });

  it('two analysts editing one entry at once: both versions stay in every history, the later is current everywhere, and the notes say so', async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    const cy = await analyst('cy', uri);
    await ana.service.learning.learnFromClosedTicket(closedTicket('T-3'), 'auto');
    await team(ana).syncOnce();
    await team(bo).syncOnce();
    await team(cy).syncOnce();
    // Both edit before either has synced: ana first, bo later.
    await ana.knowledge.reviseEntry('qa-T-3', { answer: 'Earlier edit: use TCP 443.' }, 'ana');
    await bo.knowledge.reviseEntry('qa-T-3', { answer: 'Later edit: use the hotel-safe VPN profile.' }, 'bo');
    // bo's later edit reaches the store first, ana's earlier one after it.
    await team(bo).syncOnce();
    await team(ana).syncOnce();
    await team(bo).syncOnce();
    await team(cy).syncOnce();
    for (const w of [ana, bo, cy]) {
      expect((await w.service.teamCache().get('qa-T-3'))?.body).toBe('Later edit: use the hotel-safe VPN profile.');
      const versions = w.service.learning.entryHistory('qa-T-3');
      const bodies = versions.map((v) => v.entry.body);
      expect(bodies).toContain('Earlier edit: use TCP 443.');
      // The last version is the current one (the history view marks it so).
      expect(versions.at(-1)?.entry.body).toBe('Later edit: use the hotel-safe VPN profile.');
    }
    const notes = (w: Workspace) => w.service.learning.entryHistory('qa-T-3').map((v) => v.note ?? '').join('\n');
    expect(notes(ana)).toMatch(/concurrent edit: bo's version .* is later than ana's .* and is current/);
    expect(notes(bo)).toMatch(/concurrent edit: earlier than bo's version/);
    expect(notes(bo)).toMatch(/stays current: later than ana's concurrent edit/);
  });

  it("another analyst's dislike counts in this analyst's feedback on the entry; what the copilot showed stays on each desk", async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    await ana.service.learning.learnFromClosedTicket(closedTicket('T-4'), 'auto');
    await team(ana).syncOnce();
    await team(bo).syncOnce();
    await bo.service.learning.recordFeedback({ type: 'shown', ticketId: 'B-9', entryIds: ['qa-T-4'], actor: 'engine' });
    await bo.service.learning.recordFeedback({ type: 'disliked', ticketId: 'B-9', entryIds: ['qa-T-4'], actor: 'bo', reason: 'outdated' });
    await team(bo).syncOnce();
    await team(ana).syncOnce();
    expect(ana.service.learning.entryFeedback('qa-T-4')).toMatchObject({ disliked: 1, shown: 0 });
  });

  it("another analyst's reaction to what the gate showed counts in this desk's gate recalibration", async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    await ana.service.learning.learnFromClosedTicket(closedTicket('T-6'), 'auto');
    await team(ana).syncOnce();
    await team(bo).syncOnce();
    const shown = { ticketId: 'B-7', afterMessageId: '1', entryIds: ['qa-T-6'] };
    await bo.service.learning.noteShown({ id: 'B-7', status: 'open', messages: [{ id: '1', author: 'customer', text: 'vpn drops at the hotel' }] }, '1', ['qa-T-6'], 0.61);
    await bo.service.learning.recordFeedback({ type: 'dismissed', ...shown, actor: 'bo' });
    await team(bo).syncOnce();
    await team(ana).syncOnce();
    // Ana's desk never saw the suggestion shown; the dismissal brought the gate's confidence with it.
    expect(ana.service.gateCalibration()).toMatchObject({ reactions: 1, rejected: 1 });
    expect(bo.service.gateCalibration()).toMatchObject({ reactions: 1, rejected: 1 });
  });

  it('a round replayed after a crash (its cursor lost) applies nothing twice', async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const boDir = await tempFolder('vigil-team-link-bo-');
    let bo = await analyst('bo', uri, boDir);
    await ana.service.learning.learnFromClosedTicket(closedTicket('T-5'), 'auto');
    await ana.service.learning.recordFeedback({ type: 'liked', ticketId: 'T-5', entryIds: ['qa-T-5'], actor: 'ana' });
    await team(ana).syncOnce();
    await team(bo).syncOnce();
    const before = bo.service.learning.entryHistory('qa-T-5').length;
    await bo.close();
    open.splice(open.indexOf(bo), 1);
    await unlink(join(boDir, TEAM_STATE_FILE));
    bo = await analyst('bo', uri, boDir);
    expect((await team(bo).syncOnce()).received).toBeGreaterThan(0);
    expect(bo.service.learning.entryHistory('qa-T-5')).toHaveLength(before);
    expect(bo.service.learning.entryFeedback('qa-T-5')).toMatchObject({ liked: 1 });
  });

  it("an operation from a newer app that this one cannot read is skipped, and the rest still arrives", async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    const bo = await analyst('bo', uri);
    await (await TeamStore.open(uri, {}, false)).commit([{ opId: 'future-1', analyst: 'dee', kind: 'history', at: new Date().toISOString(), payload: '{"record":{"shape":"of tomorrow"}}' }]);
    await ana.service.learning.learnFromClosedTicket(closedTicket('T-7'), 'auto');
    await team(ana).syncOnce();
    expect((await team(bo).syncOnce()).online).toBe(true);
    expect(await bo.service.teamCache().get('qa-T-7')).not.toBeNull();
    expect(await team(bo).status()).toMatchObject({ state: 'in-sync', lastError: null });
  });

  it('a merge of a personal folder run again (after a crash before it was recorded) stores each entry once', async () => {
    const uri = await teamUri();
    const ana = await analyst('ana', uri);
    await ana.service.learning.learnFromClosedTicket(closedTicket('T-6'), 'auto');
    await team(ana).syncOnce();
    expect(await team(ana).mergePersonal(ana.service.teamCache().entries())).toBe(2);
    expect(await team(ana).mergePersonal(ana.service.teamCache().entries())).toBe(2);
    await team(ana).syncOnce();
    const ops = (await (await TeamStore.open(uri, {}, false)).pullSince(0)).ops;
    const merges = ops.filter((op) => op.opId.startsWith('merge:'));
    expect(merges.map((op) => op.opId).toSorted()).toEqual(['merge:ana:case-T-6', 'merge:ana:qa-T-6']);
  });

  it('an object-storage team store whose endpoint the egress policy refuses is never reached, and shows offline saying why', async () => {
    const dataDir = await tempFolder('vigil-team-link-egress-');
    await writeTeamConfig(dataDir, {
      version: 1,
      uri: 's3://team-bucket/support',
      analyst: 'ana',
      joinedAt: new Date().toISOString(),
      endpoint: 'https://s3.example.internal:9000',
      accessKeySecret: 'team-store-access-key',
      secretKeySecret: 'team-store-secret-key',
    });
    const secrets = new MemorySecretStore();
    await secrets.set('team-store-access-key', 'a');
    await secrets.set('team-store-secret-key', 'b');
    const egress = new EgressPolicy({ offline: true, resolveAll: () => Promise.reject(new Error('no DNS in this test')) });
    const w = await Workspace.open({ dataDir, embedder: new HashedEmbedder(), llm: null, delayedReviewEveryMs: 0, team: { secrets, egress, syncEveryMs: 0 } });
    open.push(w);
    // Exactly the endpoint, host and port, is on the allow-list (offline mode still refuses it); the host alone is
    // not, so no Node.js socket or DNS query may reach it.
    expect(egress.allowsEndpoint('s3.example.internal', 9000)).toBe(true);
    expect(egress.allowsEndpoint('s3.example.internal', 9001)).toBe(false);
    expect(egress.allows('s3.example.internal')).toBe(false);
    expect((await team(w).syncOnce()).online).toBe(false);
    const status = await team(w).status();
    expect(status).toMatchObject({ state: 'offline', endpoint: 's3.example.internal:9000' });
    expect(status.lastError).toMatch(/egress policy refuses the team store's endpoint s3\.example\.internal:9000: offline mode/);
  });
});
