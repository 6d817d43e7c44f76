import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { loadLearningSettings, settingsPath } from '../../../core/learn/learningSettings';

async function settingsFile(content: unknown): Promise<string> {
  const dir = await tempFolder('vigil-settings-');
  await mkdir(dirname(settingsPath(dir)), { recursive: true });
  await writeFile(settingsPath(dir), JSON.stringify(content));
  return dir;
}

describe('the team learning settings', () => {
  it('reads a settings file written before the gate recalibration existed, with it on and never reset', async () => {
    const dir = await settingsFile({ review: 'always', delayedReviewMinutes: 30 });
    expect(await loadLearningSettings(dir)).toMatchObject({ delayedReviewMinutes: 30, gateRecalibration: { enabled: true, since: null } });
  });

  it('names the file and the field when the gate reset time is not a time', async () => {
    const dir = await settingsFile({ gateRecalibration: { enabled: true, since: 'last tuesday' } });
    await expect(loadLearningSettings(dir)).rejects.toThrow(`${settingsPath(dir)}: gateRecalibration.since: must be an ISO 8601 time. Fix the file or delete it to use the defaults.`);
  });
});
