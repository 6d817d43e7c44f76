/**
 * Grids the conversation query's weights (core/assist/conversationQuery.ts: focus, whole conversation, customer's
 * messages, named subject) by searching the knowledge store directly, as the assistant does after a customer
 * message, without the gate (not a test). The store's search is run once per distinct query and cached, so every
 * setting of the grid ranks the same candidates; only the fusion of the queries' rankings differs.
 *
 *   npm run bench:conversation-weights -- --set dstc11 --part fit --turns 400          # the grid, on the fit half
 *   npm run bench:conversation-weights -- --set dstc11 --part held-out --turns 5000 --only 4,1,0.5,3
 *   npm run bench:conversation-weights -- --set abcd --only 2,1,1,3 --only 0.5,1,0.5,3      # ABCD's 31 customer turns
 *
 *   npm run bench:conversation-weights -- --set curve --turns 600 --only 2,1,1,3 --only 0.5,1,0.5,3  # learning curve
 *
 * A setting is `focus,whole,customer,subject`. DSTC11 (CDLA-Sharing 1.0): knowledge-seeking last user turns of a
 * seeded sample of one half (split by opening turn, dstc11Data.ts); Recall@1 and MRR on the labelled snippets, right
 * entity first, a labelled snippet in the top 5; `--subjects named|unnamed` scores only the turns whose conversation
 * names a subject, or none. ABCD (MIT): every customer turn of the sample dialogues against the 55 guideline
 * articles; right when the dialogue's subflow article is cited. The BM25 baseline searches the customer's text so
 * far over the same entries, in the same run. `curve`: the multi-turn learning curve (dialogueCurve.ts, the first
 * `--turns` tickets, its fit part) through the whole assistant, once per setting.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONVERSATION_WEIGHTS, searchConversation, type ConversationWeights } from '../../core/assist/conversationQuery';
import { storeSource, type KnowledgeSource, type SourceHit } from '../../core/assist/knowledgeSource';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import type { Entry, Ticket } from '../../core/formats/schemas';
import { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import { toStoredEntry } from '../../core/knowledge/storedEntry';
import { abcdArticles, abcdTickets } from './abcdData';
import { seededShuffle } from './banking77Data';
import { Bm25Index } from './bm25Baseline';
import { benchmarkDialogueCurve, formatDialogueCurve } from './dialogueCurve';
import { dstc11Conversations, dstc11Entries, dstc11EntityOf } from './dstc11Data';
import { abcdArticleFor } from './gateReport';

/** One judged customer turn: the ticket, the turn's index, the right entries and (DSTC11) the right entity. */
interface Turn {
  ticket: Ticket;
  index: number;
  relevant: ReadonlySet<string>;
  entity: string | null;
}

/** The assistant's FETCH_HITS: how many hits a decision reads. */
const HITS = 30;

/** Recall@1, MRR@10, right entity first and a relevant entry in the top 5, over the turns' rankings. */
export function scoreTurns(turns: readonly Turn[], ranked: readonly (readonly string[])[]): { at1: number; mrr: number; entity: number; top5: number } {
  let at1 = 0;
  let rr = 0;
  let entity = 0;
  let top5 = 0;
  turns.forEach((t, i) => {
    const list = (ranked[i] ?? []).slice(0, 10);
    const position = list.findIndex((id) => t.relevant.has(id));
    if (position === 0) at1++;
    if (position >= 0) rr += 1 / (position + 1);
    if (position >= 0 && position < 5) top5++;
    if (t.entity && list[0] !== undefined && dstc11EntityOf(list[0]) === t.entity) entity++;
  });
  const n = Math.max(1, turns.length);
  return { at1: at1 / n, mrr: rr / n, entity: entity / n, top5: top5 / n };
}

function dstc11Turns(part: 'fit' | 'held-out', count: number, seed: number): Turn[] {
  const conversations = dstc11Conversations().filter((c) => c.part === part && c.target);
  return seededShuffle(conversations, seed)
    .slice(0, count)
    .map((c) => ({ ticket: c.ticket, index: c.ticket.messages.length - 1, relevant: new Set(c.snippets), entity: c.entity }));
}

function abcdTurns(): Turn[] {
  const turns: Turn[] = [];
  for (const t of abcdTickets()) {
    const right = abcdArticleFor(t.tags?.[0] ?? '', t.tags?.[1] ?? '') ?? '?';
    t.messages.forEach((m, index) => {
      if (m.author === 'customer') turns.push({ ticket: { ...t, status: 'open' }, index, relevant: new Set([right]), entity: null });
    });
  }
  return turns;
}

/** A source that asks the store each (query, limit) once: every setting of the grid ranks the same lists. */
function cachedSource(source: KnowledgeSource): KnowledgeSource {
  const cache = new Map<string, Promise<SourceHit[]>>();
  return {
    name: source.name,
    search: (query, options) => {
      const key = `${options.limit}\u0000${query}`;
      let hits = cache.get(key);
      if (!hits) {
        hits = source.search(query, options);
        cache.set(key, hits);
      }
      return hits;
    },
  };
}

/** `focus,whole,customer,subject`. */
export function parseSetting(text: string): ConversationWeights {
  const values = text.split(',').map(Number);
  if (values.length !== 4 || values.some((x) => !Number.isFinite(x) || x < 0)) throw new Error(`--only ${text}: expected focus,whole,customer,subject, non-negative numbers`);
  const [focus, whole, customer, subject] = values as [number, number, number, number];
  return { focus, whole, customer, subject };
}
const label = (w: ConversationWeights): string => `${w.focus},${w.whole},${w.customer},${w.subject}`;

/** The grid; the whole conversation's weight is the unit (only ratios matter in a weighted reciprocal-rank fusion). */
function grid(): ConversationWeights[] {
  const settings: ConversationWeights[] = [];
  for (const focus of [0.5, 1, 1.5, 2, 3, 4])
    for (const customer of [0, 0.5, 1, 2]) for (const subject of [0, 1, 2, 3, 4, 6]) settings.push({ focus, whole: 1, customer, subject });
  return settings;
}

/**
 * The multi-turn learning curve once per setting. The assistant searches with the module's weights, so this process
 * (a bench, nothing else runs in it) sets them before each run and puts the fitted ones back after.
 */
async function curve(limit: number, settings: readonly ConversationWeights[]): Promise<void> {
  const weights = CONVERSATION_WEIGHTS as ConversationWeights;
  const fitted = { ...weights };
  try {
    for (const setting of settings) {
      Object.assign(weights, setting);
      const result = await benchmarkDialogueCurve({ limit });
      const lines = formatDialogueCurve(result).filter((l) => /engine:|BM25:|all tickets/.test(l));
      console.log(`${label(setting)}${label(setting) === label(fitted) ? ' (current)' : ''}, load ${loadavg()[0]!.toFixed(1)}\n${lines.join('\n')}`);
    }
  } finally {
    Object.assign(weights, fitted);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      set: { type: 'string', default: 'dstc11' },
      part: { type: 'string', default: 'fit' },
      turns: { type: 'string', default: '400' },
      seed: { type: 'string', default: '7' },
      only: { type: 'string', multiple: true },
      top: { type: 'string', default: '15' },
      // Score only the turns where the conversation names a subject (`named`) or names none (`unnamed`).
      subjects: { type: 'string', default: 'all' },
    },
  });
  const started = performance.now();
  if (values.set === 'curve') {
    await curve(Number(values.turns), values.only?.length ? values.only.map(parseSetting) : [{ ...CONVERSATION_WEIGHTS }]);
    return;
  }
  const part = values.part === 'held-out' ? 'held-out' : 'fit';
  const entries: Entry[] = values.set === 'abcd' ? abcdArticles() : dstc11Entries();
  let turns = values.set === 'abcd' ? abcdTurns() : dstc11Turns(part, Number(values.turns), Number(values.seed));
  const settings = values.only?.length ? values.only.map(parseSetting) : grid();
  if (!settings.some((s) => label(s) === label(CONVERSATION_WEIGHTS))) settings.unshift({ ...CONVERSATION_WEIGHTS });
  const dir = await mkdtemp(join(tmpdir(), 'vigil-convw-'));
  const store = await KnowledgeStore.open(dir, new HashedEmbedder());
  try {
    const now = new Date().toISOString();
    for (let i = 0; i < entries.length; i += 500) await store.upsert(entries.slice(i, i + 500).map((e) => toStoredEntry(e, { status: 'approved', now })));
    await store.refreshIndexes();
    let ranked = settings.map((): string[][] => []);
    const named: boolean[] = [];
    for (const turn of turns) {
      const source = cachedSource(storeSource(store));
      for (const [s, weights] of settings.entries()) {
        const found = await searchConversation([source], turn.ticket, turn.index, HITS, weights);
        ranked[s]!.push(found.hits.map((h) => h.entry.id));
        if (label(weights) === label(CONVERSATION_WEIGHTS)) named.push(found.subjects.length > 0);
      }
    }
    if (values.subjects !== 'all') {
      const keep = (_: unknown, i: number): boolean => named[i] === (values.subjects === 'named');
      turns = turns.filter(keep);
      ranked = ranked.map((r) => r.filter(keep));
    }
    const bm25 = new Bm25Index(entries.map((e) => [e.title, e.question, e.body].filter(Boolean).join('\n')));
    const customerSoFar = (t: Turn): string =>
      t.ticket.messages
        .slice(0, t.index + 1)
        .filter((m) => m.author === 'customer')
        .map((m) => m.text)
        .join('\n');
    const baseline = scoreTurns(
      turns,
      turns.map((t) => bm25.search(customerSoFar(t), 10).map((i) => entries[i]!.id)),
    );
    const rows = settings.map((w, s) => ({ w, ...scoreTurns(turns, ranked[s]!) }));
    // Chosen by the mean of Recall@1, MRR and (DSTC11) right entity first.
    const merit = (r: (typeof rows)[number]): number => (values.set === 'abcd' ? (r.at1 + r.mrr) / 2 : (r.at1 + r.mrr + r.entity) / 3);
    const f = (x: number): string => x.toFixed(3);
    const line = (name: string, r: { at1: number; mrr: number; entity: number; top5: number }): string =>
      `| ${name} | ${f(r.at1)} | ${f(r.mrr)} | ${values.set === 'abcd' ? '—' : f(r.entity)} | ${f(r.top5)} |`;
    const which = values.subjects === 'all' ? '' : ` (${values.subjects} subject)`;
    const what = values.set === 'abcd' ? `ABCD, ${turns.length} customer turns${which}` : `DSTC11 ${part} half, ${turns.length} knowledge-seeking turns${which} (seed ${values.seed})`;
    console.log(`${what}; ${settings.length} settings; load ${loadavg()[0]!.toFixed(1)}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
    console.log('| focus,whole,customer,subject | Recall@1 | MRR | right entity first | relevant in top 5 |');
    console.log('|---|---|---|---|---|');
    console.log(line('BM25 (customer text so far)', baseline));
    const current = rows.find((r) => label(r.w) === label(CONVERSATION_WEIGHTS))!;
    console.log(line(`${label(current.w)} (current)`, current));
    const others = rows.filter((r) => r !== current);
    for (const r of others.sort((a, b) => merit(b) - merit(a)).slice(0, Number(values.top))) console.log(line(label(r.w), r));
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  await main();
}
