/**
 * The team's local LLM, kept in the data folder's `settings.json` under `llm` (`vigil llm use MODEL`), so the
 * desktop app and `vigil watch` use the same model. Absent: retrieval-only mode.
 */
import { z } from 'zod';
import { readSetting, writeSetting } from '../formats/settingsFile';

export const LlmSettingSchema = z.strictObject({
  /** An Ollama model tag, e.g. `llama3.2:3b`. */
  model: z.string().min(1, 'must name an Ollama model, e.g. llama3.2:3b'),
  /** Ollama's address when not 127.0.0.1:11434. */
  host: z.string().min(1).optional(),
});
export type LlmSetting = z.infer<typeof LlmSettingSchema>;

export function readLlmSetting(dataDir: string): Promise<LlmSetting | null> {
  return readSetting(dataDir, 'llm', LlmSettingSchema, 'Set it again with `vigil llm use MODEL`, or `vigil llm off`.');
}

/** Records the model to use, or with null, switches back to retrieval-only. */
export async function writeLlmSetting(dataDir: string, setting: LlmSetting | null): Promise<void> {
  await writeSetting(dataDir, 'llm', setting === null ? undefined : LlmSettingSchema.parse(setting));
}
