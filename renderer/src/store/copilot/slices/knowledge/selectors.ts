import type { EntryContent, EntrySummary } from '../../../../api/contractTypes';
import type { CopilotState } from '../../store';

const STATUS_WORDS: Record<EntrySummary['status'], string> = { approved: 'approved', proposed: 'proposed', retired: 'retired' };

/** Wording and derived views of the knowledge browser. */
export const knowledgeSelectors = {
  /** Announced politely after each listing: how many are shown and in which order. */
  listSummary(state: CopilotState): string {
    if (state.browseLoading && !state.browseLoaded) return 'Loading knowledge…';
    if (!state.browseLoaded) return '';
    const n = state.browseItems.length;
    const status = state.browseFilter.status ? `${STATUS_WORDS[state.browseFilter.status]} ` : '';
    const text = state.browseFilter.text.trim();
    if (n === 0) return text ? `No ${status}entries match “${text}”.` : `No ${status}entries match these filters.`;
    const more = state.browseHasMore ? ' (more below)' : '';
    return state.browseOrder === 'relevance'
      ? `${n} ${status}${n === 1 ? 'entry' : 'entries'} matching “${text}”, best match first${more}.`
      : `${n} ${status}${n === 1 ? 'entry' : 'entries'}, most recently changed first${more}.`;
  },
  /** All entries for the kind and origin (the sum of the status counts), or null before the first page. */
  totalCount(state: CopilotState): number | null {
    const c = state.browseCounts;
    return c ? c.approved + c.proposed + c.retired : null;
  },
  /** The text the detail panel shows: an earlier version's when one is being viewed, else the current one. */
  shownContent(state: CopilotState): EntryContent | null {
    const detail = state.openEntryDetail;
    if (!detail) return null;
    if (state.viewedVersion === null) return detail.content;
    return detail.history.find((v) => v.version === state.viewedVersion)?.content ?? detail.content;
  },
};
