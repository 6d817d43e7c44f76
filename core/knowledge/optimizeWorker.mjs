// Compaction and index refresh of one knowledge table (LanceDB `optimize`), in a short-lived process of its own
// (optimizeInChild.ts starts it). LanceDB's compaction reads and rewrites fragments and index segments in native
// memory that glibc keeps after it is freed; done here, that memory goes away with this process instead of staying
// in the app's. The store holds its commit queue while this runs, so this process is the table's only writer.
//
//   node optimizeWorker.mjs LANCEDB_DIR TABLE CLEANUP_OLDER_THAN_MS
// or the same three in VIGIL_OPTIMIZE_JOB as a JSON array (an Electron utility process, whose argv layout is
// Electron's). Prints the optimize statistics as one JSON line; on failure, the error on stderr and exit status 1.
import * as lancedb from '@lancedb/lancedb';

const job = process.env.VIGIL_OPTIMIZE_JOB;
const [dir, name, cutoff] = job ? JSON.parse(job) : process.argv.slice(2);
try {
  if (!dir || !name || !Number.isFinite(Number(cutoff))) throw new Error('usage: optimizeWorker.mjs LANCEDB_DIR TABLE CLEANUP_OLDER_THAN_MS');
  // Small caches: this process reads each index once.
  const db = await lancedb.connect(dir, {}, new lancedb.Session(32n * 2n ** 20n, 16n * 2n ** 20n));
  const table = await db.openTable(name);
  const stats = await table.optimize({ cleanupOlderThan: new Date(Number(cutoff)) });
  process.stdout.write(`${JSON.stringify({ version: await table.version(), stats }, (_k, v) => (typeof v === "bigint" ? Number(v) : v))}\n`);
  table.close();
  db.close();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message || String(err.stack) : String(err)}\n`);
  process.exitCode = 1;
}
