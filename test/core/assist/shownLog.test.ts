import { appendFile, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { ShownLog } from '../../../core/assist/shownLog';

const record = (ticketId: string, afterMessageId: string, topEntryId: string, text: string) => ({ ticketId, afterMessageId, topEntryId, text, kind: 'answer', at: '2026-03-02T09:00:00Z' });

describe('the repeat gate\'s memory on disk', () => {
  it('survives a restart, ignores a torn last line, and drops closed tickets when it reopens', async () => {
    const dir = await tempFolder('vigil-shown-');
    const log = await ShownLog.open(dir);
    await log.record(record('T-1', '1', 'kb-mtu', 'Lower the MTU to 1380'));
    await log.record(record('T-2', '1', 'kb-pin', 'Unblock the PIN at an ATM'));
    await log.forget('T-2');
    await log.close();
    await appendFile(log.file, '{"ticketId": "T-3", "afterMes'); // a crash mid-write

    const reopened = await ShownLog.open(dir);
    expect(reopened.issues).toEqual([]);
    expect(await reopened.gate.repeatOf('T-1', 'kb-mtu', 'x')).not.toBeNull();
    expect(await reopened.gate.repeatOf('T-2', 'kb-pin', 'x')).toBeNull();
    await reopened.record(record('T-4', '1', 'kb-x', 'Restart the router'));
    await reopened.close();
    const lines = (await readFile(log.file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { ticketId: string });
    expect(lines.map((l) => l.ticketId)).toEqual(['T-1', 'T-4']);
  });

  it('reports an unreadable line with file and line, and keeps every other line', async () => {
    const dir = await tempFolder('vigil-shown-');
    await mkdir(join(dir, 'assist'));
    const file = join(dir, 'assist', 'shown.jsonl');
    await writeFile(file, `${JSON.stringify(record('T-1', '1', 'kb-a', 'a'))}\nnot json\n${JSON.stringify({ ticketId: 'T-2' })}\n`);
    const log = await ShownLog.open(dir);
    expect(log.issues).toEqual([
      { file, line: 2, field: '(line)', message: 'not valid JSON' },
      { file, line: 3, field: 'afterMessageId', message: expect.any(String) },
    ]);
    expect(await log.gate.repeatOf('T-1', 'kb-a', 'x')).not.toBeNull();
    await log.record(record('T-5', '1', 'kb-b', 'b'));
    await log.close();
    const text = await readFile(file, 'utf8');
    expect(text.split('\n').slice(0, 3)).toEqual([JSON.stringify(record('T-1', '1', 'kb-a', 'a')), 'not json', JSON.stringify({ ticketId: 'T-2' })]);
  });
});
