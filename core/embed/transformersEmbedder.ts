/**
 * On-device sentence embeddings with transformers.js (`@huggingface/transformers`, ONNX Runtime on the CPU), from
 * a model folder an admin installed. Remote loading is switched off and every download path of the library is
 * blocked: the files are checked against the manifest's (or the pinned) sha256 first, then loaded from that folder
 * only. Pooling (mean over real tokens, or [CLS]) and normalisation are done here, as sentence-transformers does.
 */
import { posix } from 'node:path';
import type * as Transformers from '@huggingface/transformers';
import { errorMessage } from '../formats/errorMessage';
import type { EmbedMode, Embedder } from './embedder';
import { checkModelFiles, modelFingerprint, type TransformersManifest } from './modelManifest';
import { normalize } from './vectorMath';

type TransformersLibrary = typeof Transformers;
type Tokenizer = Awaited<ReturnType<TransformersLibrary['AutoTokenizer']['from_pretrained']>>;
type Model = Awaited<ReturnType<TransformersLibrary['AutoModel']['from_pretrained']>>;

/** The model files an admin installed are missing, changed, or not pinned; the message says what to do. */
export class ModelNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelNotReadyError';
  }
}

/** Every URL transformers.js tried to fetch in this process (none, unless something is wrong). */
const blockedRequests: string[] = [];

/** URLs transformers.js attempted to fetch and Vigil refused, for diagnostics and tests. */
export function blockedTransformersRequests(): readonly string[] {
  return blockedRequests;
}

/** Stands in for transformers.js's `fetch`: model files are never downloaded behind the user's back. */
async function refuseFetch(input: string | URL): Promise<never> {
  const url = String(input);
  blockedRequests.push(url);
  throw new Error(`Vigil blocked a download by transformers.js (${url}): models are loaded only from local folders (models/README.md).`);
}

let library: Promise<TransformersLibrary> | null = null;

/**
 * transformers.js, loaded on first use (the built-in embedder never pays for ONNX Runtime), with remote models
 * off, its file caches off (a cache is consulted before the local folder, so it could shadow the verified files),
 * `localModelPath` set to the models folder, and its `fetch` replaced by one that refuses.
 */
export async function offlineTransformers(modelsDir: string): Promise<TransformersLibrary> {
  library ??= import('@huggingface/transformers');
  const t = await library;
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.localModelPath = modelsDir.endsWith('/') ? modelsDir : `${modelsDir}/`;
  t.env.useFSCache = false;
  t.env.useBrowserCache = false;
  t.env.useCustomCache = false;
  t.env.useWasmCache = false;
  t.env.fetch = refuseFetch;
  t.env.logLevel = t.LogLevel.ERROR;
  return t;
}

export interface TransformersEmbedderOptions {
  /** The folder model folders are relative to (see `defaultModelsDir`). */
  modelsDir: string;
  /** Texts per forward pass; bounds memory at maxInputTokens × dimensions × batch floats. */
  batchSize?: number;
}

/** One tokenised text, before padding. */
interface Encoding {
  input_ids: number[];
  attention_mask: number[];
  token_type_ids?: number[];
}

/**
 * Loads the model folder with transformers.js as production does: local files only, fp32 ONNX graph on the CPU.
 * The caller has checked the files' hashes. Exported so tests can prove what the library does on its own with an
 * incomplete folder (it must fail locally, without a network request).
 */
export async function loadLocalModel(
  folder: string,
  modelFile: string,
  modelsDir: string,
): Promise<{ tokenizer: Tokenizer; model: Model; library: TransformersLibrary }> {
  const t = await offlineTransformers(modelsDir);
  const subfolder = posix.dirname(modelFile) === '.' ? '' : posix.dirname(modelFile);
  const tokenizer = await t.AutoTokenizer.from_pretrained(folder, { local_files_only: true });
  const model = await t.AutoModel.from_pretrained(folder, {
    local_files_only: true,
    subfolder,
    model_file_name: posix.basename(modelFile, '.onnx'),
    dtype: 'fp32',
    device: 'cpu',
  });
  return { tokenizer, model, library: t };
}

export class TransformersEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly maxInputTokens: number;
  private readonly batchSize: number;
  /** Forward passes run one at a time: ONNX Runtime already uses every core for one. */
  private running: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly manifest: TransformersManifest,
    private readonly tokenizer: Tokenizer,
    private readonly model: Model,
    private readonly library: TransformersLibrary,
    fingerprint: string,
    batchSize: number,
  ) {
    this.id = `${manifest.id}@${fingerprint}`;
    this.dimensions = manifest.dimensions;
    this.maxInputTokens = manifest.maxInputTokens;
    this.batchSize = batchSize;
  }

  /**
   * Checks the model's files against the manifest or this machine's pins, loads them, and runs one probe text to
   * make sure the model's vectors have the manifest's size. Throws `ModelNotReadyError` (saying how to install or
   * pin the files) when the files are not exactly the expected ones.
   */
  static async load(manifest: TransformersManifest, options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
    const check = await checkModelFiles(manifest, options.modelsDir);
    if (!check.ready) throw new ModelNotReadyError(check.problem ?? `Model ${manifest.id} is not ready.`);
    let loaded: Awaited<ReturnType<typeof loadLocalModel>>;
    try {
      loaded = await loadLocalModel(check.folder, manifest.modelFile, options.modelsDir);
    } catch (err) {
      throw new Error(
        `Could not load model ${manifest.id} from ${check.folder}: ${errorMessage(err)}. The files match their hashes, so ` +
          `the manifest may not describe this model correctly (modelFile, files); see models/README.md.`,
      );
    }
    const hashes = Object.fromEntries(check.files.map((f) => [f.path, f.actual!]));
    const embedder = new TransformersEmbedder(
      manifest,
      loaded.tokenizer,
      loaded.model,
      loaded.library,
      modelFingerprint(manifest, hashes),
      options.batchSize ?? 16,
    );
    try {
      await embedder.embed(['probe'], 'query');
    } catch (err) {
      await embedder.close();
      throw err;
    }
    return embedder;
  }

  async embed(texts: readonly string[], mode: EmbedMode): Promise<Float32Array[]> {
    if (this.closed) throw new Error(`The ${this.manifest.id} embedder was closed.`);
    if (texts.length === 0) return [];
    const prefix = this.manifest.prefixes[mode];
    // Each distinct text is embedded once, so repeated texts get the very same vector (not one a rounding apart
    // from another batch's padding).
    const distinct = [...new Set(texts)];
    const encodings = distinct.map((text) => this.encode(prefix + text));
    // Batches of similar lengths waste less work on padding; results go back in input order.
    const order = encodings.map((_, i) => i).sort((a, b) => encodings[a]!.input_ids.length - encodings[b]!.input_ids.length);
    const vectors = new Map<string, Float32Array>();
    for (let start = 0; start < order.length; start += this.batchSize) {
      const batch = order.slice(start, start + this.batchSize);
      const pooled = await this.serially(() => this.forward(batch.map((i) => encodings[i]!)));
      batch.forEach((index, j) => vectors.set(distinct[index]!, pooled[j]!));
    }
    return texts.map((text) => Float32Array.from(vectors.get(text)!));
  }

  /** Releases the ONNX Runtime session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.running.catch(() => undefined);
    await this.model.dispose();
  }

  /**
   * Tokenises one text with the model's special tokens and truncates it to `maxInputTokens`, keeping the closing
   * special token(s) ([SEP], </s>) as the model saw them in training (transformers.js would cut them off).
   */
  private encode(text: string): Encoding {
    const full = this.tokenizer(text, { return_tensor: false }) as unknown as Encoding;
    const max = this.maxInputTokens;
    if (full.input_ids.length <= max) return full;
    const special = new Set(this.tokenizer.all_special_ids);
    let trailing = 0;
    while (trailing < 2 && special.has(full.input_ids[full.input_ids.length - 1 - trailing]!)) trailing++;
    const keep = Math.max(0, max - trailing);
    const cut = (values: number[]): number[] => [...values.slice(0, keep), ...values.slice(values.length - trailing)];
    return {
      input_ids: cut(full.input_ids),
      attention_mask: cut(full.attention_mask),
      ...(full.token_type_ids ? { token_type_ids: cut(full.token_type_ids) } : {}),
    };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.running.then(work, work);
    this.running = result.catch(() => undefined);
    return result;
  }

  /** Pads a batch, runs the graph, and pools its `last_hidden_state` into unit vectors. */
  private async forward(batch: readonly Encoding[]): Promise<Float32Array[]> {
    const { Tensor } = this.library;
    const length = Math.max(...batch.map((e) => e.input_ids.length));
    const tensor = (key: keyof Encoding, pad: number): InstanceType<typeof Tensor> => {
      const data = new BigInt64Array(batch.length * length);
      batch.forEach((e, b) => {
        const values = e[key] ?? [];
        for (let s = 0; s < length; s++) data[b * length + s] = BigInt(s < values.length ? values[s]! : pad);
      });
      return new Tensor('int64', data, [batch.length, length]);
    };
    const inputs: Record<string, InstanceType<typeof Tensor>> = {
      input_ids: tensor('input_ids', this.tokenizer.pad_token_id ?? 0),
      attention_mask: tensor('attention_mask', 0),
    };
    if (batch[0]?.token_type_ids) inputs['token_type_ids'] = tensor('token_type_ids', 0);

    const outputs = (await this.model(inputs)) as Record<string, InstanceType<typeof Tensor> | undefined>;
    const hidden = outputs['last_hidden_state'];
    if (!hidden) {
      throw new Error(
        `Model ${this.manifest.id} has no "last_hidden_state" output (it has: ${Object.keys(outputs).join(', ')}); Vigil needs a ` +
          `sentence-transformer exported with its token vectors (models/README.md).`,
      );
    }
    const [, seq, dim] = hidden.dims as [number, number, number];
    if (dim !== this.dimensions) {
      throw new Error(
        `Model ${this.manifest.id} produces ${dim}-dimension vectors but its manifest (${this.manifest.id}) says ${this.dimensions}. ` +
          `Correct "dimensions" in the manifest, or install the model it describes.`,
      );
    }
    const data = hidden.data as Float32Array;
    return batch.map((e, b) => {
      const vector = new Float32Array(dim);
      if (this.manifest.pooling === 'cls') {
        vector.set(data.subarray(b * seq * dim, b * seq * dim + dim));
      } else {
        let count = 0;
        for (let s = 0; s < e.input_ids.length; s++) {
          if (!e.attention_mask[s]) continue;
          const row = data.subarray((b * seq + s) * dim, (b * seq + s + 1) * dim);
          for (let k = 0; k < dim; k++) vector[k]! += row[k]!;
          count++;
        }
        for (let k = 0; k < dim; k++) vector[k]! /= Math.max(count, 1);
      }
      return normalize(vector);
    });
  }
}
