import type { StateCreator } from 'zustand/vanilla';
import type { ConnectorsOverview, ConnectorTestResult } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';

/** The team's connectors as the Settings screen shows them. */
export interface ConnectorsState {
  connectors: ConnectorsOverview | null;
  connectorsError: string | null;
  /** The last test of each connector, by id. */
  connectorTests: Record<string, ConnectorTestResult | 'testing'>;
}

export interface ConnectorsAction {
  loadConnectors(): Promise<void>;
  testConnector(id: string): Promise<void>;
}

export type ConnectorsSlice = ConnectorsState & ConnectorsAction;

export function createConnectorsSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], ConnectorsSlice> {
  return (set, get) => ({
    connectors: null,
    connectorsError: null,
    connectorTests: {},
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
  });
}
