import type { StateCreator } from 'zustand/vanilla';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialSearchState, type SearchState } from './initialState';

/** What the search box can ask for. */
export interface SearchAction {
  setQuery(query: string): void;
  /** Searches for the current query; an empty query clears the results without a call. */
  search(): Promise<void>;
}

/** The search slice: state plus actions. */
export type SearchSlice = SearchState & SearchAction;

/** The search slice, calling the engine through `api`. */
export function createSearchSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], SearchSlice> {
  // Numbers each search, so a slow answer to an older query never replaces the answer to a newer one.
  let latest = 0;
  return (set, get) => ({
    ...initialSearchState,
    setQuery(query) {
      set({ query });
    },
    async search() {
      const query = get().query.trim();
      const ticket = ++latest;
      if (query === '') {
        set({ results: [], searchedQuery: null, searching: false, searchError: null });
        return;
      }
      set({ searching: true, searchError: null });
      try {
        const results = await api().searchKnowledge({ query });
        if (ticket === latest) set({ results, searchedQuery: query, searching: false });
      } catch (error) {
        if (ticket === latest) set({ searching: false, searchError: errorMessage(error) });
      }
    },
  });
}
