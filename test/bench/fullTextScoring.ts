/**
 * The full-text leg's scoring alone, offline, on every retrieval set (retrievalSets.ts): BM25 over each entry's
 * indexed text (`fullTextOf`: title and question counted `TITLE_WEIGHT` times) on plain tokens or on word stems, with
 * the query's repeated words counted once (k3 = 0) or more (`queryTermWeights` at k3 0.5, 1, 2, and linearly), each
 * against the plain BM25 baseline (bm25Baseline.ts) on the same entries. Every entry is scored (no candidate cut),
 * so this isolates the scoring from LanceDB's candidate pick and from fusion; `npm run bench:retrieval` measures
 * the store itself.
 *
 *   npm run bench:full-text                      # ~10 minutes on 2 cores (DSTC11's 2,129 queries × 4,299 entries)
 *   npm run bench:full-text -- --sets forum,abcd
 */
import { parseArgs } from 'node:util';
import { CorpusStats, queryTermWeights, termCounts } from '../../core/knowledge/freshTier';
import { fullTextOf } from '../../core/knowledge/storedEntry';
import { stemsOf } from '../../core/text/stems';
import { tokenize } from '../../core/text/tokenize';
import { Bm25Index } from './bm25Baseline';
import { ForumDataMissing, forumPath, loadForum } from './forumData';
import { abcdSet, abcdStepSets, banking77Set, dstc11Set, forumSet, type EvalSet } from './retrievalSets';

const VARIANTS: Record<string, (text: string) => string[]> = { plain: (t) => tokenize(t), stems: (t) => stemsOf(tokenize(t)) };
const K3S = [0, 0.5, 1, 2, Infinity];

type Cell = { right: number; rr: number; n: number };

function main(): void {
  const { values } = parseArgs({ options: { sets: { type: 'string', default: 'banking77,abcd,abcd-steps,dstc11,forum' }, forum: { type: 'string' } } });
  const wanted = new Set(values.sets.split(','));
  const groups: EvalSet[][] = [];
  if (wanted.has('banking77')) groups.push([banking77Set()]);
  if (wanted.has('abcd')) groups.push([abcdSet()]);
  if (wanted.has('abcd-steps')) groups.push(abcdStepSets());
  if (wanted.has('dstc11')) groups.push([dstc11Set()]);
  if (wanted.has('forum')) {
    try {
      groups.push([forumSet(loadForum(forumPath(values.forum)))]);
    } catch (error) {
      // Made on demand outside the project (BENCHMARKS.md): absent, a note and the other sets.
      if (!(error instanceof ForumDataMissing)) throw error;
      console.error(`forum: skipped. ${error.message}`);
    }
  }
  console.log('| set | scoring | fit R@1 / MRR@10 | report R@1 / MRR@10 |\n|---|---|---|---|');
  for (const folds of groups) {
    const cells = new Map<string, Record<'fit' | 'report', Cell>>();
    for (const fold of folds) {
      const ids = fold.entries.map((e) => e.id);
      const baseline = new Bm25Index(fold.entries.map((e) => [e.title, e.question, e.body].filter(Boolean).join('\n')));
      const rankers = new Map<string, (query: string) => string[]>([['BM25 baseline', (q) => baseline.search(q, 10).map((i) => ids[i]!)]]);
      for (const [variant, terms] of Object.entries(VARIANTS)) {
        const stats = new CorpusStats();
        const docs = fold.entries.map((e) => {
          const t = terms(fullTextOf(e));
          stats.add(t);
          return { counts: termCounts(t), length: t.length };
        });
        for (const k3 of K3S) {
          rankers.set(`${variant}, k3 ${k3 === Infinity ? '∞' : k3}`, (query) => {
            // k3 = ∞: a word counts as often as it is said (the limit of the saturating curve).
            const weights = k3 === Infinity ? termCounts(terms(query)) : queryTermWeights(terms(query), k3);
            return docs
              .map((d, i) => ({ i, score: stats.score(weights, d.counts, d.length) }))
              .sort((a, b) => b.score - a.score || a.i - b.i)
              .slice(0, 10)
              .map(({ i }) => ids[i]!);
          });
        }
      }
      for (const [name, rank] of rankers) {
        const cell = cells.get(name) ?? { fit: { right: 0, rr: 0, n: 0 }, report: { right: 0, rr: 0, n: 0 } };
        cells.set(name, cell);
        for (const q of fold.queries) {
          const position = rank(q.text).findIndex((id) => q.relevant.has(id));
          const c = cell[q.part];
          c.n++;
          if (position === 0) c.right++;
          if (position >= 0) c.rr += 1 / (position + 1);
        }
      }
    }
    const f = (c: Cell): string => `${(c.right / Math.max(1, c.n)).toFixed(3)} / ${(c.rr / Math.max(1, c.n)).toFixed(3)}`;
    for (const [name, cell] of cells) console.log(`| ${folds[0]!.name} | ${name} | ${f(cell.fit)} | ${f(cell.report)} |`);
  }
}

main();
