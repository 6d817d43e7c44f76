import type { StateCreator } from 'zustand/vanilla';
import type { EntryDetail, EntryListRequest, EntryPatch, EntrySummary } from '../../../../api/contractTypes';
import { errorMessage } from '../../../../api/errorMessage';
import type { CopilotState, VigilApiSource } from '../../store';
import { initialKnowledgeState, type BrowseFilter, type KnowledgeState } from './initialState';

/** Entries per page of the list. */
export const BROWSE_PAGE_SIZE = 50;

/** What the knowledge browser can ask for. */
export interface KnowledgeAction {
  /** Changes the filter and lists its first page. */
  setBrowseFilter(patch: Partial<BrowseFilter>): Promise<void>;
  /** Lists the first page for the current filter (again). */
  loadEntries(): Promise<void>;
  /** Appends the next page. */
  loadMoreEntries(): Promise<void>;
  /**
   * Opens an entry in the detail panel: a pack's entry from its row (`detail`), the others from the engine (a list
   * row, or a search result by id).
   */
  openBrowseEntry(item: Pick<EntrySummary, 'id' | 'readOnly' | 'detail'>, options?: { edit?: boolean }): Promise<void>;
  closeBrowseEntry(): void;
  setEntryEditing(editing: boolean): void;
  /** Saves the analyst's change; true when saved. */
  saveEntryEdit(patch: EntryPatch): Promise<boolean>;
  /** Retires the open entry, or approves it again. */
  setOpenEntryStatus(status: 'approved' | 'retired', reason?: string): Promise<boolean>;
  /** Makes an earlier version of the open entry current again. */
  restoreOpenEntryVersion(version: number): Promise<boolean>;
  /** Shows an earlier version's text (null: the current one). */
  viewEntryVersion(version: number | null): void;
}

export type KnowledgeSlice = KnowledgeState & KnowledgeAction;

function listRequest(filter: BrowseFilter, offset: number): EntryListRequest {
  const text = filter.text.trim();
  return {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.origin ? { origin: filter.origin } : {}),
    ...(text ? { text } : {}),
    offset,
    limit: BROWSE_PAGE_SIZE,
  };
}

/** The list row of a changed entry, as the detail now says. */
function refreshedRow(item: EntrySummary, detail: EntryDetail): EntrySummary {
  const body = detail.content.body.replace(/\s+/g, ' ').trim();
  return {
    ...item,
    status: detail.content.status,
    title: detail.content.title,
    question: detail.content.question,
    tags: detail.content.tags,
    excerpt: body.length > 240 ? `${body.slice(0, 239)}…` : body,
    updatedAt: detail.provenance.updatedAt,
  };
}

/** The knowledge browser slice, calling the engine through `api`. */
export function createKnowledgeSlice(api: VigilApiSource): StateCreator<CopilotState, [], [], KnowledgeSlice> {
  // Numbers each listing and each opened entry, so a slow answer never replaces a newer one.
  let latestList = 0;
  let latestEntry = 0;

  return (set, get) => {
    /** After a change: the new detail in the panel and in its list row, and the header's counts. */
    const applyChange = (detail: EntryDetail): void => {
      set({
        openEntryDetail: detail,
        entryBusy: false,
        entryEditing: false,
        entryError: null,
        viewedVersion: null,
        browseItems: get().browseItems.map((item) => (item.id === detail.id && !item.pack ? refreshedRow(item, detail) : item)),
      });
      void get().loadStatus();
    };
    const change = async (run: () => Promise<EntryDetail>): Promise<boolean> => {
      if (get().entryBusy) return false;
      set({ entryBusy: true, entryError: null });
      try {
        applyChange(await run());
        return true;
      } catch (error) {
        set({ entryBusy: false, entryError: errorMessage(error) });
        return false;
      }
    };

    return {
      ...initialKnowledgeState,
      async setBrowseFilter(patch) {
        set({ browseFilter: { ...get().browseFilter, ...patch } });
        await get().loadEntries();
      },
      async loadEntries() {
        const ticket = ++latestList;
        set({ browseLoading: true, browseError: null });
        try {
          const page = await api().listEntries(listRequest(get().browseFilter, 0));
          if (ticket !== latestList) return;
          set({
            browseItems: page.items,
            browseCounts: page.counts,
            browseOrder: page.order,
            browseHasMore: page.hasMore,
            browseLoading: false,
            browseLoaded: true,
          });
        } catch (error) {
          if (ticket === latestList) set({ browseLoading: false, browseLoaded: true, browseError: errorMessage(error) });
        }
      },
      async loadMoreEntries() {
        if (get().browseLoading || !get().browseHasMore) return;
        const ticket = ++latestList;
        set({ browseLoading: true, browseError: null });
        try {
          const page = await api().listEntries(listRequest(get().browseFilter, get().browseItems.length));
          if (ticket !== latestList) return;
          const known = new Set(get().browseItems.map((i) => `${i.pack?.name ?? ''}/${i.id}`));
          const fresh = page.items.filter((i) => !known.has(`${i.pack?.name ?? ''}/${i.id}`));
          set({ browseItems: [...get().browseItems, ...fresh], browseCounts: page.counts, browseHasMore: page.hasMore, browseLoading: false });
        } catch (error) {
          if (ticket === latestList) set({ browseLoading: false, browseError: errorMessage(error) });
        }
      },
      async openBrowseEntry(item, options = {}) {
        const ticket = ++latestEntry;
        const editing = Boolean(options.edit) && !item.readOnly;
        if (item.detail) {
          set({ openEntryId: item.id, openEntryDetail: item.detail, entryLoading: false, entryError: null, entryEditing: false, viewedVersion: null });
          return;
        }
        set({ openEntryId: item.id, openEntryDetail: null, entryLoading: true, entryError: null, entryEditing: editing, viewedVersion: null });
        try {
          const detail = await api().entryDetail({ entryId: item.id });
          if (ticket !== latestEntry) return;
          set({
            openEntryDetail: detail,
            entryLoading: false,
            entryEditing: editing && detail !== null && detail.readOnly === null,
            entryError: detail ? null : `Entry ${item.id} no longer exists; it may have been deleted. The list was reloaded.`,
          });
          if (!detail) void get().loadEntries();
        } catch (error) {
          if (ticket === latestEntry) set({ entryLoading: false, entryError: errorMessage(error) });
        }
      },
      closeBrowseEntry() {
        latestEntry++;
        set({ openEntryId: null, openEntryDetail: null, entryLoading: false, entryError: null, entryEditing: false, viewedVersion: null });
      },
      setEntryEditing(editing) {
        const detail = get().openEntryDetail;
        set({ entryEditing: editing && detail !== null && detail.readOnly === null, entryError: null, viewedVersion: null });
      },
      saveEntryEdit(patch) {
        const id = get().openEntryId;
        if (!id) return Promise.resolve(false);
        return change(() => api().editEntry({ entryId: id, patch }));
      },
      setOpenEntryStatus(status, reason) {
        const id = get().openEntryId;
        if (!id) return Promise.resolve(false);
        return change(() => api().setEntryStatus({ entryId: id, status, ...(reason ? { reason } : {}) }));
      },
      restoreOpenEntryVersion(version) {
        const id = get().openEntryId;
        if (!id) return Promise.resolve(false);
        return change(() => api().restoreEntryVersion({ entryId: id, version }));
      },
      viewEntryVersion(version) {
        set({ viewedVersion: version });
      },
    };
  };
}
