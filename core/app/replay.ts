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
import { isClosedStatus, TicketSchema, type Suggestion } from '../formats/schemas';
import { CopilotService } from './copilotService';
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
  /** Called after each ticket, for progress. */
  onTicket?: (done: number, suggestion: Suggestion | null) => void;
  /** Called with every decision as it is made (the CLI's live view, benchmarks). */
  onDecision?: (suggestion: Suggestion) => void;
}

export interface ReplaySummary {
  tickets: number;
  customerMessages: number;
  decisions: number;
  shown: number;
  suppressed: number;
  suppressedByReason: Record<string, number>;
  ticketsLearnedFrom: number;
  entriesLearned: number;
  latencyMs: { p50: number; p95: number; max: number };
  imports: ImportReport[];
  /** Ticket lines that were skipped, with file, line and field. */
  issues: LineIssue[];
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
  const service = await CopilotService.open({ dataDir, ...(options.embedder ? { embedder: options.embedder } : {}) });
  const existing = (await service.status()).entries;
  if (existing > 0) {
    await service.close();
    throw new Error(
      `Replay needs an empty data folder, but ${dataDir} already holds ${existing} entries. Choose a new --data-dir or leave it out to use a temporary one.`,
    );
  }
  const writer = new JsonlWriter(options.out);
  const summary: ReplaySummary = {
    tickets: 0,
    customerMessages: 0,
    decisions: 0,
    shown: 0,
    suppressed: 0,
    suppressedByReason: {},
    ticketsLearnedFrom: 0,
    entriesLearned: 0,
    latencyMs: { p50: 0, p95: 0, max: 0 },
    imports: [],
    issues: [],
  };
  const latencies: number[] = [];
  try {
    for (const file of options.knowledge ?? []) summary.imports.push(await service.importEntries(file));

    for await (const { value: ticket } of readJsonl(options.tickets, TicketSchema, (i) => summary.issues.push(i))) {
      let last: Suggestion | null = null;
      // Deliver the conversation one message at a time, as a live queue would.
      for (let index = 0; index < ticket.messages.length; index++) {
        const arrivedAt = performance.now();
        if (ticket.messages[index]?.author !== 'customer') continue;
        summary.customerMessages++;
        const snapshot = { ...ticket, status: 'open' as const, messages: ticket.messages.slice(0, index + 1) };
        const suggestion = await service.assistOnMessage(snapshot, index, arrivedAt);
        await writer.write(suggestion);
        options.onDecision?.(suggestion);
        last = suggestion;
        summary.decisions++;
        latencies.push(suggestion.latencyMs);
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
  } finally {
    await writer.close();
    await service.close();
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
  }
  summary.latencyMs = {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    max: quantile(latencies, 1),
  };
  return summary;
}
