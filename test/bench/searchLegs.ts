/**
 * Where a decision's time goes on a large store: opens a data folder (as `bench:scale --keep` leaves it) through
 * the app, then for each BANKING77 test query times the legs of `KnowledgeStore.search` one by one (the query's
 * embedding, LanceDB's full-text query, the in-memory vector scan, the documents' read by id), the whole search,
 * and the whole decision (`assistOnMessage`). Medians and p95s, with the load average.
 *
 *   npx tsx test/bench/searchLegs.ts --dir DATA_DIR [--queries 200] [--probes 32,48,64]
 *
 * `--probes`: also the partitioned vector leg's recall@10 against the exact int8 scan, and its mean time, at each
 * probe count, over the same queries (the exact scan is about 120 ms per query at 1M under load).
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as lancedb from '@lancedb/lancedb';
import { CopilotService } from '../../core/app/copilotService';
import type { Embedder } from '../../core/embed/embedder';
import type { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import type { VectorIndex } from '../../core/knowledge/vectorIndex';
import { tokenize } from '../../core/text/tokenize';
import { loadBanking77, seededShuffle, toTicket } from './banking77Data';

interface Internals {
  active: { table: lancedb.Table; vectors: VectorIndex | null; embedder: Embedder | null };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

async function timed<T>(times: number[], fn: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  const out = await fn();
  times.push(performance.now() - started);
  return out;
}

const { values } = parseArgs({ options: { dir: { type: 'string' }, queries: { type: 'string', default: '200' }, probes: { type: 'string' } } });
if (!values.dir) throw new Error('--dir: the data folder to open');
const load = [loadavg()[0]!.toFixed(1)];
let started = performance.now();
const service = await CopilotService.open({ dataDir: values.dir });
const openSeconds = (performance.now() - started) / 1000;
const store = (service as unknown as { store: KnowledgeStore }).store;
const { table, vectors, embedder } = (store as unknown as Internals).active;
const queries = seededShuffle(loadBanking77('test'), 3).slice(0, Number(values.queries) + 20);
const legs: Record<string, number[]> = { embed: [], fullText: [], vectorScan: [], readDocs: [], search: [], decision: [] };
for (const [i, q] of queries.entries()) {
  const warm = i < 20;
  const t = (name: string): number[] => (warm ? [] : (legs[name] as number[]));
  const vector = (await timed(t('embed'), () => embedder!.embed([q.text], 'query')))[0]!;
  const rows = (await timed(t('fullText'), () =>
    table.query().fullTextSearch(new lancedb.MatchQuery(tokenize(q.text).join(' '), 'text')).where("status IN ('approved')").select(['id', 'text', '_score']).limit(50).toArray(),
  )) as { id: string }[];
  const hits = await timed(t('vectorScan'), () => vectors!.search(vector, new Set([0]), 50));
  const ids = [...new Set([...rows.slice(0, 5), ...hits.slice(0, 5)].map((h) => h.id))];
  await timed(t('readDocs'), () => table.query().where(`id IN (${ids.map((id) => `'${id}'`).join(', ')})`).select(['id', 'doc']).limit(ids.length).toArray());
  await timed(t('search'), () => store.search(q.text));
  await timed(t('decision'), () => service.assistOnMessage(toTicket(q, `legs-${i}`, false), 0));
}
if (values.probes && vectors) {
  const vectorsOf = await embedder!.embed(queries.slice(20).map((q) => q.text), 'query');
  const exact = vectorsOf.map((q) => vectors.search(q, new Set([0]), 10, { exact: true }).map((h) => h.id));
  for (const probes of values.probes.split(',').map(Number)) {
    let found = 0;
    const started = performance.now();
    vectorsOf.forEach((q, i) => {
      found += vectors.search(q, new Set([0]), 10, { probes }).filter((h) => exact[i]!.includes(h.id)).length;
    });
    const ms = (performance.now() - started) / vectorsOf.length;
    console.log(`probes ${probes}: recall@10 vs exact int8 scan ${(found / (vectorsOf.length * 10)).toFixed(3)} over ${vectorsOf.length} queries, ${ms.toFixed(1)} ms`);
  }
}
const status = await service.status();
load.push(loadavg()[0]!.toFixed(1));
started = performance.now();
await service.close();
console.log(JSON.stringify({ openSeconds, closeSeconds: (performance.now() - started) / 1000, load, vectorIndex: status.vectorIndex, openedFrom: store.openedFrom() }));
for (const [name, times] of Object.entries(legs)) console.log(`${name.padEnd(11)} p50 ${percentile(times, 0.5).toFixed(1)} ms  p95 ${percentile(times, 0.95).toFixed(1)} ms`);
