/**
 * What each contract method does: a thin hop to the workspace service that owns it. No business logic lives here, and no Electron
 * runtime import either, so the browser-test bridge (test/e2e) serves the renderer with these very handlers.
 * The Import screen's methods are importHandlers.ts's.
 */
import { userInfo } from 'node:os';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';
import { createKnowledgeHandlers } from './knowledgeHandlers';

/** Told which ticket the analyst opened last, so notifications can stay quiet about the one in view. */
export type TicketOpenedListener = (ticketId: string) => void;

/** The handlers of every contract method but the Settings screen's (settingsHandlers.ts, connectorHandlers.ts), backed by `host`. */
export function createEngineHandlers(
  host: ServiceHost,
  onTicketOpened: TicketOpenedListener = () => undefined,
  actor: () => string = () => userInfo().username,
) {
  return ipcHandlerGroup({
    status: () => host.use((w) => w.service.status()),
    searchKnowledge: ({ query, limit }) => host.use((w) => w.knowledge.searchKnowledge(query, limit)),
    listTickets: () => host.use(async (w) => w.desk.listTickets()),
    openTicket: ({ ticketId }) => {
      onTicketOpened(ticketId);
      return host.use((w) => w.desk.openTicket(ticketId));
    },
    sendFeedback: (request) => host.use((w) => w.desk.feedback(request)),
    insights: () => host.use((w) => w.insights()),
    resetGateRecalibration: () => host.use((w) => w.resetGateRecalibration()),
    setGateRecalibration: ({ enabled }) => host.use((w) => w.setGateRecalibration(enabled)),
    publishSuggestion: ({ ticketId, suggestionId }) => host.use((w) => w.replies.publishSuggestion(ticketId, suggestionId)),
    connectorsOverview: () => host.use((w) => w.connectors.overview()),
    testConnector: ({ id }) => host.use((w) => w.connectors.test(id)),
    reviewQueue: () => host.use((w) => w.learning.reviewQueue()),
    // Who decided is the signed-in user of this machine, never a name the page sends.
    reviewEntry: (request) => host.use((w) => w.learning.reviewEntry(request, actor())),
    ...createKnowledgeHandlers(host, actor),
  });
}
