import type { StateCreator } from 'zustand/vanilla';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialWhatIfState, type WhatIfState } from './initialState';

/** What Insights → What if can ask for; the files come from the main process's dialogs, never from the page. */
export interface WhatIfAction {
  /** Reads where the replay stands (the panel polls this while one runs). */
  loadWhatIf(): Promise<void>;
  startWhatIf(source: 'file' | 'folder' | 'desk'): Promise<void>;
  cancelWhatIf(): Promise<void>;
  saveWhatIfReport(): Promise<void>;
}

export type WhatIfSlice = WhatIfState & WhatIfAction;

export function createWhatIfSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], WhatIfSlice> {
  return (set, get) => ({
    ...initialWhatIfState,
    async loadWhatIf() {
      try {
        set({ whatIf: await api().whatIfStatus() });
      } catch (error) {
        set({ whatIfError: errorMessage(error) });
      }
    },
    async startWhatIf(source) {
      if (get().whatIfBusy || get().whatIf?.state === 'running') return;
      set({ whatIfBusy: 'starting', whatIfError: null, whatIfNotice: null });
      try {
        const status = await api().startWhatIf({ source });
        // Cancelled dialog: nothing changed.
        if (status) set({ whatIf: status });
      } catch (error) {
        set({ whatIfError: errorMessage(error) });
      } finally {
        set({ whatIfBusy: null });
      }
    },
    async cancelWhatIf() {
      if (get().whatIfBusy) return;
      set({ whatIfBusy: 'cancelling', whatIfError: null });
      try {
        set({ whatIf: await api().cancelWhatIf() });
      } catch (error) {
        set({ whatIfError: errorMessage(error) });
      } finally {
        set({ whatIfBusy: null });
      }
    },
    async saveWhatIfReport() {
      if (get().whatIfBusy) return;
      set({ whatIfBusy: 'saving', whatIfError: null, whatIfNotice: null });
      try {
        const saved = await api().saveWhatIfReport();
        if (saved) set({ whatIfNotice: `Report saved to ${saved.file}. It opens in any browser, offline.` });
      } catch (error) {
        set({ whatIfError: errorMessage(error) });
      } finally {
        set({ whatIfBusy: null });
      }
    },
  });
}
