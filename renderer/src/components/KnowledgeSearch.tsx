/**
 * The knowledge search: a search box and the approved entries that match, best first. "Details and history" opens
 * a team entry in the knowledge browser (components/knowledge/) below.
 */
import type { FormEvent } from 'react';
import type { KnowledgeHit } from '../api/contractTypes';
import { searchSelectors } from '../store/copilot/slices/search/selectors';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { hitExcerpt, hitHeading, kindLabel, sourceLabel } from './knowledgeHitText';
import { ResultsStatus } from './ResultsStatus';
import { WordsInput } from './WordsInput';

/** Search box plus results. */
export function KnowledgeSearch() {
  const query = useCopilotStore((state) => state.query);
  const setQuery = useCopilotStore((state) => state.setQuery);
  const search = useCopilotStore((state) => state.search);
  const searching = useCopilotStore((state) => state.searching);
  const results = useCopilotStore((state) => state.results);
  const error = useCopilotStore((state) => state.searchError);
  const summary = useCopilotStore(searchSelectors.resultsSummary);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void search();
  };

  return (
    <section className="knowledge" aria-labelledby="knowledge-heading">
      <h2 id="knowledge-heading">Knowledge</h2>
      <form role="search" aria-label="Search knowledge" className="search-form" onSubmit={onSubmit}>
        <label htmlFor="knowledge-query">Search approved knowledge</label>
        <div className="search-row">
          <WordsInput id="knowledge-query" type="search" value={query} placeholder="e.g. VPN drops after the laptop wakes" onChange={setQuery} />
          <button type="submit" disabled={searching}>
            Search
          </button>
        </div>
      </form>
      <ResultsStatus summary={summary} error={error} />
      {results.length > 0 && (
        <ol className="results" aria-label="Search results">
          {results.map((hit) => (
            <KnowledgeResult key={hit.id} hit={hit} />
          ))}
        </ol>
      )}
    </section>
  );
}

function KnowledgeResult({ hit }: { hit: KnowledgeHit }) {
  const heading = hitHeading(hit);
  const openEntry = useCopilotStore((state) => state.openBrowseEntry);
  return (
    <li className="result">
      <article aria-label={heading}>
        <div className="result-meta">
          <span className={`kind kind-${hit.kind}`}>{kindLabel(hit)}</span>
        </div>
        <h3 className="result-heading">{heading}</h3>
        <p className="result-body">{hitExcerpt(hit)}</p>
        <p className="result-source">{sourceLabel(hit)}</p>
        {!hit.pack && (
          // Provenance, history and editing live in the browser below; packs' entries are read there from its word filter.
          <button type="button" className="secondary" aria-label={`Details of ${heading}`} onClick={() => void openEntry({ id: hit.id, readOnly: false })}>
            Details and history
          </button>
        )}
      </article>
    </li>
  );
}
