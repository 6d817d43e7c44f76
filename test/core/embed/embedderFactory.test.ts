import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import {
  createEmbedder,
  openConfiguredEmbedder,
  readEmbedderSetting,
  settingsFile,
  writeEmbedderSetting,
} from '../../../core/embed/embedderFactory';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { TransformersEmbedder } from '../../../core/embed/transformersEmbedder';
import { installTinyModel } from '../../fixtures/tinyOnnx/tinyManifest';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

const ENTRIES = [
  { id: 'kb-vpn', kind: 'article', title: 'vpn drops', body: 'my vpn drops every ten minutes' },
  { id: 'kb-card', kind: 'article', title: 'card has not arrived', body: 'the card has not arrived' },
  { id: 'kb-pin', kind: 'qa', question: 'my pin is blocked', body: 'hello world' },
];

describe('choosing the embedder of a data folder', () => {
  let root: string;
  let modelsDir: string;
  let knowledge: string;
  let ollama: FakeOllama;

  beforeAll(async () => {
    root = await tempFolder('vigil-factory-');
    modelsDir = join(root, 'models');
    await installTinyModel(modelsDir, { writeManifest: true });
    // An admin's Ollama manifest, at the fake server's 8 dimensions.
    await writeFile(
      join(modelsDir, 'manifests', 'tiny-ollama.json'),
      JSON.stringify({
        format: 1,
        id: 'tiny-ollama',
        name: 'tiny-ollama',
        task: 'sentence-embedding',
        backend: 'ollama',
        tag: 'tiny-embed',
        digest: null,
        dimensions: 8,
        maxInputTokens: 512,
        prefixes: { query: 'search_query: ', document: 'search_document: ' },
        licence: 'MIT',
        source: 'ollama pull tiny-embed',
      }),
    );
    knowledge = join(root, 'entries.jsonl');
    await writeFile(knowledge, ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
    ollama = await startOllamaServer({ models: [{ name: 'tiny-embed' }] });
  });
  afterAll(async () => {
    await ollama.close();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the choice in settings.json beside other settings, and names the field of a bad one', async () => {
    const dataDir = join(root, 'settings');
    expect(await readEmbedderSetting(dataDir)).toBeNull();
    await mkdir(dataDir, { recursive: true });
    await writeFile(settingsFile(dataDir), JSON.stringify({ theme: 'dark' }));
    await writeEmbedderSetting(dataDir, { model: 'tiny-bert', modelsDir });
    expect(JSON.parse(await readFile(settingsFile(dataDir), 'utf8'))).toEqual({ theme: 'dark', embedder: { model: 'tiny-bert', modelsDir } });
    expect(await readEmbedderSetting(dataDir)).toEqual({ model: 'tiny-bert', modelsDir });

    await writeFile(settingsFile(dataDir), '{\n  "theme": "dark",\n  "embedder": {"model": 7}\n}');
    await expect(readEmbedderSetting(dataDir)).rejects.toThrow(`${settingsFile(dataDir)}:3: embedder.model: Invalid input: expected string, received number`);
  });

  it('builds each backend behind the one interface', async () => {
    expect(await createEmbedder('builtin')).toBeInstanceOf(HashedEmbedder);
    const tiny = await createEmbedder('tiny-bert', { modelsDir });
    expect(tiny.id).toMatch(/^tiny-bert@/);
    expect(tiny.maxInputTokens).toBe(64);
    await tiny.close?.();
    const viaOllama = await createEmbedder('tiny-ollama', { modelsDir, ollamaHost: ollama.url });
    expect(viaOllama.id).toMatch(/^tiny-ollama@/);
    expect((await viaOllama.embed(['vpn'], 'query'))[0]).toHaveLength(8);
    await expect(createEmbedder('no-such-model', { modelsDir })).rejects.toThrow(/No model manifest has the id "no-such-model" \(known: .*tiny-bert/);
  });

  it('opens the engine with the folder’s model, re-indexes on a change, and loses nothing going back', async () => {
    const dataDir = join(root, 'engine');
    let service = await CopilotService.open({ dataDir, reindex: 'wait' });
    expect((await service.status()).embedderId).toBe(new HashedEmbedder().id);
    expect((await service.importEntries(knowledge)).imported).toBe(3);
    await service.close();

    await writeEmbedderSetting(dataDir, { model: 'tiny-bert', modelsDir });
    service = await CopilotService.open({ dataDir, reindex: 'wait' });
    const status = await service.status();
    expect(status.embedderId).toMatch(/^tiny-bert@[0-9a-f]{12}$/);
    expect(status.dimensions).toBe(6);
    expect(status.entries).toBe(3);
    expect((await service.knowledge.searchKnowledge('my vpn drops', 3))[0]?.id).toBe('kb-vpn');
    const release = vi.spyOn(TransformersEmbedder.prototype, 'close');
    await service.close();
    expect(release).toHaveBeenCalledTimes(1); // the ONNX Runtime session the service opened is released with it
    release.mockRestore();

    await writeEmbedderSetting(dataDir, { model: 'tiny-ollama', modelsDir, ollamaHost: ollama.url });
    service = await CopilotService.open({ dataDir, reindex: 'wait' });
    expect((await service.status()).embedderId).toMatch(/^tiny-ollama@/);
    expect((await service.status()).entries).toBe(3);
    await service.close();

    await writeEmbedderSetting(dataDir, { model: 'builtin' });
    service = await CopilotService.open({ dataDir, reindex: 'wait' });
    expect((await service.status()).entries).toBe(3);
    expect((await service.knowledge.searchKnowledge('card has not arrived', 1))[0]?.id).toBe('kb-card');
    await service.close();
  });

  it('refuses to open with a model that cannot be used, says how to go back, and leaves the folder usable', async () => {
    const dataDir = join(root, 'broken');
    const brokenModels = join(root, 'broken-models');
    await installTinyModel(brokenModels, { writeManifest: true });
    await writeEmbedderSetting(dataDir, { model: 'tiny-bert', modelsDir: brokenModels });
    await rm(join(brokenModels, 'tiny-bert', 'tokenizer.json'));

    await expect(openConfiguredEmbedder(dataDir)).rejects.toThrow(/uses the embedder "tiny-bert".*tokenizer\.json is missing.*vigil models use builtin --data-dir/s);
    await expect(CopilotService.open({ dataDir, reindex: 'wait' })).rejects.toThrow(/Copy the model's files/);

    await writeEmbedderSetting(dataDir, { model: 'builtin' });
    const service = await CopilotService.open({ dataDir, reindex: 'wait' });
    await service.close();
  });
});
