/**
 * A plain `npm install` stays quiet and offline-safe: no dependency's install script runs (`.npmrc`), each one in
 * the tree is known not to be needed, and the Node version asked for is the same in package.json, the README and CI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const read = (name: string): string => readFileSync(join(root, name), 'utf8');

/** Every dependency with an install script, and why skipping it loses nothing. */
const SKIPPED_INSTALL_SCRIPTS: Record<string, string> = {
  'onnxruntime-node': 'downloads CUDA GPU libraries; the CPU binaries the embedder runs ship inside the package',
  '@lancedb/lancedb/node_modules/onnxruntime-node': "LanceDB's optional embedding functions, which Vigil does not use",
  '@lancedb/lancedb/node_modules/sharp': "checks for prebuilt image binaries of LanceDB's optional embeddings",
  'electron-winstaller': "picks 7-Zip for Squirrel.Windows installers; the Windows build is NSIS (electron-builder.yml)",
  'es5-ext': 'prints a message',
  esbuild: 'checks its platform binary, which comes as an optional dependency',
  protobufjs: 'checks the versions of its command-line tools',
};

describe('installing', () => {
  it('runs no dependency install script, with no unknown setting in .npmrc for npm to warn about', () => {
    const settings = read('.npmrc')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => line.split('=')[0]?.trim());
    expect(settings).toContain('ignore-scripts');
    expect(settings.every((key) => ['ignore-scripts', 'fund', 'audit'].includes(key ?? ''))).toBe(true);
  });

  it('knows why each install script in the lock file may be skipped (a new one must be looked at)', () => {
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^node_modules\//, ''));
    expect(withScripts.sort()).toEqual(Object.keys(SKIPPED_INSTALL_SCRIPTS).sort());
  });

  it('asks for one Node version in package.json, the README and CI', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const wanted = /^>=(\d+)\.(\d+)$/.exec(engines);
    expect(wanted).not.toBeNull();
    const [, major, minor] = wanted ?? [];
    expect(read('README.md')).toContain(`Node.js ${major}.${minor} or newer`);
    expect(read('.ci/run')).toContain(`a>${major}||(a===${major}&&b>=${minor})`);
  });
});
