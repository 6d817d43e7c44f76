import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Outbox, OUTBOX_FILE } from '../../../core/team/outbox';
import { tempFolder } from '../../support/tempFolder';

describe('the team outbox', () => {
  it('keeps acknowledged writes across a restart until they are marked committed', async () => {
    const dataDir = await tempFolder('vigil-outbox-');
    const first = new Outbox(dataDir);
    const a = await first.add('ana', 'entry', { id: 'e1' });
    const b = await first.add('ana', 'review', { id: 'e1', decision: 'approved' });
    const restarted = new Outbox(dataDir);
    expect((await restarted.list()).map((op) => op.opId)).toEqual([a.opId, b.opId]);
    await restarted.markCommitted(new Set([a.opId]));
    expect((await new Outbox(dataDir).list()).map((op) => op.opId)).toEqual([b.opId]);
  });

  it('drops a last line cut short by a crash mid-append (never acknowledged), keeping the rest', async () => {
    const dataDir = await tempFolder('vigil-outbox-');
    const op = await new Outbox(dataDir).add('ana', 'entry', { id: 'e1' });
    await appendFile(join(dataDir, OUTBOX_FILE), '{"opId":"half-writ');
    expect((await new Outbox(dataDir).list()).map((o) => o.opId)).toEqual([op.opId]);
  });

  it('names the file and line of a damaged line in the middle instead of dropping a write', async () => {
    const dataDir = await tempFolder('vigil-outbox-');
    const good = JSON.stringify({ opId: 'x', analyst: 'ana', kind: 'entry', at: '2026-12-01T00:00:00.000Z', payload: '{}' });
    await writeFile(join(dataDir, OUTBOX_FILE), `${good}\nnot json\n${good}\n`);
    await expect(new Outbox(dataDir).list()).rejects.toThrow(/team-outbox\.jsonl, line 2/);
  });
});
