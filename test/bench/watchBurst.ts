/**
 * A burst through the whole engine: a folder connector holding `--tickets` BANKING77 customer messages as new
 * tickets (half of them solved with the intent as resolution), watched by the real sync engine into the real sink
 * (assist after every customer message, learning on close, the decision journal). Prints throughput, how the backlog
 * drained, and peak memory, to show the engine keeps up with bounded memory.
 *
 *   npm run bench:watch-burst -- [--tickets 5000]
 *   node --expose-gc --import tsx test/bench/watchBurst.ts --tickets 5000   (also prints the live heap)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CopilotService } from '../../core/app/copilotService';
import { FolderConnector } from '../../core/connectors/folderConnector';
import { CopilotSink } from '../../core/cli/copilotSink';
import { connectorStateDir } from '../../core/connectors/connector';
import { Watcher } from '../../core/watch/watcher';
import { loadBanking77 } from './banking77Data';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { tickets: { type: 'string', default: '5000' } } });
  const count = Number(values.tickets);
  const queries = loadBanking77('train').slice(0, count);
  const root = await mkdtemp(join(tmpdir(), 'vigil-watch-burst-'));
  const tickets = join(root, 'tickets');
  const dataDir = join(root, 'data');
  await mkdir(tickets);
  const lines = queries.map((q, i) =>
    JSON.stringify({
      id: `B-${i}`,
      status: i % 2 === 0 ? 'solved' : 'open',
      messages: [{ id: '1', author: 'customer', text: q.text }],
      ...(i % 2 === 0 ? { resolution: `Handled as ${q.intent.replace(/_/g, ' ')}.` } : {}),
    }),
  );
  await writeFile(join(tickets, 'burst.jsonl'), `${lines.join('\n')}\n`);

  const service = await CopilotService.open({ dataDir });
  let shown = 0;
  const sink = await CopilotSink.open(service, { dataDir, learnPolicy: 'auto', onDecision: (r) => void (r.suggestion?.shown && shown++) });
  const connector = new FolderConnector({ id: 'burst', path: tickets, stateDir: connectorStateDir(dataDir, 'burst') });
  let peakRss = 0;
  const backlog: number[] = [];
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const watcher = await Watcher.open({ dataDir, sink, connectors: [{ connector, pollMs: 60_000 }], onHealth: (h) => backlog.push(h.backlog) });
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let lastReport = started;
  const rssStart = process.memoryUsage().rss;
  let delivered = 0;
  for (;;) {
    const page = await watcher.syncPage('burst');
    delivered += page.delivered;
    if (performance.now() - lastReport > 10_000) {
      const h = watcher.health()[0]!;
      // With `node --expose-gc`, the live JavaScript heap after a full collection: what the engine really retains.
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const heap = gc ? `, live heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB` : '';
      console.log(`… ${delivered} delivered, backlog ${h.backlog}, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB${heap}`);
      lastReport = performance.now();
    }
    if (!page.more) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await service.close();
  await rm(root, { recursive: true, force: true });
  console.log(`events: ${delivered} (${count} tickets: ${count} assist decisions, ${Math.ceil(count / 2)} closes learned; ${shown} suggestions shown)`);
  console.log(`time: ${seconds.toFixed(1)} s, ${(delivered / seconds).toFixed(0)} events/s`);
  // On a shared machine the wall time says more about the neighbours than about Vigil; CPU time does not.
  console.log(`cpu: ${cpuSeconds.toFixed(1)} s, ${((cpuSeconds * 1000) / delivered).toFixed(2)} ms per event (${(delivered / cpuSeconds).toFixed(0)} events per CPU-second)`);
  console.log(`backlog: ${Math.max(...backlog)} at the start, ${backlog.at(-1)} at the end`);
  console.log(`memory: rss ${(rssStart / 1e6).toFixed(0)} MB before, peak ${(peakRss / 1e6).toFixed(0)} MB`);
}

await main();
