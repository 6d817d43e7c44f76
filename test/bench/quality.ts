/**
 * The quality benchmark (issue 16; not a test): every data set replayed through `vigil replay`'s engine, scored side
 * by side with a plain BM25 over the same data in the same run, in one table.
 *
 *   npm run bench:quality                  # every set, whole (several minutes on 2 cores)
 *   npm run bench:quality -- --quick       # seeded samples for iterating (about a minute)
 *   npm run bench:quality -- --sets dstc11 --part fit
 *   npm run bench:quality -- --quick --no-vote  # the engine without its precedent vote (before/after)
 *   npm run bench:quality -- --sets forum --forum /path/to/forum.json   # or VIGIL_FORUM_DATA
 *
 * - BANKING77 (CC BY 4.0): train queries replayed as closed tickets (learned), test queries as new tickets; right
 *   when the cited precedent has the query's intent.
 * - ABCD (MIT): the 55 guideline subflows as articles, the sample dialogues as tickets; right at each customer
 *   message when the dialogue's subflow article is cited.
 * - DSTC11 validation (CDLA-Sharing 1.0): FAQs and review sentences as entries of their entity; the decision after
 *   each conversation's last user turn is judged (speak on knowledge-seeking turns only, right entity first, a
 *   labelled snippet in the top 5; Recall@1 and MRR on the labelled snippets). Reported per half of the split by
 *   opening turn: `fit` is what thresholds were chosen on, `held-out` is the report.
 * - Forum (Stack Exchange dumps, CC BY-SA; made on demand outside the project, forumData.ts): the solutions as
 *   untitled articles, each of 500 questions (title and body) a new ticket of one customer message; right when the
 *   question's accepted answer is cited. Split by question (retrievalSets.ts `partOf`): `fit`, and `report` as held-out.
 *
 * The BM25 baseline (test/bench/bm25Baseline.ts) always speaks and searches the customer's text so far.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AssistDecision } from '../../core/assist/assistant';
import { runReplay } from '../../core/app/replay';
import type { PrecedentVote } from '../../core/assist/precedentVote';
import type { Entry, Ticket } from '../../core/formats/schemas';
import { abcdArticles, abcdTickets } from './abcdData';
import { loadBanking77, seededShuffle } from './banking77Data';
import { Bm25Index } from './bm25Baseline';
import { dstc11Conversations, dstc11Entries, dstc11EntityOf, type Dstc11Conversation } from './dstc11Data';
import { ForumDataMissing, forumPath, loadForum } from './forumData';
import { abcdArticleFor } from './gateReport';
import { benchmarkBanking77 } from './runBanking77';
import { retrievalMetrics } from './retrievalMetrics';
import { forumSet } from './retrievalSets';

/** One system's figures on one data set. */
export interface SystemScore {
  recallAt1: number;
  mrr: number;
  /** Set-specific measures, by name. */
  extra: Record<string, number>;
  latencyP95Ms?: number;
}

export interface SetResult {
  name: string;
  source: string;
  queries: number;
  engine: SystemScore;
  bm25: SystemScore;
  seconds: number;
}

const entryText = (e: Entry): string => [e.title, e.question, e.body].filter(Boolean).join('\n');
const customerTextUpTo = (t: Ticket, index: number): string =>
  t.messages
    .slice(0, index + 1)
    .filter((m) => m.author === 'customer')
    .map((m) => m.text)
    .join('\n');

/** The engine's precedent vote in every replay of the run: its own (undefined), or none with `--no-vote`. */
let engineVote: PrecedentVote | null | undefined;

async function replayDecisions(dir: string, entries: readonly Entry[], tickets: readonly Ticket[]): Promise<{ decisions: AssistDecision[]; p95: number }> {
  const knowledge = join(dir, 'entries.jsonl');
  const ticketsFile = join(dir, 'tickets.jsonl');
  await writeFile(knowledge, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
  await writeFile(ticketsFile, `${tickets.map((t) => JSON.stringify(t)).join('\n')}\n`);
  const decisions: AssistDecision[] = [];
  const summary = await runReplay({
    tickets: ticketsFile,
    knowledge: [knowledge],
    learn: 'off',
    ...(engineVote !== undefined ? { precedentVote: engineVote } : {}),
    out: join(dir, 'suggestions.jsonl'),
    onDecision: (d) => {
      if (d.stage === 'retrieval') decisions.push(d);
    },
  });
  return { decisions, p95: summary.latencyMs.p95 };
}

async function banking77(quick: boolean, seed: number): Promise<SetResult> {
  let train = loadBanking77('train');
  let test = loadBanking77('test');
  if (quick) {
    train = seededShuffle(train, seed).slice(0, 2000);
    test = seededShuffle(test, seed + 1).slice(0, 500);
  }
  const r = await benchmarkBanking77(train, test, undefined, engineVote !== undefined ? { precedentVote: engineVote } : {});
  return {
    name: `BANKING77 (${train.length} learned, ${test.length} new)`,
    source: 'PolyAI BANKING77, CC BY 4.0',
    queries: test.length,
    engine: { recallAt1: r.engine.recallAt1, mrr: r.engine.mrr, extra: { spoke: r.engine.speakRate, 'right when shown': r.engine.shownPrecision }, latencyP95Ms: r.engine.latencyP95Ms },
    bm25: { recallAt1: r.bm25.recallAt1, mrr: r.bm25.mrr, extra: { spoke: 1, 'right when shown': r.bm25.recallAt1 } },
    seconds: r.seconds,
  };
}

async function abcd(dir: string): Promise<SetResult> {
  const started = performance.now();
  const articles = abcdArticles();
  const tickets = abcdTickets().map((t) => ({ ...t, status: 'open' as const }));
  const { decisions, p95 } = await replayDecisions(dir, articles, tickets);
  const right = new Map(tickets.map((t) => [t.id, abcdArticleFor(t.tags?.[0] ?? '', t.tags?.[1] ?? '') ?? '?']));
  const bm25 = new Bm25Index(articles.map(entryText));
  const expected: string[] = [];
  const engineRanked: string[][] = [];
  const bm25Ranked: string[][] = [];
  let spoke = 0;
  let shownRight = 0;
  for (const t of tickets) {
    t.messages.forEach((m, index) => {
      if (m.author !== 'customer') return;
      const d = decisions.find((x) => x.ticketId === t.id && x.afterMessageId === m.id);
      expected.push(right.get(t.id) as string);
      engineRanked.push((d?.citations ?? []).map((c) => c.entryId));
      bm25Ranked.push(bm25.search(customerTextUpTo(t, index), 10).map((i) => (articles[i] as Entry).id));
      if (d?.shown) {
        spoke++;
        if (d.citations[0]?.entryId === right.get(t.id)) shownRight++;
      }
    });
  }
  const e = retrievalMetrics(expected, engineRanked);
  const b = retrievalMetrics(expected, bm25Ranked);
  return {
    name: `ABCD (${articles.length} guideline articles, ${tickets.length} dialogues)`,
    source: 'ASAPP ABCD, MIT',
    queries: expected.length,
    engine: { recallAt1: e.recallAt1, mrr: e.mrr, extra: { spoke: spoke / Math.max(1, expected.length), 'right when shown': shownRight / Math.max(1, spoke) }, latencyP95Ms: p95 },
    bm25: { recallAt1: b.recallAt1, mrr: b.mrr, extra: { spoke: 1, 'right when shown': b.recallAt1 } },
    seconds: (performance.now() - started) / 1000,
  };
}

/** The DSTC11 measures of one system, from its ranked entry ids and whether it spoke, per judged turn. */
export function scoreDstc11(conversations: readonly Dstc11Conversation[], ranked: readonly (readonly string[])[], spoke: readonly boolean[]): Omit<SystemScore, 'latencyP95Ms'> {
  let target = 0;
  let other = 0;
  let spokeTarget = 0;
  let spokeOther = 0;
  let entityFirst = 0;
  let snippetTop5 = 0;
  let at1 = 0;
  let rr = 0;
  conversations.forEach((c, i) => {
    const list = (ranked[i] ?? []).slice(0, 10);
    if (!c.target) {
      other++;
      if (spoke[i]) spokeOther++;
      return;
    }
    target++;
    if (spoke[i]) spokeTarget++;
    if (list[0] !== undefined && dstc11EntityOf(list[0]) === c.entity) entityFirst++;
    const labelled = new Set(c.snippets);
    const position = list.findIndex((id) => labelled.has(id));
    if (position === 0) at1++;
    if (position >= 0 && position < 5) snippetTop5++;
    if (position >= 0) rr += 1 / (position + 1);
  });
  const t = Math.max(1, target);
  return {
    recallAt1: at1 / t,
    mrr: rr / t,
    extra: {
      'speaks on knowledge-seeking': spokeTarget / t,
      'speaks on others': spokeOther / Math.max(1, other),
      'right entity first': entityFirst / t,
      'snippet in top 5': snippetTop5 / t,
    },
  };
}

async function dstc11(dir: string, part: 'fit' | 'held-out', quick: boolean, seed: number, entries: readonly Entry[]): Promise<SetResult> {
  const started = performance.now();
  let conversations = dstc11Conversations().filter((c) => c.part === part);
  if (quick) conversations = seededShuffle(conversations, seed).slice(0, 300);
  const { decisions, p95 } = await replayDecisions(dir, entries, conversations.map((c) => c.ticket));
  const judged = new Map<string, AssistDecision>();
  for (const d of decisions) judged.set(d.ticketId, d); // the last decision of a ticket is its last user turn's
  const engineRanked = conversations.map((c) => (judged.get(c.ticket.id)?.citations ?? []).map((x) => x.entryId));
  const engineSpoke = conversations.map((c) => judged.get(c.ticket.id)?.shown === true);
  const bm25 = new Bm25Index(entries.map(entryText));
  const bm25Ranked = conversations.map((c) => bm25.search(customerTextUpTo(c.ticket, c.ticket.messages.length - 1), 10).map((i) => (entries[i] as Entry).id));
  return {
    name: `DSTC11 validation, ${part} half (${conversations.length} conversations)`,
    source: 'DSTC11 Track 5, CDLA-Sharing 1.0',
    queries: conversations.filter((c) => c.target).length,
    engine: { ...scoreDstc11(conversations, engineRanked, engineSpoke), latencyP95Ms: p95 },
    bm25: scoreDstc11(
      conversations,
      bm25Ranked,
      conversations.map(() => true),
    ),
    seconds: (performance.now() - started) / 1000,
  };
}

/** Forum: each asked question of one part a new ticket against the store of solutions (retrievalSets.ts `forumSet`). */
async function forum(dir: string, part: 'fit' | 'held-out', quick: boolean, seed: number, file: string): Promise<SetResult> {
  const started = performance.now();
  const set = forumSet(loadForum(file));
  let asked = set.queries.map((q, i) => ({ q, id: `forum-q${i}` })).filter(({ q }) => (q.part === 'fit' ? 'fit' : 'held-out') === part);
  if (quick) asked = seededShuffle(asked, seed).slice(0, 100);
  const tickets: Ticket[] = asked.map(({ q, id }) => ({ id, status: 'open', messages: [{ id: '1', author: 'customer', text: q.text }] }));
  const { decisions, p95 } = await replayDecisions(dir, set.entries, tickets);
  const decisionOf = new Map(decisions.map((d) => [d.ticketId, d]));
  const expected = asked.map(({ q }) => [...q.relevant][0] as string);
  const engineRanked = asked.map(({ id }) => (decisionOf.get(id)?.citations ?? []).map((c) => c.entryId));
  const bm25 = new Bm25Index(set.entries.map(entryText));
  const bm25Ranked = asked.map(({ q }) => bm25.search(q.text, 10).map((i) => (set.entries[i] as Entry).id));
  const shown = asked.filter(({ id }) => decisionOf.get(id)?.shown);
  const shownRight = shown.filter(({ q, id }) => q.relevant.has(decisionOf.get(id)?.citations[0]?.entryId ?? '')).length;
  const e = retrievalMetrics(expected, engineRanked);
  const b = retrievalMetrics(expected, bm25Ranked);
  return {
    name: `Forum, ${part} part (${asked.length} questions, ${set.entries.length} solutions)`,
    source: 'Stack Exchange dumps of 5 technical sites, CC BY-SA (forumData.ts)',
    queries: asked.length,
    engine: { recallAt1: e.recallAt1, mrr: e.mrr, extra: { spoke: shown.length / Math.max(1, asked.length), 'right when shown': shownRight / Math.max(1, shown.length) }, latencyP95Ms: p95 },
    bm25: { recallAt1: b.recallAt1, mrr: b.mrr, extra: { spoke: 1, 'right when shown': b.recallAt1 } },
    seconds: (performance.now() - started) / 1000,
  };
}

/** The table, as printed and as put in BENCHMARKS.md. */
export function formatTable(results: readonly SetResult[]): string {
  const f = (x: number): string => x.toFixed(3);
  const extra = (s: SystemScore): string =>
    Object.entries(s.extra)
      .map(([k, v]) => `${k} ${f(v)}`)
      .join(' · ');
  const lines = ['| data set | scored | system | Recall@1 | MRR | set-specific | decision p95 |', '|---|---|---|---|---|---|---|'];
  for (const r of results) {
    lines.push(`| ${r.name} | ${r.queries} | engine | **${f(r.engine.recallAt1)}** | **${f(r.engine.mrr)}** | ${extra(r.engine)} | ${r.engine.latencyP95Ms?.toFixed(1) ?? '—'} ms |`);
    lines.push(`| | | BM25 | ${f(r.bm25.recallAt1)} | ${f(r.bm25.mrr)} | ${extra(r.bm25)} | — |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      sets: { type: 'string', default: 'banking77,abcd,dstc11,forum' },
      forum: { type: 'string' },
      part: { type: 'string', default: 'held-out,fit' },
      seed: { type: 'string', default: '7' },
      json: { type: 'string' },
      'no-vote': { type: 'boolean', default: false },
    },
  });
  if (values['no-vote']) engineVote = null;
  const seed = Number(values.seed);
  const sets = new Set(values.sets.split(','));
  const parts = values.part.split(',').filter((p): p is 'fit' | 'held-out' => p === 'fit' || p === 'held-out');
  const started = performance.now();
  const results: SetResult[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'vigil-quality-'));
  try {
    if (sets.has('banking77')) results.push(await banking77(values.quick, seed));
    if (sets.has('abcd')) results.push(await abcd(await mkdtemp(join(dir, 'abcd-'))));
    if (sets.has('dstc11')) {
      const entries = dstc11Entries();
      for (const part of parts) results.push(await dstc11(await mkdtemp(join(dir, `dstc-${part}-`)), part, values.quick, seed, entries));
    }
    if (sets.has('forum')) {
      const file = forumPath(values.forum);
      try {
        loadForum(file);
        for (const part of parts) results.push(await forum(await mkdtemp(join(dir, `forum-${part}-`)), part, values.quick, seed, file));
      } catch (error) {
        // Made on demand outside the project: absent, a note and the other sets; malformed, its file and field.
        if (!(error instanceof ForumDataMissing) && !(error instanceof Error && error.message.startsWith(file))) throw error;
        console.error(`forum: skipped. ${error.message}`);
        if (!(error instanceof ForumDataMissing) || sets.size === 1) process.exitCode = 1;
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`bench:quality${values.quick ? ' --quick' : ''}${values['no-vote'] ? ' --no-vote' : ''}: ${((performance.now() - started) / 1000).toFixed(0)} s; ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, load ${loadavg()[0]?.toFixed(1)}`);
  console.log(formatTable(results));
  for (const r of results) console.log(`${r.name}: ${r.source}; ${r.seconds.toFixed(0)} s`);
  if (values.json) await writeFile(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  await main();
}
