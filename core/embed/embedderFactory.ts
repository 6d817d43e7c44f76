/**
 * Which embedder a team's data folder uses, and building it. The choice (`builtin` or a manifest id) is kept in
 * `<data folder>/settings.json` under `embedder`, written by `vigil models use`; `CopilotService.open` reads it.
 * Every backend behind the one `Embedder` interface: the built-in hashed embedder (default, no files),
 * transformers.js on a verified local model folder, and a local Ollama.
 */
import { z } from 'zod';
import { errorMessage } from '../formats/errorMessage';
import { readSetting, settingsFile, writeSetting } from '../formats/settingsFile';
import type { Embedder } from './embedder';
import { HashedEmbedder } from './hashedEmbedder';
import { defaultModelsDir, findManifest, loadManifests, manifestDirs, type LoadedManifest } from './modelManifest';
import { OllamaEmbedder } from './ollamaEmbedder';
import { TransformersEmbedder } from './transformersEmbedder';

/** The choice that needs no model files. */
export const BUILTIN_EMBEDDER = 'builtin';

export const EmbedderSettingSchema = z.strictObject({
  /** `builtin` or a manifest id. */
  model: z.string().min(1),
  /** Where the model files are, when not the default models folder. */
  modelsDir: z.string().min(1).optional(),
  /** Ollama's address, when not `OLLAMA_HOST` or 127.0.0.1:11434. */
  ollamaHost: z.string().min(1).optional(),
});
export type EmbedderSetting = z.infer<typeof EmbedderSettingSchema>;

/** The data folder's embedder choice, or null when none was made (the built-in embedder). */
export async function readEmbedderSetting(dataDir: string): Promise<EmbedderSetting | null> {
  return readSetting(dataDir, 'embedder', EmbedderSettingSchema, 'Set it again with `vigil models use <id|builtin>`.');
}

/** Records the embedder choice, keeping every other setting; atomic replace. */
export async function writeEmbedderSetting(dataDir: string, setting: EmbedderSetting): Promise<void> {
  await writeSetting(dataDir, 'embedder', EmbedderSettingSchema.parse(setting));
}

export { settingsFile };

export interface EmbedderContext {
  /** Default: `VIGIL_MODELS_DIR` or the per-user models folder. */
  modelsDir?: string;
  ollamaHost?: string;
  /** Ollama request timeout. */
  ollamaTimeoutMs?: number;
}

/** Builds an embedder from a manifest (verifying its files or its Ollama tag first). */
export async function embedderFromManifest(manifest: LoadedManifest, context: EmbedderContext = {}): Promise<Embedder> {
  const modelsDir = context.modelsDir ?? defaultModelsDir();
  if (manifest.backend === 'transformers') return TransformersEmbedder.load(manifest, { modelsDir });
  return OllamaEmbedder.connect(manifest, {
    modelsDir,
    ...(context.ollamaHost ? { host: context.ollamaHost } : {}),
    ...(context.ollamaTimeoutMs ? { timeoutMs: context.ollamaTimeoutMs } : {}),
  });
}

/** Builds the embedder `choice` names: `builtin` or a manifest id. */
export async function createEmbedder(choice: string, context: EmbedderContext = {}): Promise<Embedder> {
  if (choice === BUILTIN_EMBEDDER) return new HashedEmbedder();
  const modelsDir = context.modelsDir ?? defaultModelsDir();
  const manifests = await loadManifests(manifestDirs(modelsDir));
  return embedderFromManifest(findManifest(manifests, choice), { ...context, modelsDir });
}

/**
 * The embedder the data folder is configured for: the built-in one unless `vigil models use` chose a model. When the
 * chosen model cannot be used (files missing or changed, Ollama down), this throws rather than falling back, because
 * the folder's index was built with that model: the message says what to fix, or how to go back to the built-in one.
 */
export async function openConfiguredEmbedder(dataDir: string, onProgress?: (message: string) => void): Promise<Embedder> {
  const setting = await readEmbedderSetting(dataDir);
  if (!setting || setting.model === BUILTIN_EMBEDDER) return new HashedEmbedder();
  onProgress?.(`Checking and loading the embedding model ${setting.model}…`);
  try {
    return await createEmbedder(setting.model, {
      ...(setting.modelsDir ? { modelsDir: setting.modelsDir } : {}),
      ...(setting.ollamaHost ? { ollamaHost: setting.ollamaHost } : {}),
    });
  } catch (err) {
    throw new Error(
      `This data folder uses the embedder "${setting.model}" (${settingsFile(dataDir)}), which cannot be used now: ${errorMessage(err)} ` +
        `To go back to the built-in embedder instead, run \`vigil models use builtin --data-dir ${dataDir}\`.`,
    );
  }
}
