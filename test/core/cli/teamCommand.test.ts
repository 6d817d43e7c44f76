import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { teamCommand, TeamUsageError } from '../../../core/cli/teamCommand';
import { readTeamConfig } from '../../../core/team/teamConfig';
import { Outbox } from '../../../core/team/outbox';
import { TeamSync } from '../../../core/team/teamSync';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { openTeamLink } from '../../../core/team/teamLink';

function capture() {
  const lines: string[] = [];
  return { lines, out: { log: (l: string) => lines.push(l), error: (l: string) => lines.push(l) } };
}

describe('vigil team', () => {
  it('init on a shared folder creates the store, joins it, and status says in sync after a round', async () => {
    const dataDir = await tempFolder('vigil-team-cli-');
    const shared = join(await tempFolder('vigil-team-share-'), 'team');
    await mkdir(shared);
    const { lines, out } = capture();
    expect(await teamCommand(['init', shared, '--analyst', 'ana', '--data-dir', dataDir], out)).toBe(0);
    expect(await readTeamConfig(dataDir)).toMatchObject({ uri: shared, analyst: 'ana' });
    await teamCommand(['status', '--data-dir', dataDir], out);
    expect(lines.at(-1)).toContain('not synced yet');

    const sync = new TeamSync({ dataDir, uri: shared, analyst: 'ana', storageOptions: {}, apply: () => undefined });
    await sync.record('entry', { question: 'q' });
    await teamCommand(['status', '--data-dir', dataDir], out);
    expect(lines.at(-1)).toContain('1 of your writes waiting');
    await sync.syncOnce();
    await teamCommand(['status', '--json', '--data-dir', dataDir], out);
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({ state: 'in-sync', pending: 0, behindBy: 0 });
  });

  it('join refuses a folder with no team store, naming init', async () => {
    const dataDir = await tempFolder('vigil-team-cli-');
    const empty = await tempFolder('vigil-team-empty-');
    await expect(teamCommand(['join', empty, '--analyst', 'bo', '--data-dir', dataDir], capture().out)).rejects.toThrow(/vigil team init/);
    expect(await readTeamConfig(dataDir)).toBeNull();
  });

  it('an s3 store without its keys in the secret store is refused with the secret to set', async () => {
    const dataDir = await tempFolder('vigil-team-cli-');
    await expect(
      teamCommand(['join', 's3://team-bucket/x', '--analyst', 'bo', '--endpoint', 'http://127.0.0.1:9', '--data-dir', dataDir], capture().out),
    ).rejects.toThrow(/vigil secrets set team-store-access-key/);
  });

  it('join --merge shares an existing personal folder once, with provenance; the team finds it, and a second merge is refused', async () => {
    const shared = join(await tempFolder('vigil-team-share-'), 'team');
    await mkdir(shared);
    const personal = await tempFolder('vigil-team-personal-');
    // A personal folder that learned from a closed ticket before any team existed.
    const alone = await CopilotService.open({ dataDir: personal, embedder: new HashedEmbedder() });
    await alone.learning.learnFromClosedTicket(
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
    await alone.close();
    const bo = await tempFolder('vigil-team-cli-');
    expect(await teamCommand(['init', shared, '--analyst', 'Bo', '--data-dir', bo], capture().out)).toBe(0);
    const { lines, out } = capture();
    expect(await teamCommand(['join', shared, '--analyst', 'Cy', '--merge', '--data-dir', personal], out)).toBe(0);
    expect(lines).toContain("merged this folder's 2 entries into the team store as Cy");
    expect((await readTeamConfig(personal))?.mergedAt).toEqual(expect.any(String));
    await expect(teamCommand(['join', shared, '--analyst', 'Cy', '--merge', '--data-dir', personal], capture().out)).rejects.toThrow(/already merged into .* a merge happens once/);
    // Bo's app finds Cy's personal knowledge, naming Cy and where it came from.
    const team = await CopilotService.open({ dataDir: bo, embedder: new HashedEmbedder() });
    try {
      const link = await openTeamLink(bo, team, { syncEveryMs: 0 });
      await link?.syncOnce();
      await link?.close();
      const [hit] = await team.teamCache().search('label printer prints blank labels');
      expect(hit?.entry.provenance).toMatchObject({ learnedBy: 'Cy', mergedFrom: 'personal folder', sourceTicketIds: ['P-1'] });
      expect(team.learning.entryHistory(hit?.entry.id ?? '').at(-1)?.note).toMatch(/merged from Cy's personal folder/);
    } finally {
      await team.close();
    }
  });

  it('leave keeps unsent writes unless forced, and never deletes them', async () => {
    const dataDir = await tempFolder('vigil-team-cli-');
    const shared = join(await tempFolder('vigil-team-share-'), 'team');
    await mkdir(shared);
    await teamCommand(['init', shared, '--analyst', 'ana', '--data-dir', dataDir], capture().out);
    await new Outbox(dataDir).add('ana', 'review', { entry: 'e1', decision: 'approved' });
    await expect(teamCommand(['leave', '--data-dir', dataDir], capture().out)).rejects.toThrow(/1 of your writes/);
    expect(await teamCommand(['leave', '--force', '--data-dir', dataDir], capture().out)).toBe(0);
    expect(await readTeamConfig(dataDir)).toBeNull();
    expect(await new Outbox(dataDir).list()).toHaveLength(1);
  });

  it('a missing URI is a usage error', async () => {
    await expect(teamCommand(['init', '--analyst', 'x'], capture().out)).rejects.toBeInstanceOf(TeamUsageError);
  });
});
