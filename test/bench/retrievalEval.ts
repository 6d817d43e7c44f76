/**
 * Retrieval-only benchmark of the knowledge store's search (not a test): BANKING77, ABCD, DSTC11 and, when its file
 * has been made (forumData.ts), the technical forum (retrievalSets.ts) through the real `KnowledgeStore` (LanceDB full-text leg, int8 vector leg, fusion), with the
 * plain BM25 baseline (bm25Baseline.ts) over the same entries' whole text answering the same queries in the same run.
 * Recall@1 and MRR@10 of the first relevant entry, on the `fit` and `report` parts of each set; settings are chosen
 * on `fit` and read on `report`.
 *
 *   npm run bench:retrieval                       # all three sets, a few minutes
 *   npm run bench:retrieval -- --sets abcd,dstc11 --queries 500 --json hits.json
 *   npm run bench:retrieval -- --sets forum --forum /path/to/forum.json   # or VIGIL_FORUM_DATA; 500 questions
 *
 * `--json` writes every query's hits with both legs' ranks, so fusion rules can be compared offline on the same runs
 * (`legs`: both legs' 50 candidates each, every id).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Embedder } from '../../core/embed/embedder';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { KnowledgeStore, type SearchHit, type SearchOptions } from '../../core/knowledge/knowledgeStore';
import { toStoredEntry } from '../../core/knowledge/storedEntry';
import { Bm25Index } from './bm25Baseline';
import { ForumDataMissing, forumPath, loadForum } from './forumData';
import { abcdSet, abcdStepSets, banking77Set, dstc11Set, forumSet, type EvalQuery, type EvalSet } from './retrievalSets';

export interface RankedHit {
  id: string;
  textRank: number | null;
  vectorRank: number | null;
  similarity: number;
  textScore: number | null;
  passage: number | null;
}

export interface Scores {
  queries: number;
  recallAt1: number;
  mrr: number;
  /** Share of queries whose first hit is of the right group (DSTC11: entity), or null. */
  groupAt1: number | null;
}

/** Recall@1 and MRR@10 of the first relevant id; `groupOf` for the group column. */
export function score(queries: readonly EvalQuery[], ranked: readonly (readonly string[])[], groupOf: ReadonlyMap<string, string>): Scores {
  let at1 = 0;
  let rr = 0;
  let group = 0;
  queries.forEach((q, i) => {
    const ids = (ranked[i] ?? []).slice(0, 10);
    const position = ids.findIndex((id) => q.relevant.has(id));
    if (position === 0) at1++;
    if (position >= 0) rr += 1 / (position + 1);
    if (q.group && ids[0] && groupOf.get(ids[0]) === q.group) group++;
  });
  const n = Math.max(1, queries.length);
  return { queries: queries.length, recallAt1: at1 / n, mrr: rr / n, groupAt1: queries.some((q) => q.group) ? group / n : null };
}

/**
 * Runs one set through a new store (built-in embedder unless `embedder` is given) and through BM25; returns every
 * query's engine hits and BM25 ranking.
 */
export async function runSet(
  set: EvalSet,
  options: SearchOptions = {},
  embedder: Embedder = new HashedEmbedder(),
): Promise<{ engine: RankedHit[][]; legs: RankedHit[][]; bm25: string[][] }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-retrieval-'));
  const store = await KnowledgeStore.open(dir, embedder);
  try {
    const now = new Date().toISOString();
    for (let i = 0; i < set.entries.length; i += 500) {
      await store.upsert(set.entries.slice(i, i + 500).map((e) => toStoredEntry(e, { status: 'approved', now })));
    }
    await store.refreshIndexes();
    const engine: RankedHit[][] = [];
    const legs: RankedHit[][] = [];
    const toRanked = (hits: SearchHit[]): RankedHit[] =>
      hits.map((h) => ({ id: h.entry.id, textRank: h.textRank, vectorRank: h.vectorRank, similarity: h.similarity, textScore: h.textScore ?? null, passage: h.passage?.index ?? null }));
    for (const q of set.queries) {
      // The engine as the app asks it (10 hits); then both legs whole, as the engine takes them (50 candidates
      // each): all of their at most 100 ids, with both ranks and scores, so fusion rules can be re-run offline.
      engine.push(toRanked(await store.search(q.text, { limit: 10, ...options })));
      legs.push(toRanked(await store.search(q.text, { limit: 100, candidates: 50, vectorWeight: 1 })));
    }
    const bm25 = new Bm25Index(set.entries.map((e) => [e.title, e.question, e.body].filter(Boolean).join('\n')));
    const ids = set.entries.map((e) => e.id);
    return { engine, legs, bm25: set.queries.map((q) => bm25.search(q.text, 10).map((i) => ids[i] as string)) };
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A leg's own ranking out of both legs' candidates (all of them: `runSet` asks for every fused id). */
export function legRanking(hits: readonly RankedHit[], leg: 'textRank' | 'vectorRank'): string[] {
  return hits
    .filter((h) => h[leg] !== null)
    .sort((a, b) => (a[leg] as number) - (b[leg] as number))
    .map((h) => h.id);
}

function row(name: string, set: EvalSet, ranked: readonly (readonly string[])[], baseline: Record<'fit' | 'report', Scores>): string {
  const cells = (['fit', 'report'] as const).map((part) => {
    const idx = set.queries.map((q, i) => (q.part === part ? i : -1)).filter((i) => i >= 0);
    const s = score(idx.map((i) => set.queries[i]!), idx.map((i) => ranked[i]!), set.groupOf);
    const b = baseline[part];
    const group = s.groupAt1 === null ? '' : ` · entity ${s.groupAt1.toFixed(3)}`;
    return `${s.recallAt1.toFixed(3)} / ${s.mrr.toFixed(3)}${group} (×${(s.recallAt1 / Math.max(1e-9, b.recallAt1)).toFixed(2)} / ×${(s.mrr / Math.max(1e-9, b.mrr)).toFixed(2)})`;
  });
  return `| ${set.name} | ${name} | ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: 'banking77,abcd,abcd-steps,dstc11,forum' },
      queries: { type: 'string' },
      json: { type: 'string' },
      forum: { type: 'string' },
    },
  });
  const limit = values.queries ? Number(values.queries) : Infinity;
  const wanted = new Set(values.sets.split(','));
  const sets: EvalSet[] = [];
  if (wanted.has('banking77')) sets.push(banking77Set(limit));
  if (wanted.has('abcd')) sets.push(abcdSet());
  if (wanted.has('abcd-steps')) sets.push(...abcdStepSets());
  if (wanted.has('dstc11')) sets.push(dstc11Set(limit));
  if (wanted.has('forum')) {
    try {
      sets.push(forumSet(loadForum(forumPath(values.forum)), Number.isFinite(limit) ? limit : 500));
    } catch (error) {
      // Kept outside the project and made on demand: its absence is a note, not a failure of the other sets; a
      // malformed file is the user's to fix, named with its field, without a stack trace.
      console.error(`forum: skipped. ${(error as Error).message}`);
      if (!(error instanceof ForumDataMissing) || sets.length === 0) process.exitCode = 1;
    }
  }
  const load = (): string => loadavg()[0]!.toFixed(1);
  console.log(`load average ${load()} at start; R@1 / MRR@10 (ratio to BM25 in the same run)`);
  console.log('| set | system | fit part | report part |');
  console.log('|---|---|---|---|');
  const dump: Record<string, { queries: EvalQuery[]; engine: RankedHit[][]; legs: RankedHit[][]; bm25: string[][] }> = {};
  // Sets of one name (folds of one data set, each its own store) are run one by one and scored together.
  for (const name of [...new Set(sets.map((s) => s.name))]) {
    const started = performance.now();
    const folds = sets.filter((s) => s.name === name);
    const set: EvalSet = { name, entries: folds.flatMap((f) => f.entries), queries: folds.flatMap((f) => f.queries), groupOf: new Map(folds.flatMap((f) => [...f.groupOf])) };
    const engine: RankedHit[][] = [];
    const legs: RankedHit[][] = [];
    const bm25: string[][] = [];
    for (const fold of folds) {
      const run = await runSet(fold);
      engine.push(...run.engine);
      legs.push(...run.legs);
      bm25.push(...run.bm25);
    }
    const baseline = Object.fromEntries(
      (['fit', 'report'] as const).map((part) => {
        const idx = set.queries.map((q, i) => (q.part === part ? i : -1)).filter((i) => i >= 0);
        return [part, score(idx.map((i) => set.queries[i]!), idx.map((i) => bm25[i]!), set.groupOf)];
      }),
    ) as Record<'fit' | 'report', Scores>;
    console.log(row('BM25 baseline', set, bm25, baseline));
    console.log(row('engine (fused)', set, engine.map((hits) => hits.map((h) => h.id)), baseline));
    console.log(row('engine full-text leg', set, legs.map((h) => legRanking(h, 'textRank')), baseline));
    console.log(row('engine vector leg', set, legs.map((h) => legRanking(h, 'vectorRank')), baseline));
    const entries = folds[0]!.entries.length;
    console.error(`${name}: ${entries} entries${folds.length > 1 ? ` (${folds.length} folds)` : ''}, ${set.queries.length} queries (${set.queries.filter((q) => q.part === 'fit').length} fit), ${((performance.now() - started) / 1000).toFixed(0)} s, load ${load()}`);
    dump[name] = { queries: set.queries, engine, legs, bm25 };
  }
  if (values.json) {
    await writeFile(values.json, JSON.stringify(dump, (_key, value: unknown) => (value instanceof Set ? [...(value as Set<string>)] : value)));
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  await main();
}
