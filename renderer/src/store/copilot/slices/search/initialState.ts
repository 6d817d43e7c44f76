import type { KnowledgeHit } from '../../../../api/contractTypes';

/** The knowledge search box and its results. */
export interface SearchState {
  query: string;
  results: KnowledgeHit[];
  /** The query the shown results answer, or `null` before the first search. */
  searchedQuery: string | null;
  searching: boolean;
  searchError: string | null;
}

/** Nothing searched yet. */
export const initialSearchState: SearchState = {
  query: '',
  results: [],
  searchedQuery: null,
  searching: false,
  searchError: null,
};
