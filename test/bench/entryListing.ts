/**
 * How long the knowledge browser's listing takes at scale (`npx tsx test/bench/entryListing.ts [entries]`,
 * default 100,000): imports that many entries into a fresh data folder, then times the first page, a deep page,
 * a filtered page, a page filtered by words, and an entry's detail. Prints milliseconds (median of 5 runs) and the
 * process's heap, to show that a page never reads the whole table into memory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopilotService } from '../../core/app/copilotService';

const TOTAL = Number(process.argv[2] ?? 100_000);
const TOPICS = ['printer jams', 'vpn drops', 'password expired', 'invoice copy', 'mailbox full', 'badge reader', 'wifi slow', 'disk full'];

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2] as number;
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'vigil-bench-listing-'));
  try {
    const file = join(work, 'kb.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const topic = TOPICS[i % TOPICS.length];
      lines.push(
        JSON.stringify({
          id: `e-${i}`,
          kind: i % 10 === 0 ? 'article' : 'qa',
          question: `Question ${i} about ${topic}`,
          body: `Answer ${i}: the usual fix for ${topic}.`,
          status: i % 7 === 0 ? 'proposed' : 'approved',
          updatedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        }),
      );
    }
    await writeFile(file, lines.join('\n') + '\n');
    const service = await CopilotService.open({ dataDir: join(work, 'data') });
    const t0 = performance.now();
    await service.importEntries(file);
    console.log(`imported ${TOTAL} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const rows: Array<[string, () => Promise<unknown>]> = [
      ['first page (50, newest first)', () => service.knowledge.listEntries({})],
      ['page at offset 50,000', () => service.knowledge.listEntries({ offset: Math.min(50_000, TOTAL - 50) })],
      ['proposed Q&A, first page', () => service.knowledge.listEntries({ status: 'proposed', kind: 'qa' })],
      ['words "badge reader", first page', () => service.knowledge.listEntries({ text: 'badge reader' })],
      ['entry detail', () => service.knowledge.entryDetail(`e-${TOTAL - 1}`)],
    ];
    for (const [name, run] of rows) console.log(`${name}: ${(await median(run)).toFixed(1)} ms`);
    console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
    await service.close();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

void main();
