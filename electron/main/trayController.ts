/**
 * What the tray shows, kept here rather than in the tray (tray.ts) so that what happens before the tray exists
 * (the engine opening, a connector's first health) is shown once it does. Problems are gathered over every
 * connector; the count of tickets with help waiting is kept per ticket, so a pushed ticket summary updates it
 * without listing every ticket again.
 */
import type { TicketSummary } from '../../core/app/deskTypes';
import type { ConnectorHealth } from '../../core/connectors/connector';
import { INITIAL_TRAY_STATE, TrayProblems, type TrayState, type VigilTray } from './tray';

/** The part of a ticket summary the tray counts. */
export type WaitingTicket = Pick<TicketSummary, 'id' | 'waiting'>;

/** The tray's state and the tray icon showing it, once there is one. */
export class TrayController {
  private state: TrayState = INITIAL_TRAY_STATE;
  private readonly problems = new TrayProblems();
  private tray: VigilTray | null = null;
  /** Suggestions waiting, by ticket id. */
  private readonly waiting = new Map<string, number>();

  /** The state shown now (or to be shown once the tray exists). */
  current(): TrayState {
    return this.state;
  }

  /** Changes what the tray shows; the problem line is always the one the gathered problems give. */
  show(patch: Partial<TrayState> = {}): void {
    this.state = { ...this.state, ...patch, problem: this.problems.summary() };
    this.tray?.update(this.state);
  }

  /** Hears a connector's health (its error is a problem until it recovers or stops). */
  connectorHealth(health: Pick<ConnectorHealth, 'id' | 'state' | 'lastError'>): void {
    this.problems.connectorHealth(health);
    this.show();
  }

  /** Why watching could not start at all (a mistake in connectors.json), or null once it started. */
  setWatchProblem(message: string | null): void {
    this.problems.setWatchProblem(message);
    this.show();
  }

  /** Why the engine could not open, or null once it is open. */
  setEngineProblem(message: string | null): void {
    this.problems.setEngineProblem(message);
    this.show();
  }

  /** Counts the tickets with help waiting from the full list of watched tickets. */
  setTickets(tickets: readonly WaitingTicket[]): void {
    this.waiting.clear();
    this.mergeTickets(tickets);
  }

  /** Takes the summaries of tickets that changed (a desk event carries them) into the count. */
  mergeTickets(tickets: readonly WaitingTicket[]): void {
    for (const ticket of tickets) this.waiting.set(ticket.id, ticket.waiting);
    let count = 0;
    for (const waiting of this.waiting.values()) if (waiting > 0) count += 1;
    this.show({ waiting: count });
  }

  /** Creates the tray icon (`create` gets the state so far, with `patch` applied) and keeps it up to date. */
  attach(create: (state: TrayState) => VigilTray, patch: Partial<TrayState> = {}): void {
    this.state = { ...this.state, ...patch };
    this.tray = create(this.state);
  }

  /** Removes the tray icon (at quit). */
  destroy(): void {
    this.tray?.destroy();
    this.tray = null;
  }
}
