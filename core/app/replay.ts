/**
 * `vigil replay`: the engine, headless, over a recorded queue (spec: formats.md §3). Tickets are taken in file
 * order and their messages delivered one at a time; after every customer message the proactive engine decides,
 * and every decision is written, shown or not. A ticket that ends solved or closed is then learned from.
 *
 * Time is the queue's own: the engine's clock (learning, feedback, the delayed review's quiet time) reads the
 * latest message time delivered so far, never the wall clock, so the delayed review runs when a ticket has been
 * quiet for the team's delay in the recording, and a replay makes the same decisions on every run. Messages
 * without an `at` do not move the clock; at the end it moves past every delay, so each pending review runs.
 */
import { quantile } from '../text/quantile';
import { MAX_REVIEW_WAITS } from '../learn/delayedReview';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../embed/embedder';
import type { Clock } from '../learn/delayedReview';
import type { DelayedReviewResult } from '../learn/learning';
import { analystAnswerIndex, sameAnswer } from './queueAnswers';
import { JsonlWriter, readJsonl, type LineIssue } from '../formats/jsonl';
import { isClosedStatus, TicketSchema, type Ticket } from '../formats/schemas';
import type { AssistDecision } from '../assist/assistant';
import type { LlmStatus } from '../llm/llmMonitor';
import { CopilotService, type CopilotOptions } from './copilotService';
import type { ImportReport } from './serviceTypes';

export interface ReplayOptions {
  /**
   * The recorded queue: a JSON Lines file of tickets (formats.md §1), several files taken in order (a folder's), or
   * tickets already read (the desk's, in the app).
   */
  tickets: string | readonly string[] | readonly Ticket[];
  knowledge?: readonly string[];
  /** `auto`: learned entries are approved as an analyst would; `off`: nothing is learned. */
  learn?: 'auto' | 'off';
  out: string;
  /** Data folder to use; a temporary one (removed afterwards) when absent. It must start empty. */
  dataDir?: string;
  embedder?: Embedder;
  /**
   * Use a local model (Ollama) as the app would. The retrieval decision is written at once and the LLM decision
   * for the same message follows it (`"stage": "llm"`), so both are in the output.
   */
  llm?: CopilotOptions['llm'];
  /** `on` (default): the delayed review runs on the queue's time; `off`: never (to measure what it adds). */
  review?: 'on' | 'off';
  /**
   * `queue`: the analyst's recorded reply stands in for their feedback on a shown answer: `inserted` when it says
   * the same (queueAnswers.ts), `dismissed` when it says something else. `none` (default): no feedback.
   */
  feedback?: 'queue' | 'none';
  /** Called after each ticket, for progress. */
  onTicket?: (done: number, suggestion: AssistDecision | null) => void;
  /** Called with every decision as it is made (the CLI's live view, benchmarks). */
  onDecision?: (suggestion: AssistDecision) => void;
  /**
   * Stops the replay between two messages (the app's Cancel): it rejects with the signal's reason, after closing the
   * output and the engine and removing a temporary data folder, as a finished replay would.
   */
  signal?: AbortSignal;
  /** The engine's precedent vote (CopilotOptions); default the engine's own, `null` for none (fitting it). */
  precedentVote?: CopilotOptions['precedentVote'];
}

/** The tickets of `source` in order; damaged lines go to `onIssue` with their file and line. */
async function* ticketsOf(source: ReplayOptions['tickets'], onIssue: (issue: LineIssue) => void): AsyncGenerator<Ticket> {
  if (typeof source === 'string') source = [source];
  for (const item of source) {
    if (typeof item !== 'string') {
      yield item;
      continue;
    }
    for await (const { value } of readJsonl(item, TicketSchema, onIssue)) yield value;
  }
}

export interface ReplaySummary {
  tickets: number;
  customerMessages: number;
  /** Lines written: one per customer message, two when the LLM stage also decided. */
  decisions: number;
  /** LLM-stage decisions among them. */
  llmDecisions: number;
  /** Follow-up reminders and alerts among them (raised only for messages that carry an `at` time). */
  followups: number;
  alerts: number;
  /** Final decisions (the LLM's when there is one) that were shown. */
  shown: number;
  suppressed: number;
  suppressedByReason: Record<string, number>;
  ticketsLearnedFrom: number;
  entriesLearned: number;
  /** Retrieval decisions: from the message's arrival to the decision shown at once. */
  latencyMs: { p50: number; p95: number; max: number };
  /** LLM decisions: from the message's arrival to the draft (null without one). */
  llmLatencyMs: { p50: number; p95: number; max: number } | null;
  imports: ImportReport[];
  /** The delayed review's verdicts, on the queue's time. */
  review: ReplayReview;
  /** Learning during the ticket (`--learn auto`): first questions the copilot left unanswered, learned from the humans' answer. */
  duringTicket: { questions: number; entriesLearned: number };
  /**
   * Final shown answers (not alerts or reminders) compared with the analyst's recorded answer to the same
   * message, where the queue holds one, and how many said the same.
   */
  answers: { compared: number; sameAsAnalyst: number };
  /** Entries retired by the dismissal rule (feedback), with `--feedback queue`. */
  retiredByFeedback: number;
  /** One record per ticket, in file order, for the what-if report (replayReport.ts). */
  perTicket: ReplayTicketRecord[];
  /** Ticket lines that were skipped, with file, line and field. */
  issues: LineIssue[];
  /** The LLM mode at the end of the run, and why. */
  llm: LlmStatus;
}

export interface ReplayReview {
  /** Tickets whose review ran. */
  tickets: number;
  kept: number;
  modified: number;
  retired: number;
  /** Times the review waited for more conversation (`pending`) before deciding. */
  pending: number;
  /** Every verdict, in the order given. */
  verdicts: DelayedReviewResult[];
  /** Shown answers after the review that cited an entry it had modified, and how many said what the analyst said. */
  laterCitingModified: { shown: number; sameAsAnalyst: number };
}

/** What happened on one ticket, on the queue's time (ms since epoch; null when its messages carry no time). */
export interface ReplayTicketRecord {
  ticketId: string;
  /** The first customer message's time. */
  firstAt: number | null;
  /** The time of the customer message after which the copilot first showed an answer (not an alert or reminder). */
  firstHelpAt: number | null;
  /** The analyst's first public reply. */
  analystFirstReplyAt: number | null;
  customerMessages: number;
  /** Shown answers, and those compared with / the same as the analyst's recorded answer. */
  spoke: number;
  compared: number;
  sameAsAnalyst: number;
  /** Entries learned when it closed; entries known after it (imported, plus learned, less merges into a twin). */
  learned: number;
  entriesAfter: number;
  /** Review verdicts that ran while this ticket was delivered. */
  reviewed: { kept: number; modified: number; retired: number };
}

/** A replay's summary before its first ticket: every count at zero, the LLM mode it runs in. */
export function emptyReplaySummary(llm: ReplaySummary['llm']): ReplaySummary {
  return {
    tickets: 0,
    customerMessages: 0,
    decisions: 0,
    llmDecisions: 0,
    followups: 0,
    alerts: 0,
    shown: 0,
    suppressed: 0,
    suppressedByReason: {},
    ticketsLearnedFrom: 0,
    entriesLearned: 0,
    latencyMs: { p50: 0, p95: 0, max: 0 },
    llmLatencyMs: null,
    review: { tickets: 0, kept: 0, modified: 0, retired: 0, pending: 0, verdicts: [], laterCitingModified: { shown: 0, sameAsAnalyst: 0 } },
    answers: { compared: 0, sameAsAnalyst: 0 },
    duringTicket: { questions: 0, entriesLearned: 0 },
    retiredByFeedback: 0,
    perTicket: [],
    imports: [],
    issues: [],
    llm,
  };
}

/** Runs a replay and returns its summary; decisions are written to `options.out` as JSON Lines. */
export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-replay-')));
  // The queue's clock (see the file comment); before the first timed message it stands at the replay's start.
  const start = Date.now();
  let now: number | null = null;
  const clock: Clock = () => new Date(now ?? start);
  const service = await CopilotService.open({
    dataDir,
    clock,
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.llm ? { llm: options.llm } : {}),
    ...(options.precedentVote !== undefined ? { precedentVote: options.precedentVote } : {}),
  });
  const existing = (await service.status()).entries;
  if (existing > 0) {
    await service.close();
    throw new Error(
      `Replay needs an empty data folder, but ${dataDir} already holds ${existing} entries. Choose a new --data-dir or leave it out to use a temporary one.`,
    );
  }
  // Opened before any work, so a missing output folder is one sentence at once, not an error after the replay.
  const writer = await JsonlWriter.open(options.out).catch(async (error: unknown) => {
    await service.close();
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  const summary = emptyReplaySummary(service.llmStatus());
  const latencies: number[] = [];
  const llmLatencies: number[] = [];
  const modifiedByReview = new Set<string>();
  // A ticket the review waits on is due again at the next run: counted once.
  const reviewedTickets = new Set<string>();
  const delayMinutes = (): number => service.learning.learningSettings().delayedReviewMinutes;
  /** Runs the reviews that are due on the queue's clock; tallies them on the current ticket's record too. */
  /** The clock reading of the last check: a ticket only becomes due when the clock moves. */
  let checkedAt: number | null = null;
  const reviewDue = async (record: ReplayTicketRecord | null): Promise<void> => {
    if (checkedAt !== null && checkedAt === clock().getTime()) return;
    checkedAt = clock().getTime();
    if (options.learn !== 'off' && service.learning.scheduler.firstQuestionsDue(delayMinutes()).length > 0) {
      for (const learned of await service.learning.learnDuringTickets('auto')) {
        summary.duringTicket.questions++;
        summary.duringTicket.entriesLearned += learned.entryIds.length;
      }
    }
    if (options.review === 'off') return;
    // Nothing due is the common case: skip the call (it saves the scheduler's file every time it runs).
    const due = service.learning.scheduler.due(delayMinutes());
    if (due.length === 0) return;
    const verdicts = await service.learning.runDelayedReview();
    for (const d of due) reviewedTickets.add(d.ticketId);
    summary.review.tickets = reviewedTickets.size;
    for (const verdict of verdicts) {
      summary.review.verdicts.push(verdict);
      if (verdict.action === 'pending') {
        summary.review.pending++;
        continue;
      }
      const key = verdict.action === 'keep' ? 'kept' : verdict.action === 'modify' ? 'modified' : 'retired';
      summary.review[key]++;
      if (record) record.reviewed[key]++;
      if (verdict.action === 'modify') {
        modifiedByReview.add(verdict.entryId);
        // `--learn auto` approves what the loop proposes as an analyst would, the review's corrections included.
        const [entry] = (await service.getEntries([verdict.proposalId ?? verdict.entryId])).values();
        if (options.learn !== 'off' && entry?.status === 'proposed') await service.learning.approveEntry(entry.id, 'replay:auto');
      }
    }
  };
  try {
    for (const file of options.knowledge ?? []) summary.imports.push(await service.importEntries(file));
    let entries = (await service.status()).entries;

    for await (const ticket of ticketsOf(options.tickets, (i) => summary.issues.push(i))) {
      options.signal?.throwIfAborted();
      let last: AssistDecision | null = null;
      const record: ReplayTicketRecord = {
        ticketId: ticket.id,
        firstAt: null,
        firstHelpAt: null,
        analystFirstReplyAt: null,
        customerMessages: 0,
        spoke: 0,
        compared: 0,
        sameAsAnalyst: 0,
        learned: 0,
        entriesAfter: entries,
        reviewed: { kept: 0, modified: 0, retired: 0 },
      };
      /** The latest shown answer waiting for the analyst's reply (`--feedback queue`). */
      let awaiting: { decision: AssistDecision; afterMessageIndex: number } | null = null;
      // Deliver the conversation one message at a time, as a live queue would.
      for (let index = 0; index < ticket.messages.length; index++) {
        options.signal?.throwIfAborted();
        const message = ticket.messages[index]!;
        const at = message.at ? Date.parse(message.at) : null;
        if (at !== null) now = Math.max(now ?? at, at);
        await reviewDue(record);
        const snapshot = { ...ticket, status: 'open' as const, messages: ticket.messages.slice(0, index + 1) };
        // Follow-ups that fell due before this message arrived, judged on the conversation so far.
        if (at !== null && index > 0) {
          const before = { ...ticket, status: 'open' as const, messages: ticket.messages.slice(0, index) };
          for (const reminder of service.pollFollowups(before, at - 1)) {
            await writer.write(reminder);
            options.onDecision?.(reminder);
            summary.decisions++;
            summary.followups++;
          }
        }
        if (message.author !== 'customer') {
          if (message.author === 'analyst' && !message.internal && record.analystFirstReplyAt === null && at !== null) record.analystFirstReplyAt = at;
          // The conversation went on: the delayed review's quiet time restarts, and it will see this message.
          service.learning.noteActivity(snapshot);
          if (awaiting && options.feedback === 'queue' && analystAnswerIndex(ticket, awaiting.afterMessageIndex) === index) {
            const used = sameAnswer(awaiting.decision.text, message.text);
            const { retired } = await service.recordFeedback({
              type: used ? 'inserted' : 'dismissed',
              ticketId: ticket.id,
              afterMessageId: awaiting.decision.afterMessageId,
              entryIds: awaiting.decision.citations.map((c) => c.entryId),
              actor: 'replay:queue',
            });
            if (retired) summary.retiredByFeedback++;
            awaiting = null;
          }
          continue;
        }
        summary.customerMessages++;
        record.customerMessages++;
        if (record.firstAt === null) record.firstAt = at;
        // Alert rules run beside the pipeline in the app. Here they run first, and the message "arrives" for the
        // pipeline after them, so they do not count in its latency, and a message's last line is its decision.
        if (at !== null) {
          for (const alert of await service.checkAlerts(snapshot, index, at)) {
            await writer.write(alert);
            options.onDecision?.(alert);
            summary.decisions++;
            summary.alerts++;
          }
        }
        const arrivedAt = performance.now();
        const { decision, draft } = await service.assist(snapshot, index, arrivedAt);
        await writer.write(decision);
        options.onDecision?.(decision);
        summary.decisions++;
        latencies.push(decision.latencyMs);
        let suggestion = decision;
        if (draft) {
          // A live queue would go on meanwhile; a replay waits, so that every run makes the same decisions.
          suggestion = await draft;
          await writer.write(suggestion);
          options.onDecision?.(suggestion);
          summary.decisions++;
          summary.llmDecisions++;
          llmLatencies.push(suggestion.latencyMs);
        }
        last = suggestion;
        if (suggestion.shown) summary.shown++;
        else {
          summary.suppressed++;
          summary.suppressedByReason[suggestion.reason] = (summary.suppressedByReason[suggestion.reason] ?? 0) + 1;
        }
        if (suggestion.shown && suggestion.kind !== 'alert' && suggestion.kind !== 'followup') {
          record.spoke++;
          if (record.firstHelpAt === null) record.firstHelpAt = at;
          const answerAt = analystAnswerIndex(ticket, index);
          const same = answerAt >= 0 ? sameAnswer(suggestion.text, ticket.messages[answerAt]!.text) : null;
          if (same !== null) {
            record.compared++;
            summary.answers.compared++;
            if (same) {
              record.sameAsAnalyst++;
              summary.answers.sameAsAnalyst++;
            }
          }
          if (suggestion.citations.some((c) => modifiedByReview.has(c.entryId))) {
            summary.review.laterCitingModified.shown++;
            if (same) summary.review.laterCitingModified.sameAsAnalyst++;
          }
          if (suggestion.citations.length > 0) awaiting = { decision: suggestion, afterMessageIndex: index };
        }
      }
      if (options.learn !== 'off' && isClosedStatus(ticket.status)) {
        const learned = await service.learnFromClosedTicket(ticket, 'auto');
        summary.entriesLearned += learned.entryIds.length;
        record.learned = learned.entryIds.length;
        // Counted rather than asked of the store (its status flushes the write batch); a merge adds no entry.
        entries += learned.entryIds.length - learned.merged.length;
        if (learned.entryIds.length > 0) summary.ticketsLearnedFrom++;
      }
      record.entriesAfter = entries;
      summary.perTicket.push(record);
      summary.tickets++;
      options.onTicket?.(summary.tickets, last);
    }
    // The queue ends: every ticket still waiting is quiet for good, so its review runs now (again after each wait
    // for more conversation, until the review stops waiting).
    for (let round = 0; round <= MAX_REVIEW_WAITS && (round === 0 || (service.learning.scheduler.size > 0 || service.learning.scheduler.firstQuestionsDue(0).length > 0)); round++) {
      options.signal?.throwIfAborted();
      now = Math.max(now ?? start, start) + delayMinutes() * 60_000 + 1;
      await reviewDue(null);
    }
    summary.llm = service.llmStatus();
  } finally {
    try {
      await writer.close();
    } finally {
      await service.close();
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    }
  }
  summary.latencyMs = {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    max: quantile(latencies, 1),
  };
  if (llmLatencies.length > 0) {
    summary.llmLatencyMs = { p50: quantile(llmLatencies, 0.5), p95: quantile(llmLatencies, 0.95), max: quantile(llmLatencies, 1) };
  }
  return summary;
}
