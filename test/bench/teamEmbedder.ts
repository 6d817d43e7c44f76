/**
 * Is an embedder learned on the team's own text (core/embed/teamEmbedder.ts: PPMI + SVD word vectors, hashed
 * character n-grams, SIF) worth a place beside the built-in hashed embedder? Not a test.
 *
 *   npm run bench:team-embedder                                 # BANKING77, ABCD, DSTC11: report parts, whole
 *   npm run bench:team-embedder -- --sets abcd,dstc11 --queries 300
 *   npm run bench:team-embedder -- --part fit --team-weights 0.25,0.4,0.55   # choose the blend on the fit parts
 *   npm run bench:team-embedder -- --scale 10000,100000         # training time and memory only
 *
 * Quality: for each set (test/bench/retrievalSets.ts), the team embedder is trained on the knowledge side only (the
 * entries' title, question and body: for BANKING77 these are the train split's tickets; ABCD and DSTC11 have no
 * train tickets here), then the set's `report` queries (never seen in training) are asked of a new `KnowledgeStore`
 * built with each embedder (test/bench/retrievalEval.ts `runSet`). Reported: the engine's hybrid (as the app asks
 * it) and the vector leg alone, Recall@1 / MRR@10, with the plain BM25 baseline in the same run. Three embedders: the
 * built-in hashed one, the team one, and both concatenated ("hashed ⊕ team", `--team-weights`: the team part's weight
 * w, the hashed part's √(1 − w²); 0.707 is equal weight).
 *
 * Scale: training time and peak memory (each size in its own child process, so the peak is its own) on N texts from
 * the three data sets (BANKING77 train and test queries, DSTC11 knowledge and validation turns, ABCD guidelines),
 * cycled when N exceeds the distinct texts available.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EmbedMode, Embedder } from '../../core/embed/embedder';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import { TeamEmbedder } from '../../core/embed/teamEmbedder';
import type { Entry } from '../../core/formats/schemas';
import { loadBanking77 } from './banking77Data';
import { legRanking, runSet, score, type Scores } from './retrievalEval';
import { abcdSet, banking77Set, dstc11Set, type EvalSet } from './retrievalSets';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');
const entryText = (e: Entry): string => [e.title, e.question, e.body].filter(Boolean).join('\n');

/**
 * The hashed and the team embedder side by side in one vector, the team part at weight `w` and the hashed part at
 * √(1 − w²), so the result stays unit length and the cosine is (1 − w²)·hashed + w²·team.
 */
class Concatenated implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly scales: number[];
  constructor(
    private readonly parts: readonly [Embedder, Embedder],
    teamWeight: number,
  ) {
    this.id = `concat(${parts.map((p) => p.id).join('+')}@${teamWeight})`;
    this.dimensions = parts[0].dimensions + parts[1].dimensions;
    this.scales = [Math.sqrt(1 - teamWeight ** 2), teamWeight];
  }
  async embed(texts: readonly string[], mode: EmbedMode): Promise<Float32Array[]> {
    const each = await Promise.all(this.parts.map((p) => p.embed(texts, mode)));
    return texts.map((_, i) => {
      const out = new Float32Array(this.dimensions);
      let at = 0;
      each.forEach((vectors, k) => {
        const v = vectors[i]!;
        for (let j = 0; j < v.length; j++) out[at + j] = v[j]! * this.scales[k]!;
        at += v.length;
      });
      return out;
    });
  }
}

const f = (s: Scores): string => `${s.recallAt1.toFixed(3)} / ${s.mrr.toFixed(3)}`;

async function quality(sets: EvalSet[], part: 'fit' | 'report', teamWeights: readonly number[]): Promise<void> {
  console.log(`load average ${loadavg()[0]!.toFixed(1)} at start; ${part} parts; Recall@1 / MRR@10`);
  console.log('| set | queries | embedder | training | hybrid (engine) | vector leg alone | BM25 same run |');
  console.log('|---|---|---|---|---|---|---|');
  for (const full of sets) {
    const set: EvalSet = { ...full, queries: full.queries.filter((q) => q.part === part) };
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const team = TeamEmbedder.train(set.entries.map(entryText));
    const training = `${((performance.now() - started) / 1000).toFixed(1)} s, ${team.vocabularySize} words, +${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(0)} MiB`;
    const hashed = new HashedEmbedder();
    const embedders: [string, Embedder][] = [
      ['hashed (built-in)', hashed],
      ['team (PPMI-SVD)', team],
      ...teamWeights.map((w): [string, Embedder] => [`hashed ⊕ team, team weight ${w}`, new Concatenated([hashed, team], w)]),
    ];
    for (const [name, embedder] of embedders) {
      const t = performance.now();
      const run = await runSet(set, {}, embedder);
      const engine = score(set.queries, run.engine.map((hits) => hits.map((h) => h.id)), set.groupOf);
      const vectors = score(set.queries, run.legs.map((h) => legRanking(h, 'vectorRank')), set.groupOf);
      const bm25 = score(set.queries, run.bm25, set.groupOf);
      console.log(`| ${set.name} | ${set.queries.length} | ${name} | ${name.startsWith('hashed (') ? 'none' : training} | ${f(engine)} | ${f(vectors)} | ${f(bm25)} |`);
      console.error(`${set.name} ${name}: ${((performance.now() - t) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(1)}`);
    }
  }
}

/** Up to `n` texts from the three data sets, cycled when fewer are available. */
function scaleCorpus(n: number): string[] {
  const distinct: string[] = [
    ...loadBanking77('train').map((q) => q.text),
    ...loadBanking77('test').map((q) => q.text),
    ...dstc11Set(0).entries.map(entryText),
    ...abcdSet().entries.map(entryText),
    ...(JSON.parse(readFileSync(join(DATA, 'dstc11', 'val', 'logs.json'), 'utf8')) as { text: string }[][]).flatMap((log) => log.map((t) => t.text)),
  ];
  return Array.from({ length: n }, (_, i) => distinct[i % distinct.length] as string);
}

function scaleOne(n: number): void {
  const texts = scaleCorpus(n);
  const distinct = new Set(texts).size;
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const team = TeamEmbedder.train(texts);
  const seconds = (performance.now() - started) / 1000;
  const embedStarted = performance.now();
  for (const t of texts.slice(0, 2000)) team.embedOne(t);
  const perText = (performance.now() - embedStarted) / Math.min(2000, texts.length);
  const bytes = team.toBytes().length;
  console.log(
    `| ${n.toLocaleString('en')} (${distinct.toLocaleString('en')} distinct) | ${team.vocabularySize} | ${seconds.toFixed(1)} s | ` +
      `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (${(before / 2 ** 20).toFixed(0)} MiB before) | ${(bytes / 2 ** 20).toFixed(1)} MiB | ${perText.toFixed(3)} ms |`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: 'banking77,abcd,dstc11' },
      queries: { type: 'string' },
      part: { type: 'string', default: 'report' },
      'team-weights': { type: 'string', default: '0.707' },
      scale: { type: 'string' },
      'scale-one': { type: 'string' },
    },
  });
  if (values['scale-one']) return scaleOne(Number(values['scale-one']));
  if (values.scale) {
    console.log(`${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`);
    console.log('| texts | vocabulary | training | peak RSS | model file | embed one text |');
    console.log('|---|---|---|---|---|---|');
    for (const n of values.scale.split(',').map(Number)) {
      // A child per size: the peak RSS is that size's alone.
      process.stdout.write(execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--scale-one', String(n)], { encoding: 'utf8' }));
    }
    return;
  }
  const limit = values.queries ? Number(values.queries) : Infinity;
  const wanted = new Set(values.sets.split(','));
  const sets: EvalSet[] = [];
  if (wanted.has('banking77')) sets.push(banking77Set(limit));
  if (wanted.has('abcd')) sets.push(abcdSet());
  if (wanted.has('dstc11')) sets.push(dstc11Set(limit));
  if (values.part !== 'fit' && values.part !== 'report') throw new Error(`--part must be fit or report, not ${values.part}`);
  await quality(sets, values.part, values['team-weights'].split(',').filter(Boolean).map(Number));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  await main();
}
