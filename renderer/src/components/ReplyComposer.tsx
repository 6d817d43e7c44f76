/**
 * The reply box under a ticket's conversation. The analyst writes here, or presses I on a suggestion to insert it
 * at the cursor, edits, and then copies the reply into the helpdesk, posts it as an internal note, or (where the
 * helpdesk's API allows it, after confirming) sends it to the customer. The draft is kept per ticket in the data
 * folder, so it survives switching tickets and restarting Vigil. Everything is plain text in a <textarea>: ticket
 * and suggestion text is never rendered as HTML.
 */
import { useEffect, useLayoutEffect, useRef, useState, type SyntheticEvent } from 'react';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';

/** The id of the reply text box, so "Insert" on a suggestion card can move the focus there. */
export const REPLY_TEXT_ID = 'reply-text';

export function ReplyComposer({ ticketId }: { ticketId: string }) {
  const box = useCopilotStore((s) => s.replies[ticketId]);
  const loadReply = useCopilotStore((s) => s.loadReply);
  const setReplyText = useCopilotStore((s) => s.setReplyText);
  const setReplySelection = useCopilotStore((s) => s.setReplySelection);
  const copyReply = useCopilotStore((s) => s.copyReply);
  const sendReply = useCopilotStore((s) => s.sendReply);
  const [confirming, setConfirming] = useState(false);
  const textRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setConfirming(false);
    void loadReply(ticketId);
  }, [ticketId, loadReply]);

  // After an insert the store moves the cursor past the inserted text; the box follows it.
  const selection = box?.selection;
  useLayoutEffect(() => {
    const element = textRef.current;
    if (!element || !selection) return;
    if (element.selectionStart !== selection.start || element.selectionEnd !== selection.end) {
      element.setSelectionRange(selection.start, selection.end);
    }
  }, [selection?.start, selection?.end, selection]);

  const text = box?.text ?? '';
  const empty = text.trim() === '';
  const sending = box?.sending ?? null;
  const remember = (event: SyntheticEvent<HTMLTextAreaElement>) => {
    const element = event.currentTarget;
    setReplySelection(ticketId, element.selectionStart, element.selectionEnd);
  };

  return (
    <section className="reply-box" aria-labelledby="reply-heading">
      <h3 id="reply-heading">Reply</h3>
      <textarea
        id={REPLY_TEXT_ID}
        ref={textRef}
        aria-label="Reply text"
        rows={8}
        maxLength={20_000}
        value={text}
        placeholder="Write your reply, or press I on a suggestion to insert it here."
        onChange={(event) => setReplyText(ticketId, event.target.value, { start: event.target.selectionStart, end: event.target.selectionEnd })}
        onSelect={remember}
        onKeyUp={remember}
        onClick={remember}
      />
      <div className="reply-actions" role="group" aria-label="Reply actions">
        <button type="button" className="secondary" disabled={empty} onClick={() => void copyReply(ticketId)}>
          Copy reply
        </button>
        <button
          type="button"
          className="secondary"
          disabled={empty || sending !== null || !box?.canPostNote}
          title={box?.canPostNote ? 'Post this reply to the ticket in your helpdesk as an internal note' : (box?.writeProblem ?? undefined)}
          onClick={() => void sendReply(ticketId, 'note')}
        >
          {sending === 'note' ? 'Posting…' : 'Post as internal note'}
        </button>
        {box?.canSendReply && (
          <button type="button" disabled={empty || sending !== null || confirming} onClick={() => setConfirming(true)}>
            {sending === 'public' ? 'Sending…' : 'Send reply to customer…'}
          </button>
        )}
      </div>
      {box?.loaded && !box.canPostNote && box.writeProblem && <p className="muted">{box.writeProblem}</p>}
      {confirming && (
        <div className="notice" role="alertdialog" aria-label="Send this reply to the customer?">
          <p>The text above goes to the customer of {ticketId} through your helpdesk. It cannot be taken back.</p>
          <div className="settings-actions">
            <button
              type="button"
              onClick={() => {
                setConfirming(false);
                void sendReply(ticketId, 'public');
              }}
            >
              Yes, send to customer
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {box?.status && (
        <p role="status" className="notice">
          {box.status}
        </p>
      )}
      {box?.error && (
        <p role="alert" className="notice error">
          {box.error}
        </p>
      )}
    </section>
  );
}
