/**
 * The knowledge browser (Knowledge screen, Alt+2): every stored entry, filtered by status, kind, source or words,
 * newest change first, 50 at a time; the open entry's detail beside the list. Keys: J/K or arrows move, Enter
 * opens, E edits, Escape closes.
 */
import { useEffect } from 'react';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { knowledgeSelectors } from '../../store/copilot/slices/knowledge/selectors';
import { BrowseFilters } from './BrowseFilters';
import { EntryDetailPanel } from './EntryDetailPanel';
import { EntryList } from './EntryList';
import './knowledgeBrowser.css';
import { ResultsStatus } from '../ResultsStatus';

export function KnowledgeBrowser() {
  const loadEntries = useCopilotStore((state) => state.loadEntries);
  const closeEntry = useCopilotStore((state) => state.closeBrowseEntry);
  const openId = useCopilotStore((state) => state.openEntryId);
  const error = useCopilotStore((state) => state.browseError);
  const summary = useCopilotStore(knowledgeSelectors.listSummary);
  // The header's counts change when knowledge is learned, imported or reviewed elsewhere: list again then.
  const counts = useCopilotStore((state) => (state.status ? `${state.status.entries}:${JSON.stringify(state.status.byStatus)}` : ''));

  useEffect(() => {
    void loadEntries();
  }, [loadEntries, counts]);

  const onClose = () => {
    const id = openId;
    closeEntry();
    // Back to the row the entry was opened from, so J/K go on from there.
    if (id) [...document.querySelectorAll<HTMLElement>('button.entry-row')].find((row) => row.dataset['entryId'] === id)?.focus();
  };

  return (
    <section className="knowledge-browser" aria-labelledby="browse-heading">
      <h2 id="browse-heading">Browse knowledge</h2>
      <p className="review-help">Keys in the list: J/K or arrows move, Enter opens, E edits; in an entry, E edits and Escape closes.</p>
      <BrowseFilters />
      <ResultsStatus summary={summary} error={error} />
      <div className={openId ? 'browse-panes with-detail' : 'browse-panes'}>
        <EntryList />
        <EntryDetailPanel onClose={onClose} />
      </div>
    </section>
  );
}
