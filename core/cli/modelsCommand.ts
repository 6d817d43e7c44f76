/**
 * `vigil models list|verify|pin|unpin|use`: what embedding models the manifests describe, whether their files
 * are installed and are exactly the expected ones, recording their hashes on first use, and choosing the data
 * folder's embedder. Nothing here downloads anything.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { errorMessage } from '../formats/errorMessage';
import { appDataDir } from '../formats/dataDir';
import { BUILTIN_EMBEDDER, embedderFromManifest, readEmbedderSetting, writeEmbedderSetting } from '../embed/embedderFactory';
import { HashedEmbedder } from '../embed/hashedEmbedder';
import {
  checkModelFiles,
  defaultModelsDir,
  findManifest,
  loadManifests,
  manifestDirs,
  modelFolder,
  pinsFile,
  readPins,
  writePin,
  pinModelFiles,
  type FileCheck,
  type LoadedManifest,
  type ManifestSet,
  type OllamaManifest,
  type TransformersManifest,
} from '../embed/modelManifest';
import { OllamaEmbedder } from '../embed/ollamaEmbedder';

/** The command line was wrong; the CLI prints usage and exits 2. */
export class ModelsUsageError extends Error {}

type Out = { log: (line: string) => void; error: (line: string) => void };

export const MODELS_USAGE = `  vigil models list [--models-dir DIR] [--data-dir DIR]
  vigil models verify [ID ...] [--models-dir DIR] [--ollama-host HOST]
  vigil models pin ID [--models-dir DIR] [--ollama-host HOST]
  vigil models unpin ID [--models-dir DIR]
  vigil models use ID|builtin [--data-dir DIR] [--models-dir DIR] [--ollama-host HOST]   (or --embedder ID|builtin)`;

const COMMON = {
  'models-dir': { type: 'string' },
  'data-dir': { type: 'string' },
  'ollama-host': { type: 'string' },
  embedder: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: COMMON, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ModelsUsageError(errorMessage(err));
  }
}

const short = (sha: string | null): string => (sha ? `${sha.slice(0, 12)}…` : '-');

/** Presence and pinning without hashing (hashing is `verify`'s job: it reads every byte). */
async function quickStatus(manifest: TransformersManifest, modelsDir: string, pinned: boolean): Promise<string> {
  const folder = modelFolder(manifest, modelsDir);
  let missing = 0;
  for (const file of manifest.files) {
    try {
      await stat(join(folder, ...file.path.split('/')));
    } catch {
      missing++;
    }
  }
  if (missing === manifest.files.length) return `not installed (copy its files into ${folder})`;
  if (missing > 0) return `incomplete: ${missing} of ${manifest.files.length} files missing in ${folder}`;
  if (manifest.files.every((f) => f.sha256) || pinned) return 'installed (run `vigil models verify` to check its hashes)';
  return `installed, hashes not pinned (run \`vigil models pin ${manifest.id}\`)`;
}

async function listModels(set: ManifestSet, modelsDir: string, dataDir: string, out: Out): Promise<number> {
  const chosen = (await readEmbedderSetting(dataDir))?.model ?? BUILTIN_EMBEDDER;
  const pins = await readPins(modelsDir);
  out.log(`models folder: ${modelsDir}`);
  out.log(`manifests: ${manifestDirs(modelsDir).join(', ')}`);
  out.log(`data folder: ${dataDir} (* marks its embedder)`);
  const row = (mark: string, id: string, backend: string, dims: string, maxIn: string, licence: string, status: string): void =>
    out.log(`${mark} ${id.padEnd(26)} ${backend.padEnd(12)} ${dims.padStart(5)} ${maxIn.padStart(7)}  ${licence.padEnd(11)} ${status}`);
  row(' ', 'id', 'backend', 'dims', 'max in', 'licence', 'status');
  row(chosen === BUILTIN_EMBEDDER ? '*' : ' ', BUILTIN_EMBEDDER, 'built-in', String(new HashedEmbedder().dimensions), '-', '-', 'ready (needs no files)');
  for (const m of set.manifests) {
    const status =
      m.backend === 'transformers'
        ? await quickStatus(m, modelsDir, Boolean(pins.models[m.id]))
        : `Ollama tag ${m.tag} (install with \`ollama pull ${m.tag}\`; check with \`vigil models verify ${m.id}\`)`;
    row(chosen === m.id ? '*' : ' ', m.id, m.backend, String(m.dimensions), String(m.maxInputTokens), m.licence, status);
  }
  for (const problem of set.problems) out.error(`manifest skipped: ${problem}`);
  return 0;
}

function describeFile(f: FileCheck): string {
  const from = f.expectedFrom === 'pin' ? ' (pinned on this machine)' : f.expectedFrom === 'manifest' ? ' (from the manifest)' : '';
  switch (f.state) {
    case 'ok':
      return `  ok        ${f.path.padEnd(24)} ${short(f.actual)}${from}`;
    case 'missing':
      return `  MISSING   ${f.path.padEnd(24)} ${f.absolutePath}`;
    case 'mismatch':
      return `  DIFFERS   ${f.path.padEnd(24)} expected ${short(f.expected)}${from}, found ${short(f.actual)}`;
    case 'unpinned':
      return `  UNPINNED  ${f.path.padEnd(24)} ${short(f.actual)}`;
  }
}

interface Flags {
  modelsDir: string;
  ollamaHost: string | undefined;
}

/** Verifies one model; returns whether it is ready, and whether it is installed at all. */
async function verifyOne(m: LoadedManifest, flags: Flags, out: Out): Promise<{ ready: boolean; installed: boolean }> {
  if (m.backend === 'transformers') {
    const check = await checkModelFiles(m, flags.modelsDir);
    const installed = check.files.some((f) => f.state !== 'missing');
    out.log(`${m.id}: ${check.ready ? `ready (${check.files.length} files match their sha256)` : installed ? 'NOT READY' : 'not installed'} in ${check.folder}`);
    for (const f of check.files) out.log(describeFile(f));
    if (check.problem) out.log(`  → ${check.problem}`);
    return { ready: check.ready, installed };
  }
  try {
    const embedder = await embedderFromManifest(m, { modelsDir: flags.modelsDir, ...(flags.ollamaHost ? { ollamaHost: flags.ollamaHost } : {}) });
    const digest = (embedder as OllamaEmbedder).digest;
    const pinned = m.digest ? 'the manifest’s digest' : (await readPins(flags.modelsDir)).models[m.id]?.digest ? 'the digest pinned on this machine' : null;
    out.log(`${m.id}: ready (Ollama ${m.tag}, digest ${short(digest)}, ${m.dimensions}-dimension vectors checked)`);
    out.log(pinned ? `  matches ${pinned}` : `  digest not pinned: \`vigil models pin ${m.id}\` refuses any other version from then on (optional; the index id carries the digest anyway)`);
    return { ready: true, installed: true };
  } catch (err) {
    out.log(`${m.id}: not available (Ollama ${m.tag})`);
    out.log(`  → ${errorMessage(err)}`);
    return { ready: false, installed: false };
  }
}

async function verifyModels(set: ManifestSet, ids: string[], flags: Flags, out: Out): Promise<number> {
  const chosen = ids.length > 0 ? ids.map((id) => findManifest(set, id)) : set.manifests;
  let failed = 0;
  for (const m of chosen) {
    const result = await verifyOne(m, flags, out);
    // Asked by name, a model must be ready; checking everything, only an installed model that is wrong fails.
    if (!result.ready && (ids.length > 0 || result.installed)) failed++;
  }
  for (const problem of set.problems) {
    out.error(`manifest skipped: ${problem}`);
    failed++;
  }
  return failed > 0 ? 1 : 0;
}

async function pinOllama(m: OllamaManifest, flags: Flags, out: Out): Promise<number> {
  const digest = await OllamaEmbedder.currentDigest(m, flags.ollamaHost ? { host: flags.ollamaHost } : {});
  if (m.digest) {
    if (m.digest !== digest) throw new Error(`Ollama's ${m.tag} has digest ${digest}, but the manifest says ${m.digest}: refused.`);
    out.log(`${m.id}: the manifest already pins digest ${short(digest)}; it matches.`);
    return 0;
  }
  const existing = (await readPins(flags.modelsDir)).models[m.id]?.digest;
  if (existing === digest) {
    out.log(`${m.id}: already pinned to digest ${short(digest)}.`);
    return 0;
  }
  if (existing) {
    throw new Error(
      `${m.id} is pinned to digest ${existing} but Ollama now has ${digest}: refused. If the model was updated on purpose, run \`vigil models unpin ${m.id}\` first.`,
    );
  }
  await writePin(flags.modelsDir, m.id, { pinnedAt: new Date().toISOString(), digest });
  out.log(`${m.id}: pinned Ollama ${m.tag} at digest ${digest} in ${pinsFile(flags.modelsDir)}.`);
  return 0;
}

async function pinModel(m: LoadedManifest, flags: Flags, out: Out): Promise<number> {
  if (m.backend === 'ollama') return pinOllama(m, flags, out);
  const { pinned, check } = await pinModelFiles(m, flags.modelsDir);
  for (const f of check.files) out.log(describeFile(f));
  out.log(
    pinned
      ? `${m.id}: pinned the sha256 of ${check.files.length} files in ${pinsFile(flags.modelsDir)}; from now on a changed file is refused.`
      : `${m.id}: nothing to pin; every file already matches its ${check.files.every((f) => f.expectedFrom === 'manifest') ? 'manifest' : 'pinned'} sha256.`,
  );
  return 0;
}

async function useModel(set: ManifestSet, choice: string, dataDir: string, flags: Flags & { modelsDirGiven: boolean }, out: Out): Promise<number> {
  if (choice === BUILTIN_EMBEDDER) {
    await writeEmbedderSetting(dataDir, { model: BUILTIN_EMBEDDER });
    out.log(`${dataDir} now uses the built-in embedder. Its index for it is rebuilt (or taken back) the next time the folder is opened.`);
    return 0;
  }
  const manifest = findManifest(set, choice);
  // Load it now (hashes, Ollama tag, vector size), so a choice that cannot work is never saved.
  const embedder = await embedderFromManifest(manifest, { modelsDir: flags.modelsDir, ...(flags.ollamaHost ? { ollamaHost: flags.ollamaHost } : {}) });
  await embedder.close?.();
  await writeEmbedderSetting(dataDir, {
    model: manifest.id,
    ...(flags.modelsDirGiven ? { modelsDir: flags.modelsDir } : {}),
    ...(flags.ollamaHost ? { ollamaHost: flags.ollamaHost } : {}),
  });
  out.log(`${dataDir} now uses ${manifest.id} (index ${embedder.id}, ${embedder.dimensions} dimensions).`);
  out.log('The next time the folder is opened, its knowledge is re-indexed with this model into a new table; the current one stays in use until that is complete.');
  return 0;
}

/** Runs `vigil models …`; returns the exit code. Usage mistakes throw `ModelsUsageError`. */
export async function modelsCommand(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest);
  const modelsDir = values['models-dir'] ?? defaultModelsDir();
  const dataDir = values['data-dir'] ?? appDataDir();
  const flags = { modelsDir, ollamaHost: values['ollama-host'] };
  const set = await loadManifests(manifestDirs(modelsDir));
  const one = (what: string): string => {
    if (positionals.length !== 1) throw new ModelsUsageError(`models ${what} needs exactly one model ID`);
    return positionals[0]!;
  };
  switch (sub) {
    case 'list':
      return listModels(set, modelsDir, dataDir, out);
    case 'verify':
      return verifyModels(set, positionals, flags, out);
    case 'pin':
      return pinModel(findManifest(set, one('pin')), flags, out);
    case 'unpin': {
      const id = findManifest(set, one('unpin')).id;
      if (!(await readPins(modelsDir)).models[id]) {
        out.log(`${id}: nothing was pinned on this machine.`);
        return 0;
      }
      await writePin(modelsDir, id, null);
      out.log(`${id}: its pinned hashes are removed; run \`vigil models pin ${id}\` to pin the files as they are now.`);
      return 0;
    }
    case 'use': {
      const choice = values.embedder ?? positionals[0];
      if (!choice || positionals.length > (values.embedder ? 0 : 1)) throw new ModelsUsageError('models use needs one model ID, or builtin');
      return useModel(set, choice, dataDir, { ...flags, modelsDirGiven: values['models-dir'] !== undefined }, out);
    }
    default:
      throw new ModelsUsageError(`unknown models command "${sub ?? ''}" (use list, verify, pin, unpin or use)`);
  }
}
