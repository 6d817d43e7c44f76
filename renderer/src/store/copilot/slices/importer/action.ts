import type { StateCreator } from 'zustand/vanilla';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialImporterState, type ImporterState } from './initialState';

/** What the Import button can ask for. */
export interface ImporterAction {
  /**
   * Lets the main process ask for a file and import it. Afterwards the header's counts and any shown results
   * are refreshed, since both may have changed.
   */
  importEntries(): Promise<void>;
}

/** The importer slice: state plus actions. */
export type ImporterSlice = ImporterState & ImporterAction;

/** The importer slice, calling the engine through `api`. */
export function createImporterSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], ImporterSlice> {
  return (set, get) => ({
    ...initialImporterState,
    async importEntries() {
      if (get().importing) return;
      set({ importing: true, importError: null });
      try {
        const report = await api().importEntries();
        // `null`: the analyst cancelled the dialog; keep the previous report on screen.
        set(report ? { importing: false, lastImport: report } : { importing: false });
        if (!report) return;
      } catch (error) {
        set({ importing: false, importError: errorMessage(error) });
        return;
      }
      await get().loadStatus();
      if (get().searchedQuery !== null) await get().search();
    },
  });
}
