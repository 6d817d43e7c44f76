/**
 * The desktop app's IPC handlers over a test's engine, as the main process builds them (electron/main/ipcHandlers.ts),
 * with the native dialogs replaced by the test's answers; and the page that opens the built renderer on the bridge.
 * Every browser test starts the same way through these two, so a handler added to the app reaches them all.
 */
import { mkdir, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { EgressPolicy } from '../../core/net/egress';
import { MemorySecretStore, type SecretStore } from '../../core/secrets/secretStore';
import { createConnectorHandlers, type ConnectorDependencies } from '../../electron/main/connectorHandlers';
import { createEngineHandlers } from '../../electron/main/engineHandlers';
import { createImportHandlers } from '../../electron/main/importHandlers';
import type { ImportProgressListener } from '../../core/app/knowledgeImports';
import { PreferencesStore } from '../../electron/main/preferencesStore';
import { createPrivacyHandlers, type ExportPathPicker } from '../../electron/main/privacyHandlers';
import type { ServiceHost } from '../../electron/main/serviceHost';
import { createSettingsHandlers } from '../../electron/main/settingsHandlers';
import { createDataFolderHandlers } from '../../electron/main/dataFolderHandlers';
import { createRuleHandlers } from '../../electron/main/ruleHandlers';
import { createWhatIfHandlers } from '../../electron/main/whatIfHandlers';
import { createTeamHandlers } from '../../electron/main/teamHandlers';
import { bridgeShimScript, type BridgeHandlers } from './bridgeHost';

/** Where the browser tests write their screenshots (`npm run screenshots` points it at docs/screenshots). */
export const SCREENSHOTS = resolve(process.env['VIGIL_SCREENSHOT_DIR'] ?? 'test-results/screenshots');

type Pick<T> = () => Promise<T | null>;

export interface AppHandlerOptions {
  /** The test's scratch folder: UI preferences and (unless `modelsDir`) the models folder live there. */
  work: string;
  dataDir: string;
  modelsDir?: string;
  /** The loopback "Ollama" the LLM settings talk to. */
  ollamaHost?: string;
  /** The process's egress policy (offline mode switches it). */
  egress?: EgressPolicy;
  /** What each dialog answers; null (cancelled) unless given. The import dialog is told whether a file or a folder is wanted. */
  pickImportPath?: (what: 'file' | 'folder') => Promise<string | null>;
  pickPackFile?: Pick<string>;
  pickKeyFile?: Pick<string>;
  pickPackFolder?: Pick<string>;
  pickExportFile?: ExportPathPicker;
  /**
   * Connectors from Settings (and the reply box, served with them): their secret store and folder dialog; an
   * empty in-memory store and a cancelled dialog unless given, so every method the app has is served.
   */
  connectors?: ConnectorDependencies;
  /** Who the signed-in user is (the knowledge browser's edits); the machine's user unless given. */
  actor?: () => string;
  /** Settings → Team data folder: what its dialog answers, and what a restart does (nothing unless given). */
  pickDataFolder?: Pick<string>;
  /** Hears import progress (the app routes it to its windows as desk events). */
  onImportProgress?: ImportProgressListener;
  restartApp?: () => void;
  /** Insights → What if: what its tickets file, folder and report dialogs answer (cancelled unless given). */
  pickTicketsFile?: Pick<string>;
  pickTicketsFolder?: Pick<string>;
  pickReportFile?: Pick<string>;
  /** Settings → Team's keychain; an empty in-memory store unless given. */
  teamSecrets?: SecretStore;
  /**
   * The analyst's home folder, which the app writes as `~`: the scratch folder unless given, so what a test keeps
   * there shows as it would under a real home ("~/data"), never as the test machine's temporary folder.
   */
  home?: string;
}

const cancelled = async (): Promise<null> => null;

/** Every handler the app serves for the given engine, with the test's dialogs. */
export async function appHandlers(host: ServiceHost, options: AppHandlerOptions): Promise<BridgeHandlers> {
  return {
    ...createEngineHandlers(host, undefined, options.actor),
    ...createImportHandlers(host, {
      pickImportPath: async (_event, what) => (options.pickImportPath ? options.pickImportPath(what) : null),
      secrets: options.connectors?.secrets ?? new MemorySecretStore(),
      ...(options.onImportProgress ? { onImportProgress: options.onImportProgress } : {}),
    }),
    ...createSettingsHandlers(host, {
      preferences: await PreferencesStore.open(options.work),
      dataDir: options.dataDir,
      models: { modelsDir: options.modelsDir ?? join(options.work, 'models'), ...(options.ollamaHost ? { ollamaHost: options.ollamaHost } : {}) },
      pickPackFile: options.pickPackFile ?? cancelled,
      pickKeyFile: options.pickKeyFile ?? cancelled,
      pickPackFolder: options.pickPackFolder ?? cancelled,
      home: options.home ?? options.work,
    }),
    ...createPrivacyHandlers(host, { dataDir: options.dataDir, egress: options.egress ?? new EgressPolicy(), pickExportFile: options.pickExportFile ?? cancelled }),
    // Served in every test, as in the app: a page that asks for a reply draft must never meet a "not served" error.
    ...createConnectorHandlers(host, options.connectors ?? { secrets: new MemorySecretStore(), pickConnectorFolder: cancelled }),
    ...createRuleHandlers(host),
    ...createWhatIfHandlers(host, {
      pickTicketsFile: options.pickTicketsFile ?? cancelled,
      pickTicketsFolder: options.pickTicketsFolder ?? cancelled,
      pickReportFile: options.pickReportFile ?? cancelled,
    }),
    // The test's data folder stands for the default one; the choice is kept in the scratch folder, as in userData.
    ...createDataFolderHandlers({
      userDataDir: options.work,
      current: { dataDir: options.dataDir, source: 'default', defaultDir: options.dataDir, warning: null },
      pickFolder: options.pickDataFolder ?? cancelled,
      restartApp: options.restartApp ?? (() => undefined),
    }),
    // Settings → Team, as in the app: keys in a secret store (in memory here), the endpoint on the test's policy.
    ...createTeamHandlers(host, { dataDir: options.dataDir, secrets: options.teamSecrets ?? new MemorySecretStore(), egress: options.egress ?? new EgressPolicy() }),
  };
}

/** A page of the built renderer on the bridge at `url`, with `window.vigil` shimmed; the screenshot folder exists. */
export async function openAppPage(browser: Browser, url: string, viewport: { width: number; height: number } = { width: 1100, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.addInitScript({ content: bridgeShimScript() });
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.goto(url);
  return page;
}

/**
 * Text that must never be in a screenshot: the test host's own errors and the fixtures that exist to attack or
 * stand in for the product (a script-injection payload, the tiny test model). Screenshots show what a team sees.
 */
export const FIXTURE_MARKERS = ['is not served by this test host', '<script', 'onerror=', '(test model)', 'tiny-bert'] as const;

/**
 * Traces of the machine the tests run on, which no analyst's screen shows: a path in the system's temporary folder
 * (where every test keeps its folders, test/support/tempFolder.ts), the browser tests' folder names, and this
 * machine's home folder. A screenshot showing one documents the test, not the product.
 */
export function testMachineTraces(text: string): string[] {
  const temporary = tmpdir().replace(/[\\/]+$/, '');
  const home = homedir().replace(/[\\/]+$/, '');
  const traces = [`${temporary}${sep}`, 'vigil-e2e-', 'vigil-test-', ...(home.length > 1 ? [`${home}${sep}`] : [])];
  return traces.filter((trace) => text.includes(trace));
}

/**
 * Takes the screenshot `name` of the page or of one part of it, after checking that nothing on screen is an error
 * banner, a test fixture (`FIXTURE_MARKERS`) or a path of the test machine (`testMachineTraces`: in the text shown
 * and the fields' values); a screenshot that would show one fails the test instead.
 */
export async function shoot(target: Page | Locator, name: string, options: { fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}): Promise<void> {
  const page = 'goto' in target ? target : target.page();
  const scope = 'goto' in target ? target.locator('body') : target;
  const banners = await scope.locator('[role="alert"], .notice.error').filter({ visible: true }).allTextContents();
  if (banners.length > 0) throw new Error(`Screenshot ${name} would show an error: ${banners.join(' | ')}`);
  const text = (await scope.innerText()) + (await scope.evaluate((el) => (el as { innerHTML: string }).innerHTML));
  const fixtures = FIXTURE_MARKERS.filter((marker) => text.includes(marker));
  if (fixtures.length > 0) throw new Error(`Screenshot ${name} would show test fixtures: ${fixtures.join(', ')}`);
  // What is on screen: the text and what the fields hold (a tooltip's full path, in a title, is not shown).
  const shown = [
    await scope.innerText(),
    ...(await scope.locator('input, textarea, select').evaluateAll((fields) => fields.map((field) => (field as unknown as { value: string }).value))),
  ].join('\n');
  const traces = testMachineTraces(shown);
  if (traces.length > 0) {
    const where = shown.split('\n').filter((line) => traces.some((trace) => line.includes(trace)));
    throw new Error(`Screenshot ${name} would show the test machine's paths: ${traces.join(', ')} (in "${where.join('" | "')}")`);
  }
  const path = join(SCREENSHOTS, name);
  if ('goto' in target) await page.screenshot({ path, ...options });
  else await target.screenshot({ path });
}

/** Something a browser test opens and must close. */
interface Closable {
  close(): Promise<unknown>;
}

/**
 * Closes what a browser test opened, the page's side first (browser, bridge), then the engine (`host`) and anything
 * else, and removes the test's work folder. Parts that never opened (a failed `beforeAll`) are skipped.
 */
export async function closeAppSession(parts: { browser?: Closable; bridge?: Closable; host?: Closable; others?: (Closable | undefined)[]; work?: string }): Promise<void> {
  for (const part of [parts.browser, parts.bridge, parts.host, ...(parts.others ?? [])]) await part?.close();
  if (parts.work) await rm(parts.work, { recursive: true, force: true });
}
