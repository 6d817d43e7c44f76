/**
 * The Settings screen's handlers over the real engine: a real Workspace on a temporary data folder, real signed
 * packs, a real (tiny) ONNX model and a loopback Ollama. Only the native dialogs are replaced, by pickers that
 * answer what the analyst would choose.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { Workspace } from '../../../core/app/workspace';
import { readEmbedderSetting } from '../../../core/embed/embedderFactory';
import { readPrivateKey, writeKeyPair } from '../../../core/packs/packKeys';
import { PreferencesStore } from '../../../electron/main/preferencesStore';
import { ServiceHost } from '../../../electron/main/serviceHost';
import { createSettingsHandlers, type SettingsDependencies } from '../../../electron/main/settingsHandlers';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';
import { NETWORK_ENTRIES, writePack } from '../../core/packs/packFixtures';
import { installTinyModel } from '../../fixtures/tinyOnnx/tinyManifest';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

const event = { sender: {} } as unknown as IpcMainInvokeEvent;

describe('Settings handlers on the real engine', () => {
  let root: string;
  let ollama: FakeOllama;
  const hosts: ServiceHost[] = [];
  /** What the next dialog answers (null: cancelled). */
  const picked: { packFile: string | null; keyFile: string | null; folder: string | null } = { packFile: null, keyFile: null, folder: null };

  beforeAll(async () => {
    root = await tempFolder('vigil-settings-');
    ollama = await startOllamaServer({ models: [] });
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
  });
  afterAll(async () => {
    await ollama.close();
    await rm(root, { recursive: true, force: true });
  });

  async function setUp(name: string) {
    const dir = join(root, name);
    const dataDir = join(dir, 'data');
    const modelsDir = join(dir, 'models');
    await mkdir(modelsDir, { recursive: true });
    const host = new ServiceHost(() => Workspace.open({ dataDir }));
    hosts.push(host);
    const deps: SettingsDependencies = {
      preferences: await PreferencesStore.open(dir),
      dataDir,
      models: { modelsDir, ollamaHost: ollama.host },
      pickPackFile: async () => picked.packFile,
      pickKeyFile: async () => picked.keyFile,
      pickPackFolder: async () => picked.folder,
    };
    return { dir, dataDir, modelsDir, host, handlers: createSettingsHandlers(host, deps) };
  }

  it('trusts a key from the dialog, installs a signed pack, lists it with its signer, and removes it', async () => {
    const { dir, host, handlers } = await setUp('packs');
    const keys = await writeKeyPair(join(dir, 'network'));
    const pack = await writePack(dir, 'network-basics-1.0.0.vpack', NETWORK_ENTRIES, {}, await readPrivateKey(keys.privateKey));

    // Not trusted yet: refused, and nothing is installed.
    picked.packFile = pack;
    await expect(handlers.installPack(undefined, event)).rejects.toThrow(/trust/i);
    expect((await handlers.packsOverview(undefined, event)).packs).toEqual([]);

    picked.keyFile = keys.publicKey;
    const trusted = await handlers.trustKey({ name: 'Network team' }, event);
    expect(trusted).toMatchObject({ added: true, key: { id: keys.keyId, name: 'Network team' } });

    await expect(handlers.installPack(undefined, event)).resolves.toMatchObject({
      outcome: 'installed',
      name: 'network-basics',
      version: '1.0.0',
      entries: 3,
      signer: 'Network team',
    });
    const overview = await handlers.packsOverview(undefined, event);
    expect(overview.packs).toEqual([expect.objectContaining({ name: 'network-basics', entries: 3, signer: 'Network team', keyId: keys.keyId, problem: null })]);
    expect(overview.trustedKeys).toEqual([expect.objectContaining({ id: keys.keyId, name: 'Network team' })]);
    const [hit] = await host.use((w) => w.knowledge.searchKnowledge('vpn disconnects at the hotel', 1));
    expect(hit).toMatchObject({ id: 'net-vpn-mtu', pack: { name: 'network-basics', version: '1.0.0' } });

    // A cancelled dialog changes nothing.
    picked.packFile = null;
    await expect(handlers.installPack(undefined, event)).resolves.toBeNull();

    await expect(handlers.removePack({ name: 'network-basics' }, event)).resolves.toEqual({ name: 'network-basics', version: '1.0.0' });
    expect((await handlers.packsOverview(undefined, event)).packs).toEqual([]);
    await expect(handlers.untrustKey({ id: keys.keyId }, event)).resolves.toMatchObject({ name: 'Network team' });
    expect((await handlers.packsOverview(undefined, event)).trustedKeys).toEqual([]);
  });

  it('subscribes to a folder from the dialog, syncs a newer version from it, and unsubscribes', async () => {
    const { dir, handlers } = await setUp('subscriptions');
    const keys = await writeKeyPair(join(dir, 'network'));
    const key = await readPrivateKey(keys.privateKey);
    const share = join(dir, 'share');
    await mkdir(share);
    await writePack(share, 'network-basics-1.0.0.vpack', NETWORK_ENTRIES, {}, key);
    picked.keyFile = keys.publicKey;
    await handlers.trustKey({ name: 'Network team' }, event);

    picked.folder = share;
    await expect(handlers.subscribePacks({ packs: ['network-basics'] }, event)).resolves.toEqual({ folder: share, packs: ['network-basics'] });
    let [report] = await handlers.syncPacks(undefined, event);
    expect(report).toMatchObject({ folder: share, unreachable: null, installed: [{ name: 'network-basics', version: '1.0.0', outcome: 'installed' }] });

    await writePack(share, 'network-basics-1.1.0.vpack', NETWORK_ENTRIES.slice(0, 2), { version: '1.1.0' }, key);
    [report] = await handlers.syncPacks(undefined, event);
    expect(report!.installed).toEqual([expect.objectContaining({ name: 'network-basics', version: '1.1.0', outcome: 'upgraded' })]);
    expect((await handlers.packsOverview(undefined, event)).packs[0]).toMatchObject({ version: '1.1.0', entries: 2 });

    await expect(handlers.unsubscribePacks({ folder: join(dir, 'elsewhere') }, event)).rejects.toThrow(/^folder: there is no subscription/);
    await expect(handlers.unsubscribePacks({ folder: share }, event)).resolves.toEqual([]);
  });

  it('lists the built-in embedder in use and each model with its state and plain-words reason', async () => {
    const { modelsDir, handlers } = await setUp('models-list');
    await installTinyModel(modelsDir, { unpinned: true, writeManifest: true });
    const overview = await handlers.modelsOverview(undefined, event);
    expect(overview).toMatchObject({ choice: 'builtin', restartNeeded: false, running: { dimensions: 512 } });
    const byId = new Map(overview.models.map((m) => [m.id, m]));
    expect(byId.get('builtin')).toMatchObject({ state: 'ready', chosen: true, reason: null });
    expect(byId.get('tiny-bert')).toMatchObject({ state: 'installed', backend: 'transformers' });
    expect(byId.get('tiny-bert')!.reason).toContain('vigil models pin tiny-bert');
    expect(byId.get('all-minilm-l6-v2')).toMatchObject({ state: 'missing' });
    expect(byId.get('all-minilm-l6-v2')!.reason).toContain('Vigil never downloads model files itself');
    expect(byId.get('nomic-embed-text')).toMatchObject({ state: 'missing', backend: 'ollama' });
    expect(byId.get('nomic-embed-text')!.reason).toContain('ollama pull nomic-embed-text');
  });

  it('refuses a model that cannot be loaded and keeps the saved choice', async () => {
    const { dataDir, modelsDir, handlers } = await setUp('models-refused');
    await installTinyModel(modelsDir, { unpinned: true, writeManifest: true });
    await expect(handlers.useModel({ id: 'tiny-bert' }, event)).rejects.toThrow(/not pinned|pin/);
    expect(await readEmbedderSetting(dataDir)).toBeNull();
  });

  it('uses a verified model only after loading it, then restarts the workspace, re-indexing with it', async () => {
    const { dataDir, modelsDir, host, handlers } = await setUp('models-use');
    await installTinyModel(modelsDir, { writeManifest: true });
    const entries = join(dataDir, '..', 'entries.jsonl');
    await writeFile(entries, NETWORK_ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
    await host.use((w) => w.imports.importPath(entries));

    const used = await handlers.useModel({ id: 'tiny-bert' }, event);
    expect(used).toMatchObject({ choice: 'tiny-bert', dimensions: 6, restartNeeded: true });
    expect(used.embedderId).toMatch(/^tiny-bert@/);
    expect(await readEmbedderSetting(dataDir)).toMatchObject({ model: 'tiny-bert', modelsDir });
    expect(await handlers.modelsOverview(undefined, event)).toMatchObject({ choice: 'tiny-bert', restartNeeded: true, running: { dimensions: 512 } });

    const status = await handlers.restartWorkspace(undefined, event);
    expect(status).toMatchObject({ embedderId: used.embedderId, dimensions: 6, entries: 3 });
    expect(await handlers.modelsOverview(undefined, event)).toMatchObject({ restartNeeded: false, running: { embedderId: used.embedderId } });
    // The knowledge was re-indexed into the new model's table and is searchable through it.
    expect((await host.use((w) => w.knowledge.searchKnowledge('dns cache', 3))).map((h) => h.id)).toContain('net-dns');
    const meta = JSON.parse(await readFile(join(dataDir, 'meta.json'), 'utf8')) as { tables: Record<string, { embedderId: string }>; activeTable: string };
    expect(meta.tables[meta.activeTable]?.embedderId).toBe(used.embedderId);
  });

  it('saves preferences through the store and answers them with the shortcut state', async () => {
    const { handlers } = await setUp('preferences');
    const view = await handlers.getPreferences(undefined, event);
    expect(view.shortcutProblem).toBeNull();
    const next = { ...view.preferences, notifications: { ...view.preferences.notifications, doNotDisturb: true, cooldownMinutes: 30 } };
    await expect(handlers.setPreferences(next, event)).resolves.toEqual({ preferences: next, shortcutProblem: null });
    await expect(handlers.getPreferences(undefined, event)).resolves.toEqual({ preferences: next, shortcutProblem: null });
  });

  it('answers the analyst’s home folder (the account’s unless given), which the app writes as ~', async () => {
    const { host, handlers } = await setUp('home');
    await expect(handlers.homeFolder(undefined, event)).resolves.toBe(homedir());
    const none = async (): Promise<null> => null;
    const given = createSettingsHandlers(host, {
      preferences: await PreferencesStore.open(join(root, 'home')),
      dataDir: join(root, 'home', 'data'),
      pickPackFile: none,
      pickKeyFile: none,
      pickPackFolder: none,
      home: '/home/ana',
    });
    await expect(given.homeFolder(undefined, event)).resolves.toBe('/home/ana');
  });

  it('refuses malformed settings requests, naming the field', () => {
    expect(() => parseIpcRequest('removePack', [{ name: '../../etc' }])).toThrow(/name: must be 1 to 64 characters/);
    expect(() => parseIpcRequest('trustKey', [{ name: '   ' }])).toThrow(/name: the key name is empty/);
    expect(() => parseIpcRequest('subscribePacks', [{ packs: [] }])).toThrow(/packs: name at least one pack/);
    expect(() => parseIpcRequest('untrustKey', [{ id: 'nope' }])).toThrow(/id: must be a key id/);
    expect(() => parseIpcRequest('useModel', [{ id: '../x' }])).toThrow(/id: must be "builtin" or a model id/);
    expect(() => parseIpcRequest('installPack', [{ file: '/etc/passwd' }])).toThrow(/this method takes no arguments/);
    const prefs = {
      notifications: { enabled: true, doNotDisturb: false, dndUntil: null, kinds: { answer: true, similar_case: false, article: false, next_step: false, followup: true, alert: true }, cooldownMinutes: -5 },
      showShortcut: 'Alt+V',
    };
    expect(() => parseIpcRequest('setPreferences', [prefs])).toThrow(/notifications\.cooldownMinutes: the cool-down cannot be negative/);
    expect(() => parseIpcRequest('setPreferences', [{ ...prefs, notifications: { ...prefs.notifications, cooldownMinutes: 5, dndUntil: 'tomorrow' } }])).toThrow(
      /notifications\.dndUntil: the do-not-disturb end must be an ISO 8601 time/,
    );
    expect(() => parseIpcRequest('setPreferences', [{ ...prefs, extra: 1 }])).toThrow(/malformed request/);
  });

  it('lists what Ollama has and pulls the configured local model on request, reporting progress', async () => {
    const dir = join(root, 'llm');
    const local = await startOllamaServer({ models: [{ name: 'nomic-embed-text', parameterSize: '137M' }], pullable: ['llama3.2'] });
    const host = new ServiceHost(() => Workspace.open({ dataDir: join(dir, 'data'), llm: { model: 'llama3.2', host: local.host } }));
    hosts.push(host);
    const progress: { status: string; fraction: number | null }[] = [];
    const handlers = createSettingsHandlers(host, {
      preferences: await PreferencesStore.open(dir),
      dataDir: join(dir, 'data'),
      pickPackFile: async () => null,
      pickKeyFile: async () => null,
      pickPackFolder: async () => null,
      onLlmPullProgress: (p) => progress.push(p),
    });
    try {
      const before = await handlers.llmOverview(undefined, event);
      expect(before.status).toMatchObject({ mode: 'retrieval-only', modelId: 'ollama:llama3.2' });
      expect(before.installed?.map((m) => m.name)).toEqual(['nomic-embed-text:latest']);

      const after = await handlers.pullLlmModel(undefined, event);
      expect(after.mode).toBe('llm');
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.some((p) => p.fraction !== null && p.fraction > 0)).toBe(true);
      expect((await handlers.llmOverview(undefined, event)).installed?.map((m) => m.name)).toContain('llama3.2:latest');
    } finally {
      await host.close();
      await local.close();
    }
  });
});
