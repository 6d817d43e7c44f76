/**
 * Where the watcher delivers events. "Delivered once" is a contract between the two: the watcher calls `deliver`
 * and records the events as delivered (then stores the cursor) only after it resolves, so a crash before the
 * sink committed re-delivers them. A crash after the sink committed but before the watcher recorded them re-delivers
 * them too, which is why a sink must recognise an event it already applied (by connector id and event id) and
 * skip it. Together: every event's effect is committed exactly once.
 */
import type { TicketEvent } from '../connectors/connector';

export interface EventSink {
  /**
   * Applies `events` of one connector in order and resolves once their effects are durable. Throwing leaves
   * them undelivered: the watcher retries later with backoff.
   */
  deliver(connectorId: string, events: readonly TicketEvent[]): Promise<void>;
}
