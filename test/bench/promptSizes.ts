/**
 * LLM prompt sizes (a benchmark, not a test): the scope check, the rewrite and the answerability prompts the
 * pipeline builds (core/assist/llmStages.ts), counted by the engine's estimate (core/llm/promptBudget.ts) and by
 * Llama 3's own tokenizer (the vocabulary of Llama 3.2, the small model the prompts are sized for), against the
 * budget of a 4k context. No model runs: a stand-in records each prompt and answers a valid minimal JSON.
 *
 * Data: DSTC11 validation conversations (multi-turn; the knowledge is the DSTC11 FAQs), asked at every customer turn;
 * ABCD's sample dialogues (long multi-turn; the knowledge is ABCD's guideline articles, long entries), at every
 * customer turn; BANKING77 test queries (one message; the knowledge is BANKING77 training queries with their intent
 * as answer). The five entries judged are BM25's best for the customer's text so far.
 *
 *   npm run bench:prompt-sizes -- [--limit N]
 */
import { parseArgs } from 'node:util';
import llama3Tokenizer from 'llama3-tokenizer-js';
import type { z } from 'zod';
import type { SourceHit } from '../../core/assist/knowledgeSource';
import { judgeAnswerability, judgeScope, recentTurns, rewriteQuery } from '../../core/assist/llmStages';
import { quantile } from '../../core/text/quantile';
import type { Entry, Ticket } from '../../core/formats/schemas';
import type { StoredEntry } from '../../core/knowledge/storedEntry';
import type { JsonRequest, LanguageModel } from '../../core/llm/languageModel';
import { CHARS_PER_TOKEN, estimateTokens, PROMPT_BUDGET_TOKENS, SMALL_MODEL_CONTEXT_TOKENS } from '../../core/llm/promptBudget';
import { cleanMessage } from '../../core/text/queryCleaner';
import { abcdArticles, abcdTickets } from './abcdData';
import { loadBanking77 } from './banking77Data';
import { Bm25Index } from './bm25Baseline';
import { dialogueTicket, loadDialogues } from './dialogueCurve';
import { dstcFaqEntries } from './dialogueLoop';

interface Recorded {
  stage: string;
  chars: number;
  estimate: number;
  llama3: number;
}

/** A language model that records every prompt and answers the first minimal JSON its schema accepts. */
class RecordingModel implements LanguageModel {
  readonly id = 'recording';
  readonly prompts: Array<{ purpose: string; system: string; prompt: string }> = [];
  private static readonly ANSWERS: unknown[] = [
    { category: 'question', needsHelp: true },
    { query: 'customer problem', subQueries: [] },
    { objectMatches: true, symptomMatches: false, preconditionsMatch: true, answerable: false, reason: 'x', kind: 'answer', answer: '', citations: [] },
  ];

  async generateJson<S extends z.ZodType>(request: JsonRequest<S>): Promise<z.output<S>> {
    this.prompts.push({ purpose: request.audit?.purpose ?? '?', system: request.system, prompt: request.prompt });
    for (const answer of RecordingModel.ANSWERS) {
      const parsed = request.schema.safeParse(answer);
      if (parsed.success) return parsed.data as z.output<S>;
    }
    throw new Error('no canned answer fits the schema');
  }

  async streamText(): Promise<string> {
    return '';
  }
}

function asStored(entry: Entry): StoredEntry {
  return { ...entry, status: 'approved', provenance: { sourceTicketIds: [], createdAt: '2026-01-01T00:00:00Z' } } as StoredEntry;
}

async function measure(name: string, tickets: Ticket[], entries: Entry[], everyTurn: boolean): Promise<{ name: string; prompts: Recorded[]; tickets: number; cut: { turns: number; entries: number } }> {
  const index = new Bm25Index(entries.map((e) => [e.title, e.question, e.body].filter(Boolean).join('\n')));
  const stored = entries.map(asStored);
  const model = new RecordingModel();
  const cut = { turns: 0, entries: 0 };
  for (const ticket of tickets) {
    const customerAt = ticket.messages.flatMap((m, i) => (m.author === 'customer' ? [i] : []));
    for (const at of everyTurn ? customerAt : customerAt.slice(-1)) {
      const latest = cleanMessage(ticket.messages[at]!.text);
      const soFar = ticket.messages.slice(0, at + 1).filter((m) => m.author === 'customer').map((m) => m.text).join('\n');
      const hits: SourceHit[] = index.search(soFar, 5).map((i, rank) => ({ entry: stored[i]!, similarity: 0.8 - rank / 100, fused: 0.8 - rank / 100, textRank: rank, vectorRank: rank }));
      await judgeScope(model, latest, { ticket, uptoIndex: at });
      await rewriteQuery(model, ticket, at);
      if (!hits.length) continue;
      await judgeAnswerability(model, { query: soFar.slice(-600), latestMessage: latest }, hits, { ticket, uptoIndex: at });
      const sent = model.prompts.at(-1)!.prompt;
      const recentBlock = /<<<DATA \w+ recent conversation[^\n]*\n([\s\S]*?)\n<<<END/.exec(sent)?.[1] ?? '';
      if (recentBlock.split('\n').filter(Boolean).length < recentTurns(ticket, at).length) cut.turns++;
      if ((sent.match(/<<<DATA \w+ entry /g) ?? []).length < hits.length) cut.entries++;
    }
  }
  const prompts = model.prompts.map((p) => ({
    stage: p.purpose,
    chars: p.system.length + p.prompt.length,
    estimate: estimateTokens(p.system) + estimateTokens(p.prompt),
    llama3: llama3Tokenizer.encode(p.system, { bos: false, eos: false }).length + llama3Tokenizer.encode(p.prompt, { bos: false, eos: false }).length,
  }));
  return { name, prompts, tickets: tickets.length, cut };
}

function row(name: string, stage: string, prompts: Recorded[]): string {
  const of = (xs: number[]): string => `${quantile(xs, 0.5)} / ${quantile(xs, 0.95)} / ${Math.max(...xs)}`;
  const ratios = prompts.map((p) => p.chars / p.llama3);
  const over = prompts.filter((p) => p.llama3 > p.estimate).length;
  const overBudget = prompts.filter((p) => p.estimate > PROMPT_BUDGET_TOKENS).length;
  return `| ${name} | ${stage} | ${prompts.length} | ${of(prompts.map((p) => p.estimate))} | ${of(prompts.map((p) => p.llama3))} | ${Math.min(...ratios).toFixed(2)} / ${quantile(ratios, 0.5).toFixed(2)} | ${over} | ${overBudget} |`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { limit: { type: 'string', default: '300' } } });
  const limit = Number(values.limit);
  const banking = loadBanking77('train');
  const bankingEntries: Entry[] = banking.slice(0, 3000).map((q, i) => ({ id: `b77-${i}`, kind: 'qa', question: q.text, body: `This is about ${q.intent.replace(/_/g, ' ')}.` }));
  const bankingTickets: Ticket[] = loadBanking77('test')
    .slice(0, limit)
    .map((q, i) => ({ id: `B-${i}`, status: 'open', messages: [{ id: '1', author: 'customer', text: q.text }] }));
  const dstc = loadDialogues()
    .slice(0, limit)
    .map((d) => dialogueTicket(d, false));
  const sets = [
    await measure('DSTC11 (every customer turn)', dstc, dstcFaqEntries(), true),
    await measure('ABCD (every customer turn)', abcdTickets(), abcdArticles(), true),
    await measure('BANKING77', bankingTickets, bankingEntries, false),
  ];
  console.log(`Prompt sizes in tokens, engine estimate (${CHARS_PER_TOKEN} characters per token) and Llama 3 tokenizer; budget ${PROMPT_BUDGET_TOKENS} of a ${SMALL_MODEL_CONTEXT_TOKENS}-token context`);
  console.log('| data set | stage | prompts | estimate p50 / p95 / max | Llama 3 p50 / p95 / max | characters per Llama 3 token, min / median | Llama 3 above estimate | estimate above budget |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const set of sets) {
    for (const stage of ['scope', 'rewrite', 'answerability']) {
      const prompts = set.prompts.filter((p) => p.stage === stage);
      if (prompts.length) console.log(row(`${set.name}, ${set.tickets} tickets`, stage, prompts));
    }
  }
  console.log('');
  for (const set of sets) {
    console.log(`${set.name}: answer prompts that dropped older turns to fit ${set.cut.turns}, that dropped lower-ranked entries ${set.cut.entries}`);
  }
}

await main();
