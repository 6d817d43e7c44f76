/**
 * Proves the layering rules of eslint.config.js (core ← electron ← renderer, renderer takes types only, and the
 * order of core/'s folders): each
 * rule reports a synthetic violation placed at a real path, and stays quiet on the imports the design allows.
 * If a rule is dropped or its pattern stops matching, the "reports" cases fail.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The rules that enforce layering; other rules (unused variables...) are not this test's business. */
const LAYERING_RULES = new Set([
  'no-restricted-imports',
  '@typescript-eslint/no-restricted-imports',
  'no-restricted-globals',
  'no-restricted-properties',
]);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot });
});

/** Layering messages for `code` linted as if it were the file at `filePath` (which need not exist). */
async function layeringMessages(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  const fatal = result.messages.filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`Snippet does not parse: ${fatal.map((m) => m.message).join('; ')}`);
  return result.messages.filter((m) => m.ruleId !== null && LAYERING_RULES.has(m.ruleId));
}

describe('core/ stays plain TypeScript on Node', () => {
  const file = 'core/app/layeringProbe.ts';

  it.each([
    ['electron', "import { app } from 'electron';\nexport const x = app;"],
    ['electron types', "import type { BrowserWindow } from 'electron';\nexport type X = BrowserWindow;"],
    ['an electron subpath', "import { ipcMain } from 'electron/main';\nexport const x = ipcMain;"],
    ['react', "import { useState } from 'react';\nexport const x = useState;"],
    ['react-dom', "import { createRoot } from 'react-dom/client';\nexport const x = createRoot;"],
    ['zustand', "import { create } from 'zustand';\nexport const x = create;"],
    ['electron/ code', "import { ipcChannel } from '../../electron/ipc/contract';\nexport const x = ipcChannel;"],
    ['renderer/ code', "import { App } from '../../renderer/src/App';\nexport const x = App;"],
    ['renderer/ types', "import type { CopilotState } from '../../renderer/src/store/copilot/store';\nexport type X = CopilotState;"],
  ])('reports an import of %s', async (_what, code) => {
    const messages = await layeringMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ruleId: 'no-restricted-imports', severity: 2 });
    expect(messages[0]!.message).toMatch(/Bad layering: core\//);
  });

  it('allows zod, Node built-ins and other core modules', async () => {
    const code = [
      "import { z } from 'zod';",
      "import { join } from 'node:path';",
      "import { readJsonl } from '../formats/jsonl';",
      'export const all = [z, join, readJsonl];',
    ].join('\n');
    expect(await layeringMessages(file, code)).toEqual([]);
  });
});

/**
 * The order of core/'s folders, bottom up, as ARCHITECTURE.md draws it. Written out here rather than read from
 * eslint.config.js, so a change to the config's order fails this test until the documented order changes too.
 */
const CORE_ORDER: readonly (readonly string[])[] = 'formats text net | secrets embed feedback | knowledge | privacy | llm | packs assist learn team | connectors rules | watch | app | cli'
  .split(' | ')
  .map((tier) => tier.split(' '));

/** A real file in each core/ folder, where the planted imports are linted. */
const FILE_IN: Record<string, string> = {
  formats: 'core/formats/jsonl.ts',
  text: 'core/text/tokenize.ts',
  net: 'core/net/egress.ts',
  privacy: 'core/privacy/rollback.ts',
  secrets: 'core/secrets/fileSecretStore.ts',
  embed: 'core/embed/modelManifest.ts',
  llm: 'core/llm/ollamaClient.ts',
  knowledge: 'core/knowledge/knowledgeStore.ts',
  feedback: 'core/feedback/feedbackStats.ts',
  packs: 'core/packs/packLibrary.ts',
  assist: 'core/assist/llmStages.ts',
  learn: 'core/learn/ruleExtractor.ts',
  team: 'core/team/teamSync.ts',
  connectors: 'core/connectors/registry.ts',
  rules: 'core/rules/ruleCentre.ts',
  watch: 'core/watch/watcher.ts',
  app: 'core/app/workspace.ts',
  cli: 'core/cli/vigil.ts',
};

describe('core/ folders import only the tiers below them', () => {
  const tiers = CORE_ORDER.map((tier, level) => ({ tier, level, below: CORE_ORDER.slice(0, level).flat() }));
  const folders = tiers.flatMap(({ tier, level, below }) => tier.map((folder) => ({ folder, level, below })));

  it('has one probe file per core/ folder, and the probe files exist', () => {
    expect(Object.keys(FILE_IN).sort()).toEqual(CORE_ORDER.flat().sort());
    for (const file of Object.values(FILE_IN)) expect(existsSync(`${repoRoot}${file}`), file).toBe(true);
  });

  /** Every folder a folder must not import: its own tier's other folders and every tier above. */
  const wrongWay = folders.flatMap(({ folder, level }) =>
    CORE_ORDER.slice(level)
      .flat()
      .filter((other) => other !== folder)
      .map((other) => [folder, other] as const),
  );

  it.each(wrongWay)('reports core/%s importing core/%s, naming what it may import', async (folder, other) => {
    const { below } = folders.find((f) => f.folder === folder)!;
    const messages = await layeringMessages(FILE_IN[folder]!, `import type { X } from '../${other}/probe';\nexport type Y = X;`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ruleId: 'no-restricted-imports', severity: 2 });
    const allowed = below.length > 0 ? below.map((name) => `core/${name}`).join(', ') : 'no other core/ folder';
    expect(messages[0]!.message).toContain(`Bad layering: core/${folder} may import only ${allowed} `);
  });

  it.each(folders.filter((f) => f.level > 0).map((f) => [f.folder, f.below] as const))(
    'allows core/%s to import every folder below it',
    async (folder, below) => {
      const code = [...below.map((other, i) => `import { x${i} } from '../${other}/probe';`), `export const all = [${below.map((_, i) => `x${i}`).join(', ')}];`].join('\n');
      expect(await layeringMessages(FILE_IN[folder]!, code)).toEqual([]);
    },
  );

  it('still applies the rules for all of core/ inside each folder', async () => {
    const messages = await layeringMessages(FILE_IN.knowledge!, "import { app } from 'electron';\nexport const x = app;");
    expect(messages).toHaveLength(1);
    expect(messages[0]!.message).toMatch(/Bad layering: core\/ is plain TypeScript on Node/);
  });

  it('reports a re-export from above, and allows a file its own folder', async () => {
    expect(await layeringMessages(FILE_IN.embed!, "export { appDataDir } from '../app/probe';")).toHaveLength(1);
    expect(await layeringMessages(FILE_IN.embed!, "import { x } from './embedder';\nexport const y = x;")).toEqual([]);
  });
});

describe('renderer/ takes only types from below and has no Node.js', () => {
  const file = 'renderer/src/components/LayeringProbe.tsx';

  it.each([
    ['a core value', "import { CopilotService } from '../../../core/app/copilotService';\nexport const x = CopilotService;"],
    ['a value from electron/', "import { ipcChannel } from '../../../electron/ipc/contract';\nexport const x = ipcChannel;"],
    ['a value re-exported from core', "export { FORMAT_VERSION } from '../../../core/formats/schemas';"],
  ])('reports a runtime import of %s', async (_what, code) => {
    const messages = await layeringMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ruleId: '@typescript-eslint/no-restricted-imports' });
    expect(messages[0]!.message).toMatch(/Bad layering: renderer\/ may take only types/);
  });

  it.each([
    ['electron', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;"],
    ['electron types', "import type { IpcRenderer } from 'electron';\nexport type X = IpcRenderer;"],
    ['node:fs', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
    ['fs', "import fs from 'fs';\nexport const x = fs;"],
    ['child_process', "import { exec } from 'child_process';\nexport const x = exec;"],
  ])('reports an import of %s', async (_what, code) => {
    const messages = await layeringMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ruleId: '@typescript-eslint/no-restricted-imports' });
    expect(messages[0]!.message).toMatch(/sandboxed page without Node\.js or Electron/);
  });

  it.each([
    ['window.require', "export const fs: unknown = window.require('fs');", 'no-restricted-properties'],
    ['globalThis.process', 'export const env: unknown = globalThis.process;', 'no-restricted-properties'],
    ['process', 'export const env: unknown = process.env;', 'no-restricted-globals'],
    ['require', "export const fs: unknown = require('fs');", 'no-restricted-globals'],
    ['Buffer', "export const b: unknown = Buffer.from('x');", 'no-restricted-globals'],
  ])('reports use of %s', async (_what, code, ruleId) => {
    const messages = await layeringMessages(file, code);
    expect(messages.map((m) => m.ruleId)).toContain(ruleId);
  });

  it('allows `import type` from core/ and electron/, and React, zustand and its own modules', async () => {
    const code = [
      "import type { KnowledgeHit } from '../../../core/app/serviceTypes';",
      "import type { VigilApi } from '../../../electron/ipc/contract';",
      "export type { ImportReport } from '../../../core/app/serviceTypes';",
      "import { useState } from 'react';",
      "import { useStore } from 'zustand';",
      "import { errorMessage } from '../api/errorMessage';",
      'export type Props = { hit: KnowledgeHit; api: VigilApi };',
      'export const all = [useState, useStore, errorMessage];',
    ].join('\n');
    expect(await layeringMessages(file, code)).toEqual([]);
  });
});

describe('electron/ does not reach into renderer/', () => {
  const file = 'electron/main/layeringProbe.ts';

  it.each([
    ['renderer/ code', "import { App } from '../../renderer/src/App';\nexport const x = App;"],
    ['renderer/ types', "import type { CopilotState } from '../../renderer/src/store/copilot/store';\nexport type X = CopilotState;"],
  ])('reports an import of %s', async (_what, code) => {
    const messages = await layeringMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ ruleId: 'no-restricted-imports' });
    expect(messages[0]!.message).toMatch(/Bad layering: electron\/ must not import from renderer\//);
  });

  it('allows electron, core and the IPC contract', async () => {
    const code = [
      "import { app } from 'electron';",
      "import { CopilotService } from '../../core/app/copilotService';",
      "import { ipcChannel } from '../ipc/contract';",
      'export const all = [app, CopilotService, ipcChannel];',
    ].join('\n');
    expect(await layeringMessages(file, code)).toEqual([]);
  });
});

describe('core/ cannot use DOM types', () => {
  /** Type errors of `code` compiled as a core file with the node program's settings (tsconfig.node.json). */
  async function coreTypeErrors(code: string): Promise<string[]> {
    const ts = (await import('typescript')).default;
    const configPath = `${repoRoot}tsconfig.node.json`;
    const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
    if (!config) throw new Error('tsconfig.node.json could not be read');
    const probe = `${repoRoot}core/app/domProbe.ts`;
    const host = ts.createCompilerHost(config.options);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => (name === probe ? code : readFile(name));
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => name === probe || fileExists(name);
    const program = ts.createProgram([probe], config.options, host);
    return ts
      .getPreEmitDiagnostics(program, program.getSourceFile(probe))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }

  it('rejects document, window and HTMLElement in core code', async () => {
    const errors = await coreTypeErrors('export const title = document.title;\nexport type E = HTMLElement;\nexport const w = window;');
    expect(errors.join('\n')).toMatch(/Cannot find name 'document'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'HTMLElement'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'window'/);
  }, 60_000);

  it('accepts Node code', async () => {
    expect(await coreTypeErrors("import { join } from 'node:path';\nexport const p = join('a', 'b');")).toEqual([]);
  }, 60_000);
});
