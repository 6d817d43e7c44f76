/**
 * Offline comparison of fusion rules for the store's hybrid search, on the hits `npm run bench:retrieval -- --json
 * hits.json` dumped (both legs' ranks and scores for every query of every set). Each rule re-fuses the same two legs
 * of each query, so rules are compared on identical candidates; the rule is chosen on the `fit` parts only and then
 * read on the `report` parts.
 *
 *   npm run bench:retrieval -- --json hits.json
 *   npm run fit:fusion -- hits.json
 *
 * Choice: the rule whose worst (set, measure) ratio to that set's better leg on the fit parts is highest (Recall@1
 * and MRR@10; a ratio ≥ 1 means fusion is at or above both legs), then the rule whose worst ratio to BM25 is highest,
 * then the mean ratio.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AGREED_TEXT_SHARE, DISAGREED_TEXT_SHARE, fuseHybrid, longQueryLift, type LongQueryShare, type ScoredId } from '../../core/knowledge/hybridSearch';
import { tokenize } from '../../core/text/tokenize';
import type { RankedHit } from './retrievalEval';

interface DumpedQuery {
  text: string;
  relevant: string[];
  part: 'fit' | 'report';
}

interface DumpedSet {
  queries: DumpedQuery[];
  engine: RankedHit[][];
  legs: RankedHit[][];
  bm25: string[][];
}

/** One query's legs as the store hands them to fusion. */
export interface Legs {
  text: ScoredId[];
  vector: ScoredId[];
  similarity: Map<string, number>;
  /** Word tokens in the query, as the store counts them. */
  words: number;
}

export type Rule = (legs: Legs) => string[];

/** The legs of one query out of hits fused at equal weights, each leg cut to its first `candidates`. */
export function legsOf(hits: readonly RankedHit[], candidates: number, query = ''): Legs {
  const leg = (rank: 'textRank' | 'vectorRank', score: (h: RankedHit) => number): ScoredId[] =>
    hits
      .filter((h) => h[rank] !== null && (h[rank] as number) < candidates)
      .sort((a, b) => (a[rank] as number) - (b[rank] as number))
      .map((h) => ({ id: h.id, score: score(h) }));
  return {
    text: leg('textRank', (h) => h.textScore ?? 0),
    vector: leg('vectorRank', (h) => h.similarity),
    similarity: new Map(hits.map((h) => [h.id, h.similarity])),
    words: tokenize(query).length,
  };
}

function measure(queries: readonly DumpedQuery[], ranked: readonly (readonly string[])[]): { r1: number; mrr: number } {
  let r1 = 0;
  let rr = 0;
  queries.forEach((q, i) => {
    const position = (ranked[i] ?? []).slice(0, 10).findIndex((id) => q.relevant.includes(id));
    if (position === 0) r1++;
    if (position >= 0) rr += 1 / (position + 1);
  });
  return { r1: r1 / Math.max(1, queries.length), mrr: rr / Math.max(1, queries.length) };
}

const CANDIDATES = 50;

type Normalise = 'max' | 'minmax' | 'z';

/** Each leg's scores mapped to comparable units: divided by the best, min-max over the leg, or z-scores. */
function normaliser(scores: readonly number[], how: Normalise): (s: number) => number {
  const best = Math.max(0, ...scores);
  if (how === 'max') return (s) => (best > 0 ? Math.max(0, s) / best : 0);
  const least = Math.min(...scores);
  if (how === 'minmax') return (s) => (best > least ? (s - least) / (best - least) : 0);
  const mean = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
  const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, scores.length)) || 1;
  return (s) => (s - mean) / sd;
}

/** How sure a leg is of its first hit: the gap between its first and its `depth`-th score, over the first. */
function sureness(scores: readonly number[], depth: number): number {
  const first = scores[0] ?? 0;
  const kth = scores[Math.min(depth, scores.length) - 1] ?? 0;
  return first > 0 ? (first - kth) / first : 0;
}

function agreement(a: readonly ScoredId[], b: readonly ScoredId[]): number {
  const head = new Set(a.slice(0, 10).map((h) => h.id));
  return b.slice(0, 10).filter((h) => head.has(h.id)).length;
}

/**
 * A fusion rule: normalised CombSUM where the full-text share is `agreed` when the legs share ≥ `min` of their first
 * 10, else `disagreed`; with `adaptive`, the share instead follows the legs' sureness (text / (text + vector)),
 * kept within [agreed, disagreed] as bounds.
 */
function combSum(how: Normalise, agreed: number, disagreed: number, min: number, adaptive?: number, long?: LongQueryShare): Rule {
  return (legs) => {
    const lift = long ? longQueryLift(legs.words, long) : 0;
    let share = (agreement(legs.text, legs.vector) >= min ? agreed : disagreed) + lift;
    if (adaptive !== undefined) {
      const t = sureness(legs.text.map((h) => h.score), adaptive);
      const v = sureness(legs.vector.map((h) => h.score), adaptive);
      const raw = t + v > 0 ? t / (t + v) : 0.5;
      share = Math.min(Math.max(raw, Math.min(agreed, disagreed)), Math.max(agreed, disagreed));
    }
    const textScore = new Map<string, number>();
    for (const h of legs.text) if (!textScore.has(h.id)) textScore.set(h.id, h.score);
    const ids = [...new Set([...legs.text.map((h) => h.id), ...legs.vector.map((h) => h.id)])];
    const textNorm = normaliser([...textScore.values()], how);
    const cosines = ids.map((id) => legs.similarity.get(id) ?? 0);
    const vectorNorm = normaliser(how === 'max' ? cosines : legs.vector.map((h) => h.score), how);
    const textFloor = how === 'max' ? 0 : textNorm(Math.min(...textScore.values()));
    const vectorFloor = how === 'max' ? 0 : vectorNorm(Math.min(...legs.vector.map((h) => h.score)));
    const textRank = new Map(legs.text.map((h, i) => [h.id, i]));
    const fused = ids.map((id) => ({
      id,
      fused:
        share * (textScore.has(id) ? textNorm(textScore.get(id)!) : textFloor) +
        (1 - share) * (legs.similarity.has(id) ? vectorNorm(legs.similarity.get(id)!) : vectorFloor),
      rank: textRank.get(id) ?? Infinity,
    }));
    return fused.sort((a, b) => b.fused - a.fused || a.rank - b.rank || (a.id < b.id ? -1 : 1)).map((r) => r.id);
  };
}

/** Where the legs agree, `combSum`; where they do not, the ranking of the leg surer of its first hit. */
function surerLeg(agreed: number, min: number, depth: number, bias: number): Rule {
  const fused = combSum('max', agreed, agreed, 0);
  return (legs) => {
    if (agreement(legs.text, legs.vector) >= min) return fused(legs);
    const t = sureness(legs.text.map((h) => h.score), depth);
    const v = sureness(legs.vector.map((h) => h.score), depth);
    const first = t * bias >= v ? legs.text : legs.vector;
    const second = first === legs.text ? legs.vector : legs.text;
    return [...new Set([...first.map((h) => h.id), ...second.map((h) => h.id)])];
  };
}

function main(): void {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { candidates: { type: 'string' } } });
  const file = positionals[0];
  if (!file) {
    console.error('usage: npm run fit:fusion -- hits.json   (from npm run bench:retrieval -- --json hits.json)');
    process.exit(2);
  }
  const candidates = values.candidates ? Number(values.candidates) : CANDIDATES;
  const dump = JSON.parse(readFileSync(file, 'utf8')) as Record<string, DumpedSet>;
  const sets = Object.entries(dump).map(([name, set]) => ({ name, ...set, split: set.legs.map((h, i) => legsOf(h, candidates, set.queries[i]?.text)) }));

  // The re-fused current rule must give the store's own ranking, or the comparison is not of the same candidates.
  for (const set of sets) {
    const same = set.split.filter((legs, i) => fuseHybrid(legs.text, legs.vector, { similarity: legs.similarity, queryWords: legs.words })[0]?.id === set.engine[i]?.[0]?.id).length;
    console.log(`${set.name}: the current rule re-fused gives the store's first hit on ${same} of ${set.split.length} queries`);
  }

  const parts = ['fit', 'report'] as const;
  const idx = (set: (typeof sets)[number], part: 'fit' | 'report'): number[] => set.queries.map((q, i) => (q.part === part ? i : -1)).filter((i) => i >= 0);
  const on = (set: (typeof sets)[number], part: 'fit' | 'report', ranked: readonly (readonly string[])[]) => {
    const i = idx(set, part);
    return measure(i.map((j) => set.queries[j]!), i.map((j) => ranked[j]!));
  };
  const baselines = sets.map((set) => {
    const text = set.split.map((l) => l.text.map((h) => h.id));
    const vector = set.split.map((l) => l.vector.map((h) => h.id));
    return Object.fromEntries(
      parts.map((part) => {
        const t = on(set, part, text);
        const v = on(set, part, vector);
        return [part, { bm25: on(set, part, set.bm25), best: { r1: Math.max(t.r1, v.r1), mrr: Math.max(t.mrr, v.mrr) }, text: t, vector: v }];
      }),
    ) as Record<'fit' | 'report', { bm25: { r1: number; mrr: number }; best: { r1: number; mrr: number }; text: { r1: number; mrr: number }; vector: { r1: number; mrr: number } }>;
  });

  const rules: { name: string; rule: Rule }[] = [{ name: 'current', rule: (l) => fuseHybrid(l.text, l.vector, { similarity: l.similarity, queryWords: l.words }).map((r) => r.id) }];
  for (const how of ['max', 'minmax', 'z'] as const) {
    for (const agreed of [0.2, 0.3, 0.4, 0.5]) {
      for (const disagreed of [0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
        for (const min of [2, 3, 4, 5]) rules.push({ name: `${how} ${agreed}/${disagreed} on ${min}`, rule: combSum(how, agreed, disagreed, min) });
        for (const depth of [2, 5, 10]) rules.push({ name: `${how} sure@${depth} in [${agreed}, ${disagreed}]`, rule: combSum(how, agreed, disagreed, 0, depth) });
      }
    }
  }

  // Long queries: the current shares up to `from` words, the agreed share growing to `share` at `full` words.
  for (const share of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]) {
    for (const from of [30, 40, 60, 80]) {
      for (const full of [100, 150, 200, 300]) {
        rules.push({ name: `long ${share} at ${from}-${full} words`, rule: combSum('max', AGREED_TEXT_SHARE, DISAGREED_TEXT_SHARE, 3, undefined, { from, full, share }) });
      }
    }
  }

  for (const agreed of [0.3, 0.4, 0.5]) {
    for (const min of [3, 4, 5]) {
      for (const depth of [2, 5, 10]) {
        for (const bias of [0.5, 1, 2, 4]) rules.push({ name: `surer ${agreed} on ${min} sure@${depth} ×${bias}`, rule: surerLeg(agreed, min, depth, bias) });
      }
    }
  }

  const scored = rules.map(({ name, rule }) => {
    const cells = sets.map((set) => {
      const ranked = set.split.map(rule);
      return Object.fromEntries(parts.map((part) => [part, on(set, part, ranked)])) as Record<'fit' | 'report', { r1: number; mrr: number }>;
    });
    const worst = (part: 'fit' | 'report', against: 'best' | 'bm25'): number =>
      Math.min(...cells.flatMap((c, s) => [c[part].r1 / Math.max(1e-9, baselines[s]![part][against].r1), c[part].mrr / Math.max(1e-9, baselines[s]![part][against].mrr)]));
    const mean = (part: 'fit' | 'report'): number =>
      cells.reduce((sum, c, s) => sum + c[part].r1 / Math.max(1e-9, baselines[s]![part].best.r1) + c[part].mrr / Math.max(1e-9, baselines[s]![part].best.mrr), 0) / (2 * cells.length);
    return { name, cells, fit: [worst('fit', 'best'), worst('fit', 'bm25'), mean('fit')], report: [worst('report', 'best'), worst('report', 'bm25'), mean('report')] };
  });
  scored.sort((a, b) => b.fit[0]! - a.fit[0]! || b.fit[1]! - a.fit[1]! || b.fit[2]! - a.fit[2]!);
  const fmt = (c: { r1: number; mrr: number }): string => `${c.r1.toFixed(3)} / ${c.mrr.toFixed(3)}`;
  console.log(`\nlegs and BM25 (fit | report):`);
  sets.forEach((set, s) => {
    const b = baselines[s]!;
    console.log(`  ${set.name}: BM25 ${fmt(b.fit.bm25)} | ${fmt(b.report.bm25)} · text ${fmt(b.fit.text)} | ${fmt(b.report.text)} · vector ${fmt(b.fit.vector)} | ${fmt(b.report.vector)}`);
  });
  console.log(`\n${rules.length} rules; fit worst vs better leg, worst vs BM25, mean vs better leg; then report; then each set fit | report`);
  const show = (r: (typeof scored)[number]): void =>
    console.log(
      `${r.name.padEnd(28)} fit ${r.fit.map((x) => x.toFixed(3)).join(' ')} · report ${r.report.map((x) => x.toFixed(3)).join(' ')} · ` +
        r.cells.map((c, s) => `${sets[s]!.name} ${fmt(c.fit)} | ${fmt(c.report)}`).join(' · '),
    );
  scored.slice(0, 15).forEach(show);
  // Read only, never chosen on: how many rules would meet "never below the better leg, nor BM25" on both parts.
  const everywhere = scored.filter((r) => Math.min(r.fit[0]!, r.fit[1]!, r.report[0]!, r.report[1]!) >= 1);
  console.log(`\n${everywhere.length} of ${rules.length} rules are at or above the better leg and BM25 in every cell of both parts`);
  everywhere.forEach(show);
  show(scored.find((r) => r.name === 'current')!);

  // The long-query family alone, as its shares were chosen: on the fit parts, the worst (set, measure) ratio to the
  // higher of the better leg and BM25, to three decimals, then the mean over sets of each set's lesser ratio.
  const against = (s: number, part: 'fit' | 'report') => ({
    r1: Math.max(baselines[s]![part].best.r1, baselines[s]![part].bm25.r1, 1e-9),
    mrr: Math.max(baselines[s]![part].best.mrr, baselines[s]![part].bm25.mrr, 1e-9),
  });
  const lesser = (r: (typeof scored)[number], part: 'fit' | 'report'): number[] =>
    r.cells.map((c, s) => Math.min(c[part].r1 / against(s, part).r1, c[part].mrr / against(s, part).mrr));
  const family = scored
    .filter((r) => r.name.startsWith('long '))
    .map((r) => ({ r, worst: Math.round(Math.min(...lesser(r, 'fit')) * 1000), mean: lesser(r, 'fit').reduce((a, b) => a + b, 0) / sets.length }))
    .sort((a, b) => b.worst - a.worst || b.mean - a.mean);
  console.log('\nlong-query rules, ranked on the fit parts (worst, then mean, of each set\'s lesser ratio to max(better leg, BM25)):');
  family.slice(0, 5).forEach(({ r, mean }) => {
    process.stdout.write(`mean ${mean.toFixed(4)} · `);
    show(r);
  });

  // Where the current rule's first hit differs from the better leg's: is fusion's loss more than chance?
  console.log('\ncurrent rule against the better leg, Recall@1, queries where only one is right first (two-sided sign test):');
  const current = rules[0]!.rule;
  for (const [s, set] of sets.entries()) {
    for (const part of parts) {
      const b = baselines[s]![part];
      const leg = b.text.r1 >= b.vector.r1 ? 'text' : 'vector';
      let wins = 0;
      let losses = 0;
      for (const i of idx(set, part)) {
        const relevant = set.queries[i]!.relevant;
        const fusedRight = relevant.includes(current(set.split[i]!)[0] ?? '');
        const legRight = relevant.includes(set.split[i]![leg][0]?.id ?? '');
        if (fusedRight && !legRight) wins++;
        if (legRight && !fusedRight) losses++;
      }
      console.log(`  ${set.name} ${part}: fused only ${wins}, ${leg} leg only ${losses}, p = ${signTest(wins, losses).toFixed(2)}`);
    }
  }
}

/** Two-sided exact sign test: the chance of a split at least this uneven between `a` and `b` if each is 1/2. */
function signTest(a: number, b: number): number {
  const n = a + b;
  let tail = 0;
  let logChoose = 0; // ln C(n, k), summed in logs so that large n does not overflow
  for (let k = 0; k <= Math.min(a, b); k++) {
    tail += Math.exp(logChoose - n * Math.LN2);
    logChoose += Math.log(n - k) - Math.log(k + 1);
  }
  return Math.min(1, 2 * tail);
}

main();
