/**
 * The knowledge browser's filters: status (with counts), kind, source, and words. The selects apply at once; the
 * words apply with Enter or the Filter button, and then the list is the search's best matches.
 */
import { useState, type FormEvent } from 'react';
import type { EntryOrigin, EntrySummary } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { knowledgeSelectors } from '../../store/copilot/slices/knowledge/selectors';
import { KIND_LABELS, ORIGIN_LABELS, STATUS_LABELS } from './entryText';
import { WordsInput } from '../WordsInput';

type EntryStatus = EntrySummary['status'];
type EntryKind = EntrySummary['kind'];

const STATUSES: EntryStatus[] = ['approved', 'proposed', 'retired'];
const KINDS: EntryKind[] = ['qa', 'case', 'article'];
const ORIGINS: EntryOrigin[] = ['learned', 'imported', 'pack'];

export function BrowseFilters() {
  const filter = useCopilotStore((state) => state.browseFilter);
  const counts = useCopilotStore((state) => state.browseCounts);
  const total = useCopilotStore(knowledgeSelectors.totalCount);
  const setFilter = useCopilotStore((state) => state.setBrowseFilter);
  const [text, setText] = useState(filter.text);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void setFilter({ text });
  };
  const count = (n: number | null | undefined) => (n === null || n === undefined ? '' : ` (${n.toLocaleString('en')})`);

  return (
    <form className="browse-filters" aria-label="Filter knowledge entries" onSubmit={onSubmit}>
      <div className="browse-field">
        <label htmlFor="browse-status">Status</label>
        <select
          id="browse-status"
          value={filter.status ?? ''}
          onChange={(e) => void setFilter({ status: (e.target.value || null) as EntryStatus | null })}
        >
          <option value="">All statuses{count(total)}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
              {count(counts?.[s])}
            </option>
          ))}
        </select>
      </div>
      <div className="browse-field">
        <label htmlFor="browse-kind">Kind</label>
        <select id="browse-kind" value={filter.kind ?? ''} onChange={(e) => void setFilter({ kind: (e.target.value || null) as EntryKind | null })}>
          <option value="">All kinds</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="browse-field">
        <label htmlFor="browse-origin">Source</label>
        <select
          id="browse-origin"
          value={filter.origin ?? ''}
          onChange={(e) => void setFilter({ origin: (e.target.value || null) as EntryOrigin | null })}
        >
          <option value="">All sources</option>
          {ORIGINS.map((o) => (
            <option key={o} value={o}>
              {ORIGIN_LABELS[o]}
            </option>
          ))}
        </select>
      </div>
      <div className="browse-field browse-text">
        <label htmlFor="browse-text">Filter by words</label>
        <div className="search-row">
          <WordsInput id="browse-text" type="text" value={text} placeholder="e.g. printer tray" onChange={setText} />
          <button type="submit">Filter</button>
          {filter.text && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setText('');
                void setFilter({ text: '' });
              }}
            >
              Clear
            </button>
          )}
        </div>
      </div>
      {counts && (
        <p className="browse-counts" aria-label="Entries per status">
          {STATUSES.map((s) => `${counts[s].toLocaleString('en')} ${s}`).join(' · ')}
        </p>
      )}
    </form>
  );
}
