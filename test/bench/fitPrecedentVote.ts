/**
 * Fits the precedent vote (core/assist/precedentVote.ts) on BANKING77's train set only: a seeded 2/3 of the train
 * queries is replayed as closed tickets (in file order), the other 1/3 asked as new tickets, with the engine's vote
 * off. The vote is then applied to each decision's citations (intent of the source ticket, similarity) for every
 * setting of the grid, with the engine's own `voteWinner`, and Recall@1 / MRR are printed. The test set is not read.
 *
 * The choice: among the settings within 0.001 of the best Recall@1 (several tie on a plateau), the one whose grid
 * neighbours (one step in one parameter) have the best mean Recall@1, so that a lucky isolated peak is not chosen.
 *
 *   npm run fit:vote -- [--seed S] [--verify]
 *
 * `--verify` replays the same split once more with the best setting inside the engine, to check that the figures
 * computed from the citations are the engine's.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { voteWinner, type PrecedentVote } from '../../core/assist/precedentVote';
import { loadBanking77, seededShuffle, type LabelledQuery } from './banking77Data';
import { retrievalMetrics, type RetrievalMetrics } from './retrievalMetrics';
import { benchmarkBanking77 } from './runBanking77';

const WINDOWS = [3, 5, 7, 10];
const DISCOUNTS = [0, 0.5, 1, 2];
const POWERS = [1, 2, 4, 8];

type Voters = Array<{ key: string; similarity: number }>;

/** Recall@1 and MRR of the citations after the vote (`null`: as the engine ranked them). */
function scoreVote(expected: readonly string[], voters: readonly Voters[], vote: PrecedentVote | null): RetrievalMetrics {
  const ranked = voters.map((list) => {
    const keys = list.map((v) => v.key);
    const first = vote ? voteWinner(list, vote) : 0;
    return first === 0 ? keys : [keys[first]!, ...keys.filter((_, i) => i !== first)];
  });
  return retrievalMetrics(expected, ranked);
}

const f3 = (x: number): string => x.toFixed(3);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' }, verify: { type: 'boolean', default: false } } });
  const seed = Number(values.seed);
  const train = loadBanking77('train');
  const order = seededShuffle(
    train.map((_, i) => i),
    seed,
  );
  const asked = new Set(order.slice(0, Math.floor(train.length / 3)));
  const learn = train.filter((_, i) => !asked.has(i));
  const ask: LabelledQuery[] = train.filter((_, i) => asked.has(i));
  console.log(`BANKING77 train only: ${learn.length} learned (file order), ${ask.length} asked (seed ${seed}); load ${loadavg()[0]!.toFixed(1)}, ${cpus().length} CPUs`);

  const voters: Voters[] = ask.map(() => []);
  const base = await benchmarkBanking77(learn, ask, (line) => console.error(line), {
    precedentVote: null,
    onTest: (i, decision, intents) => {
      voters[i] = (decision?.citations ?? []).map((c, j) => ({ key: intents[j] ?? '?', similarity: c.score }));
    },
  });
  const expected = ask.map((q) => q.intent);
  const none = scoreVote(expected, voters, null);
  console.log(`no vote (engine): Recall@1 ${f3(base.engine.recallAt1)} MRR ${f3(base.engine.mrr)}; from citations ${f3(none.recallAt1)} / ${f3(none.mrr)}; BM25 ${f3(base.bm25.recallAt1)} / ${f3(base.bm25.mrr)}; ${base.seconds.toFixed(0)} s`);

  const grid = new Map<string, { vote: PrecedentVote; at: number[]; m: RetrievalMetrics }>();
  const keyOf = (at: readonly number[]): string => at.join(',');
  WINDOWS.forEach((window, a) =>
    DISCOUNTS.forEach((discount, b) =>
      POWERS.forEach((power, c) => {
        const vote = { window, discount, power };
        grid.set(keyOf([a, b, c]), { vote, at: [a, b, c], m: scoreVote(expected, voters, vote) });
      }),
    ),
  );
  const neighbourhood = (at: readonly number[]): number => {
    const around = [at, ...at.flatMap((_, d) => [-1, 1].map((step) => at.map((x, j) => (j === d ? x + step : x))))];
    const found = around.map((p) => grid.get(keyOf(p))?.m.recallAt1).filter((x): x is number => x !== undefined);
    return found.reduce((s, x) => s + x, 0) / found.length;
  };
  const rows = [...grid.values()].map((r) => ({ ...r, around: neighbourhood(r.at) }));
  rows.sort((a, b) => b.m.recallAt1 - a.m.recallAt1 || b.m.mrr - a.m.mrr);
  console.log('| window | discount | power | Recall@1 | MRR | Recall@1, mean with grid neighbours |');
  console.log('|---|---|---|---|---|---|');
  for (const { vote, m, around } of rows) console.log(`| ${vote.window} | ${vote.discount} | ${vote.power} | ${f3(m.recallAt1)} | ${f3(m.mrr)} | ${around.toFixed(4)} |`);
  const top = rows[0]!.m.recallAt1;
  const best = rows.filter((r) => r.m.recallAt1 >= top - 0.001).sort((a, b) => b.around - a.around)[0]!;
  console.log(`chosen: ${JSON.stringify(best.vote)} Recall@1 ${f3(best.m.recallAt1)} MRR ${f3(best.m.mrr)} (no vote ${f3(none.recallAt1)} / ${f3(none.mrr)})`);

  if (values.verify) {
    const voted = await benchmarkBanking77(learn, ask, (line) => console.error(line), { precedentVote: best.vote });
    const e = voted.engine;
    console.log(`verify, vote in the engine: Recall@1 ${f3(e.recallAt1)} MRR ${f3(e.mrr)}; spoke ${f3(e.speakRate)}, right when shown ${f3(e.shownPrecision)} (no vote: spoke ${f3(base.engine.speakRate)}, right when shown ${f3(base.engine.shownPrecision)}); load ${loadavg()[0]!.toFixed(1)}`);
  }
}

await main();
