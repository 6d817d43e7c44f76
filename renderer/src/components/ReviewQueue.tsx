/**
 * A learned entry's heading and the rest of its question. A question learned from a ticket is its subject, then
 * the customer's words, one per line (core/learn); shown as one line they ran together ("Printer the printer on
 * the 3rd floor…"), so the subject is the heading and the customer's words follow it.
 */
export function reviewHeading(item: { id: string; question: string | null; title: string | null }): { heading: string; detail: string } {
  const text = (item.question ?? item.title ?? '').trim();
  if (!text) return { heading: item.id, detail: '' };
  const [first = '', ...rest] = text.split('\n');
  return { heading: first.trim(), detail: rest.join(' ').replace(/\s+/g, ' ').trim() };
}

/**
 * The review queue: entries learned from closed tickets, waiting for an analyst. Each is one key press: A approve,
 * E edit (then Ctrl+Enter saves, Escape cancels), R reject; J/K or the arrow keys move between entries.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ReviewItem } from '../api/contractTypes';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

function EntryEditor({ item, onDone }: { item: ReviewItem; onDone: () => void }) {
  const decide = useCopilotStore((state) => state.decide);
  const [question, setQuestion] = useState(item.question ?? item.title ?? '');
  const [answer, setAnswer] = useState(item.answer);
  const save = async () => {
    const edit = item.question !== null ? { question, answer } : { title: question, answer };
    if (await decide({ entryId: item.id, decision: 'edit', edit })) onDone();
  };
  return (
    <form
      className="entry-editor"
      aria-label={`Edit ${item.id}`}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDone();
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void save();
      }}
    >
      <label htmlFor={`q-${item.id}`}>{item.question !== null ? 'Question' : 'Title'}</label>
      <textarea id={`q-${item.id}`} rows={2} value={question} autoFocus onChange={(e) => setQuestion(e.target.value)} />
      <label htmlFor={`a-${item.id}`}>Answer</label>
      <textarea id={`a-${item.id}`} rows={4} value={answer} onChange={(e) => setAnswer(e.target.value)} />
      <div className="review-actions">
        <button type="submit">Save and approve</button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function ReviewQueue() {
  const items = useCopilotStore((state) => state.reviewItems);
  const loaded = useCopilotStore((state) => state.reviewLoaded);
  const error = useCopilotStore((state) => state.reviewError);
  const busy = useCopilotStore((state) => state.reviewBusy);
  const loadReview = useCopilotStore((state) => state.loadReview);
  const decide = useCopilotStore((state) => state.decide);
  const [editing, setEditing] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    void loadReview();
  }, [loadReview]);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>, item: ReviewItem) => {
    if (event.target !== event.currentTarget || event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    const step = key === 'j' || key === 'arrowdown' ? 1 : key === 'k' || key === 'arrowup' ? -1 : 0;
    if (step !== 0) {
      const cards = [...(list.current?.querySelectorAll<HTMLElement>('article.review-item') ?? [])];
      cards[Math.min(cards.length - 1, Math.max(0, cards.indexOf(event.currentTarget) + step))]?.focus();
      event.preventDefault();
      return;
    }
    if (key === 'a') void decide({ entryId: item.id, decision: 'approve' });
    else if (key === 'r') void decide({ entryId: item.id, decision: 'reject' });
    else if (key === 'e') setEditing(item.id);
    else return;
    event.preventDefault();
  };

  return (
    <section className="review" aria-labelledby="review-heading">
      <h2 id="review-heading">
        Review queue {items.length > 0 && <span className="badge">{items.length}</span>}
      </h2>
      <p className="review-help">Learned from closed tickets. Keys on an entry: A approve, E edit, R reject, J/K move.</p>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {loaded && items.length === 0 && (
        <p className="empty-state">
          Nothing waiting for review. When a ticket is closed, what the analyst answered is learned as a proposed entry
          and waits here for approval.
        </p>
      )}
      <ol className="review-list" ref={list} aria-label="Entries to review">
        {items.map((item) => (
          <li key={item.id}>
            <article className="review-item" tabIndex={0} aria-label={reviewHeading(item).heading} onKeyDown={(e) => onKeyDown(e, item)}>
              <div className="result-meta">
                <span className="kind">{item.kind === 'qa' ? 'Q&A' : item.kind}</span>
                <span>
                  from {item.sourceTicketIds.join(', ') || 'no ticket'}
                  {item.confidence > 0 ? ` · ${Math.round(item.confidence * 100)}% confident` : ''}
                </span>
              </div>
              {item.reason === 'conflict' && item.conflictsWith && (
                <p className="notice">Conflicts with {item.conflictsWith}: check which answer is right.</p>
              )}
              {editing === item.id ? (
                <EntryEditor item={item} onDone={() => setEditing(null)} />
              ) : (
                <>
                  <h3 className="result-heading">{reviewHeading(item).heading}</h3>
                  {reviewHeading(item).detail && <p className="review-question">{reviewHeading(item).detail}</p>}
                  <p className="result-body">{item.answer}</p>
                  <div className="review-actions" role="group" aria-label={`Decide on ${item.id}`}>
                    <button type="button" disabled={busy !== null} onClick={() => void decide({ entryId: item.id, decision: 'approve' })}>
                      Approve
                    </button>
                    <button type="button" className="secondary" disabled={busy !== null} onClick={() => setEditing(item.id)}>
                      Edit
                    </button>
                    <button type="button" className="secondary" disabled={busy !== null} onClick={() => void decide({ entryId: item.id, decision: 'reject' })}>
                      Reject
                    </button>
                  </div>
                </>
              )}
            </article>
          </li>
        ))}
      </ol>
    </section>
  );
}
