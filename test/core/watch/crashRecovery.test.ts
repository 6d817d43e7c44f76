import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { diffTicket } from '../../../core/connectors/folderConnector';
import { TicketSchema } from '../../../core/formats/schemas';

const FIXTURE = 'test/core/watch/fixtures/crashWatcher.ts';

/** Runs the child; resolves with how it ended. `killWhen` lets the parent SIGKILL it on a line of its output. */
function runChild(args: string[], killWhen?: (line: string) => boolean): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killWhen && stdout.split('\n').some(killWhen)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ signal, stdout });
    });
  });
}

const committedAtLeast = (n: number) => (line: string) => /^committed (\d+)$/.test(line) && Number(line.split(' ')[1]) >= n;

describe('a watcher killed with SIGKILL during a sync', () => {
  it('delivers every event exactly once across restarts, and learns from every closed ticket', async () => {
    const root = await tempFolder('vigil-crash-watch-');
    const dataDir = join(root, 'data');
    const tickets = join(root, 'tickets');
    await mkdir(tickets);
    const lines = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify({
        id: `T-${i}`,
        subject: `Printer ${i} jams on duplex pages`,
        status: i % 2 === 0 ? 'solved' : 'open',
        messages: [
          { id: '1', author: 'customer', text: `The printer in room ${i} jams whenever I print on both sides of the paper.` },
          { id: '2', author: 'analyst', text: 'Please clean the duplex rollers with the cleaning sheet and try again.' },
          { id: '3', author: 'customer', text: `Still jamming in room ${i} after the cleaning, the paper crumples.` },
        ],
        resolution: i % 2 === 0 ? 'Replaced the duplex unit rollers.' : undefined,
      }),
    );
    await writeFile(join(tickets, 'queue.jsonl'), `${lines.join('\n')}\n`);
    const expected = lines.flatMap((l) => diffTicket('demo', undefined, TicketSchema.parse(JSON.parse(l)), '2026-01-01T00:00:00Z').events.map((e) => `demo/${e.id}`));
    expect(expected).toHaveLength(42);

    // Killed by itself right after the sink committed (before the watcher recorded it), twice at different points,
    // then by the parent at a moment of its choosing, then run to the end.
    expect((await runChild([dataDir, tickets, '13'])).signal).toBe('SIGKILL');
    expect((await runChild([dataDir, tickets, '26'])).signal).toBe('SIGKILL');
    const third = await runChild([dataDir, tickets, '0'], committedAtLeast(6));
    expect(third.signal === 'SIGKILL' || third.stdout.includes('done')).toBe(true);
    const last = await runChild([dataDir, tickets, '0']);
    expect(last.stdout).toContain('done');

    const keys = (await readFile(join(dataDir, 'watch', 'decisions.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keys.length).toBe(new Set(keys).size); // none twice
    expect(new Set(keys)).toEqual(new Set(expected)); // none lost

    const service = await CopilotService.open({ dataDir });
    try {
      const learned = await service.knowledge.searchKnowledge('printer jams on duplex, paper crumples', 30);
      const cases = learned.filter((h) => h.kind === 'case').map((h) => h.id).sort();
      expect(cases).toEqual(['case-demo:T-0', 'case-demo:T-10', 'case-demo:T-2', 'case-demo:T-4', 'case-demo:T-6', 'case-demo:T-8']);
    } finally {
      await service.close();
    }
  }, 240_000); // four child processes, each opening the engine; slow on a busy 2-core CI machine
});
