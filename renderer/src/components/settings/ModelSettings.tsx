/**
 * Embedding models (models/README.md): the embedder in use, every model the manifests describe with its
 * state and, when it cannot be used, why in plain words; "Use this model" loads it in the main process before
 * saving the choice, and "Restart and re-index" reopens the workspace with it.
 */
import type { ModelView } from '../../api/contractTypes';
import { MODEL_STATE_LABELS, modelUsable, progressFraction } from '../../store/copilot/slices/settings/selectors';
import { PathText } from '../PathText';
import { useHomeShortened } from '../pathText';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';

function ModelItem({ model, running }: { model: ModelView; running: boolean }) {
  const useModel = useCopilotStore((s) => s.useModel);
  const busy = useCopilotStore((s) => s.modelsBusy);
  const usable = modelUsable(model);
  const shortened = useHomeShortened();
  return (
    <li className="settings-item" aria-label={`Model ${model.id}`}>
      <div className="settings-item-main">
        <span className="settings-item-title">
          {model.name} <span className="muted">{model.id}</span>
        </span>
        <p className="settings-item-meta">
          {model.backend === 'builtin' ? 'built in' : model.backend} · {model.dimensions} dimensions · {model.licence} ·{' '}
          <span className={`model-state state-${model.state}`}>{MODEL_STATE_LABELS[model.state]}</span>
          {model.chosen && ' · chosen for this data folder'}
          {running && ' · in use'}
        </p>
        {model.reason && <p className="settings-item-reason">{shortened(model.reason)}</p>}
      </div>
      {!model.chosen && (
        <button
          type="button"
          className="secondary"
          disabled={!usable || busy === 'choosing' || busy === 'restarting'}
          aria-label={`Use ${model.id}`}
          title={usable ? undefined : 'Install and verify this model first (see the reason beside it).'}
          onClick={() => void useModel(model.id)}
        >
          Use this model
        </button>
      )}
    </li>
  );
}

export function ModelSettings() {
  const models = useCopilotStore((s) => s.models);
  const error = useCopilotStore((s) => s.modelsError);
  const notice = useCopilotStore((s) => s.modelsNotice);
  const busy = useCopilotStore((s) => s.modelsBusy);
  const restart = useCopilotStore((s) => s.restartWorkspace);
  const shortened = useHomeShortened();
  const progress = useCopilotStore((s) => s.workspaceProgress);
  const fraction = progressFraction(progress);

  if (!models) {
    return error ? (
      <p className="notice error" role="alert">
        {error}
      </p>
    ) : (
      <p className="empty-state">Checking the models installed on this machine…</p>
    );
  }
  const running = models.running;
  const isRunning = (m: ModelView) =>
    running !== null && (m.backend === 'builtin' ? running.embedderId.startsWith('builtin-') : running.embedderId.startsWith(`${m.id}@`));
  return (
    <div className="settings-models">
      <p className="settings-current">
        In use:{' '}
        {running ? (
          <strong>
            {running.embedderId} · {running.dimensions} dimensions
          </strong>
        ) : (
          'none (the workspace could not be opened; see the message above or choose another model)'
        )}
      </p>
      <p className="settings-item-meta">
        Models folder: <PathText path={models.modelsDir} />. Vigil never downloads a model: an admin copies its files there (or
        runs <code>ollama pull</code>) and checks them with <code>vigil models verify</code>.
      </p>
      {models.restartNeeded && busy !== 'restarting' && (
        <div className="notice">
          <p>
            This data folder is set to <strong>{models.choice}</strong>, but Vigil still runs on the embedder above. Switching needs a
            restart of the workspace: its knowledge is re-indexed with the new model (a few seconds to minutes, depending on how much
            there is); search and suggestions keep using the current index until the new one is complete.
          </p>
          <div className="settings-actions">
            <button type="button" onClick={() => void restart()}>
              Restart and re-index
            </button>
          </div>
        </div>
      )}
      {busy === 'restarting' && (
        <div className="notice" role="status">
          <p>Re-indexing the knowledge with {models.choice}… Search and suggestions keep using the current index until it is done.</p>
          {fraction === null ? <progress aria-label="Re-indexing the knowledge" /> : <progress aria-label="Re-indexing the knowledge" max={1} value={fraction} />}
          {progress && <p className="settings-item-meta">{progress}</p>}
        </div>
      )}
      <p className="settings-notice" role="status">
        {shortened(notice ?? '')}
      </p>
      {error && (
        <p className="notice error" role="alert">
          {shortened(error)}
        </p>
      )}
      <ul className="settings-list" aria-label="Embedding models">
        {models.models.map((model) => (
          <ModelItem key={model.id} model={model} running={isRunning(model)} />
        ))}
      </ul>
      {models.problems.length > 0 && (
        <ul className="issues" aria-label="Manifests left out">
          {models.problems.map((p) => (
            <li key={p}>{shortened(p)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
