import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { teamCommand, TeamUsageError } from '../../../core/cli/teamCommand';
import { readTeamConfig } from '../../../core/team/teamConfig';
import { Outbox } from '../../../core/team/outbox';
import { TeamSync } from '../../../core/team/teamSync';
import { tempFolder } from '../../support/tempFolder';

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
