import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { ReplyDrafts } from '../../../core/app/replyDrafts';

describe('reply drafts', () => {
  it('keeps each ticket\'s draft across a restart, in a file only the user can read', async () => {
    const dir = await tempFolder('vigil-drafts-');
    const drafts = await ReplyDrafts.open(dir);
    await drafts.save('demo:T-1', 'Hello Dana,\n\nturn off power saving.', ['demo:T-1:m1:answer']);
    await drafts.save('demo:T-2', 'Second ticket', []);
    await drafts.close();

    const again = await ReplyDrafts.open(dir);
    expect(again.get('demo:T-1')).toMatchObject({ text: 'Hello Dana,\n\nturn off power saving.', insertedSuggestionIds: ['demo:T-1:m1:answer'] });
    expect(again.get('demo:T-2')!.text).toBe('Second ticket');
    expect(again.get('demo:T-3')).toBeNull();
    expect((await stat(join(dir, 'desk', 'drafts.json'))).mode & 0o777).toBe(0o600);
    // Emptying a draft removes it.
    await again.save('demo:T-2', '', []);
    await again.close();
    expect((await ReplyDrafts.open(dir)).get('demo:T-2')).toBeNull();
  });

  it('records a sent reply and clears the draft', async () => {
    const dir = await tempFolder('vigil-drafts-');
    const drafts = await ReplyDrafts.open(dir, { now: () => new Date('2026-11-22T10:00:00Z') });
    await drafts.save('demo:T-1', 'Reply text', ['s1']);
    await drafts.recordSent({ ticketId: 'demo:T-1', visibility: 'public', text: 'Reply text', suggestionIds: ['s1'] });
    expect(drafts.get('demo:T-1')).toBeNull();
    await drafts.close();
    expect(await ReplyDrafts.readSent(dir)).toEqual([{ ticketId: 'demo:T-1', visibility: 'public', text: 'Reply text', suggestionIds: ['s1'], at: '2026-11-22T10:00:00.000Z' }]);
    expect((await ReplyDrafts.open(dir)).get('demo:T-1')).toBeNull();
  });

  it('moves a damaged drafts file aside instead of overwriting it, and says where', async () => {
    const dir = await tempFolder('vigil-drafts-');
    await mkdir(join(dir, 'desk'));
    await writeFile(join(dir, 'desk', 'drafts.json'), '{"format": 1, "drafts": [ broken');
    const warnings: string[] = [];
    const drafts = await ReplyDrafts.open(dir, { onWarning: (w) => warnings.push(w), now: () => new Date('2026-11-22T10:00:00Z') });
    expect(drafts.get('x')).toBeNull();
    expect(warnings[0]).toMatch(/could not be read; the file was kept as .*drafts\.json\.damaged-2026-11-22T10-00-00-000Z/);
    const aside = (await readdir(join(dir, 'desk'))).find((n) => n.startsWith('drafts.json.damaged-'))!;
    expect(await readFile(join(dir, 'desk', aside), 'utf8')).toBe('{"format": 1, "drafts": [ broken');
    await drafts.close();
  });

  it('refuses a draft longer than the limit', async () => {
    const dir = await tempFolder('vigil-drafts-');
    const drafts = await ReplyDrafts.open(dir);
    await expect(drafts.save('t', 'x'.repeat(20_001), [])).rejects.toThrow('The reply is longer than 20000 characters; shorten it.');
    await drafts.close();
  });
});
