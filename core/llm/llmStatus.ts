/**
 * What the status bar and `vigil status` show about the local model. Plain data with no Node.js dependency, so the
 * renderer can import the type.
 */
export interface LlmStatus {
  mode: 'llm' | 'retrieval-only';
  /** One sentence: what the engine is doing and, when degraded, why and what to do. */
  reason: string;
  /** `ollama:<model>` when one is configured. */
  modelId: string | null;
  /** When the last health check ran (ISO), or null before the first. */
  checkedAt: string | null;
  /** When the next background check is due (ISO), or null when none is scheduled. */
  nextCheckAt: string | null;
}
