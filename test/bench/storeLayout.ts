/**
 * Why the knowledge store is laid out as it is (ARCHITECTURE.md, "the fresh tier"): measures LanceDB query
 * latency (a) after many one-row commits against the same rows compacted, and (b) a status filter with and
 * without a bitmap index. Raw LanceDB, the store's own schema and the built-in embedder's vectors.
 *
 *   npm run bench:store-layout -- [--rows N] [--commits N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as lancedb from '@lancedb/lancedb';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { loadBanking77 } from './banking77Data';

const QUERIES = 100;

async function meanMs(run: (i: number) => Promise<unknown>): Promise<number> {
  await run(0);
  const started = performance.now();
  for (let i = 0; i < QUERIES; i++) await run(i);
  return (performance.now() - started) / QUERIES;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string', default: '20000' }, commits: { type: 'string', default: '400' } } });
  const embedder = new HashedEmbedder();
  const texts = loadBanking77('train').map((q) => q.text);
  const queries = loadBanking77('test').slice(0, QUERIES).map((q) => q.text);
  const queryVectors = await embedder.embed(queries, 'query');
  const row = (i: number): Record<string, unknown> => {
    const text = texts[i % texts.length] as string;
    return { id: `e${i}`, status: i % 10 === 0 ? 'proposed' : 'approved', text: text.toLowerCase(), vector: Array.from(embedder.embedOne(text)) };
  };
  const dir = await mkdtemp(join(tmpdir(), 'vigil-layout-'));
  const db = await lancedb.connect(dir);
  try {
    // (a) fragments: the same rows as one commit, then with `commits` one-row commits on top.
    const commits = Number(values.commits);
    const frag = await db.createTable('frag', Array.from({ length: commits }, (_, i) => row(i)));
    await frag.createIndex('text', { config: lancedb.Index.fts() });
    const vectorQuery = (t: lancedb.Table) => (i: number) => t.vectorSearch(queryVectors[i % QUERIES]!).distanceType('cosine').limit(50).toArray();
    const textQuery = (t: lancedb.Table) => (i: number) => t.search(queries[i % QUERIES]!.toLowerCase().replace(/[^a-z0-9 ]/g, ' '), 'fts').limit(50).toArray();
    const compactVector = await meanMs(vectorQuery(frag));
    const compactText = await meanMs(textQuery(frag));
    for (let i = commits; i < 2 * commits; i++) await frag.add([row(i)]);
    const fragmentedVector = await meanMs(vectorQuery(frag));
    const fragmentedText = await meanMs(textQuery(frag));
    await frag.optimize();
    const optimizedVector = await meanMs(vectorQuery(frag));
    const optimizedText = await meanMs(textQuery(frag));
    console.log(`(a) ${2 * commits} rows, ${commits} of them added by one-row commits`);
    console.log('| layout | vector query (ms) | full-text query (ms) |');
    console.log('|---|---|---|');
    console.log(`| ${commits} rows in one commit | ${compactVector.toFixed(1)} | ${compactText.toFixed(1)} |`);
    console.log(`| + ${commits} one-row commits | ${fragmentedVector.toFixed(1)} | ${fragmentedText.toFixed(1)} |`);
    console.log(`| the same, compacted (optimize) | ${optimizedVector.toFixed(1)} | ${optimizedText.toFixed(1)} |`);

    // (b) the status filter every suggestion search applies.
    const rows = Number(values.rows);
    const big = await db.createTable('big', Array.from({ length: rows }, (_, i) => row(i)));
    const filtered = (i: number) => big.vectorSearch(queryVectors[i % QUERIES]!).distanceType('cosine').where("status IN ('approved')").limit(50).toArray();
    const unfiltered = await meanMs((i) => big.vectorSearch(queryVectors[i % QUERIES]!).distanceType('cosine').limit(50).toArray());
    const scanFilter = await meanMs(filtered);
    await big.createIndex('status', { config: lancedb.Index.bitmap() });
    const bitmapFilter = await meanMs(filtered);
    const unfilteredAgain = await meanMs((i) => big.vectorSearch(queryVectors[i % QUERIES]!).distanceType('cosine').limit(50).toArray());
    console.log(`(b) ${rows} rows x ${embedder.dimensions} floats, vector query with status filter`);
    console.log('| filter | vector query (ms) |');
    console.log('|---|---|');
    console.log(`| none (measured first / last) | ${unfiltered.toFixed(1)} / ${unfilteredAgain.toFixed(1)} |`);
    console.log(`| status, no index | ${scanFilter.toFixed(1)} |`);
    console.log(`| status, bitmap index | ${bitmapFilter.toFixed(1)} |`);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
