/**
 * `npm start`: makes sure Electron's runtime is installed (electronRuntime.ts), then runs `electron-vite dev` with
 * the arguments given (`npm start -- --inspect`). Offline without a runtime it prints one message saying how to
 * provide one and exits 1, instead of electron-vite's "Electron uninstall" stack trace.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ensureElectronRuntime, type RuntimeHost } from './electronRuntime';
import { downloadRuntimeZip } from './runtimeDownload';

/** How long the reachability check of the download site may take: a slow DNS answer is still an answer. */
const REACH_TIMEOUT_MS = 8_000;

const require = createRequire(import.meta.url);

function runNode(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit', env });
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const electronDir = dirname(require.resolve('electron/package.json'));
  const { version } = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string };
  const host: RuntimeHost = {
    electronDir,
    version,
    platform: process.platform,
    arch: process.arch,
    env: process.env,
    exists: existsSync,
    readText: (path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    canReach: async (url) => {
      try {
        await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
        return true;
      } catch {
        return false;
      }
    },
    downloadZip: async (onProgress) => {
      await downloadRuntimeZip({ electronDir, version, platform: process.platform, arch: process.arch, env: process.env, onProgress });
    },
    runInstaller: () => runNode(join(electronDir, 'install.js'), [], process.env),
    say: (line) => process.stderr.write(`${line}\n`),
    progress: { isTTY: Boolean(process.stderr.isTTY), write: (text) => process.stderr.write(text) },
  };
  const result = await ensureElectronRuntime(host);
  if (result.kind === 'unavailable') {
    process.stderr.write(`npm start: ${result.message}\n`);
    return 1;
  }
  const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  // electron-vite reads path.txt unless ELECTRON_EXEC_PATH names the executable: set it so an override is used.
  return runNode(electronVite, ['dev', ...process.argv.slice(2)], { ...process.env, ELECTRON_EXEC_PATH: result.executable });
}

process.exitCode = await main();
