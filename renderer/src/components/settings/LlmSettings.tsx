/**
 * Local LLM (Ollama): the generation mode as the engine reports it.
 *
 * PLACE FOR "Local LLM (Ollama) status and pull": core/llm (Ollama client, model manager, pull with progress)
 * is being built on another branch; when it is merged, its status, installed models and pull (with a progress
 * bar) go here, through contract methods like the models section's. Until then this shows only what the
 * engine says today, and says plainly that nothing can be pulled from here yet.
 */
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';

export function LlmSettings() {
  const llm = useCopilotStore((s) => s.status?.llm);
  if (!llm) return <p className="empty-state">Loading…</p>;
  return (
    <div>
      <p>
        <strong>{llm.mode === 'llm' ? 'Local LLM ready' : 'Retrieval-only mode'}</strong>: {llm.reason}
      </p>
      <p className="settings-item-meta">Checking Ollama and pulling a model from here come with the local LLM support.</p>
    </div>
  );
}
