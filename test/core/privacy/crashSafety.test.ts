/**
 * Crash safety: the process is killed with SIGKILL in the middle of an import, of learning and of re-indexing.
 * After a restart every acknowledged item is present exactly once, and nothing half-written is visible (every
 * stored entry parses and is one the work meant to write).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { everyStoredEntry } from '../../support/storedEntries';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { StoredEntry } from '../../../core/knowledge/storedEntry';

/** Runs the child until `enough(lines)` says so, then kills it with SIGKILL; returns what it had acknowledged. */
function runAndKill(args: string[], enough: (lines: string[]) => boolean): Promise<{ lines: string[]; killed: boolean }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/core/privacy/crashChild.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let killed = false;
  let buffer = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += String(chunk);
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
      if (!killed && enough(lines)) {
        killed = child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve({ lines, killed }));
  });
}

function expectOnceEach(entries: StoredEntry[]): void {
  const ids = entries.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
}

describe('crash safety (SIGKILL)', () => {
  it('during an import: every acknowledged batch is there once, and nothing else', async () => {
    const dir = await tempFolder('vigil-crash-');
    const file = join(dir, 'entries.jsonl');
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: `kb-${i}`, kind: 'article', title: `Article ${i}`, body: `How to fix problem number ${i}.` }));
    await writeFile(file, `${lines.join('\n')}\n`);
    const { lines: acks, killed } = await runAndKill(['ingest', join(dir, 'data'), file], (l) => l.length >= 1);
    expect(killed).toBe(true);
    const acknowledged = Math.max(...acks.map(Number));

    const entries = await everyStoredEntry(join(dir, 'data'));
    expectOnceEach(entries);
    expect(entries.length).toBeGreaterThanOrEqual(acknowledged);
    for (let i = 0; i < acknowledged; i++) expect(entries.some((e) => e.id === `kb-${i}`)).toBe(true);
    for (const entry of entries) expect(entry.body).toBe(`How to fix problem number ${entry.id.slice(3)}.`);
  });

  it('during learning: every entry acknowledged as learned is there, once', async () => {
    const dir = await tempFolder('vigil-crash-');
    const { lines: acks, killed } = await runAndKill(['learn', join(dir, 'data')], (l) => l.length >= 15);
    expect(killed).toBe(true);
    const entries = await everyStoredEntry(join(dir, 'data'));
    expectOnceEach(entries);
    const ids = new Set(entries.map((e) => e.id));
    const acknowledged = acks.flatMap((line) => JSON.parse(line) as string[]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(15);
    for (const id of acknowledged) expect(ids.has(id)).toBe(true);
    for (const entry of entries) expect(entry.body.length).toBeGreaterThan(0); // whole entries only
  });

  it('during re-indexing: the old index stays in charge, and the next open finishes the job', async () => {
    const dir = await tempFolder('vigil-crash-');
    const dataDir = join(dir, 'data');
    const file = join(dir, 'entries.jsonl');
    await writeFile(file, `${Array.from({ length: 2500 }, (_, i) => JSON.stringify({ id: `kb-${i}`, kind: 'article', body: `Fix for issue ${i}.` })).join('\n')}\n`);
    const service = await CopilotService.open({ dataDir });
    await service.importEntries(file);
    await service.close();

    const reindex = await runAndKill(['reindex', dataDir], (l) => l.some((line) => line.startsWith('Re-indexing')));
    expect(reindex.lines).not.toContain('done'); // killed before the switch to the new index

    const before = await everyStoredEntry(dataDir);
    expect(before).toHaveLength(2500);
    expectOnceEach(before);
    const after = await everyStoredEntry(dataDir, new HashedEmbedder({ dimensions: 256 }));
    expect(after).toHaveLength(2500);
    expectOnceEach(after);
  });
});
