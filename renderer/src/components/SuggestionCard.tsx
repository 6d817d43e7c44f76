/**
 * One suggestion: what it says, how sure Vigil is, what it cites (expandable), and the analyst's actions.
 * Keys on a focused card: C copy, I insert into the reply box, L like, D dislike, X dismiss.
 */
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { CitationView, FeedbackAction, ShownSuggestion } from '../api/contractTypes';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { cardFigure, suggestionKindLabel } from './deskText';
import { REPLY_TEXT_ID } from './ReplyComposer';
import { insertionText, splitCitations } from './replyText';

export { splitCitations } from './replyText';

const KEY_ACTIONS: Record<string, FeedbackAction> = { c: 'copied', l: 'liked', x: 'dismissed' };

function CitationList({ citations, label }: { citations: readonly CitationView[]; label: string }) {
  return (
    <ol aria-label={label}>
      {citations.map((citation) => (
        <li key={citation.entryId} className={citation.available ? undefined : 'unavailable'}>
          <span className="citation-title">{citation.title ?? citation.entryId}</span>
          <span className="citation-meta">
            {citation.sourceTicketId ? `Ticket ${citation.sourceTicketId}` : citation.kind}
            {citation.available ? '' : ' · retired'}
          </span>
          <span className="citation-excerpt">{citation.excerpt}</span>
        </li>
      ))}
    </ol>
  );
}

export function SuggestionCard({ shown }: { shown: ShownSuggestion }) {
  const sendFeedback = useCopilotStore((state) => state.sendFeedback);
  const publishSuggestion = useCopilotStore((state) => state.publishSuggestion);
  const insertSuggestion = useCopilotStore((state) => state.insertSuggestion);
  // Only where this ticket's reply box is on screen (the main window, not the assist bubble).
  const replyOpen = useCopilotStore((state) => state.replies[shown.suggestion.ticketId]?.loaded ?? false);
  const pending = useCopilotStore((state) => state.pendingFeedback[shown.id]);
  const [askingReason, setAskingReason] = useState(false);
  const [reason, setReason] = useState('');
  const { suggestion } = shown;
  const given = new Set(shown.feedback);
  const dismissed = given.has('dismissed');
  const label = suggestionKindLabel(suggestion.kind);
  const figure = cardFigure(suggestion.kind, suggestion.text, suggestion.confidence);
  const { sources, others } = splitCitations(shown.citations);

  const act = async (action: FeedbackAction) => {
    if (action === 'copied') {
      try {
        // The same text "Insert" gives, references included: pasted into the helpdesk, it still says what it rests on.
        await navigator.clipboard.writeText(insertionText(shown));
      } catch {
        // Copy may be refused (no focus, no permission); the feedback still records the intent.
      }
    }
    await sendFeedback(shown.id, action);
  };

  /** Puts the text at the reply box's cursor and moves there, so the analyst can edit it at once. */
  const insert = async () => {
    await insertSuggestion(shown.id);
    document.getElementById(REPLY_TEXT_ID)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.target !== event.currentTarget || event.altKey || event.ctrlKey || event.metaKey) return;
    const key = event.key.toLowerCase();
    if (key === 'i' && replyOpen) {
      event.preventDefault();
      void insert();
      return;
    }
    if (key === 'd') {
      event.preventDefault();
      setAskingReason(true);
      return;
    }
    const action = KEY_ACTIONS[key];
    if (action) {
      event.preventDefault();
      void act(action);
    }
  };

  const submitDislike = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setAskingReason(false);
    void sendFeedback(shown.id, 'disliked', reason.trim() || undefined);
    setReason('');
  };

  return (
    <article
      className={`suggestion kind-${suggestion.kind}${dismissed ? ' dismissed' : ''}`}
      aria-label={label}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="suggestion-meta">
        <span className="kind">{label}</span>
        {figure && (
          <span className="figure" title={figure.hint}>
            {figure.label}
          </span>
        )}
      </div>
      <p className="suggestion-text">{suggestion.text}</p>
      {sources.length > 0 && (
        <details
          className="citations"
          onToggle={(event) => {
            if ((event.currentTarget as HTMLDetailsElement).open && !given.has('expanded')) void sendFeedback(shown.id, 'expanded');
          }}
        >
          <summary>
            {sources.length} {sources.length === 1 ? 'source' : 'sources'}
          </summary>
          <CitationList citations={sources} label="Cited knowledge" />
          {others.length > 0 && (
            <details className="citations other-candidates">
              <summary>{others.length} weaker candidates considered</summary>
              <CitationList citations={others} label="Other candidates" />
            </details>
          )}
        </details>
      )}
      <div className="suggestion-actions" role="group" aria-label={`Actions on this ${label.toLowerCase()}`}>
        <button type="button" className="secondary" aria-keyshortcuts="C" disabled={Boolean(pending)} onClick={() => void act('copied')}>
          {given.has('copied') ? 'Copied' : 'Copy'}
        </button>
        {replyOpen && (
          <button
            type="button"
            className="secondary"
            title="Put this text at the cursor of the reply box (I)"
            aria-keyshortcuts="I"
            disabled={Boolean(pending) || dismissed}
            onClick={() => void insert()}
          >
            {given.has('inserted') ? 'Insert again' : 'Insert'}
          </button>
        )}
        <button type="button" className="secondary" aria-pressed={given.has('liked')} aria-keyshortcuts="L" disabled={Boolean(pending)} onClick={() => void act('liked')}>
          Like
        </button>
        <button
          type="button"
          className="secondary"
          aria-pressed={given.has('disliked')}
          aria-keyshortcuts="D"
          disabled={Boolean(pending)}
          onClick={() => setAskingReason(true)}
        >
          Dislike
        </button>
        <button
          type="button"
          className="secondary"
          title="Post this text to the ticket in your helpdesk as an internal note"
          disabled={Boolean(pending) || given.has('published')}
          onClick={() => void publishSuggestion(shown.id)}
        >
          {given.has('published') ? 'Posted as note' : 'Post as internal note'}
        </button>
        <button type="button" className="secondary" aria-keyshortcuts="X" disabled={Boolean(pending) || dismissed} onClick={() => void act('dismissed')}>
          {dismissed ? 'Dismissed' : 'Dismiss'}
        </button>
      </div>
      {askingReason && (
        <form className="dislike-form" aria-label="Why is this suggestion wrong?" onSubmit={submitDislike}>
          <label htmlFor={`reason-${shown.id}`}>What is wrong with it? (optional)</label>
          <input
            id={`reason-${shown.id}`}
            value={reason}
            maxLength={1000}
            autoFocus
            onChange={(event) => setReason(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setAskingReason(false);
            }}
          />
          <button type="submit">Send dislike</button>
        </form>
      )}
    </article>
  );
}
