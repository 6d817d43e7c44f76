/**
 * The renderer's page and its Content-Security-Policy: the source (`renderer/index.html`) and, since that is not
 * what the app loads, the page the build writes (`out/renderer/index.html`), built here from the current source
 * with the app's own build config (test/e2e/browser.ts) so a build step that adds inline code or a remote
 * reference fails here.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import indexHtml from '../../renderer/index.html?raw';
import { buildRenderer } from '../e2e/browser';

const CSP_META = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"\s*\/?>/g;

function cspOf(html: string): string {
  const metas = [...html.matchAll(CSP_META)];
  expect(metas, 'the page must carry exactly one Content-Security-Policy meta').toHaveLength(1);
  return metas[0]![1]!;
}

function directivesOf(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** The page's <script> elements: their attributes and body. */
function scriptsOf(html: string): Array<{ attributes: string; body: string }> {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attributes: m[1]!, body: m[2]! }));
}

/** Every src= and href= value in the page, comments left out. */
function referencesOf(html: string): string[] {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  return [...withoutComments.matchAll(/\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** A reference that leaves the app: a scheme (https:, data:, …) or a protocol-relative //host. */
const REMOTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

function expectStrictPolicy(csp: string): void {
  const directives = directivesOf(csp);
  expect(directives.get('default-src')).toEqual(["'self'"]);
  expect(directives.get('script-src')).toEqual(["'self'"]);
  expect(directives.get('img-src')).toEqual(["'self'"]);
  expect(directives.get('connect-src')).toEqual(["'self'"]);
  expect(directives.get('object-src')).toEqual(["'none'"]);
  expect(directives.get('frame-src')).toEqual(["'none'"]);
  expect(directives.get('base-uri')).toEqual(["'none'"]);
  // No inline code, eval or remote source anywhere in the policy.
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|unsafe-hashes|'nonce-|'sha(256|384|512)-|https?:|wss?:|data:|blob:|\*/);
}

describe('renderer/index.html', () => {
  it('has a Content-Security-Policy that allows only the app itself', () => {
    expectStrictPolicy(cspOf(indexHtml));
  });

  it('has no inline script: the only script is the module entry', () => {
    const scripts = scriptsOf(indexHtml);
    expect(scripts).toHaveLength(1);
    expect(scripts[0]!.attributes).toContain('src="./src/main.tsx"');
    expect(scripts[0]!.body.trim()).toBe('');
  });
});

describe('the built page (out/renderer/index.html)', () => {
  let outDir: string;
  let built: string;

  beforeAll(async () => {
    outDir = await buildRenderer();
    built = await readFile(join(outDir, 'index.html'), 'utf8');
  });

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('keeps the strict Content-Security-Policy, ahead of every script and stylesheet it covers', () => {
    const csp = cspOf(built);
    expectStrictPolicy(csp);
    // The build must not relax it (the dev server's relaxations are for `electron-vite dev` only).
    expect(csp).toBe(cspOf(indexHtml));
    // A meta policy covers only what comes after it.
    const policyAt = built.search(CSP_META);
    const firstResource = built.search(/<script\b|<link\b/);
    expect(firstResource).toBeGreaterThan(-1);
    expect(policyAt).toBeLessThan(firstResource);
  });

  it('has no inline <script> body and no inline event handler: every script is a file of the build', () => {
    const scripts = scriptsOf(built);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(script.body.trim(), `inline script: <script${script.attributes}>`).toBe('');
      expect(script.attributes).toMatch(/\ssrc="[^"]+"/);
    }
    expect(built).not.toMatch(/\son[a-z]+\s*=/i);
    expect(built).not.toMatch(/javascript:/i);
  });

  it('refers to nothing outside the app: every src and href is a file the build wrote', async () => {
    const references = referencesOf(built);
    expect(references.length).toBeGreaterThanOrEqual(2);
    const remote = references.filter((r) => REMOTE.test(r));
    expect(remote, `remote references in the built page: ${remote.join(', ')}`).toEqual([]);
    for (const reference of references) {
      expect(existsSync(join(outDir, reference.replace(/^\.?\//, ''))), `${reference} is not in the build`).toBe(true);
    }
  });

  it('loads no remote stylesheet, font or image from its CSS', async () => {
    const assets = await readdir(join(outDir, 'assets'));
    const styles = assets.filter((file) => file.endsWith('.css'));
    expect(styles.length).toBeGreaterThan(0);
    for (const file of styles) {
      const css = await readFile(join(outDir, 'assets', file), 'utf8');
      const urls = [...css.matchAll(/url\(\s*['"]?([^'")]+)/g)].map((m) => m[1]!);
      const imports = [...css.matchAll(/@import\s+(?:url\()?\s*['"]?([^'")\s;]+)/g)].map((m) => m[1]!);
      // data: too: the policy's img-src and font-src would refuse it, so it could only be a broken image or font.
      const remote = [...urls, ...imports].filter((u) => REMOTE.test(u));
      expect(remote, `${file} loads ${remote.join(', ')}`).toEqual([]);
    }
  });
});
