/**
 * The store at scale (issue #3): for each size N, a fresh data folder receives N knowledge entries through the
 * engine's own import (`CopilotService.importEntries`, the built-in embedder), then answers BANKING77 test queries
 * as new tickets through the whole pipeline (`assistOnMessage`), then learns from closed tickets one at a time.
 * Each size runs in its own child process, so peak RSS is that size's alone.
 *
 * Baselines in the same run, on the same vectors and queries: the vector leg as an exact float32 brute-force scan
 * in JS (the "plain scan"), and as LanceDB's flat vector search with the status filter (what the store did
 * before). Optionally (`--ivf-pq`) LanceDB's IVF-PQ index: build time and query time.
 *
 *   npm run bench:scale -- [--sizes 10000,100000,300000] [--queries 300] [--ivf-pq] [--arena-compare] [--json FILE] [--keep]
 *   npm run bench:scale -- --sizes 1000000     # a million vectors: the engine partitions its index (IVF)
 *   npm run bench:scale -- --sizes 1000000 --vector-leg-only --queries 300  # the vector leg alone, minutes
 *   ... --vector-leg-only --settings 128:0,128:4000   # partitioned settings compared (probes:candidates, 0 one stage)
 *
 * `--arena-compare` runs the serving process a second time with MALLOC_ARENA_MAX=2 (as the CLI runs on Linux;
 * the desktop app cannot set it for itself) and reports that peak RSS too.
 *
 * Entries: the 10,003 BANKING77 train queries as learned Q&A entries, then, beyond that, synthetic variants (one
 * train query followed by the end of another, seeded), so every entry's text is distinct; one in ten is
 * `proposed`, so the status filter does real work.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as lancedb from '@lancedb/lancedb';
import { CopilotService } from '../../core/app/copilotService';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import type { Ticket } from '../../core/formats/schemas';
import { buildIndexes } from '../../core/knowledge/entryTable';
import { SignCodes } from '../../core/knowledge/signCodes';
import { IVF_MIN_ROWS, IVF_PROBES, VectorIndex } from '../../core/knowledge/vectorIndex';
import { loadBanking77, seededRandom, seededShuffle, toTicket } from './banking77Data';

const run = promisify(execFile);

interface SizeResult {
  size: number;
  /** 1-, 5- and 15-minute load averages when this size started and when it ended (the machine is shared). */
  loadAverage: { start: number[]; end: number[] };
  dimensions: number;
  kernel: string;
  ingestSeconds: number;
  ingestPerSecond: number;
  /** Opening the folder: reading vectors, ids and term statistics into memory. */
  openSeconds: number;
  /** Rebuilding the full-text, status and id indexes over the whole table from scratch. */
  indexBuildSeconds: number;
  decisionP50Ms: number;
  decisionP95Ms: number;
  /** Learning one closed ticket (upsert of its entries) until it is searchable. */
  learnP50Ms: number;
  learnP95Ms: number;
  learnedFoundRate: number;
  /** p95 of decisions right after the learning burst (learned entries not yet committed or indexed). */
  decisionAfterLearnP95Ms: number;
  /** Peak RSS of the process that opened the folder and served decisions and learning. */
  peakRssMb: number;
  /** The same serving run again with MALLOC_ARENA_MAX=2 (`--arena-compare`): what the CLI gets on Linux. */
  peakRssArena2Mb?: number;
  /** Whether the serving process read its vectors from the int8 snapshot or from the table. */
  openedFrom: string;
  /** Peak RSS of the process that imported the entries. */
  ingestPeakRssMb: number;
  vectorIndexMb: number;
  vectorLeg: { engineMs: number; floatScanMs: number; lanceFlatMs: number; recallAt10VsExact: number };
  /**
   * From IVF_MIN_ROWS rows, the engine's partitioned scan (vectorIndex.ts): build time, and per probe count the
   * query time and recall@10 against the exact float scan (the int8 exact scan is `vectorLeg.engineMs`), with the
   * search's default candidates (`IVF_RESCORE`, two stages), over the first 50 queries.
   */
  partition?: {
    buildSeconds: number;
    lists: number;
    /** Recall against the exact float scan, and against the engine's own exact int8 scan (what the partition approximates). */
    probes: { probes: number; queryMs: number; recallAt10VsExact: number; recallAt10VsInt8Scan: number }[];
    /** Side by side over every query: the one-stage scan of the probed lists and the two-stage scan (codes, then int8). */
    twoStage?: Record<string, unknown>;
  };
  ivfPq?: { buildSeconds: number; queryMs: number; recallAt10VsExact: number };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

function entryTexts(size: number): { question: string; intent: string }[] {
  const train = loadBanking77('train');
  const next = seededRandom(77);
  const out: { question: string; intent: string }[] = [];
  for (let i = 0; i < size; i++) {
    const base = train[i % train.length]!;
    if (i < train.length) {
      out.push({ question: base.text, intent: base.intent });
      continue;
    }
    const other = train[Math.floor(next() * train.length)]!.text.split(/\s+/);
    out.push({ question: `${base.text} ${other.slice(Math.floor(other.length / 2)).join(' ')}`, intent: base.intent });
  }
  return out;
}

async function timeEach(count: number, fn: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn(i);
    times.push(performance.now() - started);
  }
  return times;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

function entryFile(size: number): string {
  return entryTexts(size)
    .map((t, i) =>
      JSON.stringify({
        id: `qa-${i}`,
        kind: 'qa',
        question: t.question,
        body: `Resolved as ${t.intent}.`,
        status: i % 10 === 9 ? 'proposed' : 'approved',
        source: { type: 'ticket', ref: `T-${i}` },
      }),
    )
    .join('\n');
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * Child 1: a fresh data folder receives the `size` entries of `entries.jsonl` (written by the parent, so that building
 * the file does not count in this process's peak memory) through the engine's import, until all is committed.
 */
async function ingest(size: number, dir: string): Promise<Pick<SizeResult, 'ingestSeconds' | 'ingestPerSecond'> & { peakRssMb: number }> {
  const file = join(dir, 'entries.jsonl');
  const started = performance.now();
  const service = await CopilotService.open({ dataDir: join(dir, 'data') });
  const report = await service.importEntries(file);
  await service.close();
  const ingestSeconds = (performance.now() - started) / 1000;
  if (report.imported !== size) throw new Error(`imported ${report.imported} of ${size}`);
  return { ingestSeconds, ingestPerSecond: size / ingestSeconds, peakRssMb: peakRssMb() };
}

/** Child 2: the app opening that folder and serving: decisions on new tickets, then learning closed tickets. */
async function serve(queryCount: number, dir: string): Promise<Record<string, number | string>> {
  let started = performance.now();
  const service = await CopilotService.open({ dataDir: join(dir, 'data') });
  const openSeconds = (performance.now() - started) / 1000;
  const openedFrom = openedFromOf(service);
  const status = await service.status();
  const queries = seededShuffle(loadBanking77('test'), 3).slice(0, queryCount + 20);
  const tickets: Ticket[] = queries.map((q, i) => toTicket(q, `new-${i}`, false));
  for (const ticket of tickets.slice(0, 20)) await service.assistOnMessage(ticket, 0); // warm-up
  const decisions = await timeEach(queryCount, (i) => service.assistOnMessage(tickets[20 + i]!, 0));

  // Learning: closed tickets one at a time; each must be found by its own question right after.
  const train = loadBanking77('train');
  let found = 0;
  const learnCount = Math.min(100, queryCount);
  const learns = await timeEach(learnCount, async (i) => {
    const query = train[(i * 97) % train.length]!;
    const ticket = toTicket({ text: `${query.text} (ticket ${i})`, intent: query.intent }, `closed-${i}`, true);
    await service.learnFromClosedTicket(ticket, 'auto');
    const hits = await service.knowledge.searchKnowledge(`${query.text} (ticket ${i})`, 5);
    if (hits.some((h) => h.sourceTicketId === `closed-${i}`)) found++;
  });
  // Decisions again while the learned entries are still waiting to be committed and indexed.
  const after = await timeEach(Math.min(100, queryCount), (i) => service.assistOnMessage(tickets[20 + i]!, 0));
  const serveRss = peakRssMb();
  const partitionStatus = await service.status();
  started = performance.now();
  await service.close();
  return {
    openSeconds,
    openedFrom,
    kernel: status.vectorIndex?.kernel ?? 'none',
    vectorIndexMb: (status.vectorIndex?.bytes ?? 0) / 2 ** 20,
    partitionLists: (partitionStatus.vectorIndex as { partitionLists?: number } | null | undefined)?.partitionLists ?? 0,
    decisionP50Ms: percentile(decisions, 0.5),
    decisionP95Ms: percentile(decisions, 0.95),
    decisionAfterLearnP95Ms: percentile(after, 0.95),
    learnP50Ms: percentile(learns, 0.5),
    learnP95Ms: percentile(learns, 0.95),
    learnedFoundRate: found / learnCount,
    peakRssMb: serveRss,
  };
}

/** Where the service's store read its vectors from at open (the store is not part of the service's interface). */
function openedFromOf(service: CopilotService): string {
  const store = (service as unknown as { store?: { openedFrom?: () => { source: string; reason: string | null } } }).store;
  const from = store?.openedFrom?.();
  return from ? `${from.source}${from.reason ? ` (${from.reason})` : ''}` : 'unknown';
}

/** `--settings`: probes:rescore pairs compared side by side; rescore 0 is the one-stage scan of the probed lists. */
const DEFAULT_SETTINGS = '128:0,128:2000,128:4000,192:4000,256:4000';

/**
 * The partitioned search at several settings against the exact int8 scan, over every query (not only the first
 * 50), one process, the settings' passes interleaved. Also the time to compute the
 * rows' codes (what opening a partitioned store adds, signCodes.ts).
 */
function twoStageSettings(index: VectorIndex, queryVectors: Float32Array[], settings: string): Record<string, unknown> {
  const state = index.exportState();
  const matrix = state.matrixChunk(0, index.rows * index.rowBytes);
  let started = performance.now();
  new SignCodes(index.dimensions).build(new Int8Array(matrix.buffer, matrix.byteOffset, matrix.length), 0, index.rowBytes, index.rows);
  const codesSeconds = (performance.now() - started) / 1000;
  const exact = queryVectors.map((q) => index.search(q, new Set([0]), 10, { exact: true }).map((h) => h.id));
  const configs = settings.split(',').map((s) => s.split(':').map(Number) as [number, number]);
  const times = configs.map(() => [] as number[]);
  const found = configs.map(() => 0);
  // Each setting in a pass of its own over every query (run one query at all settings in turn, and the later ones
  // found the first one's rows still in the cache: 4,000 candidates measured faster than 2,000), in two rounds of
  // opposite order so that a change of load weighs on every setting alike.
  const order = configs.map((_, c) => c);
  for (const round of [order, [...order].reverse()]) {
    for (const c of round) {
      const [probes, rescore] = configs[c]!;
      queryVectors.forEach((q, i) => {
        started = performance.now();
        const hits = index.search(q, new Set([0]), 10, { probes, rescore });
        times[c]!.push(performance.now() - started);
        if (round === order) found[c] = (found[c] as number) + hits.filter((h) => exact[i]!.includes(h.id)).length;
      });
    }
  }
  const pct = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? NaN;
  return {
    codesSeconds,
    queries: queryVectors.length,
    settings: configs.map(([probes, rescore], c) => ({
      probes,
      rescore,
      meanMs: mean(times[c]!),
      p50Ms: pct(times[c]!, 0.5),
      p95Ms: pct(times[c]!, 0.95),
      recallAt10VsInt8Scan: found[c]! / (queryVectors.length * 10),
    })),
  };
}

/**
 * Child 3: baselines for the vector leg on the same vectors and queries, and a full index rebuild. The float copy
 * made here is exactly what the engine avoids holding, which is why this runs in a process of its own.
 */
async function baselines(size: number, queryCount: number, dir: string, ivfPq: boolean, vectorsOnly = false, settings = DEFAULT_SETTINGS): Promise<Record<string, unknown>> {
  const texts = entryTexts(size);
  const embedder = new HashedEmbedder();
  const dims = embedder.dimensions;
  const matrix = new Float32Array(size * dims);
  const approved = new Uint8Array(size);
  texts.forEach((t, i) => {
    matrix.set(embedder.embedOne(t.question), i * dims);
    approved[i] = i % 10 !== 9 ? 1 : 0;
  });
  const queries = seededShuffle(loadBanking77('test'), 3).slice(20, 20 + queryCount);
  const queryVectors = queries.map((q) => embedder.embedOne(q.text));
  // The plain scan: exact float32 dot products in a tight loop, then the best 10.
  const scores = new Float32Array(size);
  const exactTop = (q: Float32Array, k: number): string[] => {
    for (let i = 0; i < size; i++) {
      let s = 0;
      for (let j = 0, o = i * dims; j < dims; j++, o++) s += (q[j] as number) * (matrix[o] as number);
      scores[i] = approved[i] ? s : -Infinity;
    }
    const best: number[] = [];
    for (let i = 0; i < size; i++) {
      if (best.length < k || (scores[i] as number) > (scores[best[k - 1]!] as number)) {
        best.push(i);
        best.sort((a, b) => (scores[b] as number) - (scores[a] as number));
        if (best.length > k) best.pop();
      }
    }
    return best.map((i) => `qa-${i}`);
  };
  const n = Math.min(50, queryCount);
  const exact: string[][] = [];
  const floatScan = await timeEach(n, (i) => exact.push(exactTop(queryVectors[i]!, 10)));

  const index = new VectorIndex(dims);
  for (let i = 0; i < size; i++) index.set(`qa-${i}`, matrix.subarray(i * dims, (i + 1) * dims), approved[i] ? 0 : 1);
  let overlap = 0;
  const int8Exact: string[][] = [];
  const engineLeg = await timeEach(n, (i) => {
    const hits = index.search(queryVectors[i]!, new Set([0]), 10, { exact: true });
    overlap += hits.filter((h) => exact[i]!.includes(h.id)).length;
    int8Exact.push(hits.map((h) => h.id));
  });
  let partition: SizeResult['partition'];
  if (size >= IVF_MIN_ROWS) {
    const started = performance.now();
    index.partition();
    const buildSeconds = (performance.now() - started) / 1000;
    const probes = [];
    for (const p of [...new Set([32, 64, IVF_PROBES, 192, 256])].sort((a, b) => a - b)) {
      let found = 0;
      let foundInt8 = 0;
      const times = await timeEach(n, (i) => {
        const hits = index.search(queryVectors[i]!, new Set([0]), 10, { probes: p });
        found += hits.filter((h) => exact[i]!.includes(h.id)).length;
        foundInt8 += hits.filter((h) => int8Exact[i]!.includes(h.id)).length;
      });
      probes.push({ probes: p, queryMs: mean(times), recallAt10VsExact: found / (n * 10), recallAt10VsInt8Scan: foundInt8 / (n * 10) });
    }
    partition = { buildSeconds, lists: index.partitionLists, probes, twoStage: twoStageSettings(index, queryVectors, settings) };
  }
  if (vectorsOnly) {
    return { vectorLeg: { engineMs: mean(engineLeg), floatScanMs: mean(floatScan), lanceFlatMs: NaN, recallAt10VsExact: overlap / (n * 10) }, ...(partition ? { partition } : {}) };
  }

  const db = await lancedb.connect(join(dir, 'data', 'lancedb'));
  const [tableName] = await db.tableNames();
  const table = await db.openTable(tableName!);
  const lanceQuery = (q: Float32Array) =>
    table.vectorSearch(q).distanceType('cosine').where("status IN ('approved')").select(['id']).limit(50).toArray();
  const flatQueries = Math.min(size > 100_000 ? 10 : 30, n);
  await lanceQuery(queryVectors[0]!);
  const lanceFlat = await timeEach(flatQueries, (i) => lanceQuery(queryVectors[i]!));

  let started = performance.now();
  await buildIndexes(table);
  const indexBuildSeconds = (performance.now() - started) / 1000;

  let ivf: SizeResult['ivfPq'];
  if (ivfPq) {
    started = performance.now();
    await table.createIndex('vector', {
      config: lancedb.Index.ivfPq({ distanceType: 'cosine', numPartitions: Math.max(1, Math.round(Math.sqrt(size))), numSubVectors: dims / 8 }),
    });
    const buildSeconds = (performance.now() - started) / 1000;
    let ivfOverlap = 0;
    const ivfQuery = (i: number) =>
      table.vectorSearch(queryVectors[i]!).distanceType('cosine').where("status IN ('approved')").nprobes(20).refineFactor(10).select(['id']).limit(10).toArray();
    await ivfQuery(0);
    const times = await timeEach(n, async (i) => {
      const rows = (await ivfQuery(i)) as { id: string }[];
      ivfOverlap += rows.filter((r) => exact[i]!.includes(r.id)).length;
    });
    ivf = { buildSeconds, queryMs: mean(times), recallAt10VsExact: ivfOverlap / (n * 10) };
  }
  table.close();
  db.close();
  return {
    indexBuildSeconds,
    vectorLeg: { engineMs: mean(engineLeg), floatScanMs: mean(floatScan), lanceFlatMs: mean(lanceFlat), recallAt10VsExact: overlap / (n * 10) },
    ...(ivf ? { ivfPq: ivf } : {}),
    ...(partition ? { partition } : {}),
  };
}

async function child(mode: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<unknown> {
  const script = fileURLToPath(import.meta.url);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, '--child', mode, ...args], {
    maxBuffer: 1 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout);
}

async function measureSize(size: number, queryCount: number, ivfPq: boolean, arenaCompare: boolean, keep = false): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-scale-'));
  const load = (): number[] => loadavg().map((l) => Math.round(l * 100) / 100);
  const loadAtStart = load();
  try {
    const common = ['--size', String(size), '--queries', String(queryCount), '--dir', dir, ...(ivfPq ? ['--ivf-pq'] : [])];
    await writeFile(join(dir, 'entries.jsonl'), entryFile(size));
    const ingested = (await child('ingest', common)) as Awaited<ReturnType<typeof ingest>>;
    // As the desktop app runs (glibc's default arenas, unless the user set MALLOC_ARENA_MAX)...
    const served = (await child('serve', common)) as Record<string, number | string>;
    // ...and as the CLI runs on Linux (core/cli/bin.mjs), on the same folder.
    const arena2 = arenaCompare ? ((await child('serve', common, { MALLOC_ARENA_MAX: '2' })) as { peakRssMb: number }) : null;
    const base = (await child('baselines', common)) as Record<string, unknown>;
    return {
      size,
      loadAverage: { start: loadAtStart, end: load() },
      dimensions: new HashedEmbedder().dimensions,
      ingestSeconds: ingested.ingestSeconds,
      ingestPerSecond: ingested.ingestPerSecond,
      ingestPeakRssMb: ingested.peakRssMb,
      ...served,
      ...(arena2 ? { peakRssArena2Mb: arena2.peakRssMb } : {}),
      ...base,
    } as unknown as SizeResult;
  } finally {
    // `--keep`: the folder stays for a later `--child serve --dir DIR` (e.g. opening the same store after a change).
    if (keep) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

function table(results: readonly SizeResult[]): string {
  const f = (n: number, digits = 1): string => n.toFixed(digits);
  const lines = [
    '| entries | decision p50 / p95 (ms) | p95 right after learning (ms) | learn → searchable p50 / p95 (ms) | ingest (entries/s) | open (s) | index rebuild (s) | peak RSS serving / importing (MB) | serving with MALLOC_ARENA_MAX=2 (MB) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${f(r.decisionP50Ms)} / ${f(r.decisionP95Ms)} | ${f(r.decisionAfterLearnP95Ms)} | ${f(r.learnP50Ms)} / ${f(r.learnP95Ms)} (${f(r.learnedFoundRate * 100, 0)}% found) | ${f(r.ingestPerSecond, 0)} | ${f(r.openSeconds)} (${r.openedFrom.split(' ')[0]}) | ${f(r.indexBuildSeconds)} | ${f(r.peakRssMb, 0)} / ${f(r.ingestPeakRssMb, 0)} | ${r.peakRssArena2Mb === undefined ? '-' : f(r.peakRssArena2Mb, 0)} |`,
    ),
    '',
    '| entries | vector leg: engine int8 scan (ms) | float32 brute-force scan (ms) | LanceDB flat search (ms) | speed-up vs float scan / vs LanceDB flat | engine recall@10 vs exact | vector index (MB) |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.size.toLocaleString('en')} | ${f(r.vectorLeg.engineMs)} | ${f(r.vectorLeg.floatScanMs)} | ${f(r.vectorLeg.lanceFlatMs)} | ${f(r.vectorLeg.floatScanMs / r.vectorLeg.engineMs)}x / ${f(r.vectorLeg.lanceFlatMs / r.vectorLeg.engineMs)}x | ${f(r.vectorLeg.recallAt10VsExact, 3)} | ${f(r.vectorIndexMb, 0)} |`,
    ),
  ];
  const partitioned = results.filter((r) => r.partition);
  if (partitioned.length > 0) {
    lines.push('', '| entries | engine partition: lists, build (s) | probes: query (ms), recall@10 vs exact |', '|---|---|---|');
    for (const r of partitioned) {
      const p = r.partition!;
      lines.push(`| ${r.size.toLocaleString('en')} | ${p.lists}, ${f(p.buildSeconds)} | ${p.probes.map((x) => `${x.probes}: ${f(x.queryMs)} ms, ${f(x.recallAt10VsExact, 3)} (${f(x.recallAt10VsInt8Scan, 3)} vs int8 scan)`).join(' · ')} |`);
    }
  }
  const ivf = results.filter((r) => r.ivfPq);
  if (ivf.length > 0) {
    lines.push('', '| entries | LanceDB IVF-PQ build (s) | IVF-PQ query (ms) | IVF-PQ recall@10 vs exact |', '|---|---|---|---|');
    for (const r of ivf) lines.push(`| ${r.size.toLocaleString('en')} | ${f(r.ivfPq!.buildSeconds)} | ${f(r.ivfPq!.queryMs)} | ${f(r.ivfPq!.recallAt10VsExact, 3)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10000,100000' },
      queries: { type: 'string', default: '300' },
      'ivf-pq': { type: 'boolean', default: false },
      'arena-compare': { type: 'boolean', default: false },
      'vector-leg-only': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
      child: { type: 'string' },
      size: { type: 'string' },
      dir: { type: 'string' },
      settings: { type: 'string', default: DEFAULT_SETTINGS },
    },
  });
  const queries = Number(values.queries);
  if (values.child) {
    const size = Number(values.size);
    const dir = values.dir as string;
    const result =
      values.child === 'ingest'
        ? await ingest(size, dir)
        : values.child === 'serve'
          ? await serve(queries, dir)
          : await baselines(size, queries, dir, values['ivf-pq'], values.child === 'vectors', values.settings);
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const sizes = values.sizes.split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < 1000)) throw new Error(`--sizes: whole numbers of at least 1000, comma-separated (got "${values.sizes}")`);
  console.log(`Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const results: SizeResult[] = [];
  if (values['vector-leg-only']) {
    // The vector leg alone (no import, no serving): exact float scan, the engine's exact int8 scan, and from
    // IVF_MIN_ROWS its partition, on the same vectors and queries. Minutes at 1M instead of an hour.
    for (const size of sizes) {
      const started = loadavg()[0]!.toFixed(1);
      const result = (await child('vectors', ['--size', String(size), '--queries', String(queries), '--dir', tmpdir(), '--settings', values.settings])) as Pick<SizeResult, 'vectorLeg' | 'partition'>;
      console.log(JSON.stringify({ size, load: { start: started, end: loadavg()[0]!.toFixed(1) }, ...result }));
    }
    return;
  }
  for (const size of sizes) {
    console.log(`${size} entries ...`);
    results.push(await measureSize(size, queries, values['ivf-pq'], values['arena-compare'], values.keep));
    console.log(JSON.stringify(results.at(-1)));
  }
  console.log(table(results));
  if (values.json) await writeFile(values.json, JSON.stringify(results, null, 2));
}

await main();
