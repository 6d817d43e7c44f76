/**
 * The sink that puts live events through the engine: a customer's new message (or a new ticket) runs the
 * proactive pipeline (`CopilotService.assistOnMessage`), a closed ticket feeds the learning loop
 * (`learnFromClosedTicket`, as proposals for the review queue by default), and links the analyst shares in a public
 * reply are fetched from the team's documentation hosts as article candidates (`learnSharedLinks`). Every event's outcome is appended to
 * `<data folder>/watch/decisions.jsonl` and fsynced before `deliver` resolves: that line is the committed effect.
 * An event whose line is already there (a re-delivery after a crash) is skipped, so each event is decided once.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { appendDurable } from '../formats/durableFile';
import type { CopilotService, LearnResult } from '../app/copilotService';
import type { TicketEvent } from '../connectors/connector';
import { isClosedStatus, type Suggestion } from '../formats/schemas';
import type { LearnPolicy } from '../learn/ticketLearner';
import { sharedLinks, type LinkOutcome } from '../learn/sharedLinks';
import type { EventSink } from '../watch/eventSink';

/**
 * Keys of decided events remembered to recognise re-deliveries. A re-delivery is at most the page in flight
 * when a crash happened (a few hundred events), so 20,000 is ample and costs about 2 MB.
 */
export const DECISION_KEY_WINDOW = 20_000;

export const DECISIONS_FILE = join('watch', 'decisions.jsonl');

/** One line of `decisions.jsonl`. */
export interface DecisionRecord {
  key: string;
  connectorId: string;
  eventId: string;
  type: TicketEvent['type'];
  ticketId: string;
  at: string;
  decidedAt: string;
  /** The proactive engine's decision after a customer message, shown or not. */
  suggestion: Suggestion | null;
  /** What a closed ticket taught. */
  learned: Pick<LearnResult, 'entryIds' | 'status'> | null;
}

export interface CopilotSinkOptions {
  dataDir: string;
  /** How learned entries enter the knowledge base; `review` (the default) proposes them for an analyst. */
  learnPolicy?: LearnPolicy;
  /** Hears every decision once it is committed (the CLI prints the shown ones). */
  onDecision?: (record: DecisionRecord) => void;
  /** Hears what became of the links an analyst's reply shared (fetched as candidates, or why not), or why it failed. */
  onLinks?: (ticketId: string, outcomes: readonly LinkOutcome[], error?: unknown) => void;
}

type Engine = Pick<CopilotService, 'assistOnMessage' | 'learnFromClosedTicket'> & Partial<Pick<CopilotService, 'learnSharedLinks'>>;

function keyOf(connectorId: string, eventId: string): string {
  return `${connectorId}/${eventId}`;
}

export class CopilotSink implements EventSink {
  private readonly decided = new Set<string>();
  readonly file: string;

  private constructor(
    private readonly engine: Engine,
    private readonly options: CopilotSinkOptions,
  ) {
    this.file = join(options.dataDir, DECISIONS_FILE);
  }

  /** Opens the sink, reading which events were already decided. */
  static async open(engine: Engine, options: CopilotSinkOptions): Promise<CopilotSink> {
    const sink = new CopilotSink(engine, options);
    let input;
    try {
      input = createReadStream(sink.file, { encoding: 'utf8' });
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (!line) continue;
        try {
          const record = JSON.parse(line) as { key?: unknown };
          if (typeof record.key === 'string') sink.remember(record.key);
        } catch {
          // a torn last line: that decision was never committed, and will be made again
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    } finally {
      input?.destroy();
    }
    return sink;
  }

  private remember(key: string): void {
    this.decided.add(key);
    if (this.decided.size > DECISION_KEY_WINDOW) this.decided.delete(this.decided.values().next().value as string);
  }

  /** Whether an event's decision is already committed. */
  hasDecided(connectorId: string, eventId: string): boolean {
    return this.decided.has(keyOf(connectorId, eventId));
  }

  private async decide(connectorId: string, event: TicketEvent): Promise<DecisionRecord> {
    const arrivedAt = performance.now();
    const record: DecisionRecord = {
      key: keyOf(connectorId, event.id),
      connectorId,
      eventId: event.id,
      type: event.type,
      ticketId: event.ticketId,
      at: event.at,
      decidedAt: '',
      suggestion: null,
      learned: null,
    };
    if (event.type === 'ticket_opened' || event.type === 'message_added') {
      const messages = event.ticket.messages;
      const index = event.messageId !== undefined ? messages.findIndex((m) => m.id === event.messageId) : messages.length - 1;
      const message = index >= 0 ? messages[index] : undefined;
      if (message?.author === 'customer') {
        record.suggestion = await this.engine.assistOnMessage(event.ticket, index, arrivedAt);
      } else if (message?.author === 'analyst' && !message.internal && !isClosedStatus(event.ticket.status) && this.engine.learnSharedLinks) {
        // Links this reply shares while the ticket is open, as the desk does; the engine fetches only from the team's
        // documentation hosts, once per link.
        const shared = new Set(sharedLinks({ ...event.ticket, messages: [message] }).map((l) => l.url));
        if (shared.size > 0) {
          try {
            const outcomes = await this.engine.learnSharedLinks(event.ticket);
            this.options.onLinks?.(event.ticketId, outcomes.filter((o) => shared.has(o.url)));
          } catch (error) {
            // The decision is still committed: a documentation server's failure must not stop the queue.
            this.options.onLinks?.(event.ticketId, [], error);
          }
        }
      }
    } else if (event.type === 'ticket_closed' && (event.ticket as { mergedInto?: unknown }).mergedInto !== undefined) {
      // A ticket closed by a merge (RT, Zendesk's `closed_by_merge`): its conversation lives on in the ticket it was
      // merged into and is learned when that one closes; learning it here would store a stub or a twin.
    } else if (event.type === 'ticket_closed') {
      const learned = await this.engine.learnFromClosedTicket(event.ticket, this.options.learnPolicy ?? 'review');
      record.learned = { entryIds: learned.entryIds, status: learned.status };
    }
    record.decidedAt = new Date().toISOString();
    return record;
  }

  async deliver(connectorId: string, events: readonly TicketEvent[]): Promise<void> {
    const records: DecisionRecord[] = [];
    for (const event of events) {
      if (this.hasDecided(connectorId, event.id)) continue; // re-delivered after a crash: already committed
      records.push(await this.decide(connectorId, event));
    }
    if (records.length === 0) return;
    await appendDurable(this.file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    for (const record of records) {
      this.remember(record.key);
      this.options.onDecision?.(record);
    }
  }
}
