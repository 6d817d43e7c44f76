import type { CopilotState } from '../../store';

/** Header wording of the engine status; each returns a string, so components re-render only on change. */
export const statusSelectors = {
  entriesLabel(state: CopilotState): string {
    const entries = state.status?.entries;
    if (entries === undefined) return state.statusLoading ? 'Loading…' : 'Entries unknown';
    return `${entries.toLocaleString('en')} ${entries === 1 ? 'entry' : 'entries'}`;
  },
  embedderLabel(state: CopilotState): string {
    const status = state.status;
    return status ? `${status.embedderId} · ${status.dimensions} dimensions` : '';
  },
  /** The generation mode, stated plainly: analysts must know when answers are not drafted by a model. */
  modeLabel(state: CopilotState): string {
    const llm = state.status?.llm;
    if (!llm) return '';
    if (llm.mode === 'llm') return 'Local LLM ready';
    // A model is configured but not usable right now (Ollama down, model missing): say so, not "not configured".
    return llm.modelId ? 'Retrieval-only mode: local LLM unavailable' : 'Retrieval-only mode: no local LLM configured';
  },
  modeReason(state: CopilotState): string {
    return state.status?.llm.reason ?? '';
  },
  /** A failed write to the knowledge folder, in the engine's words (what is kept, what to check), or ''. */
  writeError(state: CopilotState): string {
    return state.status?.lastWriteError ?? '';
  },
};
