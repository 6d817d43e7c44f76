/**
 * Proves the guard that keeps every log line of the engine and the main process on the redacting logger
 * (eslint.config.js, "One logger"): a raw `console` call or reference in core/ or electron/main/ is reported, the
 * logger's own file is the one exception, and no source file in those folders has one today.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

let eslint: ESLint;

beforeAll(() => {
  // Only the rule under test: the other rules are not this test's business, and skipping them keeps the scan short.
  eslint = new ESLint({ cwd: repoRoot, ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-globals' });
});

async function consoleMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  return result.messages.filter((m) => m.message.includes("'console'")).map((m) => m.message);
}

describe('the one-logger guard', () => {
  it.each([
    ['a console.warn call in core/', 'core/app/probe.ts', "export function f(e: unknown): void {\n  console.warn(`failed: ${String(e)}`);\n}"],
    ['a console.error call in electron/main/', 'electron/main/probe.ts', "export function f(): void {\n  console.error('no window');\n}"],
    ['console.warn passed as a callback', 'core/connectors/probe.ts', 'export const warn: (m: string) => void = console.warn;'],
    ['console.log in the CLI', 'core/cli/probe.ts', "export function f(): void {\n  console.log('x');\n}"],
  ])('reports %s', async (_what, file, code) => {
    const messages = await consoleMessages(file, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/redacting logger/);
  });

  it('lets the logger itself write to the console', async () => {
    expect(await consoleMessages('core/privacy/redactingLogger.ts', "export const sink = console;\nconsole.warn('x');")).toEqual([]);
  });

  it('finds no raw console use in core/ or electron/main/ today', async () => {
    const results = await eslint.lintFiles(['core/**/*.ts', 'electron/main/**/*.ts']);
    expect(results.length).toBeGreaterThan(100);
    const found = results.flatMap((r) => r.messages.filter((m) => m.message.includes("'console'")).map((m) => `${r.filePath}:${m.line}`));
    expect(found).toEqual([]);
  });
});
