import { Readable } from 'node:stream';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { connectorsCommand, runWatch, secretsCommand } from '../../../core/cli/watchCommand';
import { main } from '../../../core/cli/vigil';
import { TeamStore } from '../../../core/team/teamStore';

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l: string) => stdout.push(l), error: (l: string) => stderr.push(l) }, stdout, stderr };
}

const ticket = (id: string, status: string, messages: { id: string; author: string; text: string }[], resolution?: string) =>
  JSON.stringify({ id, subject: 'VPN drops every ten minutes', status, messages, ...(resolution ? { resolution } : {}) });

describe('vigil watch', () => {
  it('runs the engine on a folder, prints suggestions once, learns from closed tickets and repeats nothing on a rerun', async () => {
    const root = await tempFolder('vigil-watch-cli-');
    const dataDir = join(root, 'data');
    const tickets = join(root, 'tickets');
    await mkdir(tickets);
    const vpn = 'My VPN disconnects every ten minutes on the hotel wifi network';
    // A solved precedent, then a new customer with the same problem.
    await writeFile(join(tickets, 'a-old.json'), ticket('T-1', 'solved', [{ id: '1', author: 'customer', text: vpn }, { id: '2', author: 'analyst', text: 'Lower the tunnel MTU to 1380 in the client settings.' }], 'Lower the tunnel MTU to 1380.'));
    await writeFile(join(tickets, 'b-new.jsonl'), `${ticket('T-2', 'open', [{ id: '1', author: 'customer', text: vpn }])}\nnot json\n`);

    const run = capture();
    expect(await main(['watch', '--folder', tickets, '--once', '--learn', 'auto', '--data-dir', dataDir], run.out)).toBe(0);
    expect(run.stdout.some((l) => /folder:T-1 closed: learned case-folder:T-1, qa-folder:T-1 \(approved\)/.test(l))).toBe(true);
    const shown = run.stdout.filter((l) => l.includes('folder:T-2 after message 1:'));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/answer \(confidence \d+%\) Lower the tunnel MTU to 1380\. \[qa-folder:T-1, learned from folder:T-1\]/);
    expect(run.stderr).toContainEqual(expect.stringMatching(/^folder: skipped .*b-new\.jsonl:2: \(line\): not valid JSON/));
    expect(run.stderr).toContain('folder: 4 new events');

    const journal = (await readFile(join(dataDir, 'watch', 'decisions.jsonl'), 'utf8')).trim().split('\n');
    expect(journal).toHaveLength(4);

    const again = capture();
    expect(await main(['watch', '--folder', tickets, '--once', '--data-dir', dataDir], again.out)).toBe(0);
    expect(again.stdout).toEqual([]);
    expect(again.stderr).toContain('folder: 0 new events');

    const status = capture();
    expect(await main(['status', '--data-dir', dataDir], status.out)).toBe(0);
    expect(status.stdout.at(-1)).toMatch(/^connector folder: last sync 20\d\d-.*Z, 4 events delivered, newest from /);
  });

  it('in a team store, what one analyst’s watch learns reaches the store, and the next analyst’s watch answers from it', async () => {
    const root = await tempFolder('vigil-watch-team-');
    const share = join(root, 'share');
    await mkdir(share);
    const folders = { ana: join(root, 'ana'), bo: join(root, 'bo') };
    const tickets = { ana: join(root, 'ana-tickets'), bo: join(root, 'bo-tickets') };
    for (const dir of Object.values(tickets)) await mkdir(dir);
    expect(await main(['team', 'init', share, '--analyst', 'Ana', '--data-dir', folders.ana], capture().out)).toBe(0);
    expect(await main(['team', 'join', share, '--analyst', 'Bo', '--data-dir', folders.bo], capture().out)).toBe(0);
    const vpn = 'My VPN disconnects every ten minutes on the hotel wifi network';
    await writeFile(join(tickets.ana, 'old.json'), ticket('T-1', 'solved', [{ id: '1', author: 'customer', text: vpn }, { id: '2', author: 'analyst', text: 'Lower the tunnel MTU to 1380 in the client settings.' }], 'Lower the tunnel MTU to 1380.'));
    expect(await main(['watch', '--folder', tickets.ana, '--once', '--learn', 'auto', '--data-dir', folders.ana], capture().out)).toBe(0);
    const ops = (await TeamStore.open(share, {}, false).then((store) => store.pullSince(0))).ops;
    expect(ops.filter((op) => op.analyst === 'Ana' && op.kind === 'entry')).toHaveLength(2);
    // Bo's first run ends with a round that brings Ana's entries in; the next ticket is answered from them.
    expect(await main(['watch', '--folder', tickets.bo, '--once', '--data-dir', folders.bo], capture().out)).toBe(0);
    await writeFile(join(tickets.bo, 'new.json'), ticket('B-7', 'open', [{ id: '1', author: 'customer', text: vpn }]));
    const bo = capture();
    expect(await main(['watch', '--folder', tickets.bo, '--once', '--data-dir', folders.bo], bo.out)).toBe(0);
    expect(bo.stdout.find((l) => l.includes('folder:B-7 after message 1:'))).toMatch(/Lower the tunnel MTU to 1380\. \[qa-folder:T-1, learned from folder:T-1\]/);
    const status = capture();
    expect(await main(['team', 'status', '--json', '--data-dir', folders.bo], status.out)).toBe(0);
    expect(JSON.parse(status.stdout[0] ?? '{}')).toMatchObject({ state: 'in-sync', pending: 0 });
  });

  it('keeps watching: a ticket file written later is seen and answered, until stopped', async () => {
    const root = await tempFolder('vigil-watch-cli-');
    const dataDir = join(root, 'data');
    const tickets = join(root, 'tickets');
    await mkdir(tickets);
    await writeFile(join(tickets, 'old.json'), ticket('T-1', 'closed', [{ id: '1', author: 'customer', text: 'Outlook asks for my password again and again every morning' }], 'Remove the stale credentials from Credential Manager.'));
    const run = capture();
    const stop = new AbortController();
    const waitFor = (pred: () => boolean) =>
      new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (pred()) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
    const watching = runWatch({ dataDir, connectorIds: [], folder: tickets, once: false, all: false, json: false, learn: 'auto', offline: true }, run.out, stop.signal);
    await waitFor(() => run.stderr.some((l) => l.startsWith('folder: caught up')));
    await writeFile(join(tickets, 'new.json'), ticket('T-2', 'open', [{ id: '1', author: 'customer', text: 'Outlook keeps asking for my password every morning' }]));
    await waitFor(() => run.stdout.some((l) => l.includes('folder:T-2 after message 1:')));
    stop.abort();
    expect(await watching).toBe(0);
    expect(run.stdout.find((l) => l.includes('folder:T-2'))).toMatch(/Remove the stale credentials from Credential Manager\./);
  });

  it('explains a missing configuration and usage mistakes', async () => {
    const dataDir = await tempFolder('vigil-watch-cli-');
    const none = capture();
    expect(await main(['watch', '--data-dir', dataDir], none.out)).toBe(1);
    expect(none.stderr[0]).toMatch(/^vigil: No connectors are configured in .*connectors\.json\. Add one \(docs\/connectors\.md\), or try a folder of ticket files with --folder PATH\.$/);
    const usage = capture();
    expect(await main(['watch', '--learn', 'never', '--data-dir', dataDir], usage.out)).toBe(2);
    expect(usage.stderr[0]).toMatch(/^vigil: --learn must be review or auto/);
  });

  it('lists connectors and posts a note only where write-back is allowed', async () => {
    const dataDir = await tempFolder('vigil-watch-cli-');
    await writeFile(join(dataDir, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: 'tickets' }, { id: 'old', kind: 'folder', path: '/srv/old', enabled: false }] }));
    const list = capture();
    expect(await main(['connectors', 'list', '--data-dir', dataDir], list.out)).toBe(0);
    expect(list.stdout).toEqual(['demo  folder  tickets', 'old  folder  /srv/old  (disabled)']);
    await expect(connectorsCommand(['note', 'demo:T-1', '--data-dir', dataDir], capture().out, Readable.from(['Try the new driver.\n']))).rejects.toThrow(
      'Posting notes is off for "demo". Set "writeBack": true for it in connectors.json to allow it.',
    );
  });

  it('keeps secrets typed on standard input in the user-only store and lists only their names', async () => {
    const dataDir = await tempFolder('vigil-watch-cli-');
    const set = capture();
    expect(await secretsCommand(['set', 'support-mail', '--data-dir', dataDir], set.out, Readable.from(['s3cret-value\n']))).toBe(0);
    const list = capture();
    expect(await main(['secrets', 'list', '--data-dir', dataDir], list.out)).toBe(0);
    expect(list.stdout).toEqual(['support-mail']);
    expect(JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'))).toEqual({ format: 1, secrets: { 'support-mail': 's3cret-value' } });
  });
});
