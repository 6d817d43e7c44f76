/**
 * The reply box of the desk: each ticket's draft (kept in the data folder by the main process), "Insert" of a
 * suggestion at the cursor, copy, and posting as an internal note or a confirmed reply to the customer. Part of
 * the desk slice (spread into it), in its own file so the desk's other actions stay as they are.
 */
import type { StoreApi } from 'zustand/vanilla';
import { errorMessage } from '../../../../api/errorMessage';
import { insertionText, spliceReply } from '../../../../components/replyText';
import type { CopilotState, VigilApiSource } from '../../store';
import type { ReplyBox } from './initialState';

export interface ReplyAction {
  /** Loads a ticket's reply draft (kept across restarts) and what its source can take. */
  loadReply(ticketId: string): Promise<void>;
  /** The analyst typed: keeps the text (saved to the data folder, the latest save wins) and the cursor. */
  setReplyText(ticketId: string, text: string, selection?: { start: number; end: number }): void;
  /** Remembers where the cursor is, for "Insert". */
  setReplySelection(ticketId: string, start: number, end: number): void;
  /** Puts a suggestion's text (with its sources as references) at the cursor of the open ticket's reply box. */
  insertSuggestion(suggestionId: string): Promise<void>;
  /** Copies the reply box to the clipboard, for pasting into the helpdesk's console. */
  copyReply(ticketId: string): Promise<void>;
  /** Posts the reply as an internal note, or sends it to the customer (call only after the analyst confirmed). */
  sendReply(ticketId: string, visibility: 'note' | 'public'): Promise<void>;
}

const EMPTY_REPLY: ReplyBox = {
  text: '',
  insertedSuggestionIds: [],
  selection: { start: 0, end: 0 },
  loaded: false,
  canPostNote: false,
  canSendReply: false,
  writeProblem: null,
  sending: null,
  status: null,
  error: null,
};

/** The reply actions, given the store's `set` and `get`. */
export function createReplyActions(api: VigilApiSource, set: StoreApi<CopilotState>['setState'], get: () => CopilotState): ReplyAction {
  // Reply drafts are saved one at a time per ticket; a change made meanwhile is saved right after, so the file
  // always ends with the latest text without a save per keystroke piling up.
  const saving = new Map<string, Promise<void>>();
  const dirty = new Set<string>();
  const reply = (ticketId: string): ReplyBox => get().replies[ticketId] ?? EMPTY_REPLY;
  const patchReply = (ticketId: string, patch: Partial<ReplyBox>): void => {
    set({ replies: { ...get().replies, [ticketId]: { ...reply(ticketId), ...patch } } });
  };
  const persist = (ticketId: string): Promise<void> => {
    dirty.add(ticketId);
    const running = saving.get(ticketId);
    if (running) return running;
    const run = (async () => {
      try {
        while (dirty.has(ticketId)) {
          dirty.delete(ticketId);
          const box = reply(ticketId);
          await api().saveReplyDraft({ ticketId, text: box.text, insertedSuggestionIds: box.insertedSuggestionIds });
        }
        patchReply(ticketId, { error: null });
      } catch (error) {
        patchReply(ticketId, { error: `The draft could not be saved: ${errorMessage(error)}` });
      } finally {
        saving.delete(ticketId);
      }
    })();
    saving.set(ticketId, run);
    return run;
  };
  return {
    async loadReply(ticketId) {
      try {
        const view = await api().replyDraft({ ticketId });
        const current = reply(ticketId);
        patchReply(ticketId, {
          // Text typed before the draft arrived is the analyst's latest: it wins over the stored one.
          ...(current.loaded || current.text !== '' ? {} : { text: view.text, insertedSuggestionIds: view.insertedSuggestionIds, selection: { start: view.text.length, end: view.text.length } }),
          loaded: true,
          canPostNote: view.canPostNote,
          canSendReply: view.canSendReply,
          writeProblem: view.writeProblem,
        });
      } catch (error) {
        patchReply(ticketId, { loaded: true, error: errorMessage(error) });
      }
    },
    setReplyText(ticketId, text, selection) {
      patchReply(ticketId, { text, status: null, ...(selection ? { selection } : {}) });
      void persist(ticketId);
    },
    setReplySelection(ticketId, start, end) {
      const box = reply(ticketId);
      if (box.selection.start === start && box.selection.end === end) return;
      patchReply(ticketId, { selection: { start, end } });
    },
    async insertSuggestion(suggestionId) {
      const detail = get().detail;
      const shown = detail?.suggestions.find((s) => s.id === suggestionId);
      if (!detail || !shown) return;
      const ticketId = detail.ticket.id;
      const box = reply(ticketId);
      const { text, cursor } = spliceReply(box.text, box.selection.start, box.selection.end, insertionText(shown));
      patchReply(ticketId, {
        text,
        selection: { start: cursor, end: cursor },
        insertedSuggestionIds: box.insertedSuggestionIds.includes(suggestionId) ? box.insertedSuggestionIds : [...box.insertedSuggestionIds, suggestionId],
        status: null,
      });
      await Promise.all([persist(ticketId), get().sendFeedback(suggestionId, 'inserted')]);
    },
    async copyReply(ticketId) {
      try {
        await navigator.clipboard.writeText(reply(ticketId).text);
        patchReply(ticketId, { status: 'Copied: paste it into the ticket in your helpdesk.', error: null });
      } catch {
        patchReply(ticketId, { error: 'The reply could not be copied (the clipboard refused); select the text and copy it with Ctrl+C.' });
      }
    },
    async sendReply(ticketId, visibility) {
      const box = reply(ticketId);
      if (box.sending || box.text.trim() === '') return;
      patchReply(ticketId, { sending: visibility, status: null, error: null });
      try {
        // The draft on disk must be the text being sent before the send clears it.
        await saving.get(ticketId);
        const result = await api().sendReply({ ticketId, text: box.text, visibility, ...(visibility === 'public' ? { confirmed: true } : {}) });
        const current = get().detail;
        if (current && current.ticket.id === ticketId && result.suggestions.length > 0) {
          const updated = new Map(result.suggestions.map((s) => [s.id, s]));
          set({ detail: { ...current, suggestions: current.suggestions.map((s) => updated.get(s.id) ?? s) } });
        }
        patchReply(ticketId, {
          text: reply(ticketId).text === box.text ? '' : reply(ticketId).text,
          insertedSuggestionIds: [],
          selection: { start: 0, end: 0 },
          sending: null,
          status: visibility === 'public' ? 'Sent to the customer.' : 'Posted as an internal note.',
        });
      } catch (error) {
        patchReply(ticketId, { sending: null, error: errorMessage(error) });
      }
    },
  };
}
