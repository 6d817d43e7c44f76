/**
 * What each contract method does: a thin hop to the engine. No business logic lives here, and no Electron
 * runtime import either, so the browser-test bridge (test/e2e) serves the renderer with these very handlers.
 * The one native part, the file dialog, comes in as `pickEntriesFile`.
 */
import { userInfo } from 'node:os';
import type { IpcMainInvokeEvent } from 'electron';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';
import { createKnowledgeHandlers } from './knowledgeHandlers';

/** Asks the analyst for the file to import; `null` when they cancel. */
export type EntriesFilePicker = (event: IpcMainInvokeEvent) => Promise<string | null>;

/** Told which ticket the analyst opened last, so notifications can stay quiet about the one in view. */
export type TicketOpenedListener = (ticketId: string) => void;

/** The handlers of every contract method but the Settings screen's (settingsHandlers.ts, connectorHandlers.ts), backed by `host`. */
export function createEngineHandlers(
  host: ServiceHost,
  pickEntriesFile: EntriesFilePicker,
  onTicketOpened: TicketOpenedListener = () => undefined,
  actor: () => string = () => userInfo().username,
) {
  return ipcHandlerGroup({
    status: () => host.use((service) => service.status()),
    searchKnowledge: ({ query, limit }) => host.use((service) => service.searchKnowledge(query, limit)),
    importEntries: async (_request, event) => {
      // The path comes from the dialog, never from the renderer, so a page cannot make Vigil read any file.
      const file = await pickEntriesFile(event);
      if (file === null) return null;
      return host.use((service) => service.importEntries(file));
    },
    listTickets: () => host.use((service) => service.listTickets()),
    openTicket: ({ ticketId }) => {
      onTicketOpened(ticketId);
      return host.use((service) => service.openTicket(ticketId));
    },
    sendFeedback: (request) => host.use((service) => service.sendFeedback(request)),
    insights: () => host.use((service) => service.insights()),
    publishSuggestion: ({ ticketId, suggestionId }) => host.use((service) => service.publishSuggestion(ticketId, suggestionId)),
    connectorsOverview: () => host.use((service) => service.connectorsOverview()),
    testConnector: ({ id }) => host.use((service) => service.testConnector(id)),
    reviewQueue: () => host.use((service) => service.reviewQueue()),
    // Who decided is the signed-in user of this machine, never a name the page sends.
    reviewEntry: (request) => host.use((service) => service.reviewEntry(request, actor())),
    ...createKnowledgeHandlers(host, actor),
  });
}
