/**
 * Where the serving process's memory goes (BENCHMARKS.md, "the store at scale"): imports N entries into a folder in
 * one process, then in another opens it as the app does and prints resident memory after each phase (open, 200
 * decisions, 100 tickets learned, the idle commit and index refresh that follows, 200 more decisions).
 *
 *   npx tsx test/bench/serveMemory.ts ingest DIR 100000
 *   npx tsx test/bench/serveMemory.ts serve DIR
 *   MALLOC_ARENA_MAX=2 npx tsx test/bench/serveMemory.ts serve DIR     # glibc: fewer malloc arenas
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopilotService } from '../../core/app/copilotService';
import { loadBanking77, toTicket } from './banking77Data';

function memory(phase: string): void {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  const usage = process.memoryUsage();
  console.log(
    `| ${phase} | ${Math.round(kb('VmRSS') / 1024)} | ${Math.round(kb('RssAnon') / 1024)} | ${mb(usage.heapTotal)} | ${mb(usage.external)} |`,
  );
}

const [mode, dir, size] = process.argv.slice(2);
if (!dir || (mode !== 'ingest' && mode !== 'serve')) {
  console.error('usage: serveMemory.ts ingest DIR N | serve DIR');
  process.exit(2);
}
if (mode === 'ingest') {
  await mkdir(dir, { recursive: true });
  const train = loadBanking77('train');
  const lines: string[] = [];
  for (let i = 0; i < Number(size ?? 100000); i++) {
    lines.push(JSON.stringify({ id: `qa-${i}`, kind: 'qa', question: `${train[i % train.length]!.text} v${i}`, body: 'x' }));
  }
  await writeFile(join(dir, 'entries.jsonl'), lines.join('\n'));
  const service = await CopilotService.open({ dataDir: join(dir, 'data') });
  await service.importEntries(join(dir, 'entries.jsonl'));
  await service.close();
} else {
  console.log('| phase | RSS (MB) | anonymous (MB) | JS heap (MB) | external (MB) |');
  console.log('|---|---|---|---|---|');
  memory('process started');
  const service = await CopilotService.open({ dataDir: join(dir, 'data') });
  memory('folder opened');
  const test = loadBanking77('test');
  for (let i = 0; i < 200; i++) await service.assistOnMessage(toTicket(test[i]!, `n${i}`, false), 0);
  memory('200 decisions');
  for (let i = 0; i < 100; i++) await service.learnFromClosedTicket(toTicket(test[i]!, `c${i}`, true), 'auto');
  memory('100 tickets learned');
  await new Promise((resolve) => setTimeout(resolve, 4000));
  memory('idle commit + index refresh');
  for (let i = 0; i < 200; i++) await service.assistOnMessage(toTicket(test[i]!, `m${i}`, false), 0);
  memory('200 more decisions');
  await service.close();
}
