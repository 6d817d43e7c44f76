/**
 * Local LLM (Ollama): the engine's mode and why, the models Ollama has installed, "Check again", and pulling
 * the configured model with a progress bar. Vigil pulls only on this click, never by itself.
 */
import { useEffect } from 'react';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';

function size(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

export function LlmSettings() {
  const overview = useCopilotStore((s) => s.llm);
  const error = useCopilotStore((s) => s.llmError);
  const busy = useCopilotStore((s) => s.llmBusy);
  const pull = useCopilotStore((s) => s.llmPull);
  const loadLlm = useCopilotStore((s) => s.loadLlm);
  const recheck = useCopilotStore((s) => s.recheckLlm);
  const pullModel = useCopilotStore((s) => s.pullLlmModel);
  useEffect(() => {
    void loadLlm();
  }, [loadLlm]);

  if (!overview) {
    return error ? (
      <p className="notice error" role="alert">
        {error}
      </p>
    ) : (
      <p className="empty-state">Asking Ollama…</p>
    );
  }
  const { status, installed, problem } = overview;
  const model = status.modelId?.replace(/^ollama:/, '') ?? null;
  const missing = model !== null && installed !== null && !installed.some((m) => m.name === model || m.name === `${model}:latest`);
  return (
    <div>
      <p>
        <strong>{status.mode === 'llm' ? 'Local LLM ready' : 'Retrieval-only mode'}</strong>: {status.reason}
      </p>
      <p className="settings-item-meta">
        {model ? `Model: ${model}` : 'No local model is chosen for this team; an admin chooses one with `vigil llm use MODEL`.'}
        {status.checkedAt && ` · checked ${new Date(status.checkedAt).toLocaleTimeString('en')}`}
      </p>
      {installed && (
        <ul className="settings-list" aria-label="Models installed in Ollama">
          {installed.length === 0 && <li className="settings-item">Ollama has no models installed.</li>}
          {installed.map((m) => (
            <li key={m.name} className="settings-item">
              <span className="settings-item-title">{m.name}</span>
              <span className="settings-item-meta">
                {m.parameterSize ? `${m.parameterSize} parameters · ` : ''}
                {size(m.sizeBytes)}
              </span>
            </li>
          ))}
        </ul>
      )}
      {problem && !installed && <p className="settings-item-meta">Ollama's models cannot be listed: {problem}</p>}
      <div className="settings-actions">
        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void recheck()}>
          {busy === 'checking' ? 'Checking…' : 'Check again'}
        </button>
        {model && missing && (
          <button type="button" disabled={busy !== null} onClick={() => void pullModel()}>
            {busy === 'pulling' ? 'Pulling…' : `Pull ${model}`}
          </button>
        )}
      </div>
      {busy === 'pulling' && pull && (
        <div role="status">
          {pull.fraction === null ? (
            <progress aria-label={`Pulling ${model ?? 'the model'}`} />
          ) : (
            <progress aria-label={`Pulling ${model ?? 'the model'}`} max={1} value={pull.fraction} />
          )}
          <p className="settings-item-meta">
            {pull.status}
            {pull.fraction !== null && ` · ${Math.round(pull.fraction * 100)}%`}
          </p>
        </div>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
