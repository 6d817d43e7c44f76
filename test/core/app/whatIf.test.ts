import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../../core/app/replay';
import { reportCharts, reportData, reportTiles } from '../../../core/app/replayReport';
import { WhatIfRuns, type WhatIfStatus } from '../../../core/app/whatIf';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Ticket } from '../../../core/formats/schemas';
import { tempFolder } from '../../support/tempFolder';

const embedder = new HashedEmbedder();

/** Closed tickets a few minutes apart; the same two questions come back, so the replay learns and answers later ones. */
function queue(count: number, offset = 0): Ticket[] {
  const questions = [
    ['My VPN disconnects every time the laptop wakes from sleep', 'Turn off power saving for the Wi-Fi adapter in Device Manager, then reconnect the VPN.'],
    ['Outlook keeps asking for my password after the update', 'Remove the saved credentials in Credential Manager and sign in to Outlook again.'],
  ] as const;
  const start = Date.parse('2026-03-02T08:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const [question, answer] = questions[(i + offset) % 2]!;
    const at = start + (i + offset) * 20 * 60_000;
    return {
      id: `T-${i + offset + 1}`,
      status: 'closed',
      messages: [
        { id: '1', author: 'customer', text: question, at: new Date(at).toISOString() },
        { id: '2', author: 'analyst', text: answer, at: new Date(at + 6 * 60_000).toISOString() },
      ],
    } satisfies Ticket;
  });
}

async function writeQueue(file: string, tickets: Ticket[]): Promise<void> {
  await writeFile(file, `${tickets.map((t) => JSON.stringify(t)).join('\n')}\n`);
}

async function finished(runs: WhatIfRuns): Promise<WhatIfStatus> {
  for (;;) {
    const status = runs.status();
    if (status.state !== 'running') return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Insights → What if (the what-if replay in the app)', () => {
  it('replays a tickets file and shows exactly the figures and charts of `vigil replay --report` on the same file', async () => {
    const dir = await tempFolder('vigil-whatif-');
    const file = join(dir, 'queue.jsonl');
    await writeQueue(file, queue(8));
    const runs = new WhatIfRuns({ dataDir: join(dir, 'team'), embedder });
    const started = await runs.start({ kind: 'file', path: file });
    expect(started).toMatchObject({ state: 'running', source: 'queue.jsonl', total: 8 });
    const done = await finished(runs);
    expect(done.state).toBe('done');
    expect(done.done).toBe(8);

    const cli = await runReplay({ tickets: file, out: join(dir, 'cli.jsonl'), embedder });
    const data = reportData(cli, file);
    expect(done.report!.data).toEqual(data);
    expect(done.report!.tiles).toEqual(reportTiles(data));
    expect(done.report!.charts).toEqual(reportCharts(data));
    expect(done.report!.charts.map((c) => c.id)).toEqual(['chart-spoke', 'chart-first-help', 'chart-knowledge', 'chart-review']);
    // It learned from the closed tickets and answered later ones.
    expect(data.totals.entriesLearned).toBeGreaterThan(0);
    expect(data.totals.ticketsHelped).toBeGreaterThan(0);

    const saved = join(dir, 'report.html');
    await runs.saveReport(saved);
    const html = await readFile(saved, 'utf8');
    expect(html).toContain('id="report-charts"');
    expect(html).toContain('<canvas id="chart-knowledge"');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('replays every ticket file of a folder in name order, and names a folder without any', async () => {
    const dir = await tempFolder('vigil-whatif-');
    const folder = join(dir, 'recorded');
    await mkdir(folder);
    await writeQueue(join(folder, 'b-march.jsonl'), queue(3, 3));
    await writeQueue(join(folder, 'a-february.jsonl'), queue(3));
    await writeFile(join(folder, 'notes.txt'), 'not tickets');
    const runs = new WhatIfRuns({ dataDir: join(dir, 'team'), embedder });
    expect(await runs.start({ kind: 'folder', path: folder })).toMatchObject({ source: 'recorded', total: 6 });
    const done = await finished(runs);
    expect(done.state).toBe('done');
    expect(done.report!.data.totals.tickets).toBe(6);
    // a-february.jsonl (from 08:00) before b-march.jsonl (from 09:00): one ticket per period here.
    expect(done.report!.data.periods.map((p) => p.label.slice(11))).toEqual(['08:00', '08:20', '08:40', '09:00', '09:20', '09:40']);

    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(runs.start({ kind: 'folder', path: empty })).rejects.toThrow(`${empty} holds no ticket files (.jsonl`);
    await expect(runs.start({ kind: 'file', path: join(dir, 'missing.jsonl') })).rejects.toThrow(`${join(dir, 'missing.jsonl')}: no such file.`);
  });

  it('says the desk has watched nothing yet rather than replaying an empty queue', async () => {
    const dir = await tempFolder('vigil-whatif-');
    const runs = new WhatIfRuns({ dataDir: dir, embedder });
    await expect(runs.start({ kind: 'desk' })).rejects.toThrow('The desk has not watched any tickets yet');
    expect(runs.status().state).toBe('idle');
  });

  it('replays the tickets the desk has watched, as last seen, and calls them the watched queue', async () => {
    const dir = await tempFolder('vigil-whatif-');
    await mkdir(join(dir, 'desk'));
    const lines = queue(4).map((ticket) => JSON.stringify({ t: 'event', key: `${ticket.id}|2`, at: ticket.messages[1]!.at, ticket, shown: null, alerts: [] }));
    await writeFile(join(dir, 'desk', 'journal.jsonl'), `${lines.join('\n')}\n`);
    const runs = new WhatIfRuns({ dataDir: dir, embedder });
    expect(await runs.start({ kind: 'desk' })).toMatchObject({ source: 'the watched queue', total: 4 });
    const done = await finished(runs);
    expect(done.report!.data.totals.tickets).toBe(4);
    expect(done.report!.data.ticketsFile).toBe('the watched queue');
  });

  it('cancels a run between messages, keeps no report, and cannot save one', async () => {
    const dir = await tempFolder('vigil-whatif-');
    const file = join(dir, 'queue.jsonl');
    await writeQueue(file, queue(60));
    const runs = new WhatIfRuns({ dataDir: join(dir, 'team'), embedder });
    // Two clicks at once: the second is refused while the first is still counting the file.
    const [first, second] = await Promise.allSettled([runs.start({ kind: 'file', path: file }), runs.start({ kind: 'file', path: file })]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && String(second.reason)).toContain('already running');
    await expect(runs.start({ kind: 'file', path: file })).rejects.toThrow('already running');
    const stopped = await runs.cancel();
    expect(stopped.state).toBe('cancelled');
    expect(stopped.done).toBeLessThan(60);
    expect(stopped.report).toBeNull();
    await expect(runs.saveReport(join(dir, 'r.html'))).rejects.toThrow('There is no finished what-if replay to save');
  });

  it('reports a damaged line by file and line, and still replays the rest', async () => {
    const dir = await tempFolder('vigil-whatif-');
    const file = join(dir, 'queue.jsonl');
    const lines = queue(3).map((t) => JSON.stringify(t));
    lines.splice(1, 0, '{"id":"T-bad","status":"closed"}');
    await writeFile(file, `${lines.join('\n')}\n`);
    const runs = new WhatIfRuns({ dataDir: join(dir, 'team'), embedder });
    await runs.start({ kind: 'file', path: file });
    const done = await finished(runs);
    expect(done.report!.data.totals.tickets).toBe(3);
    expect(done.report!.skippedTotal).toBe(1);
    expect(done.report!.skipped[0]).toContain(`${file}:2`);
  });
});
