/**
 * The header, in the analyst's words: how much knowledge Vigil has, whether it drafts answers with a local model
 * or answers from the knowledge alone (the reason on hover), and Import. Engine details (embedder, dimensions,
 * index) live in Settings → Embedding model, where an admin looks for them.
 */
import type { CopilotState } from '../store/copilot/store';
import { statusSelectors } from '../store/copilot/slices/status/selectors';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { ImportButton } from './ImportButton';
import { useEffect } from 'react';
import { teamStateLabel } from './settings/TeamSettings';

/**
 * How often the header reads the team store's state again. The state is the main process's last round (it syncs
 * every 2 s in the background); reading it costs two small local files, so 10 s keeps "behind by N" current
 * without a busy loop in the page.
 */
const TEAM_STATE_EVERY_MS = 10_000;

/** How suggestions are made right now, as an analyst would say it. */
export function answerModeLabel(state: CopilotState): string {
  const llm = state.status?.llm;
  if (!llm) return '';
  if (llm.mode === 'llm') return 'Drafting answers with the local model';
  return llm.modelId ? 'Answers from your knowledge (local model unavailable)' : 'Answers from your knowledge';
}

/** `1,234 knowledge entries`. */
export function knowledgeLabel(state: CopilotState): string {
  const entries = state.status?.entries;
  if (entries === undefined) return state.statusLoading ? 'Loading…' : '';
  return `${entries.toLocaleString('en')} knowledge ${entries === 1 ? 'entry' : 'entries'}`;
}

/** The app's header bar. */
export function StatusHeader() {
  const entries = useCopilotStore(knowledgeLabel);
  const mode = useCopilotStore(answerModeLabel);
  const reason = useCopilotStore(statusSelectors.modeReason);
  const error = useCopilotStore((state) => state.statusError);
  const writeError = useCopilotStore(statusSelectors.writeError);
  const team = useCopilotStore((state) => state.team);
  const loadTeam = useCopilotStore((state) => state.loadTeam);
  useEffect(() => {
    void loadTeam();
    const timer = setInterval(() => void loadTeam(), TEAM_STATE_EVERY_MS);
    return () => clearInterval(timer);
  }, [loadTeam]);

  return (
    <header className="app-header">
      <h1 className="app-title">Vigil</h1>
      <section className="engine-status" aria-label="Engine status">
        {entries && <span className="status-item">{entries}</span>}
        {mode && (
          <span className="status-item mode" title={reason}>
            {mode}
          </span>
        )}
        {team && (
          <span className={`status-item team-state team-${team.state}`} title={`Team store ${team.uri} as ${team.analyst}`}>
            Team: {teamStateLabel(team)}
          </span>
        )}
      </section>
      <ImportButton />
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {writeError && (
        <p className="notice error" role="alert">
          {writeError}
        </p>
      )}
    </header>
  );
}
