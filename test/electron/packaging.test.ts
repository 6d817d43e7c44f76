/**
 * Packaging: electron-builder, with the project's own `electron-builder.yml`, packs the freshly built app for Linux
 * (the `dir` target, which every installer target starts from), and the result is checked the way a crash on a
 * user's machine would check it: every module the main process imports, and everything those need in turn, is in
 * the archive; native binaries sit outside it; nothing from development rides along; the fuses are flipped.
 *
 * What stands in: the Electron binary cannot be downloaded here, so `electronDist` points at a stand-in folder whose
 * `electron` file carries only what electron-builder touches in a real one, the fuse wire (the sentinel, wire version
 * 1 and nine fuses left at "inherit"). Everything else (file selection, asar packing and unpacking, the fuse flip) is
 * electron-builder's real work on the real build. The installers themselves (AppImage, deb, dmg, nsis) need tools
 * fetched at package time and are built on a release machine with `npm run dist`.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { openAsar, type AsarArchive } from '../support/asarArchive';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** @electron/fuses' wire values: '0' disabled, '1' enabled, 0x90 left as the binary's default. */
const DISABLE = 0x30;
const ENABLE = 0x31;
const INHERIT = 0x90;
/** The one source file the app runs as it is: the store's compaction worker, started as a utility process. */
const MAINTENANCE_WORKER = 'core/knowledge/optimizeWorker.mjs';
/** Positions on fuse wire version 1 (@electron/fuses FuseV1Options). */
const FUSE = { runAsNode: 0, cookieEncryption: 1, nodeOptions: 2, nodeCliInspect: 3, asarIntegrity: 4, onlyLoadAppFromAsar: 5, fileProtocolExtraPrivileges: 7 } as const;

/**
 * Packages the main process does not need at run time although a dependency lists them, each with the claim that
 * makes that true; the claim is checked below, so the exclusion cannot outlive it.
 */
const NOT_SHIPPED: Record<string, { why: string; file: string }> = {
  'onnxruntime-web': {
    why: "transformers.js's Node build carries the part of onnxruntime-web it uses inside its own bundle and runs models on onnxruntime-node; the package itself (145 MB of browser builds) is never imported",
    file: 'node_modules/@huggingface/transformers/dist/transformers.node.mjs',
  },
};

let work: string;
let archive: AsarArchive;
let unpackedDir: string;
let binary: Buffer;

/** A package's folder as Node would resolve `name` from `fromDir` (walking up through node_modules folders). */
function resolvePackage(files: ReadonlySet<string>, fromDir: string, name: string): string | null {
  let dir = fromDir;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (files.has(`${candidate}/package.json`)) return candidate;
    if (!dir) return null;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at === -1 ? '' : dir.slice(0, at);
  }
}

/** Bare module names a built file imports (static, dynamic or require), without Node's built-ins and `electron`. */
function bareImports(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([a-z0-9@][^"'\s]*)["']/g)) {
    const spec = m[1] as string;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
    if (name === 'electron' || name.startsWith('node:') || builtinModules.includes(name)) continue;
    names.add(name);
  }
  return names;
}

beforeAll(async () => {
  work = await tempFolder('vigil-package-');
  // The same build `npm run build` makes; electron-builder packs out/.
  await run(join(ROOT, 'node_modules/.bin/electron-vite'), ['build'], { cwd: ROOT });

  const dist = join(work, 'electron-dist');
  await mkdir(dist);
  const fuseWire = Buffer.from([1, 9, ...Array<number>(9).fill(INHERIT)]);
  await writeFile(join(dist, 'electron'), Buffer.concat([Buffer.from('stand-in for the Electron binary\n'), Buffer.from(SENTINEL), fuseWire]), { mode: 0o755 });
  const electronVersion = (JSON.parse(await readFile(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
  await writeFile(join(dist, 'version'), electronVersion);

  const output = join(work, 'dist');
  await run(
    join(ROOT, 'node_modules/.bin/electron-builder'),
    ['--linux', 'dir', '--projectDir', ROOT, `-c.electronDist=${dist}`, `-c.directories.output=${output}`],
    { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, maxBuffer: 16 * 1024 * 1024 },
  );
  const appDir = join(output, 'linux-unpacked');
  archive = await openAsar(join(appDir, 'resources/app.asar'));
  unpackedDir = join(appDir, 'resources/app.asar.unpacked');
  binary = await readFile(join(appDir, 'vigil-desktop'));
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packaged app (electron-builder, Linux dir target)', () => {
  it('holds the three built processes, the model manifests and the icons', () => {
    for (const file of ['package.json', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'models/all-minilm-l6-v2.json', 'resources/tray.png', MAINTENANCE_WORKER]) {
      expect(archive.files.has(file), file).toBe(true);
    }
  });

  it('holds every package the main process imports, and everything those depend on in turn', async () => {
    const files = new Set(archive.files.keys());
    const roots = bareImports(await archive.readText('out/main/index.js'));
    expect([...roots]).toEqual(expect.arrayContaining(['@lancedb/lancedb', 'zod', 'ollama', 'imapflow']));
    const workerRoots = bareImports(await archive.readText(MAINTENANCE_WORKER));
    expect([...workerRoots]).toEqual(['@lancedb/lancedb']);

    const missing: string[] = [];
    const seen = new Set<string>();
    const queue = [
      ...[...roots].map((name) => ({ name, from: '', via: 'out/main/index.js' })),
      ...[...workerRoots].map((name) => ({ name, from: 'core/knowledge', via: MAINTENANCE_WORKER })),
    ];
    while (queue.length > 0) {
      const { name, from, via } = queue.shift() as { name: string; from: string; via: string };
      if (NOT_SHIPPED[name]) continue;
      const dir = resolvePackage(files, from, name);
      if (!dir) {
        missing.push(`${name} (needed by ${via})`);
        continue;
      }
      if (seen.has(dir)) continue;
      seen.add(dir);
      const pkg = JSON.parse(await archive.readText(`${dir}/package.json`)) as { dependencies?: Record<string, string> };
      for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir, via: dir });
    }
    expect(missing).toEqual([]);
    expect(seen.size).toBeGreaterThan(20);
  });

  it('leaves out only packages that are never imported, for the reason given', async () => {
    for (const [name, { why, file }] of Object.entries(NOT_SHIPPED)) {
      expect([...archive.files.keys()].some((f) => f.startsWith(`node_modules/${name}/`)), `${name} is still packed`).toBe(false);
      const code = await readFile(join(ROOT, file), 'utf8');
      expect(bareImports(code).has(name), why).toBe(false);
    }
  });

  it('keeps native binaries outside the archive, for this platform only', async () => {
    const natives = [...archive.files.values()].filter((f) => f.path.endsWith('.node'));
    expect(natives.length).toBeGreaterThan(0);
    expect(natives.filter((f) => !f.unpacked).map((f) => f.path)).toEqual([]);
    const paths = natives.map((f) => f.path);
    expect(paths.some((p) => p.includes('@lancedb/lancedb-linux-x64'))).toBe(true);
    expect(paths.filter((p) => p.includes('onnxruntime-node/'))).toEqual(['node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node']);
    for (const native of paths) expect((await stat(join(unpackedDir, native))).size, native).toBeGreaterThan(100_000);
  });

  it('carries nothing from development: no sources, tests, docs, dev tools or the CLI runner', () => {
    const paths = [...archive.files.keys()];
    for (const top of ['core/', 'electron/', 'renderer/', 'test/', 'docs/', '.ci/', 'README.md', 'node_modules/.bin/']) {
      expect(paths.filter((p) => p.startsWith(top) && p !== MAINTENANCE_WORKER).slice(0, 3), top).toEqual([]);
    }
    for (const dev of ['vitest', 'playwright-core', 'electron', 'electron-builder', 'eslint', 'typescript', 'tsx', 'esbuild', 'happy-dom']) {
      expect(paths.some((p) => p.startsWith(`node_modules/${dev}/`)), dev).toBe(false);
    }
  });

  it('flips the fuses: no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect; the app only from its checked asar; no extra file:// privileges; cookies encrypted', () => {
    const at = binary.indexOf(SENTINEL) + SENTINEL.length;
    expect(binary[at]).toBe(1);
    const wire = binary.subarray(at + 2, at + 2 + (binary[at + 1] as number));
    expect(wire[FUSE.runAsNode]).toBe(DISABLE);
    expect(wire[FUSE.nodeOptions]).toBe(DISABLE);
    expect(wire[FUSE.nodeCliInspect]).toBe(DISABLE);
    expect(wire[FUSE.asarIntegrity]).toBe(ENABLE);
    expect(wire[FUSE.onlyLoadAppFromAsar]).toBe(ENABLE);
    expect(wire[FUSE.fileProtocolExtraPrivileges]).toBe(DISABLE);
    expect(wire[FUSE.cookieEncryption]).toBe(ENABLE);
  });
});
