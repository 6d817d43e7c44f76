/**
 * The `vigil` command's diagnostics on stderr are log lines: a connector's complaint about a ticket file whose name
 * carries a customer's address reaches the terminal redacted, while the command's results on stdout are untouched.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { main } from '../../../core/cli/vigil';
import { setLogSink } from '../../../core/privacy/redactingLogger';

describe('vigil on a terminal', () => {
  let root: string;
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  it('prints connector warnings through the redacting logger', async () => {
    root = await tempFolder('vigil-cli-log-');
    const tickets = join(root, 'tickets');
    await mkdir(tickets);
    // A mail export that names each file after the sender: the name is personal data, and so is the bad line.
    const good = JSON.stringify({ id: 'T-1', status: 'open', messages: [{ id: '1', author: 'customer', text: 'My VPN drops every ten minutes' }] });
    await writeFile(join(tickets, 'jonas.berger@example.de.jsonl'), `${good}\n{"id": "T-2", "text": "card 4111 1111 1111 1111\n`);
    const logged: string[] = [];
    const restore = setLogSink({ log: (l) => logged.push(l), warn: (l) => logged.push(l), error: (l) => logged.push(l) });
    const stdout: string[] = [];
    // stdout is the command's result; the one console use the CLI has left (core/cli/vigil.ts).
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void stdout.push(String(line)));
    try {
      expect(await main(['watch', '--folder', tickets, '--once', '--data-dir', join(root, 'data')])).toBe(0);
    } finally {
      restore();
    }
    const skipped = logged.filter((l) => l.includes('skipped'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/^folder: skipped .*\[EMAIL\]:2: /);
    expect(logged.join('\n')).not.toMatch(/jonas|berger|4111/i);
    expect(logged).toContain('folder: 1 new event'); // lines without personal data come through as they are
  });
});
