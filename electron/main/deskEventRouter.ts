/**
 * Where the engine's desk events go in the main process: to every window, to a native notification for a new
 * suggestion (under the analyst's preferences), and into the tray's count of tickets with help waiting.
 *
 * The events carry the changed ticket summaries (a 'suggestion' its ticket's, 'tickets-changed' the changed
 * tickets'), which are merged into the count as they are: the router never lists the tickets after a push.
 */
import type { DeskEvent } from '../../core/app/deskTypes';
import { log } from '../../core/privacy/redactingLogger';
import type { SuggestionNotice } from './notifier';
import type { TrayController, WaitingTicket } from './trayController';

export interface DeskEventRouterDependencies {
  /** Sends the event to every open window. */
  broadcast(event: DeskEvent): void;
  /** Offers a new suggestion to the notifier, which decides whether to pop up. */
  notify(notice: SuggestionNotice): void;
  tray: Pick<TrayController, 'setTickets' | 'mergeTickets'>;
  /** Every watched ticket (the engine's `listTickets`), counted once when a workspace opens. */
  listTickets(): Promise<readonly WaitingTicket[]>;
}

export interface DeskEventRouter {
  /** Routes one event. */
  route(event: DeskEvent): void;
  /** Counts the waiting tickets from the full list (when a workspace opens). */
  refreshWaiting(): void;
}

/** The router of the desk events of every workspace the app opens. */
export function createDeskEventRouter(deps: DeskEventRouterDependencies): DeskEventRouter {
  const refreshWaiting = (): void => {
    deps
      .listTickets()
      .then((tickets) => deps.tray.setTickets(tickets))
      .catch((error: unknown) => log.warn(`Vigil could not count waiting suggestions: ${String(error)}`));
  };
  const route = (event: DeskEvent): void => {
    deps.broadcast(event);
    if (event.type === 'suggestion') {
      deps.notify({ ticketId: event.ticketId, kind: event.kind, subject: event.subject, text: event.text });
      deps.tray.mergeTickets([event.ticket]);
    } else if (event.type === 'tickets-changed') {
      deps.tray.mergeTickets(event.tickets);
    }
  };
  return { route, refreshWaiting };
}
