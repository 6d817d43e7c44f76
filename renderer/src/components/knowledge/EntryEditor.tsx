/**
 * Editing an entry: question (or title), answer and tags. Ctrl+Enter saves, Escape cancels. Only changed fields are
 * sent; the engine checks them against the entry format and answers with the field that is wrong.
 */
import { useState } from 'react';
import type { EntryDetail, EntryPatch } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';

/** "vpn, wifi , vpn" → ["vpn", "wifi"]. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}

export function EntryEditor({ detail }: { detail: EntryDetail }) {
  const save = useCopilotStore((state) => state.saveEntryEdit);
  const setEditing = useCopilotStore((state) => state.setEntryEditing);
  const busy = useCopilotStore((state) => state.entryBusy);
  const hasQuestion = detail.content.question !== null;
  const [heading, setHeading] = useState((hasQuestion ? detail.content.question : detail.content.title) ?? '');
  const [answer, setAnswer] = useState(detail.content.body);
  const [tags, setTags] = useState(detail.content.tags.join(', '));

  const submit = async () => {
    const patch: EntryPatch = {};
    const before = hasQuestion ? detail.content.question : detail.content.title;
    if (heading.trim() !== (before ?? '').trim()) patch[hasQuestion ? 'question' : 'title'] = heading;
    if (answer.trim() !== detail.content.body.trim()) patch.answer = answer;
    const newTags = parseTags(tags);
    if (newTags.join('\u0000') !== detail.content.tags.join('\u0000')) patch.tags = newTags;
    if (Object.keys(patch).length === 0) {
      setEditing(false);
      return;
    }
    await save(patch);
  };

  const fieldId = (name: string) => `entry-edit-${name}`;
  return (
    <form
      className="kb-entry-editor"
      aria-label="Edit entry"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation(); // closes the editor, not the whole entry
          setEditing(false);
        } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          void submit();
        }
      }}
    >
      <label htmlFor={fieldId('heading')}>{hasQuestion ? 'Question' : 'Title'}</label>
      <textarea id={fieldId('heading')} rows={2} value={heading} autoFocus onChange={(e) => setHeading(e.target.value)} />
      <label htmlFor={fieldId('answer')}>Answer</label>
      <textarea id={fieldId('answer')} rows={6} value={answer} onChange={(e) => setAnswer(e.target.value)} />
      <label htmlFor={fieldId('tags')}>Tags, separated by commas</label>
      <input id={fieldId('tags')} type="text" value={tags} autoComplete="off" onChange={(e) => setTags(e.target.value)} />
      <div className="review-actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <span className="entry-hint">Ctrl+Enter saves, Escape cancels. Saved as a new version; the old one stays in the history.</span>
      </div>
    </form>
  );
}
