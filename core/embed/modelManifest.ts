/**
 * Model manifests: the facts about an embedding model kept as data (`models/*.json`), and the checks that make
 * sure the files an admin installed are the ones the manifest describes. Nothing here downloads anything: a file
 * that is missing or whose sha256 differs is reported with what to do about it.
 *
 * Hashes that could not be known when a manifest was written (`"sha256": null`) are pinned on the admin's machine
 * with `vigil models pin <id>` (trust on first use): the hashes of the files present are recorded in
 * `<models folder>/pins.json`, and from then on a changed file is refused.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeJsonAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { userDataDir } from '../formats/dataDir';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256: 64 lower-case hexadecimal digits (or null until pinned)');

/** A path inside the model folder: relative, forward slashes, never leaving the folder. */
const RelativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').includes('..'), {
    message: 'must be a relative path inside the model folder, with forward slashes and no ".."',
  });

const common = {
  /** Manifest format version. */
  format: z.literal(1),
  /** What `vigil models use <id>` and the settings name; lower case, stable. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lower-case letters, digits, ".", "_" or "-"'),
  /** The model's own name, as its authors publish it. */
  name: z.string().min(1),
  task: z.literal('sentence-embedding'),
  dimensions: z.number().int().positive(),
  /** Longest input the model was trained on, in its own tokens; longer inputs are truncated. */
  maxInputTokens: z.number().int().positive(),
  /** Text put before a search query or a stored document, as the model's authors prescribe. */
  prefixes: z.strictObject({ query: z.string(), document: z.string() }),
  licence: z.string().min(1),
  /** Where an admin obtains the files (informational: Vigil never fetches it). */
  source: z.string().min(1),
  notes: z.string().optional(),
};

export const TransformersManifestSchema = z
  .strictObject({
    ...common,
    backend: z.literal('transformers'),
    /** How token vectors become one text vector: the mean over real tokens, or the first ([CLS]) token. */
    pooling: z.enum(['mean', 'cls']),
    /** The model's folder: relative to the models folder, or absolute. */
    folder: z.string().min(1),
    /** The ONNX graph to run (fp32), inside the folder. */
    modelFile: RelativePath.refine((p) => p.endsWith('.onnx'), { message: 'must name an .onnx file' }),
    /** Every file the model needs, with its sha256 (null: not known yet; pin it on the machine). */
    files: z.array(z.strictObject({ path: RelativePath, sha256: Sha256.nullable() })).min(1),
  })
  .superRefine((m, ctx) => {
    const paths = new Set(m.files.map((f) => f.path));
    for (const needed of [m.modelFile, 'config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      if (!paths.has(needed)) ctx.addIssue({ code: 'custom', path: ['files'], message: `must list ${needed}` });
    }
    if (paths.size !== m.files.length) ctx.addIssue({ code: 'custom', path: ['files'], message: 'lists a file twice' });
  });

export const OllamaManifestSchema = z.strictObject({
  ...common,
  backend: z.literal('ollama'),
  /** The Ollama model tag, as `ollama pull` takes it. */
  tag: z.string().regex(/^[\w.\-/]+(:[\w.-]+)?$/, 'must be an Ollama model tag such as nomic-embed-text or nomic-embed-text:v1.5'),
  /** The model's digest as `/api/tags` reports it (null: not known yet; pin it on the machine). */
  digest: Sha256.nullable(),
});

export const ManifestSchema = z.discriminatedUnion('backend', [TransformersManifestSchema, OllamaManifestSchema]);

export type TransformersManifest = z.infer<typeof TransformersManifestSchema>;
export type OllamaManifest = z.infer<typeof OllamaManifestSchema>;
export type ModelManifest = z.infer<typeof ManifestSchema>;

/** A manifest with the file it was read from. */
export type LoadedManifest = ModelManifest & { readonly manifestFile: string };

/**
 * The manifests shipped with Vigil (this repository's `models/` folder). Two levels up from this module in the
 * source tree (`core/embed/`) and from the bundled main process (`out/main/`) alike.
 */
export function bundledManifestDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');
}

/**
 * Where model files live on this machine: `VIGIL_MODELS_DIR`, or `models/` in the per-user application folder
 * (shared by every team's data folder, since the files are large and the same for all).
 */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['VIGIL_MODELS_DIR'] || join(userDataDir(env), 'models');
}

/** Manifests are read from the bundled folder, then from `<models folder>/manifests/` (an admin's own). */
export function manifestDirs(modelsDir: string): string[] {
  return [bundledManifestDir(), join(modelsDir, 'manifests')];
}

/** The 1-based line where a JSON field is, found by walking its path's keys through the text (best effort). */
function lineOfField(text: string, path: readonly PropertyKey[]): number {
  let pos = 0;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key === 'number') {
      // The n-th element of an array: step to the n-th occurrence of the next key after the array's start.
      const next = path[i + 1];
      if (typeof next !== 'string') break;
      let at = pos;
      for (let n = 0; n <= key && at >= 0; n++) at = text.indexOf(`"${next}"`, n === 0 ? at : at + 1);
      if (at < 0) break;
      pos = at;
      i++;
      continue;
    }
    const at = text.indexOf(`"${String(key)}"`, pos);
    if (at < 0) break;
    pos = at;
  }
  return text.slice(0, pos).split('\n').length;
}

/**
 * Offset of the first syntax error in text that `JSON.parse` rejected. Node 20's messages do not always say where,
 * so a minimal JSON scanner finds it; only the position matters, not the value.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i]! < ' ') fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!number) fail();
      i += number![0].length;
    }
  };
  try {
    value();
    ws();
    return i; // trailing content, if any, starts here
  } catch (offset) {
    if (typeof offset === 'number') return Math.min(offset, text.length);
    throw offset;
  }
}

/** Parses one manifest's text; errors read `file:line: field: problem`. */
export function parseManifest(text: string, file: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const line = text.slice(0, jsonErrorOffset(text)).split('\n').length;
    throw new Error(`${file}:${line}: (file): not valid JSON (${errorMessage(err)})`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // A misspelt field ("dimension") is named itself, so the line points at it.
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    const field = path.length > 0 ? path.map(String).join('.') : '(file)';
    throw new Error(`${file}:${lineOfField(text, path)}: ${field}: ${issue.message}`);
  }
  return parsed.data;
}

export interface ManifestSet {
  manifests: LoadedManifest[];
  /** Manifests that could not be used, each as `file:line: field: problem`. */
  problems: string[];
}

/**
 * Reads every `*.json` manifest in `dirs` (missing folders are skipped). A bad manifest is reported and left out;
 * the others are still returned. When two manifests share an id, the first one read wins and the other is reported.
 */
export async function loadManifests(dirs: readonly string[]): Promise<ManifestSet> {
  const manifests: LoadedManifest[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const name of names) {
      const file = join(dir, name);
      try {
        const manifest = parseManifest(await readFile(file, 'utf8'), file);
        const earlier = manifests.find((m) => m.id === manifest.id);
        if (earlier) {
          problems.push(`${file}:1: id: "${manifest.id}" is already defined by ${earlier.manifestFile}; this one is ignored`);
          continue;
        }
        manifests.push({ ...manifest, manifestFile: file });
      } catch (err) {
        problems.push(errorMessage(err));
      }
    }
  }
  return { manifests, problems };
}

/** Finds a manifest by id, or throws naming the ids there are. */
export function findManifest(set: ManifestSet, id: string): LoadedManifest {
  const found = set.manifests.find((m) => m.id === id);
  if (found) return found;
  const known = set.manifests.map((m) => m.id).join(', ') || 'none';
  throw new Error(`No model manifest has the id "${id}" (known: ${known}). Run \`vigil models list\` to see them.`);
}

// ── Pins: hashes recorded on this machine (trust on first use) ───────────────────────────────────────────────

const PINS_FILE = 'pins.json';

const PinSchema = z.object({
  pinnedAt: z.string(),
  /** sha256 by file path (transformers models). */
  files: z.record(z.string(), Sha256).optional(),
  /** Ollama digest (Ollama models). */
  digest: Sha256.optional(),
});
const PinsSchema = z.object({ format: z.literal(1), models: z.record(z.string(), PinSchema) });
export type PinRecord = z.infer<typeof PinSchema>;
export type Pins = z.infer<typeof PinsSchema>;

export function pinsFile(modelsDir: string): string {
  return join(modelsDir, PINS_FILE);
}

/** The hashes pinned on this machine (none when the file does not exist). */
export async function readPins(modelsDir: string): Promise<Pins> {
  const file = pinsFile(modelsDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: 1, models: {} };
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}:1: (file): not valid JSON (${errorMessage(err)}). Restore it from a backup, or delete it and pin the models again.`);
  }
  const parsed = PinsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}:${lineOfField(text, issue.path)}: ${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Records (or, with `record` null, removes) the pin of one model; atomic replace. */
export async function writePin(modelsDir: string, id: string, record: PinRecord | null): Promise<void> {
  const pins = await readPins(modelsDir);
  if (record) pins.models[id] = record;
  else delete pins.models[id];
  await writeJsonAtomic(pinsFile(modelsDir), pins);
}

// ── File checks ───────────────────────────────────────────────────────────────────────────────────────────────

/** sha256 of a file, streamed (model files are hundreds of megabytes). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export type FileState = 'ok' | 'missing' | 'mismatch' | 'unpinned';

export interface FileCheck {
  path: string;
  absolutePath: string;
  /** The sha256 the file must have, from the manifest or else from this machine's pin; null when neither has one. */
  expected: string | null;
  expectedFrom: 'manifest' | 'pin' | null;
  /** The file's sha256, or null when it is missing. */
  actual: string | null;
  state: FileState;
}

export interface ModelCheck {
  manifest: TransformersManifest;
  folder: string;
  files: FileCheck[];
  /** Every file present with the sha256 it must have. */
  ready: boolean;
  /** What is wrong and what to do about it, in words; null when ready. */
  problem: string | null;
}

/** The model's folder on this machine. */
export function modelFolder(manifest: TransformersManifest, modelsDir: string): string {
  return isAbsolute(manifest.folder) ? manifest.folder : resolve(modelsDir, manifest.folder);
}

/** Hashes every file of a transformers model and compares it with the manifest, or with this machine's pin. */
export async function checkModelFiles(manifest: TransformersManifest, modelsDir: string): Promise<ModelCheck> {
  const folder = modelFolder(manifest, modelsDir);
  const pin = (await readPins(modelsDir)).models[manifest.id];
  const files: FileCheck[] = [];
  for (const file of manifest.files) {
    const absolutePath = join(folder, ...file.path.split(posix.sep));
    const expected = file.sha256 ?? pin?.files?.[file.path] ?? null;
    const expectedFrom = file.sha256 ? 'manifest' : expected ? 'pin' : null;
    let actual: string | null = null;
    try {
      if ((await stat(absolutePath)).isFile()) actual = await sha256File(absolutePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const state: FileState = actual === null ? 'missing' : expected === null ? 'unpinned' : actual === expected ? 'ok' : 'mismatch';
    files.push({ path: file.path, absolutePath, expected, expectedFrom, actual, state });
  }
  const check = { manifest, folder, files, ready: files.every((f) => f.state === 'ok'), problem: null as string | null };
  check.problem = check.ready ? null : describeProblem(check);
  return check;
}

function describeProblem(check: ModelCheck): string {
  const { manifest, folder } = check;
  const of = (state: FileState): FileCheck[] => check.files.filter((f) => f.state === state);
  const missing = of('missing');
  if (missing.length === check.files.length) {
    return (
      `Model ${manifest.id} is not installed: none of its files is in ${folder}. Copy them there ` +
      `(${manifest.files.map((f) => f.path).join(', ')}; from ${manifest.source}), then run \`vigil models verify ${manifest.id}\`. ` +
      `Vigil never downloads model files itself (models/README.md).`
    );
  }
  if (missing.length > 0) {
    return (
      `Model ${manifest.id} is not installed: ${missing.map((f) => f.absolutePath).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ` +
      `Copy the model's files (${manifest.files.map((f) => f.path).join(', ')}, from ${manifest.source}) into ${folder}, ` +
      `then run \`vigil models verify ${manifest.id}\`. Vigil never downloads model files itself (models/README.md).`
    );
  }
  const mismatch = of('mismatch');
  if (mismatch.length > 0) {
    const f = mismatch[0]!;
    const fix =
      f.expectedFrom === 'pin'
        ? `Restore the file that was pinned, or, if the model was replaced on purpose, run \`vigil models unpin ${manifest.id}\` and then \`vigil models pin ${manifest.id}\`.`
        : `Copy the file again from ${manifest.source}; the manifest (${manifest.id}) names the exact file it expects.`;
    return (
      `Model ${manifest.id} is refused: ${f.absolutePath} has sha256 ${f.actual}, but the ${f.expectedFrom === 'pin' ? 'hash pinned on this machine' : 'manifest'} ` +
      `says ${f.expected}${mismatch.length > 1 ? ` (and ${mismatch.length - 1} more file(s) differ)` : ''}. ${fix}`
    );
  }
  return (
    `Model ${manifest.id}'s file hashes are not pinned yet (${of('unpinned').map((f) => f.path).join(', ')}): the manifest could not ` +
    `include them. Check the files in ${folder} came from ${manifest.source}, then run \`vigil models pin ${manifest.id}\` to record ` +
    `their sha256 on this machine; after that, any change to them is refused.`
  );
}

/**
 * Pins the sha256 of a transformers model's files as they are now (trust on first use). Refuses when a file is
 * missing, when a file differs from a hash the manifest gives, or when the model is already pinned with other
 * hashes (unpin first to accept a deliberate change). Returns whether anything new was recorded.
 */
export async function pinModelFiles(manifest: TransformersManifest, modelsDir: string, now = new Date()): Promise<{ pinned: boolean; check: ModelCheck }> {
  const check = await checkModelFiles(manifest, modelsDir);
  const blocking = check.files.find((f) => f.state === 'missing' || f.state === 'mismatch');
  if (blocking) throw new Error(check.problem ?? `Model ${manifest.id} cannot be pinned.`);
  if (check.ready) return { pinned: false, check };
  const files = Object.fromEntries(check.files.map((f) => [f.path, f.actual!]));
  await writePin(modelsDir, manifest.id, { pinnedAt: now.toISOString(), files });
  return { pinned: true, check: await checkModelFiles(manifest, modelsDir) };
}

/**
 * A short, stable fingerprint of everything that shapes a model's vectors: the exact files (or Ollama digest),
 * pooling, prefixes, truncation and size. Embedder ids carry it, so a changed model re-indexes into a new table.
 */
export function modelFingerprint(manifest: ModelManifest, weights: Record<string, string> | string): string {
  const shape =
    manifest.backend === 'transformers'
      ? { pooling: manifest.pooling, modelFile: manifest.modelFile }
      : { tag: manifest.tag };
  const files = typeof weights === 'string' ? weights : Object.entries(weights).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonical = JSON.stringify([manifest.backend, manifest.dimensions, manifest.maxInputTokens, manifest.prefixes, shape, files]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}
