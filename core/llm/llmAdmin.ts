/**
 * The local LLM as the app's Settings screen manages it: the engine's mode, the models Ollama has installed, and a
 * pull of the configured model (only ever on the analyst's click). The pipeline itself uses the monitor's model.
 */
import { LlmError, type CallOptions } from './languageModel';
import type { LlmMonitor } from './llmMonitor';
import type { LlmStatus } from './llmStatus';
import type { ModelInfo, OllamaClient, PullProgress } from './ollamaClient';

/** The local LLM section: the engine's mode and the models Ollama has installed. */
export interface LlmOverview {
  status: LlmStatus;
  /** Ollama's installed models (name, size); null when they could not be listed (`problem` says why). */
  installed: { name: string; sizeBytes: number; parameterSize: string | null }[] | null;
  problem: string | null;
}

/** How far a pull of the local model is, pushed while it runs. */
export interface LlmPullProgress {
  status: string;
  /** completed / total when Ollama says both; null while it prepares. */
  fraction: number | null;
}

/** Lists, pulls and re-checks the engine's local model. */
export class LlmAdmin {
  constructor(
    private readonly client: OllamaClient | null,
    private readonly monitor: LlmMonitor,
  ) {}

  /** The models installed in Ollama. Throws an LlmError saying why when Ollama cannot be asked. */
  listModels(options: CallOptions = {}): Promise<ModelInfo[]> {
    if (!this.client) return Promise.reject(new LlmError('model_missing', 'No local model is configured.'));
    return this.client.listModels(options);
  }

  /** The engine's LLM mode and the models Ollama has installed (or why they cannot be listed). */
  async overview(): Promise<LlmOverview> {
    const status = this.monitor.status();
    try {
      const models = await this.listModels();
      return { status, installed: models.map((m) => ({ name: m.name, sizeBytes: m.sizeBytes, parameterSize: m.parameterSize })), problem: null };
    } catch (error) {
      return { status, installed: null, problem: (error as Error).message };
    }
  }

  /**
   * Downloads the configured model into Ollama, on the user's request only, reporting progress; then checks the
   * model again so the engine switches to LLM mode at once.
   */
  async pull(onProgress: (progress: PullProgress) => void, options: CallOptions = {}): Promise<LlmStatus> {
    if (!this.client) throw new LlmError('model_missing', 'No local model is configured.');
    await this.client.pull(onProgress, options);
    return this.monitor.check();
  }

  /** Checks the local model now instead of waiting for the next background check. */
  recheck(): Promise<LlmStatus> {
    return this.monitor.check();
  }
}
