/**
 * Build of the three Electron processes (electron-vite: one folder per process).
 *
 * - main: `electron/main/index.ts` → `out/main/index.js`, ES module (package.json is `"type": "module"`).
 *   Dependencies stay external: @lancedb/lancedb ships a native `.node` binary that cannot be bundled.
 * - preload: `electron/preload/index.ts` → ONE CommonJS file `out/preload/index.cjs`. A sandboxed preload
 *   cannot be an ES module, and it may `require` only `electron` and a few built-ins, so everything else is
 *   bundled into it and code splitting is off.
 * - renderer: `renderer/index.html` → `out/renderer/`, served in production from `app://vigil/`.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const root = import.meta.dirname;

/**
 * The dev server needs what the production CSP forbids: React Fast Refresh injects an inline module script,
 * Vite injects CSS as `<style>` elements and talks to its HMR websocket. Only `electron-vite dev` gets these
 * relaxations; the built `index.html` keeps the strict policy written in `renderer/index.html`.
 */
function devServerCsp(): Plugin {
  return {
    name: 'vigil:dev-server-csp',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws://localhost:* ws://127.0.0.1:*");
    },
  };
}

const config: UserConfig = {
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: { index: resolve(root, 'electron/main/index.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // Bundle whatever the preload imports (today only the zod-free contract): the sandbox has no node_modules.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react(), devServerCsp()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // electron-vite leaves the renderer unminified by default; the page loads faster minified.
      minify: true,
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
  },
};

export default defineConfig(config);
