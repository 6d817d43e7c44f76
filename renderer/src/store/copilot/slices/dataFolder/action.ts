import type { StateCreator } from 'zustand/vanilla';
import type { DataFolderSwitchResult } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialDataFolderState, type DataFolderState } from './initialState';

/** What Settings → Team data folder can ask for. The folder itself is picked in the main process's dialog. */
export interface DataFolderAction {
  loadDataFolder(): Promise<void>;
  /** Opens the folder dialog; a folder Vigil accepts is recorded and Vigil restarts on it. */
  chooseDataFolder(): Promise<void>;
  /** Goes back to the default folder (Vigil restarts on it). */
  useDefaultDataFolder(): Promise<void>;
}

export type DataFolderSlice = DataFolderState & DataFolderAction;

export function createDataFolderSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], DataFolderSlice> {
  return (set, get) => {
    /** Runs one switch: busy while it runs, its outcome or its refusal kept on screen. */
    const run = async (busy: 'choosing' | 'default', call: () => Promise<DataFolderSwitchResult | null>): Promise<void> => {
      if (get().dataFolderBusy || get().dataFolderRestarting) return;
      set({ dataFolderBusy: busy, dataFolderError: null, dataFolderNotice: null });
      try {
        const result = await call();
        // Cancelled dialog: nothing changed, nothing to say.
        if (result) set({ dataFolder: result.view, dataFolderNotice: result.message, dataFolderRestarting: result.restarting });
      } catch (error) {
        set({ dataFolderError: errorMessage(error) });
      } finally {
        set({ dataFolderBusy: null });
      }
    };
    return {
      ...initialDataFolderState,
      async loadDataFolder() {
        try {
          set({ dataFolder: await api().dataFolderOverview(), dataFolderError: null });
        } catch (error) {
          set({ dataFolderError: errorMessage(error) });
        }
      },
      chooseDataFolder: () => run('choosing', () => api().chooseDataFolder()),
      useDefaultDataFolder: () => run('default', () => api().useDefaultDataFolder()),
    };
  };
}
