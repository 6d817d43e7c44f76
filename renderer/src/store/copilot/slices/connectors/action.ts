import type { StateCreator } from 'zustand/vanilla';
import type {
  ConnectorEditView,
  ConnectorKindForm,
  ConnectorSaveResult,
  ConnectorsOverview,
  ConnectorTestResult,
  RemoveConnectorResponse,
  SaveConnectorRequest,
} from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';

/** The team's connectors as the Settings screen shows them. */
export interface ConnectorsState {
  connectors: ConnectorsOverview | null;
  connectorsError: string | null;
  /** The last test of each connector, by id. */
  connectorTests: Record<string, ConnectorTestResult | 'testing'>;
  /** Every kind's form (from its settings schema), loaded when the form is first opened. */
  connectorForms: ConnectorKindForm[] | null;
  /** What the last save or removal did, in words, for the section's status line. */
  connectorNotice: string | null;
}

export interface ConnectorsAction {
  loadConnectors(): Promise<void>;
  testConnector(id: string): Promise<void>;
  loadConnectorForms(): Promise<void>;
  /** A saved connector's settings for the edit form (secrets: only whether one is stored). */
  connectorForEdit(id: string): Promise<ConnectorEditView>;
  /** Checks the unsaved form: its fields, then its address and credentials. Never throws: errors are the result. */
  testConnectorDraft(request: SaveConnectorRequest): Promise<ConnectorSaveResult>;
  /** Saves the form; on success reloads the list. Never throws: errors are the result. */
  saveConnector(request: SaveConnectorRequest): Promise<ConnectorSaveResult>;
  /** Removes a connector (after the analyst confirmed) and reloads the list. */
  removeConnector(id: string): Promise<RemoveConnectorResponse | null>;
  /** The folder the analyst picks in the main process's dialog, or null. */
  pickConnectorFolder(): Promise<string | null>;
}

export type ConnectorsSlice = ConnectorsState & ConnectorsAction;

function failed(error: unknown): ConnectorSaveResult {
  return { ok: false, message: errorMessage(error), fieldErrors: {} };
}

export function createConnectorsSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], ConnectorsSlice> {
  return (set, get) => ({
    connectors: null,
    connectorsError: null,
    connectorTests: {},
    connectorForms: null,
    connectorNotice: null,
    async loadConnectors() {
      try {
        set({ connectors: await api().connectorsOverview(), connectorsError: null });
      } catch (error) {
        set({ connectorsError: errorMessage(error) });
      }
    },
    async testConnector(id) {
      set({ connectorTests: { ...get().connectorTests, [id]: 'testing' } });
      let result: ConnectorTestResult;
      try {
        result = await api().testConnector({ id });
      } catch (error) {
        result = { id, ok: false, message: errorMessage(error) };
      }
      set({ connectorTests: { ...get().connectorTests, [id]: result } });
      void get().loadConnectors();
    },
    async loadConnectorForms() {
      if (get().connectorForms) return;
      try {
        set({ connectorForms: await api().connectorForms() });
      } catch (error) {
        set({ connectorsError: errorMessage(error) });
      }
    },
    connectorForEdit(id) {
      return api().connectorForEdit({ id });
    },
    async testConnectorDraft(request) {
      try {
        return await api().testConnectorDraft(request);
      } catch (error) {
        return failed(error);
      }
    },
    async saveConnector(request) {
      try {
        const result = await api().saveConnector(request);
        if (result.ok) {
          const verb = request.mode === 'add' ? 'added' : 'saved';
          set({
            connectorNotice: result.watchProblem
              ? `${result.id} was ${verb}, but Vigil could not restart watching: ${result.watchProblem}`
              : `${result.id} was ${verb}; Vigil is watching it now.`,
          });
          await get().loadConnectors();
        }
        return result;
      } catch (error) {
        return failed(error);
      }
    },
    async removeConnector(id) {
      try {
        const removal = await api().removeConnector({ id });
        const secrets = removal.secretsDeleted.length ? ` Its secret (${removal.secretsDeleted.join(', ')}) was deleted from the keychain.` : '';
        set({
          connectorNotice: `${id} was removed.${secrets} Its sync state stays in ${removal.syncStateKept}, so adding it again under the same id resumes where it stopped.${removal.watchProblem ? ` Watching could not restart: ${removal.watchProblem}` : ''}`,
        });
        await get().loadConnectors();
        return removal;
      } catch (error) {
        set({ connectorNotice: errorMessage(error) });
        return null;
      }
    },
    async pickConnectorFolder() {
      try {
        return await api().pickConnectorFolder();
      } catch (error) {
        set({ connectorNotice: errorMessage(error) });
        return null;
      }
    },
  });
}
