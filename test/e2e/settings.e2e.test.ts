/**
 * The Settings screen, built, in Debian's Chromium, against the real engine behind the IPC contract
 * (bridgeHost): the team data folder, the built-in embedder, a pack signed here installed from the "dialog" (the
 * one native part, scripted), and switching the embedding model with a restart of the workspace.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../support/tempFolder';
import { Workspace } from '../../core/app/workspace';
import { encodePack } from '../../core/packs/packFormat';
import { readPrivateKey, writeKeyPair } from '../../core/packs/packKeys';
import { ServiceHost } from '../../electron/main/serviceHost';
import { ARTICLES } from '../fixtures/storeEntries';
import { installTinyModel } from '../fixtures/tinyOnnx/tinyManifest';
import { startOllamaServer, type FakeOllama } from '../support/ollamaServer';
import { appHandlers, closeAppSession, openAppPage, shoot } from './appBridge';
import { startBridgeHost, type BridgeHost } from './bridgeHost';
import { browserAvailable, buildRenderer, launchChromium } from './browser';

describe.runIf(browserAvailable())('the Settings screen in Chromium, on the real engine', () => {
  let work: string;
  let dataDir: string;
  let host: ServiceHost;
  let bridge: BridgeHost;
  let browser: Browser;
  let page: Page;
  let ollama: FakeOllama;
  let modelsDir: string;
  const picked: { packFile: string | null; keyFile: string | null; folder: string | null } = { packFile: null, keyFile: null, folder: null };

  beforeAll(async () => {
    work = await tempFolder('vigil-e2e-settings-');
    dataDir = join(work, 'data');
    modelsDir = join(work, 'models');
    ollama = await startOllamaServer({ models: [] });
    const seed = join(work, 'seed.jsonl');
    await writeFile(seed, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n') + '\n');
    host = new ServiceHost(() => Workspace.open({ dataDir }));
    await host.use((w) => w.imports.importPath(seed));
    const [rendererDir, chromium] = await Promise.all([buildRenderer(), launchChromium()]);
    browser = chromium;
    bridge = await startBridgeHost(
      rendererDir,
      await appHandlers(host, {
        work,
        dataDir,
        modelsDir,
        ollamaHost: ollama.host,
        pickPackFile: async () => picked.packFile,
        pickKeyFile: async () => picked.keyFile,
        pickPackFolder: async () => picked.folder,
      }),
    );
    page = await openAppPage(browser, bridge.url);
  });

  afterAll(() => closeAppSession({ browser, bridge, host, others: [ollama], work }));

  it('opens Settings with Alt+4 and shows the data folder, its entries and the built-in embedder in use', async () => {
    await page.getByRole('region', { name: 'Engine status' }).waitFor();
    await page.keyboard.press('Alt+4');
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
    const data = page.getByRole('region', { name: 'Team data folder' });
    // Playwright's waits (30 s at most) rather than expect.poll's 1 s: the engine may be slow on a busy machine.
    // The folder in use, and the default one (the same here), written from ~: the test's folder stands for the home.
    await data.getByText('~/data', { exact: true }).first().waitFor();
    expect(await data.getByRole('definition').first().textContent()).toBe(String(ARTICLES.length));
    const models = page.getByRole('region', { name: 'Embedding model' });
    const builtin = models.getByRole('listitem', { name: 'Model builtin' });
    await builtin.waitFor();
    expect(await builtin.textContent()).toContain('in use');
    expect(await models.textContent()).toMatch(/In use: builtin-hash-v1:512[^ ]* · 512 dimensions/);
    expect(await models.getByRole('listitem', { name: 'Model nomic-embed-text' }).textContent()).toContain('ollama pull nomic-embed-text');
  });

  it('trusts a key from the dialog and installs a pack signed with it, which is then listed and searched', async () => {
    const keys = await writeKeyPair(join(work, 'network'));
    const pack = join(work, 'network-basics-1.0.0.vpack');
    const entries = [
      { id: 'net-printer', kind: 'article' as const, title: 'Office printer shows offline', body: 'Remove the printer, then add it again from the print server share.' },
      { id: 'net-proxy', kind: 'article' as const, title: 'Proxy asks for a password twice', body: 'Clear saved proxy credentials in the keychain and sign in once.' },
    ];
    await writeFile(pack, encodePack({ name: 'network-basics', version: '1.0.0', team: 'network', created: '2026-11-01T00:00:00Z' }, entries, await readPrivateKey(keys.privateKey)));

    const packs = page.getByRole('region', { name: 'Knowledge packs' });
    await packs.getByLabel('Whose key is it?').fill('Network team');
    picked.keyFile = keys.publicKey;
    await packs.getByRole('button', { name: 'Choose key file…' }).click();
    await packs.getByRole('list', { name: 'Trusted signing keys' }).filter({ hasText: keys.keyId }).waitFor();

    picked.packFile = pack;
    await packs.getByRole('button', { name: 'Install a pack…' }).click();
    const installed = packs.getByRole('list', { name: 'Installed packs' });
    await installed.filter({ hasText: 'network-basics 1.0.0' }).waitFor();
    expect(await installed.textContent()).toContain(`2 entries · team network · signed by Network team (${keys.keyId})`);
    expect(await packs.getByRole('status').first().textContent()).toBe('Installed network-basics 1.0.0 (2 entries), signed by Network team.');
    await shoot(page, 'settings.png', { fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'settings-dark.png', { fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    const [hit] = await host.use((w) => w.knowledge.searchKnowledge('printer offline', 1));
    expect(hit).toMatchObject({ id: 'net-printer', pack: { name: 'network-basics', version: '1.0.0' } });
  });

  it('switches to an installed model and restarts the workspace, re-indexing the knowledge with it', async () => {
    // The admin copies a model in (the tiny test model, installed only now so no screenshot shows it); Settings,
    // opened again, lists it.
    await installTinyModel(modelsDir, { writeManifest: true });
    await page.getByRole('tab', { name: 'Desk' }).click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    const models = page.getByRole('region', { name: 'Embedding model' });
    await models.getByRole('button', { name: 'Use tiny-bert' }).click();
    await models.getByText('Switching needs a restart of the workspace', { exact: false }).waitFor();
    await models.getByRole('button', { name: 'Restart and re-index' }).click();
    await models.getByRole('status').filter({ hasText: 'Re-indexed' }).waitFor({ timeout: 50_000 });
    // Engine details are an admin's, in Settings; the top bar speaks the analyst's language.
    await models.locator('.settings-current').filter({ hasText: /In use: tiny-bert@[0-9a-f]+ · 6 dimensions/ }).waitFor();
    expect(await page.getByRole('region', { name: 'Engine status' }).textContent()).not.toMatch(/tiny-bert|dimensions/);
    await models.getByRole('listitem', { name: 'Model tiny-bert' }).filter({ hasText: 'in use' }).waitFor();
    expect((await host.use((w) => w.service.status())).entries).toBe(ARTICLES.length);
  });
});
