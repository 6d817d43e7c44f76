/**
 * The embedding models as the app's settings show them: every manifest with its state on this machine, in
 * plain words, and choosing one for a data folder (loaded first, exactly as `vigil models use` does, so a
 * choice that cannot work is never saved). Nothing here downloads anything.
 */
import { errorMessage } from '../formats/errorMessage';
import { BUILTIN_EMBEDDER, embedderFromManifest, readEmbedderSetting, writeEmbedderSetting, type EmbedderContext } from './embedderFactory';
import { HashedEmbedder } from './hashedEmbedder';
import { checkModelFiles, defaultModelsDir, findManifest, loadManifests, manifestDirs, readPins, type LoadedManifest } from './modelManifest';

/**
 * `verified`: every file matches the manifest's sha256 (or, for Ollama, the tag answers with vectors of the
 * right size); `pinned`: every file matches the hashes pinned on this machine; `installed`: the files are
 * there but their hashes are not pinned yet; `refused`: files are missing or differ; `missing`: not installed.
 */
export type ModelState = 'ready' | 'verified' | 'pinned' | 'installed' | 'refused' | 'missing';

export interface ModelView {
  id: string;
  name: string;
  backend: 'builtin' | 'transformers' | 'ollama';
  dimensions: number;
  licence: string;
  state: ModelState;
  /** What is wrong and what to do, in words; null when the model can be used. */
  reason: string | null;
  /** Whether the data folder is set to use it. */
  chosen: boolean;
}

export interface ModelCatalog {
  modelsDir: string;
  /** `builtin` or the manifest id the data folder's settings name. */
  choice: string;
  models: ModelView[];
  /** Manifests left out, each as `file:line: field: problem`. */
  problems: string[];
}

export interface CatalogContext {
  /** Default: `VIGIL_MODELS_DIR` or the per-user models folder. */
  modelsDir?: string;
  ollamaHost?: string;
  /** How long to wait for Ollama when checking an Ollama model (default 5 s: it is on this machine). */
  ollamaTimeoutMs?: number;
}

const OLLAMA_CHECK_TIMEOUT_MS = 5_000;

async function viewOf(manifest: LoadedManifest, context: EmbedderContext & { modelsDir: string }, chosen: boolean): Promise<ModelView> {
  const base = { id: manifest.id, name: manifest.name, backend: manifest.backend, dimensions: manifest.dimensions, licence: manifest.licence, chosen };
  if (manifest.backend === 'transformers') {
    const check = await checkModelFiles(manifest, context.modelsDir);
    const states = check.files.map((f) => f.state);
    const state: ModelState = check.ready
      ? check.files.every((f) => f.expectedFrom === 'manifest')
        ? 'verified'
        : 'pinned'
      : states.every((s) => s === 'missing')
        ? 'missing'
        : states.some((s) => s === 'missing' || s === 'mismatch')
          ? 'refused'
          : 'installed';
    return { ...base, state, reason: check.problem };
  }
  try {
    // Connecting checks the tag is installed and that it answers with vectors of the manifest's size.
    const embedder = await embedderFromManifest(manifest, context);
    await embedder.close?.();
    return { ...base, state: 'verified', reason: null };
  } catch (err) {
    return { ...base, state: 'missing', reason: errorMessage(err) };
  }
}

/** The built-in embedder and every manifest, with their state on this machine. Hashes every installed file. */
export async function describeModels(dataDir: string, context: CatalogContext = {}): Promise<ModelCatalog> {
  const modelsDir = context.modelsDir ?? defaultModelsDir();
  const embedderContext = {
    modelsDir,
    ollamaTimeoutMs: context.ollamaTimeoutMs ?? OLLAMA_CHECK_TIMEOUT_MS,
    ...(context.ollamaHost ? { ollamaHost: context.ollamaHost } : {}),
  };
  const choice = (await readEmbedderSetting(dataDir))?.model ?? BUILTIN_EMBEDDER;
  const set = await loadManifests(manifestDirs(modelsDir));
  // Read once here so a damaged pins file is one clear error rather than one per model.
  await readPins(modelsDir);
  const models: ModelView[] = [
    {
      id: BUILTIN_EMBEDDER,
      name: 'Built-in embedder (no model files)',
      backend: 'builtin',
      dimensions: new HashedEmbedder().dimensions,
      licence: 'MIT',
      state: 'ready',
      reason: null,
      chosen: choice === BUILTIN_EMBEDDER,
    },
  ];
  for (const manifest of set.manifests) models.push(await viewOf(manifest, embedderContext, choice === manifest.id));
  return { modelsDir, choice, models, problems: set.problems };
}

export interface ChosenModel {
  choice: string;
  /** The index id the engine will use (`<id>@<fingerprint>`), and its vector size. */
  embedderId: string;
  dimensions: number;
}

/**
 * Makes `id` (`builtin` or a manifest id) the data folder's embedder. A model is loaded first (hashes, Ollama
 * tag, a probe vector's size) and the choice saved only when that works; the error says what to fix otherwise.
 * The engine re-indexes into the model's own table the next time the folder is opened.
 */
export async function chooseModel(dataDir: string, id: string, context: CatalogContext = {}): Promise<ChosenModel> {
  if (id === BUILTIN_EMBEDDER) {
    await writeEmbedderSetting(dataDir, { model: BUILTIN_EMBEDDER });
    const builtin = new HashedEmbedder();
    return { choice: BUILTIN_EMBEDDER, embedderId: builtin.id, dimensions: builtin.dimensions };
  }
  const modelsDir = context.modelsDir ?? defaultModelsDir();
  const manifest = findManifest(await loadManifests(manifestDirs(modelsDir)), id);
  const embedder = await embedderFromManifest(manifest, { modelsDir, ...(context.ollamaHost ? { ollamaHost: context.ollamaHost } : {}) });
  await embedder.close?.();
  // The models folder is recorded only when it is not the default one, as `vigil models use --models-dir` does.
  await writeEmbedderSetting(dataDir, {
    model: manifest.id,
    ...(context.modelsDir ? { modelsDir: context.modelsDir } : {}),
    ...(context.ollamaHost ? { ollamaHost: context.ollamaHost } : {}),
  });
  return { choice: manifest.id, embedderId: embedder.id, dimensions: embedder.dimensions };
}

/** Whether the engine running with `embedderId` already uses `choice`, so no restart is needed. */
export function runsChoice(embedderId: string, choice: string): boolean {
  if (choice === BUILTIN_EMBEDDER) return embedderId === new HashedEmbedder().id;
  return embedderId.startsWith(`${choice}@`);
}
