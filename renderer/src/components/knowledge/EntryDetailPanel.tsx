/**
 * One entry in detail: its text (or an earlier version's), tags, where it came from, how analysts used it, and its
 * history with "Restore this version". E edits, Escape closes; entries from knowledge packs are read-only.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { EntryDetail } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { knowledgeSelectors } from '../../store/copilot/slices/knowledge/selectors';
import { EntryEditor } from './EntryEditor';
import { entryHeading, feedbackLine, KIND_LABELS, originLine, ORIGIN_LABELS, STATUS_LABELS, timeLabel, versionLine } from './entryText';

function isTyping(target: EventTarget): boolean {
  return target instanceof HTMLElement && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

function Provenance({ detail }: { detail: EntryDetail }) {
  const p = detail.provenance;
  return (
    <dl className="entry-provenance" aria-label="Provenance">
      <dt>Source</dt>
      <dd>{originLine(p)}</dd>
      <dt>Created</dt>
      <dd>{timeLabel(p.createdAt)}</dd>
      <dt>Last changed</dt>
      <dd>{timeLabel(p.updatedAt)}</dd>
      <dt>Approved by</dt>
      <dd>{p.approvedBy ? `${p.approvedBy}${p.approvedAt ? `, ${timeLabel(p.approvedAt)}` : ''}` : 'not approved yet'}</dd>
    </dl>
  );
}

function History({ detail }: { detail: EntryDetail }) {
  const viewed = useCopilotStore((state) => state.viewedVersion);
  const view = useCopilotStore((state) => state.viewEntryVersion);
  const restore = useCopilotStore((state) => state.restoreOpenEntryVersion);
  const busy = useCopilotStore((state) => state.entryBusy);
  if (detail.history.length === 0) {
    return <p className="entry-muted">No changes recorded: this entry is as it was imported or installed.</p>;
  }
  const latest = detail.history[detail.history.length - 1]?.version;
  return (
    <ol className="entry-history" aria-label="History" reversed>
      {[...detail.history].reverse().map((v) => (
        <li key={v.version} className={viewed === v.version ? 'viewed' : undefined}>
          <span className="entry-version-line">{versionLine(v)}</span>
          {v.note && <span className="entry-muted"> — {v.note}</span>}
          {v.version === latest ? (
            <span className="entry-muted"> (current)</span>
          ) : (
            <span className="entry-version-actions">
              <button
                type="button"
                className="secondary"
                aria-label={`View version ${v.version}`}
                aria-pressed={viewed === v.version}
                onClick={() => view(viewed === v.version ? null : v.version)}
              >
                {viewed === v.version ? 'Hide' : 'View'}
              </button>
              {detail.readOnly === null && (
                <button type="button" className="secondary" aria-label={`Restore version ${v.version}`} aria-disabled={busy} onClick={() => void restore(v.version)}>
                  Restore this version
                </button>
              )}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

export function EntryDetailPanel({ onClose }: { onClose: () => void }) {
  const openId = useCopilotStore((state) => state.openEntryId);
  const detail = useCopilotStore((state) => state.openEntryDetail);
  const loading = useCopilotStore((state) => state.entryLoading);
  const error = useCopilotStore((state) => state.entryError);
  const editing = useCopilotStore((state) => state.entryEditing);
  const busy = useCopilotStore((state) => state.entryBusy);
  const viewed = useCopilotStore((state) => state.viewedVersion);
  const content = useCopilotStore(knowledgeSelectors.shownContent);
  const setEditing = useCopilotStore((state) => state.setEntryEditing);
  const setStatus = useCopilotStore((state) => state.setOpenEntryStatus);
  const viewVersion = useCopilotStore((state) => state.viewEntryVersion);
  const panel = useRef<HTMLElement>(null);
  // Buttons are marked aria-disabled while a change is saved, not disabled: a disabled button loses the focus, and
  // the keyboard user would land on the page's body (the store refuses a second change meanwhile anyway).

  // Opening an entry moves the focus here, so E and Escape work at once.
  useEffect(() => {
    if (openId && !editing) panel.current?.focus();
  }, [openId, editing]);

  if (!openId) return null;

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    } else if (event.key.toLowerCase() === 'e' && !isTyping(event.target) && detail && detail.readOnly === null && !editing) {
      event.preventDefault();
      setEditing(true);
    }
  };

  const heading = content ? entryHeading({ ...content, id: openId }) : openId;
  return (
    <section className="entry-detail" aria-label="Entry detail" tabIndex={-1} ref={panel} onKeyDown={onKeyDown}>
      <div className="entry-detail-head">
        <h3>{heading}</h3>
        <button type="button" className="secondary" aria-label="Close entry" title="Escape" onClick={onClose}>
          Close
        </button>
      </div>
      {loading && <p className="entry-muted">Loading…</p>}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {detail && content && (
        <>
          <p className="entry-badges">
            <span className={`entry-status status-${content.status}`}>{STATUS_LABELS[content.status]}</span>
            <span>{KIND_LABELS[detail.kind]}</span>
            <span>{ORIGIN_LABELS[detail.provenance.origin]}</span>
            <span className="entry-muted">{detail.id}</span>
          </p>
          {detail.readOnly && <p className="notice">{detail.readOnly}</p>}
          {viewed !== null && (
            <p className="notice">
              Showing version {viewed}, not the current text.{' '}
              <button type="button" className="link-button" onClick={() => viewVersion(null)}>
                Show the current version
              </button>
            </p>
          )}
          {editing ? (
            <EntryEditor detail={detail} />
          ) : (
            <>
              {content.question && content.title && <p className="entry-muted">{content.title}</p>}
              <p className="entry-body">{content.body}</p>
              {content.tags.length > 0 && (
                <ul className="entry-tags" aria-label="Tags">
                  {content.tags.map((t) => (
                    <li key={t}>{t}</li>
                  ))}
                </ul>
              )}
              {detail.readOnly === null && (
                <div className="review-actions" role="group" aria-label="Entry actions">
                  <button type="button" aria-disabled={busy} title="E" onClick={() => setEditing(true)}>
                    Edit
                  </button>
                  {detail.content.status === 'retired' ? (
                    <button type="button" className="secondary" aria-disabled={busy} onClick={() => void setStatus('approved')}>
                      Approve again
                    </button>
                  ) : (
                    <button type="button" className="secondary" aria-disabled={busy} onClick={() => void setStatus('retired')}>
                      Retire
                    </button>
                  )}
                </div>
              )}
            </>
          )}
          <h4>Where it came from</h4>
          <Provenance detail={detail} />
          <h4>Use in suggestions</h4>
          <p className="entry-feedback" aria-label="Use in suggestions">
            {detail.feedback ? feedbackLine(detail.feedback) : 'Not cited in a suggestion yet.'}
          </p>
          {detail.feedback && detail.feedback.dislikeReasons.length > 0 && (
            <p className="entry-muted">Reasons given for dislikes: {detail.feedback.dislikeReasons.join('; ')}</p>
          )}
          <h4>History</h4>
          <History detail={detail} />
        </>
      )}
    </section>
  );
}
