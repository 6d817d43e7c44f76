import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { appDataDir, DATA_FOLDER_CHOICE_FILE, defaultDataDir, userDataDir } from '../../../core/formats/dataDir';

describe('the data folder the CLI uses', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    root = await tempFolder('vigil-datadir-');
    env = { XDG_CONFIG_HOME: root };
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const choose = async (content: string): Promise<void> => {
    await mkdir(userDataDir(env, 'linux'), { recursive: true });
    await writeFile(join(userDataDir(env, 'linux'), DATA_FOLDER_CHOICE_FILE), content);
  };

  it('is the default team folder when the analyst chose none in the app', () => {
    expect(appDataDir(env)).toBe(join(root, 'Vigil Desktop', 'teams', 'default'));
    expect(appDataDir(env)).toBe(defaultDataDir('default', env));
  });

  it('follows the folder chosen in the app, so `vigil kb import` fills what the app searches', async () => {
    await choose(JSON.stringify({ dataDir: root, chosenAt: '2026-11-22T09:00:00Z' }));
    expect(appDataDir(env)).toBe(root);
    // A chosen folder that has gone is refused, never created on the local disk.
    await choose(JSON.stringify({ dataDir: '/srv/team-data-not-mounted' }));
    expect(() => appDataDir(env)).toThrow(/\/srv\/team-data-not-mounted, is not there/);
    await choose(JSON.stringify({ dataDir: null }));
    expect(appDataDir(env)).toBe(defaultDataDir('default', env));
  });

  it('lets VIGIL_DATA_DIR win over the choice, and falls back to the default on a damaged choice file', async () => {
    await choose(JSON.stringify({ dataDir: '/srv/team-data' }));
    expect(appDataDir({ ...env, VIGIL_DATA_DIR: '/tmp/override' })).toBe('/tmp/override');
    await choose('{"dataDir": "relative/path"}');
    expect(appDataDir(env)).toBe(defaultDataDir('default', env));
    await choose('{"dataDir": ');
    expect(appDataDir(env)).toBe(defaultDataDir('default', env));
  });
});
