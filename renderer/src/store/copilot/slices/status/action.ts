import type { StateCreator } from 'zustand/vanilla';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialStatusState, type StatusState } from './initialState';

/** What the header can ask for. */
export interface StatusAction {
  /** Asks the engine for its status; a failure is kept as a message for the header. */
  loadStatus(): Promise<void>;
}

/** The status slice: state plus actions. */
export type StatusSlice = StatusState & StatusAction;

/** The status slice, calling the engine through `api`. */
export function createStatusSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], StatusSlice> {
  return (set) => ({
    ...initialStatusState,
    async loadStatus() {
      set({ statusLoading: true });
      try {
        const status = await api().status();
        set({ status, statusLoading: false, statusError: null });
      } catch (error) {
        set({ statusLoading: false, statusError: errorMessage(error) });
      }
    },
  });
}
