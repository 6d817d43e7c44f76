/**
 * The list of entries: one row per entry (a button: Enter or a click opens it), J/K or the arrow keys move between
 * rows, E opens the focused entry for editing; "Show more" appends the next page.
 */
import { useRef, type KeyboardEvent } from 'react';
import type { EntrySummary } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { entryHeading, KIND_LABELS, ORIGIN_LABELS, STATUS_LABELS, timeLabel } from './entryText';

function rowKey(item: EntrySummary): string {
  return `${item.pack ? `${item.pack.name}/` : ''}${item.id}`;
}

export function EntryList() {
  const items = useCopilotStore((state) => state.browseItems);
  const hasMore = useCopilotStore((state) => state.browseHasMore);
  const loading = useCopilotStore((state) => state.browseLoading);
  const openId = useCopilotStore((state) => state.openEntryId);
  const openEntry = useCopilotStore((state) => state.openBrowseEntry);
  const loadMore = useCopilotStore((state) => state.loadMoreEntries);
  const list = useRef<HTMLOListElement>(null);
  const loaded = useCopilotStore((state) => state.browseLoaded);
  const filter = useCopilotStore((state) => state.browseFilter);
  const filtered = filter.status !== null || filter.kind !== null || filter.origin !== null || filter.text.trim() !== '';

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, item: EntrySummary) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    const step = key === 'j' || key === 'arrowdown' ? 1 : key === 'k' || key === 'arrowup' ? -1 : 0;
    if (step !== 0) {
      const rows = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.entry-row') ?? [])];
      rows[Math.min(rows.length - 1, Math.max(0, rows.indexOf(event.currentTarget) + step))]?.focus();
      event.preventDefault();
    } else if (key === 'e') {
      event.preventDefault();
      void openEntry(item, { edit: true });
    }
  };

  if (loaded && !loading && items.length === 0) {
    return (
      <div className="entry-list-pane">
        <p className="empty-state">
          {filtered
            ? 'No entry matches these filters.'
            : 'No knowledge yet. Import your team’s articles or answers with Import knowledge… (JSON Lines, JSON, CSV, or Markdown, HTML and text files); entries learned from closed tickets are added here too.'}
        </p>
      </div>
    );
  }

  return (
    <div className="entry-list-pane">
      <ol className="entry-list" ref={list} aria-label="Knowledge entries">
        {items.map((item) => {
          const heading = entryHeading({ ...item, id: item.id });
          return (
            <li key={rowKey(item)}>
              <button
                type="button"
                className="entry-row"
                data-entry-id={item.id}
                aria-label={heading}
                aria-describedby={`entry-meta-${rowKey(item)}`}
                aria-current={openId === item.id ? 'true' : undefined}
                onClick={() => void openEntry(item)}
                onKeyDown={(event) => onKeyDown(event, item)}
              >
                <span className="entry-row-heading">{heading}</span>
                <span className="entry-row-meta" id={`entry-meta-${rowKey(item)}`}>
                  <span className={`entry-status status-${item.status}`}>{STATUS_LABELS[item.status]}</span>
                  <span>{KIND_LABELS[item.kind]}</span>
                  <span>{item.pack ? `Pack ${item.pack.name}` : ORIGIN_LABELS[item.origin]}</span>
                  {item.updatedAt && <span>changed {timeLabel(item.updatedAt)}</span>}
                </span>
                <span className="entry-row-excerpt">{item.excerpt}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {hasMore && (
        <button type="button" className="secondary entry-more" disabled={loading} onClick={() => void loadMore()}>
          {loading ? 'Loading…' : 'Show more entries'}
        </button>
      )}
    </div>
  );
}
