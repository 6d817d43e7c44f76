/**
 * The proactive pipeline, run after every customer message.
 *
 * At once (retrieval, always): scope gate → query cleaning → parallel retrieval over every knowledge source →
 * confidence from the scores → repeat gate → one decision in the spec's suggestion shape, shown or not.
 *
 * Then, when a local model is usable (LLM draft, `draft` promise): the model's scope check if the rules were
 * unsure → rewrite of the conversation into a self-contained query and sub-queries (identifiers removed) →
 * retrieval again with them → answerability judged from the retrieved entries only, with a short cited answer →
 * citations and URLs checked by code → repeat gate → a second decision that supersedes the first.
 *
 * Every decision carries `stage` and `gates` (each gate's verdict and reason) besides the spec's fields.
 */
import { errorMessage } from '../formats/errorMessage';
import type { Citation, Suggestion, SuggestionKind, Ticket } from '../formats/schemas';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import { LlmError, type LanguageModel } from '../llm/languageModel';
import { cleanMessage } from '../text/queryCleaner';
import { foldBySourceTicket, presentHit, rankByFeedback, toCitation } from './citedHits';
import { gateEvidence, judgeEvidence, SHOW_THRESHOLD, type GateEvidence } from './confidence';
import { customerText, focusText, searchConversation } from './conversationQuery';
import { searchSources, storeSource, type KnowledgeSource, type SourceHit } from './knowledgeSource';
import { judgeAnswerability, judgeScope, rewriteQuery } from './llmStages';
import { PRECEDENT_VOTE, voteOnPrecedents, type PrecedentVote } from './precedentVote';
import { RepeatGate } from './repeatGate';
import { classifyScope, type ScopeClass } from './scopeGate';

/** Citations kept per decision: the candidates considered, best first. */
export const MAX_CITATIONS = 10;
/** Hits fetched before citations of the same source ticket are folded together. */
const FETCH_HITS = 30;

/** The gates a decision went through, in order. */
export type GateName = 'scope' | 'llm_scope' | 'retrieval' | 'rewrite' | 'confidence' | 'answerability' | 'repeat' | 'llm' | 'followup' | 'alert';

export interface GateRecord {
  gate: GateName;
  verdict: 'pass' | 'stop' | 'error';
  detail: string;
}

/**
 * One decision: the spec's suggestion line plus how it was reached. `stage` is `retrieval` for the decision made at
 * once and `llm` for the LLM draft that follows and supersedes it (same ticket and message).
 */
export type AssistDecision = Suggestion & {
  /** `retrieval` (at once), `llm` (the draft that supersedes it), `rules` (follow-ups and alerts). */
  stage: 'retrieval' | 'llm' | 'rules';
  gates: GateRecord[];
  model?: string;
  /** Alerts only. */
  priority?: 'P0' | 'P1' | 'P2';
  /** What the retrieval gate weighed (retrieval decisions that had a candidate). */
  evidence?: GateEvidence;
};

export interface AssistResult {
  /** The retrieval decision, available at once. */
  decision: AssistDecision;
  /** The LLM decision, when a model is usable and the message is not out of scope; never rejects. */
  draft: Promise<AssistDecision> | null;
}

/** Access to the local model as the availability monitor (core/llm/llmMonitor.ts) gives it. */
export interface LlmAccess {
  model(): LanguageModel | null;
  reportSuccess(): void;
  reportFailure(error: LlmError): void;
}

/** Where shown suggestions are remembered (in memory, or durably: ShownLog). */
export interface ShownMemory {
  readonly gate: RepeatGate;
  record(record: { ticketId: string; afterMessageId: string; topEntryId: string | null; text: string; kind: string; at: string }): Promise<void>;
  forget(ticketId: string): Promise<void>;
}

/** Remembers shown suggestions for the life of the process only (tests, throw-away replays). */
export function memoryShown(gate: RepeatGate = new RepeatGate()): ShownMemory {
  return {
    gate,
    record: async (r) => gate.remember(r.ticketId, r.topEntryId, r.text, r.afterMessageId),
    forget: async (ticketId) => gate.forget(ticketId),
  };
}

export interface AssistantOptions {
  sources: KnowledgeSource[];
  shown?: ShownMemory;
  llm?: LlmAccess;
  /** Hosts whose links may appear in LLM answers even when the cited entries do not contain them. */
  allowHosts?: readonly string[];
  /**
   * How much analysts' feedback lets an entry rank: 1 neutral, below 1 for entries they keep dismissing
   * (core/feedback). Hits are re-ordered by their fused score times this factor (capped at 1).
   */
  rankFactor?: (entryId: string) => number;
  /** How learned precedents that agree on a resolution vote for it (precedentVote.ts); `null`: no vote (benchmarks). */
  precedentVote?: PrecedentVote | null;
  /**
   * The confidence from which the retrieval gate shows a suggestion, read at every decision: SHOW_THRESHOLD, or the
   * team's recalibration of it from feedback (core/feedback/gateCalibration.ts, wired in core/app/copilotService.ts).
   */
  showThreshold?: () => number;
}

/** The query for a ticket as of one message: its subject and every customer message so far, cleaned. */
export const buildQuery: (ticket: Ticket, uptoIndex: number) => string = customerText;

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export class Assistant {
  private readonly sources: KnowledgeSource[];
  private readonly shown: ShownMemory;
  private readonly llm: LlmAccess | null;
  private allowHosts: readonly string[];
  private readonly rankFactor: ((entryId: string) => number) | null;
  private readonly vote: PrecedentVote | null;
  private readonly showThreshold: () => number;
  /** LLM drafts still running; `close` cancels and waits for them. */
  private readonly drafts = new Set<Promise<AssistDecision>>();
  private readonly closing = new AbortController();

  /** `new Assistant(store)` searches the team's store only, remembers in memory and never uses an LLM. */
  constructor(storeOrOptions: KnowledgeStore | AssistantOptions) {
    const options: AssistantOptions = 'sources' in storeOrOptions ? storeOrOptions : { sources: [storeSource(storeOrOptions)] };
    this.sources = options.sources; // shared: sources added by the owner later are searched too
    this.shown = options.shown ?? memoryShown();
    this.llm = options.llm ?? null;
    this.allowHosts = options.allowHosts ?? [];
    this.rankFactor = options.rankFactor ?? null;
    this.vote = options.precedentVote === undefined ? PRECEDENT_VOTE : options.precedentVote;
    this.showThreshold = options.showThreshold ?? (() => SHOW_THRESHOLD);
  }

  /** Found hits as candidates: feedback demotes, one precedent per source ticket, then precedents vote. */
  private rank(hits: readonly SourceHit[]): SourceHit[] {
    return voteOnPrecedents(foldBySourceTicket(rankByFeedback(hits, this.rankFactor)), this.vote);
  }

  /** Replaces the documentation hosts links may point to (the team changed them in Settings); from the next message on. */
  setAllowHosts(hosts: readonly string[]): void {
    this.allowHosts = [...hosts];
  }

  /** Adds a knowledge source (an installed pack); it is searched from the next message on. */
  addSource(source: KnowledgeSource): void {
    this.sources.push(source);
  }

  /** Removes the source with this name (an uninstalled pack). */
  removeSource(name: string): void {
    const i = this.sources.findIndex((s) => s.name === name);
    if (i >= 0) this.sources.splice(i, 1);
  }

  /** The retrieval decision only (what retrieval-only mode shows); see `assist` for the LLM draft. */
  async onCustomerMessage(ticket: Ticket, messageIndex: number, arrivedAt: number): Promise<AssistDecision> {
    return (await this.assist(ticket, messageIndex, arrivedAt)).decision;
  }

  /**
   * Decides what to do after the customer message at `messageIndex` of `ticket` (a snapshot holding at least the
   * messages up to it). `arrivedAt` is the `performance.now()` at which the message arrived.
   */
  async assist(ticket: Ticket, messageIndex: number, arrivedAt: number): Promise<AssistResult> {
    const message = ticket.messages[messageIndex];
    if (!message) throw new Error(`Ticket ${ticket.id} has no message at position ${messageIndex}.`);
    const gates: GateRecord[] = [];
    const decide = (fields: Omit<Suggestion, 'ticketId' | 'afterMessageId' | 'latencyMs'> & { evidence?: GateEvidence }): AssistDecision => ({
      ticketId: ticket.id,
      afterMessageId: message.id,
      ...fields,
      latencyMs: Math.round((performance.now() - arrivedAt) * 100) / 100,
      stage: 'retrieval',
      gates: [...gates],
    });

    const cleaned = cleanMessage(message.text);
    const before = ticket.messages[messageIndex - 1];
    const scope = classifyScope(cleaned, before?.author === 'analyst' && !before.internal ? before.text : null);
    gates.push({ gate: 'scope', verdict: scope.verdict === 'out' ? 'stop' : 'pass', detail: `${scope.verdict}: ${scope.detail}` });
    if (scope.verdict === 'out') {
      // Nothing is shown, but the record keeps the candidates the conversation so far points to (the replay
      // contract: a suppressed decision's citations are the candidates considered), so that what the engine would
      // cite is measured on every turn: on ABCD, 17 of 31 customer turns are names, identifiers or thanks.
      const citations = await this.candidatesOnly(ticket, messageIndex);
      return { decision: decide({ shown: false, reason: 'out_of_scope', kind: 'answer', text: '', confidence: 0, citations }), draft: null };
    }

    const query = buildQuery(ticket, messageIndex);
    const decision = await this.retrieve(ticket, messageIndex, gates, decide);
    const model = this.llm?.model() ?? null;
    let draft: Promise<AssistDecision> | null = null;
    if (model && !this.closing.signal.aborted) {
      const running = this.draft(model, ticket, messageIndex, arrivedAt, cleaned, scope, query, decision);
      this.drafts.add(running);
      draft = running.finally(() => this.drafts.delete(running));
    }
    return { decision, draft };
  }

  /**
   * The candidates the conversation up to `messageIndex` points to, best first, for a decision that shows nothing.
   * A failing source yields fewer candidates, never an error: the decision is silent either way.
   */
  private async candidatesOnly(ticket: Ticket, messageIndex: number): Promise<Citation[]> {
    const found = await searchConversation(this.sources, ticket, messageIndex, FETCH_HITS);
    return this.rank(found.hits).slice(0, MAX_CITATIONS).map(toCitation);
  }

  /**
   * Retrieval, confidence and repeat gates: the decision shown at once. Entries already shown on the ticket are
   * stepped over: when the best hit was shown before, the best one not yet shown is judged on its own evidence and
   * offered as a next step, instead of the decision going silent as a repeat.
   */
  private async retrieve(
    ticket: Ticket,
    messageIndex: number,
    gates: GateRecord[],
    decide: (fields: Omit<Suggestion, 'ticketId' | 'afterMessageId' | 'latencyMs'> & { evidence?: GateEvidence }) => AssistDecision,
  ): Promise<AssistDecision> {
    const message = ticket.messages[messageIndex]!;
    const found = await searchConversation(this.sources, ticket, messageIndex, FETCH_HITS);
    const hits = this.rank(found.hits);
    gates.push(retrievalGate(hits, found.failures, this.sources));
    if (!hits[0]) return decide({ shown: false, reason: 'no_match', kind: 'answer', text: '', confidence: 0, citations: [] });
    const repeats = hits.filter((h) => this.shown.gate.repeatByWords(ticket.id, h.entry.id, presentHit(h, this.allowHosts).text) !== null);
    // What the analyst has seen is neither offered again nor a rival of what is offered: the evidence is weighed
    // over the entries not yet shown.
    const stepping = repeats.includes(hits[0]);
    const candidates = hits.filter((h) => !repeats.includes(h));
    const citations = [...candidates, ...hits.filter((h) => !candidates.includes(h))].slice(0, MAX_CITATIONS).map(toCitation);
    const best = candidates[0];
    if (!best) {
      gates.push({ gate: 'repeat', verdict: 'stop', detail: `every candidate already shown on ${ticket.id}` });
      return decide({ shown: false, reason: 'duplicate', ...presentHit(hits[0], this.allowHosts), confidence: 0, citations });
    }
    if (stepping) gates.push({ gate: 'repeat', verdict: 'pass', detail: `stepped over ${hits.indexOf(best)} already shown on ${ticket.id}` });
    else if (repeats.length > 0) gates.push({ gate: 'repeat', verdict: 'pass', detail: `${repeats.length} lower candidates already shown on ${ticket.id}` });
    const subjectNamed = best.entry.title !== undefined && found.subjects.some((s) => best.entry.title!.startsWith(s));
    const evidence = gateEvidence(candidates, focusText(ticket, messageIndex), cleanMessage(message.text), subjectNamed, message.text)!;
    const threshold = this.showThreshold();
    // Said in the record when it is the team's: "0.55 < 0.58 (recalibrated from feedback, default 0.5)".
    const thresholdText = threshold === SHOW_THRESHOLD ? `${threshold}` : `${round3(threshold)} (recalibrated from feedback, default ${SHOW_THRESHOLD})`;
    const judged = judgeEvidence(evidence, threshold);
    const presented = presentHit(best, this.allowHosts);
    const kind: SuggestionKind = stepping ? 'next_step' : presented.kind;
    const text = presented.text;
    const confidence = round3(judged.confidence);
    if (judged.floor || confidence < threshold) {
      gates.push({ gate: 'confidence', verdict: 'stop', detail: judged.floor ? `${judged.floor} (${judged.detail})` : `${confidence} < ${thresholdText} (${judged.detail})` });
      // Stepping over found nothing sure: the best answer is the one already shown, and the record says so, with
      // the candidates in their own order.
      if (stepping) return decide({ shown: false, reason: 'duplicate', ...presentHit(hits[0], this.allowHosts), confidence, citations: hits.slice(0, MAX_CITATIONS).map(toCitation), evidence });
      return decide({ shown: false, reason: 'low_confidence', kind, text, confidence, citations, evidence });
    }
    gates.push({ gate: 'confidence', verdict: 'pass', detail: `${confidence} ≥ ${thresholdText} (${judged.detail})` });
    // Stepped over were the same entries and near-same words; what is offered must also not mean the same as
    // anything shown on the ticket (Vigil's check by meaning).
    const sameMeaning = await this.shown.gate.repeatOf(ticket.id, best.entry.id, text);
    if (sameMeaning) {
      gates.push({ gate: 'repeat', verdict: 'stop', detail: sameMeaning });
      return decide({ shown: false, reason: 'duplicate', kind, text, confidence, citations, evidence });
    }
    if (!stepping) gates.push({ gate: 'repeat', verdict: 'pass', detail: 'not shown before on this ticket' });
    await this.shown.record({ ticketId: ticket.id, afterMessageId: message.id, topEntryId: best.entry.id, text, kind, at: new Date().toISOString() });
    return decide({ shown: true, reason: 'answerable', kind, text, confidence, citations, evidence });
  }

  /** The LLM stage. Never rejects: a failing model yields a decision that says so and keeps the retrieval result. */
  private async draft(
    model: LanguageModel,
    ticket: Ticket,
    messageIndex: number,
    arrivedAt: number,
    cleaned: string,
    scope: ScopeClass,
    ruleQuery: string,
    immediate: AssistDecision,
  ): Promise<AssistDecision> {
    const message = ticket.messages[messageIndex]!;
    const gates: GateRecord[] = [];
    const decide = (fields: Omit<Suggestion, 'ticketId' | 'afterMessageId' | 'latencyMs'>): AssistDecision => ({
      ticketId: ticket.id,
      afterMessageId: message.id,
      ...fields,
      latencyMs: Math.round((performance.now() - arrivedAt) * 100) / 100,
      stage: 'llm',
      gates: [...gates],
      model: model.id,
    });
    let retrievalFallback: Omit<Suggestion, 'ticketId' | 'afterMessageId' | 'latencyMs'> = {
      shown: false,
      reason: 'no_match',
      kind: 'answer',
      text: '',
      confidence: 0,
      citations: [],
    };
    // The scope and retrieval gates of the immediate decision come first in the draft's record.
    gates.push(...immediate.gates.filter((g) => g.gate === 'scope'));
    try {
      if (scope.verdict === 'unsure') {
        const judged = await judgeScope(model, cleaned, { signal: this.closing.signal, ticket, uptoIndex: messageIndex });
        gates.push({ gate: 'llm_scope', verdict: judged.inScope ? 'pass' : 'stop', detail: judged.detail });
        if (!judged.inScope) return decide({ shown: false, reason: 'out_of_scope', kind: 'answer', text: '', confidence: 0, citations: immediate.citations });
      }
      const rewrite = await rewriteQuery(model, ticket, messageIndex, { signal: this.closing.signal });
      gates.push({ gate: 'rewrite', verdict: 'pass', detail: [rewrite.query, ...rewrite.subQueries].map((q) => JSON.stringify(q)).join(' + ') });
      const found = await searchSources(this.sources, [ruleQuery, rewrite.query, ...rewrite.subQueries], FETCH_HITS);
      const hits = this.rank(found.hits);
      gates.push(retrievalGate(hits, found.failures, this.sources));
      const best = hits[0];
      const evidence = gateEvidence(hits, focusText(ticket, messageIndex), cleaned, false, message.text);
      if (!best || !evidence) {
        this.llm?.reportSuccess();
        return decide(retrievalFallback);
      }
      const retrievalConfidence = round3(judgeEvidence(evidence).confidence);
      const citations = hits.slice(0, MAX_CITATIONS).map(toCitation);
      retrievalFallback = { shown: false, reason: 'low_confidence', ...presentHit(best, this.allowHosts), confidence: retrievalConfidence, citations };

      const verdict = await judgeAnswerability(model, { query: rewrite.query || ruleQuery, latestMessage: cleaned }, hits, { allowHosts: this.allowHosts, signal: this.closing.signal, ticket, uptoIndex: messageIndex });
      this.llm?.reportSuccess();
      if (!verdict.answerable) {
        gates.push({ gate: 'answerability', verdict: 'stop', detail: `${verdict.reason}: ${verdict.detail}` });
        return decide({ ...retrievalFallback, reason: verdict.reason });
      }
      const removed = verdict.removedUrls.length ? `; removed links: ${verdict.removedUrls.join(' ')}` : '';
      gates.push({ gate: 'answerability', verdict: 'pass', detail: `cites ${verdict.citedIds.join(', ')}: ${verdict.reason.slice(0, 200)}${removed}` });
      // Cited entries first, in rank order, then the other candidates.
      const ordered = [...hits.filter((h) => verdict.citedIds.includes(h.entry.id)), ...hits.filter((h) => !verdict.citedIds.includes(h.entry.id))];
      const answerCitations = ordered.slice(0, MAX_CITATIONS).map(toCitation);
      // The model vouched for the entries: at least the show threshold; higher when retrieval is sure as well.
      const confidence = Math.max(retrievalConfidence, SHOW_THRESHOLD);
      const top = verdict.citedIds[0] ?? null;
      const fields = { kind: verdict.kind, text: verdict.text, confidence, citations: answerCitations };
      const repeat = await this.shown.gate.repeatOf(ticket.id, top, verdict.text, message.id);
      if (repeat) {
        gates.push({ gate: 'repeat', verdict: 'stop', detail: repeat });
        return decide({ shown: false, reason: 'duplicate', ...fields });
      }
      gates.push({ gate: 'repeat', verdict: 'pass', detail: 'not shown before on this ticket' });
      await this.shown.record({ ticketId: ticket.id, afterMessageId: message.id, topEntryId: top, text: verdict.text, kind: verdict.kind, at: new Date().toISOString() });
      return decide({ shown: true, reason: 'answerable', ...fields });
    } catch (error) {
      const failure = error instanceof LlmError ? error : null;
      if (failure) this.llm?.reportFailure(failure);
      gates.push({ gate: 'llm', verdict: 'error', detail: errorMessage(error) });
      // The retrieval decision stands: the model's failure neither shows nor hides anything.
      const { ticketId: _t, afterMessageId: _a, latencyMs: _l, stage: _s, gates: _g, model: _m, ...kept } = immediate;
      return decide(kept);
    }
  }

  /** Cancels the LLM drafts still running and waits until they have settled (closing the app). */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.drafts]);
  }

  /** Forgets per-ticket state once a ticket is closed. */
  async onTicketClosed(ticketId: string): Promise<void> {
    await this.shown.forget(ticketId);
  }
}

function retrievalGate(hits: readonly SourceHit[], failures: ReadonlyArray<{ source: string; error: string }>, sources: readonly KnowledgeSource[]): GateRecord {
  const failed = failures.length ? `; failed: ${failures.map((f) => `${f.source} (${f.error})`).join(', ')}` : '';
  return {
    gate: 'retrieval',
    verdict: hits.length > 0 ? 'pass' : 'stop',
    detail: `${hits.length} candidates from ${sources.map((s) => s.name).join(', ') || 'no source'}${failed}`,
  };
}

/**
 * The retrieval gate's confidence in a shown decision, when the gate's model decided to show it: not a model's
 * draft (the model vouched for it) and not an error code shown on the identifier rule (the model did not weigh it).
 */
export function gateConfidenceOf(decision: AssistDecision): number | undefined {
  return decision.stage === 'retrieval' && decision.evidence && decision.evidence.identifier !== 1 ? decision.confidence : undefined;
}
