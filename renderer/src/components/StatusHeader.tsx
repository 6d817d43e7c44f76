/**
 * The header: what the engine holds, which embedder it uses, whether answers can be drafted, and Import.
 */
import { statusSelectors } from '../store/copilot/slices/status/selectors';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { ImportButton } from './ImportButton';

/** The app's header bar with the engine status. */
export function StatusHeader() {
  const entries = useCopilotStore(statusSelectors.entriesLabel);
  const embedder = useCopilotStore(statusSelectors.embedderLabel);
  const mode = useCopilotStore(statusSelectors.modeLabel);
  const reason = useCopilotStore(statusSelectors.modeReason);
  const error = useCopilotStore((state) => state.statusError);
  const writeError = useCopilotStore(statusSelectors.writeError);

  return (
    <header className="app-header">
      <h1 className="app-title">Vigil</h1>
      <section className="engine-status" aria-label="Engine status">
        <span className="status-item">{entries}</span>
        {embedder && <span className="status-item">Embedder: {embedder}</span>}
        {mode && (
          <span className="status-item mode" title={reason}>
            {mode}
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
