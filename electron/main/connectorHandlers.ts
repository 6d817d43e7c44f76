/**
 * The contract methods of Settings → Connectors (add, edit, test, remove) and of the reply box (drafts, notes and
 * replies sent to the ticket's source). Thin hops to the workspace's `connectors` and `replies` like engineHandlers.ts, with no Electron runtime
 * import: the secret store (safeStorage in the app) and the folder dialog come in as dependencies, so the
 * credentials an admin types reach the keychain from here and are never sent back to the page.
 */
import type { SecretStore } from '../../core/secrets/secretStore';
import { ipcHandlerGroup } from './ipcHandlerGroup';
import type { ServiceHost } from './serviceHost';
import type { PathPicker } from './settingsHandlers';

/** The contract methods this file answers. */
export type ConnectorMethod = keyof ReturnType<typeof createConnectorHandlers>;

export interface ConnectorDependencies {
  /** Where connector credentials are kept: the OS keychain through safeStorage in the app. */
  secrets: SecretStore;
  /** Asks for a folder of ticket files (the native dialog in the app, scripted in the browser tests). */
  pickConnectorFolder: PathPicker;
}

/** The handlers of the connector and reply-box methods, backed by the engine in `host`. */
export function createConnectorHandlers(host: ServiceHost, deps: ConnectorDependencies) {
  return ipcHandlerGroup({
    connectorForms: () => host.use(async (w) => w.connectors.forms()),
    connectorForEdit: ({ id }) => host.use((w) => w.connectors.forEdit(id, deps.secrets)),
    testConnectorDraft: (request) => host.use((w) => w.connectors.testDraft(request, deps.secrets)),
    saveConnector: (request) => host.use((w) => w.connectors.save(request, deps.secrets)),
    removeConnector: ({ id }) => host.use((w) => w.connectors.remove(id, deps.secrets)),
    pickConnectorFolder: (_request, event) => deps.pickConnectorFolder(event),
    replyDraft: ({ ticketId }) => host.use((w) => w.replies.draft(ticketId)),
    saveReplyDraft: ({ ticketId, text, insertedSuggestionIds }) => host.use((w) => w.replies.saveDraft(ticketId, text, insertedSuggestionIds)),
    // The schema has already refused a public reply without the analyst's confirmation.
    sendReply: ({ ticketId, text, visibility }) => host.use((w) => w.replies.send(ticketId, text, visibility)),
  });
}
