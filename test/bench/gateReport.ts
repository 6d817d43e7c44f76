/**
 * How often the proactive engine speaks, and how often what it shows is right, against always speaking — on
 * BANKING77 (learned precedents) and ABCD (guideline articles), through `vigil replay`'s engine. With `--llm MODEL`
 * the same run uses a local Ollama model and the LLM decision (the final one) is scored.
 *
 *   npm run bench:gate                                   # BANKING77 sample (2,000 + 500) and ABCD, retrieval-only
 *   npm run bench:gate -- --train 10003 --test 3080      # the whole of BANKING77
 *   npm run bench:gate -- --llm llama3.2:3b [--ollama-host 127.0.0.1:11434]
 *
 * "Always speak" shows the best candidate after every customer message that passed the scope gate; the gate's
 * precision is compared with that baseline's, in the same run, and "right answers kept" says how many of the
 * baseline's right answers the gate still shows.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AssistDecision } from '../../core/assist/assistant';
import { runReplay, type ReplayOptions } from '../../core/app/replay';
import { ABCD_DIR, abcdArticles, abcdTickets } from './abcdData';
import { loadBanking77, seededShuffle, toTicket } from './banking77Data';

export interface GateScore {
  /** Customer messages decided. */
  messages: number;
  outOfScope: number;
  /** Messages with at least one candidate (what always-speak would show). */
  candidates: number;
  alwaysRight: number;
  shown: number;
  shownRight: number;
  byReason: Record<string, number>;
}

/** Scores the final decision per customer message: `isRight(decision)` says whether its first citation is right. */
export function scoreDecisions(decisions: readonly AssistDecision[], isRight: (d: AssistDecision) => boolean): GateScore {
  const final = new Map<string, AssistDecision>();
  for (const d of decisions) if (d.stage !== 'rules') final.set(`${d.ticketId}/${d.afterMessageId}`, d);
  const score: GateScore = { messages: 0, outOfScope: 0, candidates: 0, alwaysRight: 0, shown: 0, shownRight: 0, byReason: {} };
  for (const d of final.values()) {
    score.messages++;
    score.byReason[d.reason] = (score.byReason[d.reason] ?? 0) + 1;
    if (d.reason === 'out_of_scope') score.outOfScope++;
    if (d.citations.length === 0) continue;
    score.candidates++;
    const right = isRight(d);
    if (right) score.alwaysRight++;
    if (d.shown) {
      score.shown++;
      if (right) score.shownRight++;
    }
  }
  return score;
}

export function describeScore(name: string, s: GateScore): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const baseline = s.alwaysRight / Math.max(1, s.candidates);
  const precision = s.shownRight / Math.max(1, s.shown);
  return `| ${name} | ${s.messages} | ${s.candidates} | ${pct(baseline)} | ${s.shown} (${pct(s.shown / Math.max(1, s.candidates))}) | ${pct(precision)} | ${(precision / Math.max(1e-9, baseline)).toFixed(2)} | ${pct(s.shownRight / Math.max(1, s.alwaysRight))} |`;
}

/** ABCD's subflow names (ontology.json) to the article ids made from guidelines.json (same order within a flow). */
export function abcdArticleFor(flow: string, subflow: string): string | null {
  const ontology = JSON.parse(readFileSync(join(ABCD_DIR, 'ontology.json'), 'utf8')) as { intents: { subflows: Record<string, string[]> } };
  const guidelines = JSON.parse(readFileSync(join(ABCD_DIR, 'guidelines.json'), 'utf8')) as Record<string, { subflows: Record<string, unknown> }>;
  const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const name = subflow.replace(/_\d+$/, ''); // "timing_4" is the 4th dialogue template of "timing"
  const index = ontology.intents.subflows[flow]?.indexOf(name) ?? -1;
  const titles = Object.entries(guidelines).find(([title]) => slug(title) === slug(flow))?.[1].subflows;
  const title = titles ? Object.keys(titles)[index] : undefined;
  return index >= 0 && title ? `abcd-${slug(title)}` : null;
}

async function replayCollect(dir: string, options: Omit<ReplayOptions, 'out'>): Promise<AssistDecision[]> {
  const decisions: AssistDecision[] = [];
  await runReplay({ ...options, out: join(dir, 'suggestions.jsonl'), onDecision: (d) => decisions.push(d) });
  return decisions;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { train: { type: 'string', default: '2000' }, test: { type: 'string', default: '500' }, seed: { type: 'string', default: '7' }, llm: { type: 'string' }, 'ollama-host': { type: 'string' } },
  });
  const llm = values.llm ? { llm: { model: values.llm, ...(values['ollama-host'] ? { host: values['ollama-host'] } : {}) } } : {};
  const dir = await mkdtemp(join(tmpdir(), 'vigil-gate-'));
  try {
    // BANKING77: train queries as closed tickets (learned), then test queries as new ones.
    const seed = Number(values.seed);
    const train = seededShuffle(loadBanking77('train'), seed).slice(0, Number(values.train));
    const test = seededShuffle(loadBanking77('test'), seed + 1).slice(0, Number(values.test));
    const intentOf = new Map<string, string>();
    const lines = [
      ...train.map((q, i) => {
        intentOf.set(`train-${i}`, q.intent);
        return JSON.stringify(toTicket(q, `train-${i}`, true));
      }),
      ...test.map((q, i) => {
        intentOf.set(`test-${i}`, q.intent);
        return JSON.stringify(toTicket(q, `test-${i}`, false));
      }),
    ];
    await writeFile(join(dir, 'b77.jsonl'), `${lines.join('\n')}\n`);
    const started = performance.now();
    const b77 = await replayCollect(dir, { tickets: join(dir, 'b77.jsonl'), learn: 'auto', ...llm });
    const b77Seconds = (performance.now() - started) / 1000;
    const b77Score = scoreDecisions(
      b77.filter((d) => d.ticketId.startsWith('test-')),
      (d) => intentOf.get(d.citations[0]?.sourceTicketId ?? '') === intentOf.get(d.ticketId),
    );

    // ABCD: 55 guideline articles, 3 dialogues; right = the article of the dialogue's subflow. Nothing learned.
    const articles = abcdArticles();
    const dialogues = abcdTickets();
    await writeFile(join(dir, 'abcd-k.jsonl'), articles.map((a) => JSON.stringify(a)).join('\n'));
    await writeFile(join(dir, 'abcd-t.jsonl'), dialogues.map((t) => JSON.stringify(t)).join('\n'));
    const rightArticle = new Map(dialogues.map((t) => [t.id, abcdArticleFor(t.tags?.[0] ?? '', t.tags?.[1] ?? '')]));
    const abcd = await replayCollect(dir, { tickets: join(dir, 'abcd-t.jsonl'), knowledge: [join(dir, 'abcd-k.jsonl')], learn: 'off', ...llm });
    const abcdScore = scoreDecisions(abcd, (d) => d.citations[0]?.entryId === rightArticle.get(d.ticketId));

    const mode = values.llm ? `LLM ${values.llm}` : 'retrieval-only';
    console.log(`gate report (${mode}); ${cpus().length} CPUs, Node ${process.version}; BANKING77 replay ${b77Seconds.toFixed(0)} s`);
    console.log('| data | customer messages | with a candidate | right, always speaking | shown (of candidates) | right when shown | precision ratio | right answers kept |');
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(describeScore(`BANKING77 (${train.length} learned, ${test.length} new)`, b77Score));
    console.log(describeScore('ABCD (55 articles, 3 dialogues)', abcdScore));
    console.log(`BANKING77 reasons: ${JSON.stringify(b77Score.byReason)}`);
    console.log(`ABCD reasons: ${JSON.stringify(abcdScore.byReason)}; right articles: ${JSON.stringify(Object.fromEntries(rightArticle))}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('gateReport.ts')) await main();
