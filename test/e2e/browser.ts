/**
 * Debian's Chromium under playwright-core for the browser tests, and a fresh build of the real renderer.
 * Chromium is started with the flags that keep it off the network (no background networking, component
 * updates, sync or QUIC), in a throwaway profile (playwright's own). Where Chromium is missing the tests are skipped with a
 * message, except under CI (`CI` set), where a missing browser is a failure: `.ci/run` installs it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { build, type InlineConfig } from 'vite';

export const CHROMIUM_PATH = process.env['VIGIL_CHROMIUM'] ?? '/usr/bin/chromium';

/** Whether browser tests can run here; throws under CI when they cannot. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env['CI']) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}; .ci/run must install Debian's chromium package.`);
  console.warn(`Skipping browser tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set VIGIL_CHROMIUM).`);
  return false;
}

export async function launchChromium(): Promise<Browser> {
  // playwright-core gives every launch a fresh temporary profile of its own.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      '--metrics-recording-only',
    ],
  });
}

/** Builds the renderer exactly as `npm run build` does (same config), into a temporary folder. */
export async function buildRenderer(): Promise<string> {
  const { default: config } = await import('../../electron.vite.config');
  const renderer = (config as { renderer: InlineConfig }).renderer;
  const outDir = await mkdtemp(join(tmpdir(), 'vigil-renderer-'));
  await build({
    ...renderer,
    configFile: false,
    logLevel: 'warn',
    build: { ...renderer.build, outDir, emptyOutDir: true },
  });
  return outDir;
}
