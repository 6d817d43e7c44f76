import type { EntryDetail, EntryOrigin, EntrySummary } from '../../../../api/contractTypes';

type EntryStatus = EntrySummary['status'];
type EntryKind = EntrySummary['kind'];

/** What the knowledge browser lists: null means "any"; `text` filters by words (the engine's search). */
export interface BrowseFilter {
  status: EntryStatus | null;
  kind: EntryKind | null;
  origin: EntryOrigin | null;
  text: string;
}

/** The knowledge browser: the list, its filter and paging, and the one entry open in detail. */
export interface KnowledgeState {
  browseFilter: BrowseFilter;
  browseItems: EntrySummary[];
  /** Entries per status for the filter's kind and origin; null before the first page. */
  browseCounts: Record<EntryStatus, number> | null;
  browseOrder: 'recent' | 'relevance';
  browseHasMore: boolean;
  browseLoading: boolean;
  /** Whether the first page has arrived. */
  browseLoaded: boolean;
  browseError: string | null;
  /** The entry open in the detail panel (a list row's id). */
  openEntryId: string | null;
  openEntryDetail: EntryDetail | null;
  entryLoading: boolean;
  /** Why the open entry could not be read or changed, in the engine's words. */
  entryError: string | null;
  entryEditing: boolean;
  /** A change is being saved (buttons wait). */
  entryBusy: boolean;
  /** The earlier version whose text is shown, or null for the current one. */
  viewedVersion: number | null;
}

export const initialBrowseFilter: BrowseFilter = { status: null, kind: null, origin: null, text: '' };

export const initialKnowledgeState: KnowledgeState = {
  browseFilter: initialBrowseFilter,
  browseItems: [],
  browseCounts: null,
  browseOrder: 'recent',
  browseHasMore: false,
  browseLoading: false,
  browseLoaded: false,
  browseError: null,
  openEntryId: null,
  openEntryDetail: null,
  entryLoading: false,
  entryError: null,
  entryEditing: false,
  entryBusy: false,
  viewedVersion: null,
};
