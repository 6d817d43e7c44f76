/** The `vigil` executable: a reader that stops early (`vigil kb search --json | head`) ends the output quietly. */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../core/cli/vigil';

const BIN = join(import.meta.dirname, '..', '..', '..', 'core', 'cli', 'bin.mjs');

describe('the vigil executable', () => {
  it('ends quietly, with exit code 0, when its reader closes the pipe after the first line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-bin-'));
    const file = join(dir, 'entries.jsonl');
    const entries = Array.from({ length: 40 }, (_, i) => ({ id: `kb-${i}`, kind: 'article', title: `Printer tray ${i}`, body: `Printer tray ${i} jams: open it and remove the paper. ${'More words. '.repeat(200)}` }));
    await writeFile(file, entries.map((e) => JSON.stringify(e)).join('\n'));
    const quiet = { log: () => undefined, error: () => undefined };
    expect(await main(['kb', 'import', file, '--data-dir', join(dir, 'data')], quiet)).toBe(0);

    const child = spawn(process.execPath, [BIN, 'kb', 'search', 'printer', 'tray', '--json', '--limit', '40', '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // Like `head -1`: read the first chunk, then close our end of the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Unhandled|at /);
    expect(code).toBe(0);
  });
});
