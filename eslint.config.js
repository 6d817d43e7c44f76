// @ts-check
/**
 * Lint rules, including the layering that keeps the code's arrows pointing one way (VS Code's "Bad layering"
 * rule): core ← electron ← renderer, where the renderer may take only types from the layers below it; inside core/,
 * the folders are ordered in tiers (CORE_TIERS).
 * test/layering.test.ts proves each layering rule fires on a violation and stays quiet on allowed code.
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** A regex matching a relative import into one of the repo's top-level `folders` (`../../core/app/x`). */
function relativeImportInto(/** @type {string[]} */ folders) {
  return `^\\.{1,2}/(?:.*/)?(?:${folders.join('|')})(?:/|$)`;
}

const CORE_MESSAGE =
  'Bad layering: core/ is plain TypeScript on Node and must not depend on Electron, React, zustand, electron/ or renderer/. ' +
  'Move the code to electron/ or renderer/, or pass what core needs in as a parameter.';

/** What no core/ file may import: Electron, React, zustand and the layers above core. */
const CORE_BASE_PATHS = ['electron', 'react', 'react-dom', 'zustand'].map((name) => ({ name, message: CORE_MESSAGE }));
const CORE_BASE_PATTERNS = [
  { regex: '^(?:electron|react|react-dom|zustand)/', message: CORE_MESSAGE },
  { regex: relativeImportInto(['electron', 'renderer']), message: CORE_MESSAGE },
];

const RENDERER_UP_MESSAGE =
  'Bad layering: renderer/ may take only types from core/ and electron/ (`import type`). ' +
  'Reach the engine through window.vigil (the IPC contract), never by importing it.';

const RENDERER_NODE_MESSAGE =
  'The renderer runs in a sandboxed page without Node.js or Electron. ' +
  'Ask the main process for it through a method in electron/ipc/contract.ts instead.';

const ELECTRON_MESSAGE =
  'Bad layering: electron/ must not import from renderer/. Shared types belong in electron/ipc/contract.ts or core/.';

/**
 * The order of core/'s folders, bottom up (ARCHITECTURE.md, "The order of core/"). A folder may import the folders
 * of the tiers below its own and nothing beside or above it, so each tier can be read, tested and changed without
 * the ones above. Why each folder sits where it does:
 *  - formats, text, net: file formats, the data folder, the durable write and error text; text handling (the scope
 *    check, people's names); the egress policy. They need no other part of core.
 *  - secrets, embed, feedback: secret stores (they need only the durable write); embedders; what analysts did
 *    with suggestions (a log of events and its counts).
 *  - knowledge: the store of embedded entries, each entry's version history, and entry browsing (which shows an
 *    entry's feedback counts beside its history, so feedback sits below it).
 *  - privacy: redaction, the redacting logger, the audit log, store snapshots and rollback (which rewinds the
 *    knowledge store, so privacy sits above it; the tiers below do not log).
 *  - llm: the model client, which redacts prompts and reports each call for the audit log through privacy.
 *  - packs, assist, learn, team: share, use and grow the knowledge; assist and learn are independent of each other;
 *    team links a data folder to the team's shared store (it logs, reads secrets, and will feed the knowledge cache).
 *  - rules: the team's interest rules (the rule centre, its file, the model judge, alert delivery); they drive
 *    assist's alert engine and read the model, so they sit above both. The rule's shape is in formats (ruleSpec.ts),
 *    because a knowledge pack carries rules too.
 *  - connectors: helpdesk adapters, the Connector interface with its health, and connectors.json (they log,
 *    read secrets, pass the egress policy).
 *  - watch: the polling loop that drives connectors, and the connectors' lifecycle (start, restart, stop, test),
 *    which builds watchers.
 *  - app: builds the engine from all of the above; cli: the `vigil` commands (and vigil watch's sink), which may
 *    also drive app.
 */
const CORE_TIERS = [
  ['formats', 'text', 'net'],
  ['secrets', 'embed', 'feedback'],
  ['knowledge'],
  ['privacy'],
  ['llm'],
  ['packs', 'assist', 'learn', 'team'],
  ['connectors', 'rules'],
  ['watch'],
  ['app'],
  ['cli'],
];

/** One layering config per core/ folder: the base core restrictions, plus every core folder not below it. */
function coreFolderLayering() {
  return CORE_TIERS.flatMap((tier, level) => {
    const allowed = CORE_TIERS.slice(0, level).flat();
    const forbidden = CORE_TIERS.flat().filter((name) => !allowed.includes(name));
    return tier.map((folder) => {
      const others = forbidden.filter((name) => name !== folder);
      const message =
        `Bad layering: core/${folder} may import only ${allowed.length > 0 ? allowed.map((name) => `core/${name}`).join(', ') : 'no other core/ folder'} ` +
        '(the order of core/ in ARCHITECTURE.md). Move the shared code down, or pass what is needed in as a parameter.';
      return {
        files: [`core/${folder}/**`],
        rules: {
          'no-restricted-imports': [
            'error',
            {
              paths: CORE_BASE_PATHS,
              patterns: [...CORE_BASE_PATTERNS, { regex: `^\\.\\./(?:${others.join('|')})(?:/|$)`, message }],
            },
          ],
        },
      };
    });
  });
}

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

const CONSOLE_MESSAGE =
  'Log through the redacting logger: `import { log } from core/privacy/redactingLogger` and call log.info/warn/error, ' +
  'so customer data in the line (an e-mail, a card number, a token) is replaced before it is written (docs/privacy.md, "Logs").';

export default defineConfig(
  {
    ignores: ['out/**', 'dist/**', 'coverage/**', '.vigil-data/**', 'bench-results/**', 'test-results/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `import { type A }` still loads the module at run time; for the renderer that would pull core/ in.
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: globals.node },
  },

  // ── Layering ────────────────────────────────────────────────────────────────────────────────────────────
  {
    files: ['core/**'],
    rules: { 'no-restricted-imports': ['error', { paths: CORE_BASE_PATHS, patterns: CORE_BASE_PATTERNS }] },
  },
  // A later config replaces a rule's options rather than adding to them, so each folder's config repeats the base.
  ...coreFolderLayering(),
  {
    files: ['electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: relativeImportInto(['renderer']), message: ELECTRON_MESSAGE }] },
      ],
    },
  },
  // ── One logger ──────────────────────────────────────────────────────────────────────────────────────────
  // Every log line of the engine and the main process goes through core/privacy/redactingLogger.ts, the one file
  // that may touch the console. Any reference to `console` (a call, or `console.warn` passed as a callback) is
  // reported; test/core/privacy/loggerGuard.test.ts proves the rule fires. core/cli/bin.mjs is left out: it runs
  // before TypeScript can be loaded, and its one line says that a child process could not start.
  {
    files: ['core/**/*.ts', 'electron/main/**/*.ts'],
    ignores: ['core/privacy/redactingLogger.ts'],
    rules: { 'no-restricted-globals': ['error', { name: 'console', message: CONSOLE_MESSAGE }] },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
    rules: {
      // The typescript-eslint version understands `import type`, which is the one thing allowed across layers.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: RENDERER_NODE_MESSAGE },
            ...nodeBuiltins.map((name) => ({ name, message: RENDERER_NODE_MESSAGE })),
          ],
          patterns: [
            { regex: relativeImportInto(['core', 'electron']), allowTypeImports: true, message: RENDERER_UP_MESSAGE },
            { regex: '^(?:node:|electron/)', message: RENDERER_NODE_MESSAGE },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['require', 'process', 'Buffer', 'global', '__dirname', '__filename', 'module', 'exports'].map((name) => ({
          name,
          message: RENDERER_NODE_MESSAGE,
        })),
      ],
      'no-restricted-properties': [
        'error',
        ...['window', 'globalThis', 'self'].flatMap((object) =>
          ['require', 'process'].map((property) => ({ object, property, message: RENDERER_NODE_MESSAGE })),
        ),
      ],
    },
  },
);
