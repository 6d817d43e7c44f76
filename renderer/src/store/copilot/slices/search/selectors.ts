import type { CopilotState } from '../../store';

/** Wording around the results list. */
export const searchSelectors = {
  /** Announced politely to screen readers after each search. */
  resultsSummary(state: CopilotState): string {
    if (state.searching) return 'Searching…';
    if (state.searchedQuery === null) return '';
    const n = state.results.length;
    if (n === 0) return `No approved knowledge matches “${state.searchedQuery}”.`;
    return `${n} ${n === 1 ? 'result' : 'results'} for “${state.searchedQuery}”.`;
  },
};
