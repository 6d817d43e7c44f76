import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { securePrivateFolder } from '../../../core/privacy/dataFolder';

const modeOf = async (dir: string): Promise<number> => (await stat(dir)).mode & 0o777;

describe('data folder permissions', () => {
  it('creates a missing folder readable by its owner only', async () => {
    const dir = join(await tempFolder('vigil-perm-'), 'teams', 'default');
    expect(await securePrivateFolder(dir)).toMatchObject({ created: true, repaired: false, warning: null });
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('tightens a folder others can read, and says what it found', async () => {
    const dir = await tempFolder('vigil-perm-');
    await chmod(dir, 0o755);
    const result = await securePrivateFolder(dir);
    expect(result).toMatchObject({ modeBefore: 0o755, repaired: true });
    expect(result.warning).toMatch(/could be read by every user of this machine \(mode 0755\); it is now readable by you only \(0700\)/);
    expect(await modeOf(dir)).toBe(0o700);
  });

  it('only reports when asked not to repair', async () => {
    const dir = await tempFolder('vigil-perm-');
    await chmod(dir, 0o750);
    const result = await securePrivateFolder(dir, { repair: false });
    expect(result.warning).toMatch(/other members of its group \(mode 0750\)\. Run `chmod 700/);
    expect(await modeOf(dir)).toBe(0o750);
  });

  it('refuses a file where the folder should be', async () => {
    const file = join(await tempFolder('vigil-perm-'), 'data');
    await writeFile(file, 'not a folder');
    await expect(securePrivateFolder(file)).rejects.toThrow(/is a file, not a folder/);
  });

  it('leaves Windows folders to their inherited ACL', async () => {
    const dir = await tempFolder('vigil-perm-');
    await chmod(dir, 0o755);
    expect(await securePrivateFolder(dir, { platform: 'win32' })).toMatchObject({ warning: null, repaired: false });
    expect(await modeOf(dir)).toBe(0o755);
  });

  it('is applied whenever the engine opens a data folder', async () => {
    const dir = join(await tempFolder('vigil-perm-'), 'team');
    await mkdir(dir, { mode: 0o777 });
    await chmod(dir, 0o777);
    const messages: string[] = [];
    const service = await CopilotService.open({ dataDir: dir, onProgress: (m) => messages.push(m) });
    await service.close();
    expect(await modeOf(dir)).toBe(0o700);
    expect(messages).toContainEqual(expect.stringMatching(/mode 0777/));
  });
});
