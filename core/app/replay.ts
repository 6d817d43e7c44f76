/**
 * `vigil replay`: the engine, headless, over a recorded queue (spec: formats.md §3). Tickets are taken in file
 * order and their messages delivered one at a time; after every customer message the proactive engine decides,
 * and every decision is written, shown or not. A ticket that ends solved or closed is then learned from.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Embedder } from '../embed/embedder';
import { JsonlWriter, readJsonl, type LineIssue } from '../formats/jsonl';
import { isClosedStatus, TicketSchema } from '../formats/schemas';
import type { AssistDecision } from '../assist/assistant';
import type { LlmStatus } from '../llm/llmMonitor';
import { CopilotService, type CopilotOptions } from './copilotService';
import type { ImportReport } from './serviceTypes';

export interface ReplayOptions {
  tickets: string;
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
  /** Called after each ticket, for progress. */
  onTicket?: (done: number, suggestion: AssistDecision | null) => void;
  /** Called with every decision as it is made (the CLI's live view, benchmarks). */
  onDecision?: (suggestion: AssistDecision) => void;
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
  /** Ticket lines that were skipped, with file, line and field. */
  issues: LineIssue[];
  /** The LLM mode at the end of the run, and why. */
  llm: LlmStatus;
}

/** The q-th quantile (0..1) of `values` by the nearest-rank method. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Runs a replay and returns its summary; decisions are written to `options.out` as JSON Lines. */
export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-replay-')));
  const service = await CopilotService.open({
    dataDir,
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.llm ? { llm: options.llm } : {}),
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
  const summary: ReplaySummary = {
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
    imports: [],
    issues: [],
    llm: service.llmStatus(),
  };
  const latencies: number[] = [];
  const llmLatencies: number[] = [];
  try {
    for (const file of options.knowledge ?? []) summary.imports.push(await service.importEntries(file));

    for await (const { value: ticket } of readJsonl(options.tickets, TicketSchema, (i) => summary.issues.push(i))) {
      let last: AssistDecision | null = null;
      // Deliver the conversation one message at a time, as a live queue would.
      for (let index = 0; index < ticket.messages.length; index++) {
        const message = ticket.messages[index]!;
        const at = message.at ? Date.parse(message.at) : null;
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
        if (message.author !== 'customer') continue;
        summary.customerMessages++;
        const snapshot = { ...ticket, status: 'open' as const, messages: ticket.messages.slice(0, index + 1) };
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
      }
      if (options.learn !== 'off' && isClosedStatus(ticket.status)) {
        const learned = await service.learnFromClosedTicket(ticket, 'auto');
        summary.entriesLearned += learned.entryIds.length;
        if (learned.entryIds.length > 0) summary.ticketsLearnedFrom++;
      }
      summary.tickets++;
      options.onTicket?.(summary.tickets, last);
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
