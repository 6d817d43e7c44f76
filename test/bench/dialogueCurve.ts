/**
 * Multi-turn learning curve (a benchmark, not a test), on DSTC11 Track 5 validation conversations
 * (../shared/data/dstc11, CDLA-Sharing 1.0; Zhao et al., SIGDIAL 2023). The knowledge starts empty: every
 * precedent is a closed ticket learned before. Tickets arrive in file order; each is first asked at its last
 * customer turn (the one before the agent's resolution), then closed and learned. Per 50 tickets: is a precedent
 * with the right resolution among the first five cited?
 *
 * A ticket is one conversation (the 4,173 validation logs are prefixes of 1,902 conversations; the first
 * knowledge-seeking prefix of each is kept, so no ticket is a copy of another's path): the user's turns are the
 * customer's, the system's the analyst's, and the human response is the analyst's resolution. A precedent holds
 * the right resolution when its labelled knowledge snippets (entity, FAQ or review sentence) share one with the
 * new ticket's: the same piece of knowledge answered both. The same question ("are the bathrooms clean?") is asked
 * of many hotels; what tells the resolutions apart is the path: the hotel the conversation settled on.
 *
 * Side by side on the same stream:
 *   - engine: the learning loop (core/learn) in replay mode (the `auto` policy), cited through core/assist;
 *   - BM25: a plain BM25 over the whole closed conversations (every turn and the resolution), queried with the
 *     customer's text so far, as a classic helpdesk's "similar tickets" search would.
 *
 *   npm run bench:learning-curve -- --dialogues [--limit N] [--json FILE]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Assistant } from '../../core/assist/assistant';
import { HashedEmbedder } from '../../core/embed/hashedEmbedder';
import type { Message, Ticket } from '../../core/formats/schemas';
import { KnowledgeStore } from '../../core/knowledge/knowledgeStore';
import { EntryHistory } from '../../core/knowledge/entryHistory';
import { LearningLoop } from '../../core/learn/learningLoop';
import { DEFAULT_LEARNING_SETTINGS } from '../../core/learn/learningSettings';
import { quantile } from '../../core/text/quantile';
import { Bm25Index } from './bm25Baseline';
import { DSTC11_DIR } from './dstc11Data';

/** Tickets per point of the curve, as issue 16 reports it. */
export const BLOCK = 50;
const TOP = 5;

interface Turn {
  speaker: 'U' | 'S';
  text: string;
}
interface Snippet {
  domain: string;
  entity_id: number;
  doc_type: string;
  doc_id: number;
  sent_id?: number;
}
interface Label {
  target: boolean;
  knowledge?: Snippet[];
  response?: string;
}

/** One conversation up to its first knowledge-seeking customer turn, with the agent's resolution. */
export interface ResolvedDialogue {
  id: string;
  turns: Turn[];
  response: string;
  /** The knowledge snippets that answer it, as `domain:entity:type:doc:sentence`. */
  resolution: ReadonlySet<string>;
}

/** The validation conversations, one per opening, each at its first knowledge-seeking turn, in file order. */
export function loadDialogues(dir: string = DSTC11_DIR): ResolvedDialogue[] {
  const logs = JSON.parse(readFileSync(join(dir, 'val', 'logs.json'), 'utf8')) as Turn[][];
  const labels = JSON.parse(readFileSync(join(dir, 'val', 'labels.json'), 'utf8')) as Label[];
  const seen = new Set<string>();
  const dialogues: ResolvedDialogue[] = [];
  logs.forEach((turns, i) => {
    const label = labels[i];
    const opening = turns[0]?.text ?? '';
    if (!label?.target || !label.knowledge?.length || !label.response || seen.has(opening)) return;
    seen.add(opening);
    dialogues.push({
      id: `dstc-${i}`,
      turns,
      response: label.response,
      resolution: new Set(label.knowledge.map((k) => `${k.domain}:${k.entity_id}:${k.doc_type}:${k.doc_id}:${k.sent_id ?? ''}`)),
    });
  });
  return dialogues;
}

/** The conversation as a ticket: open at its last customer turn, or closed with the agent's resolution. */
export function dialogueTicket(dialogue: ResolvedDialogue, closed: boolean): Ticket {
  const messages: Message[] = dialogue.turns.map((t, i) => ({ id: String(i + 1), author: t.speaker === 'U' ? 'customer' : 'analyst', text: t.text }));
  if (closed) messages.push({ id: String(messages.length + 1), author: 'analyst', text: dialogue.response });
  return { id: dialogue.id, status: closed ? 'closed' : 'open', messages };
}

function sharesResolution(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const key of a) if (b.has(key)) return true;
  return false;
}

export interface DialogueCurveResult {
  tickets: number;
  /** Per block of 50 tickets: the share whose right resolution was in the top five. */
  engine: number[];
  bm25: number[];
  /** Per block: the share that had any earlier precedent with the right resolution (the ceiling). */
  ceiling: number[];
  totals: { engine: number; bm25: number; ceiling: number };
  /** Asked-at-last-turn decisions the scope gate stopped before retrieval (no citations). */
  outOfScope: number;
  learnMs: { p50: number; p95: number };
  decisionMs: { p50: number; p95: number };
  learned: { qa: number; merges: number; conflicts: number; rejected: number };
  seconds: number;
}

export async function benchmarkDialogueCurve(options: { limit?: number; onProgress?: (line: string) => void } = {}): Promise<DialogueCurveResult> {
  const started = performance.now();
  const log = options.onProgress ?? (() => undefined);
  const dialogues = loadDialogues().slice(0, options.limit ?? Infinity);
  const work = await mkdtemp(join(tmpdir(), 'vigil-dialogue-curve-'));
  const store = await KnowledgeStore.open(work, new HashedEmbedder());
  const history = await EntryHistory.open(work);
  const loop = new LearningLoop(store, history, DEFAULT_LEARNING_SETTINGS);
  const assistant = new Assistant(store);
  const closedText: string[] = [];
  const resolutionOf = new Map<string, ReadonlySet<string>>();
  const hits = { engine: [] as boolean[], bm25: [] as boolean[], ceiling: [] as boolean[] };
  const learnMs: number[] = [];
  const decisionMs: number[] = [];
  const learned = { qa: 0, merges: 0, conflicts: 0, rejected: 0 };
  let outOfScope = 0;
  try {
    for (const [k, dialogue] of dialogues.entries()) {
      const open = dialogueTicket(dialogue, false);
      const last = open.messages.length - 1;
      const arrived = performance.now();
      const decision = await assistant.onCustomerMessage(open, last, arrived);
      decisionMs.push(performance.now() - arrived);
      await assistant.onTicketClosed(open.id);
      if (decision.reason === 'out_of_scope') outOfScope++;
      const right = (ticketId: string | null | undefined): boolean => {
        const earlier = ticketId ? resolutionOf.get(ticketId) : undefined;
        return earlier ? sharesResolution(earlier, dialogue.resolution) : false;
      };
      hits.engine.push(decision.citations.slice(0, TOP).some((c) => right(c.sourceTicketId)));
      const customerText = open.messages.filter((m) => m.author === 'customer').map((m) => m.text).join('\n');
      const bm25 = new Bm25Index(closedText).search(customerText, TOP);
      hits.bm25.push(bm25.some((doc) => right(dialogues[doc]?.id)));
      hits.ceiling.push([...resolutionOf.values()].some((r) => sharesResolution(r, dialogue.resolution)));

      const closed = dialogueTicket(dialogue, true);
      const learnStarted = performance.now();
      const outcome = await loop.learn(closed, 'replay');
      learnMs.push(performance.now() - learnStarted);
      learned.merges += outcome.merged.length;
      learned.conflicts += outcome.conflicts.length;
      learned.rejected += outcome.rejected.length;
      learned.qa += outcome.created.length;
      closedText.push(closed.messages.map((m) => m.text).join('\n'));
      resolutionOf.set(dialogue.id, dialogue.resolution);
      if ((k + 1) % BLOCK === 0) {
        const block = (xs: boolean[]): string => (xs.slice(-BLOCK).filter(Boolean).length / BLOCK).toFixed(2);
        log(`${k + 1} tickets: engine ${block(hits.engine)} · BM25 ${block(hits.bm25)} · ceiling ${block(hits.ceiling)}`);
      }
    }
  } finally {
    await assistant.close();
    await history.close();
    await store.close();
    await rm(work, { recursive: true, force: true });
  }
  const blocks = (xs: boolean[]): number[] => {
    const out: number[] = [];
    for (let i = 0; i + BLOCK <= xs.length; i += BLOCK) out.push(xs.slice(i, i + BLOCK).filter(Boolean).length / BLOCK);
    return out;
  };
  const share = (xs: boolean[]): number => xs.filter(Boolean).length / Math.max(1, xs.length);
  return {
    tickets: dialogues.length,
    engine: blocks(hits.engine),
    bm25: blocks(hits.bm25),
    ceiling: blocks(hits.ceiling),
    totals: { engine: share(hits.engine), bm25: share(hits.bm25), ceiling: share(hits.ceiling) },
    outOfScope,
    learnMs: { p50: quantile(learnMs, 0.5), p95: quantile(learnMs, 0.95) },
    decisionMs: { p50: quantile(decisionMs, 0.5), p95: quantile(decisionMs, 0.95) },
    learned,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The result as the lines BENCHMARKS.md shows. */
export function formatDialogueCurve(result: DialogueCurveResult): string[] {
  const row = (xs: number[]): string => xs.map((x) => x.toFixed(2).replace(/^0/, '')).join(' ');
  return [
    `DSTC11 validation, multi-turn learning curve: ${result.tickets} conversations, knowledge learned only from the closed ones before (${result.seconds.toFixed(0)} s)`,
    `right resolution in the top ${TOP} at the customer's last turn before the resolution, per ${BLOCK} tickets:`,
    `  engine:  ${row(result.engine)}`,
    `  BM25:    ${row(result.bm25)}`,
    `  ceiling: ${row(result.ceiling)} (an earlier ticket had the right resolution)`,
    `all tickets: engine ${result.totals.engine.toFixed(3)} · BM25 ${result.totals.bm25.toFixed(3)} · ceiling ${result.totals.ceiling.toFixed(3)}; scope gate stopped ${result.outOfScope}`,
    `learning one closed ticket: p50 ${result.learnMs.p50.toFixed(1)} ms, p95 ${result.learnMs.p95.toFixed(1)} ms; decision p50 ${result.decisionMs.p50.toFixed(1)} ms, p95 ${result.decisionMs.p95.toFixed(1)} ms`,
    `learned: ${result.learned.qa} Q&A created, ${result.learned.merges} merges, ${result.learned.conflicts} conflicts, ${result.learned.rejected} candidates refused`,
  ];
}
