import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import type { ReviewInput } from '../../../core/cli/reviewCommand';
import { main } from '../../../core/cli/vigil';
import { closedTicket } from '../learn/learnTickets';

function capture(): { out: { log: (l: string) => void; error: (l: string) => void }; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l) => stdout.push(l), error: (l) => stderr.push(l) }, stdout, stderr };
}

/** Scripted key presses and lines, as an analyst would type them. */
function scripted(keys: string[], lines: string[] = []): ReviewInput & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    prompts,
    key: async (prompt) => (prompts.push(prompt), keys.shift() ?? 'q'),
    line: async (prompt) => (prompts.push(prompt), lines.shift() ?? ''),
    close: () => undefined,
  };
}

async function dataDirWithProposals(): Promise<string> {
  const dataDir = join(await tempFolder('vigil-cli-review-'), 'data');
  const s = await CopilotService.open({ dataDir });
  await s.learnFromClosedTicket(closedTicket('T-1', 'My card is declined when I pay abroad', 'Turn on travel mode in the app under Card settings.'), 'review');
  await s.learnFromClosedTicket(closedTicket('T-2', 'Outlook keeps asking for my password', 'Remove the saved credentials in Credential Manager.'), 'review');
  await s.learnFromClosedTicket(closedTicket('T-3', 'The VPN drops on hotel wifi every few minutes', 'Lower the tunnel MTU to 1380 in the client.'), 'review');
  await s.close();
  return dataDir;
}

describe('vigil kb review, history and restore', () => {
  it('shows a conflicting entry beside the one it contradicts', async () => {
    const dataDir = join(await tempFolder('vigil-cli-review-'), 'data');
    const s = await CopilotService.open({ dataDir });
    await s.learnFromClosedTicket(closedTicket('T-1', 'My card is declined when I pay abroad', 'Turn on travel mode in the app under Card settings.'), 'auto');
    await s.learnFromClosedTicket(closedTicket('T-2', 'My card is declined when I pay abroad', 'Order a replacement card: the chip is damaged.'), 'team');
    await s.close();
    const run = capture();
    expect(await main(['kb', 'review', '--data-dir', dataDir], run.out, scripted(['q']))).toBe(0);
    expect(run.stdout.slice(0, 4)).toEqual([
      '[1/2] qa-T-2 (qa; confidence 0.60; from T-2; CONFLICTS with qa-T-1)',
      '  Q: My card is declined when I pay abroad',
      '  A: Order a replacement card: the chip is damaged.',
      '  existing qa-T-1 [approved] A: Turn on travel mode in the app under Card settings.',
    ]);
  });

  it('lists a question learned with its ticket’s subject apart from the customer’s words, not run together', async () => {
    const dataDir = join(await tempFolder('vigil-cli-review-'), 'data');
    const s = await CopilotService.open({ dataDir });
    await s.learnFromClosedTicket(closedTicket('T-9', 'The printer says paper jam but no paper is stuck', 'Wipe the paper sensor behind tray 2.', { subject: 'Printer' }), 'review');
    await s.close();
    const run = capture();
    expect(await main(['kb', 'review', '--list', '--data-dir', dataDir], run.out)).toBe(0);
    expect(run.stdout).toContain('  Q: Printer — The printer says paper jam but no paper is stuck');
  });

  it('reviews the queue with one key press per entry: approve, edit, reject, skip', async () => {
    const dataDir = await dataDirWithProposals();
    const input = scripted(['a', 'x', 'e', 'r', 's', 'q'], ['', 'Open Credential Manager, remove the Outlook entries, sign in again.']);
    const run = capture();
    expect(await main(['kb', 'review', '--as', 'maria', '--data-dir', dataDir], run.out, input)).toBe(0);
    expect(run.stdout[0]).toMatch(/^\[1\/6\] qa-T-1 \(qa; confidence 0\.60; from T-1\)$/);
    expect(run.stdout).toContain('  approved qa-T-1');
    expect(run.stdout).toContain('  edited and approved qa-T-2');
    expect(run.stdout).toContain('  rejected qa-T-3 (restore it with `vigil kb history qa-T-3` and `vigil kb restore`)');
    expect(run.stdout.at(-2)).toBe('stopped: 2 entries left in the queue');
    expect(run.stdout.at(-1)).toBe('approved 1, edited 1, rejected 1, skipped 1');
    // An unknown key asks again instead of doing something.
    expect(input.prompts.filter((p) => p.includes('a approve')).length).toBe(6);

    const list = capture();
    expect(await main(['kb', 'review', '--list', '--data-dir', dataDir], list.out)).toBe(0);
    expect(list.stdout.filter((l) => l.startsWith('['))).toEqual([
      '[1/3] case-T-1 (case; confidence 0.00; from T-1)',
      '[2/3] case-T-2 (case; confidence 0.00; from T-2)',
      '[3/3] case-T-3 (case; confidence 0.00; from T-3)',
    ]);
  });

  it('shows an entry history and restores a version; scripts can approve, edit and reject by id', async () => {
    const dataDir = await dataDirWithProposals();
    const approve = capture();
    expect(await main(['kb', 'review', 'approve', 'qa-T-1', '--as', 'omar', '--data-dir', dataDir], approve.out)).toBe(0);
    expect(approve.stdout).toEqual(['approved qa-T-1']);
    const edit = capture();
    expect(await main(['kb', 'review', 'edit', 'qa-T-1', '--answer', 'Enable travel mode under Card settings, then pay again.', '--as', 'omar', '--data-dir', dataDir], edit.out)).toBe(0);
    const bad = capture();
    expect(await main(['kb', 'review', 'edit', 'qa-T-1', '--answer', 'We will look into it.', '--data-dir', dataDir], bad.out)).toBe(1);
    expect(bad.stderr[0]).toMatch(/^vigil: Entry qa-T-1 was not changed: .*the answer promises, hedges or hands off/);

    const history = capture();
    expect(await main(['kb', 'history', 'qa-T-1', '--data-dir', dataDir], history.out)).toBe(0);
    const heads = history.stdout.filter((l) => l.startsWith('v'));
    expect(heads.map((l) => l.replace(/\s+\S+Z\s+/, ' '))).toEqual([
      'v1 created  by learn  [proposed]  learned from ticket T-1 (rules)',
      'v2 approved by omar  [approved]',
      'v3 edited   by omar  [approved]',
    ]);
    const restore = capture();
    expect(await main(['kb', 'restore', 'qa-T-1', '1', '--as', 'omar', '--data-dir', dataDir], restore.out)).toBe(0);
    expect(restore.stdout).toEqual(['restored qa-T-1 to version 1 (proposed); this is version 4']);

    const usage = capture();
    expect(await main(['kb', 'restore', 'qa-T-1', 'latest', '--data-dir', dataDir], usage.out)).toBe(2);
    expect(usage.stderr[0]).toMatch(/VERSION must be a whole number/);
    const missing = capture();
    expect(await main(['kb', 'review', 'approve', 'qa-nope', '--data-dir', dataDir], missing.out)).toBe(1);
    expect(missing.stderr[0]).toMatch(/No knowledge entry with id qa-nope/);
  });
});
