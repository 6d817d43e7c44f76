import { rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { checkModelFiles, pinModelFiles } from '../../../core/embed/modelManifest';
import {
  blockedTransformersRequests,
  loadLocalModel,
  ModelNotReadyError,
  offlineTransformers,
  TransformersEmbedder,
} from '../../../core/embed/transformersEmbedder';
import { installTinyModel } from '../../fixtures/tinyOnnx/tinyManifest';
import { referenceHiddenStates, tokenId } from '../../fixtures/tinyOnnx/tinyModel';

/** Token ids of a text as the tiny WordPiece vocabulary splits it, with [CLS] and [SEP] around. */
function ids(...tokens: string[]): number[] {
  return ['[CLS]', ...tokens, '[SEP]'].map(tokenId);
}

function unit(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** Mean pooling over every token, then unit length: what sentence-transformers does for an unpadded text. */
function meanPooled(tokenIds: number[]): number[] {
  const hidden = referenceHiddenStates(tokenIds);
  return unit(hidden[0]!.map((_, k) => hidden.reduce((sum, row) => sum + row[k]!, 0) / hidden.length));
}

function clsPooled(tokenIds: number[]): number[] {
  return unit(referenceHiddenStates(tokenIds)[0]!);
}

function expectClose(actual: Float32Array | undefined, expected: number[]): void {
  expect(actual).toBeDefined();
  expect(actual!.length).toBe(expected.length);
  actual!.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 5));
}

describe('the transformers.js embedder', () => {
  let modelsDir: string;
  const loaded: TransformersEmbedder[] = [];
  const load = async (...args: Parameters<typeof TransformersEmbedder.load>): Promise<TransformersEmbedder> => {
    const embedder = await TransformersEmbedder.load(...args);
    loaded.push(embedder);
    return embedder;
  };

  beforeAll(async () => {
    modelsDir = await tempFolder('vigil-models-');
  });
  afterAll(async () => {
    for (const embedder of loaded) await embedder.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('runs a real ONNX model from a local folder and mean-pools its token vectors exactly as computed by hand', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'mean' });
    const embedder = await load(manifest, { modelsDir });
    const [vpn, hello] = await embedder.embed(['My VPN drops every ten minutes', 'hello world'], 'document');
    // WordPiece splits "drops" into drop + ##s; lower-casing comes from the BERT normaliser in tokenizer.json.
    expectClose(vpn, meanPooled(ids('my', 'vpn', 'drop', '##s', 'every', 'ten', 'minute', '##s')));
    expectClose(hello, meanPooled(ids('hello', 'world')));
    expect(embedder.dimensions).toBe(6);
    expect(Math.hypot(...vpn!)).toBeCloseTo(1, 6);
  });

  it('gives identical vectors for identical texts, whatever else is in the batch and however it is padded', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'batching' });
    const embedder = await load(manifest, { modelsDir, batchSize: 2 });
    const texts = ['the card has not arrived', 'pin', 'my pin is blocked', 'the card has not arrived', 'refund'];
    const together = await embedder.embed(texts, 'document');
    const alone = await Promise.all(texts.map(async (t) => (await embedder.embed([t], 'document'))[0]!));
    expect(together).toHaveLength(texts.length);
    together.forEach((v, i) => expectClose(v, Array.from(alone[i]!)));
    expect(Array.from(together[0]!)).toEqual(Array.from(together[3]!));
    expectClose(together[1], meanPooled(ids('pin')));
  });

  it('takes the [CLS] token vector when the manifest says CLS pooling', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'cls', pooling: 'cls' });
    const embedder = await load(manifest, { modelsDir });
    const [v] = await embedder.embed(['refund my card'], 'document');
    expectClose(v, clsPooled(ids('refund', 'my', 'card')));
  });

  it('puts the manifest’s query and document prefixes before the text', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'prefixed', prefixes: { query: 'query: ', document: 'passage: ' } });
    const embedder = await load(manifest, { modelsDir });
    const [query] = await embedder.embed(['vpn drops'], 'query');
    const [document] = await embedder.embed(['vpn drops'], 'document');
    expectClose(query, meanPooled(ids('query', ':', 'vpn', 'drop', '##s')));
    expectClose(document, meanPooled(ids('passage', ':', 'vpn', 'drop', '##s')));
  });

  it('truncates long inputs at the manifest’s maximum, keeping the closing [SEP] as the model was trained', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'short', maxInputTokens: 6 });
    const embedder = await load(manifest, { modelsDir });
    expect(embedder.maxInputTokens).toBe(6);
    const [long, exact] = await embedder.embed(['my card has not arrived every ten minutes', 'my card has not'], 'document');
    expectClose(long, meanPooled(ids('my', 'card', 'has', 'not')));
    expectClose(exact, meanPooled(ids('my', 'card', 'has', 'not')));
  });

  it('refuses a model whose vectors do not have the manifest’s size', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'wrong-size', dimensions: 384 });
    await expect(TransformersEmbedder.load(manifest, { modelsDir })).rejects.toThrow(
      /produces 6-dimension vectors but its manifest \(tiny-bert\) says 384/,
    );
  });

  it('names the model and its files in its id, so a changed file or prefix means a new index', async () => {
    const a = await installTinyModel(modelsDir, { folder: 'id-a' });
    const first = await load(a, { modelsDir });
    const again = await load(a, { modelsDir });
    expect(first.id).toMatch(/^tiny-bert@[0-9a-f]{12}$/);
    expect(again.id).toBe(first.id);

    const prefixed = await load({ ...a, prefixes: { query: 'query: ', document: '' } }, { modelsDir });
    expect(prefixed.id).not.toBe(first.id);

    // Another tokenizer_config.json (a different revision of the model) with its own hash.
    await writeFile(join(modelsDir, 'id-a', 'tokenizer_config.json'), JSON.stringify({ model_max_length: 128, tokenizer_class: 'BertTokenizer' }));
    const revised = (await checkModelFiles(a, modelsDir)).files.find((f) => f.path === 'tokenizer_config.json')!.actual!;
    const other = await load({ ...a, files: a.files.map((f) => (f.path === 'tokenizer_config.json' ? { ...f, sha256: revised } : f)) }, { modelsDir });
    expect(other.id).not.toBe(first.id);
  });

  it('says how to install a model whose files are missing, and fetches nothing', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const manifest = await installTinyModel(modelsDir, { folder: 'incomplete' });
      await rm(join(modelsDir, 'incomplete', 'onnx', 'model.onnx'));
      const error = await TransformersEmbedder.load(manifest, { modelsDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelNotReadyError);
      expect((error as Error).message).toContain(`${join(modelsDir, 'incomplete', 'onnx', 'model.onnx')} is missing`);
      expect((error as Error).message).toContain('Copy the model');
      expect((error as Error).message).toContain('vigil models verify tiny-bert');
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('refuses files whose sha256 differs from the manifest', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'tampered' });
    await writeFile(join(modelsDir, 'tampered', 'tokenizer.json'), '{"model": {}}');
    await expect(TransformersEmbedder.load(manifest, { modelsDir })).rejects.toThrow(
      /tokenizer\.json has sha256 [0-9a-f]{64}, but the manifest says [0-9a-f]{64}/,
    );
  });

  it('asks for the hashes to be pinned when the manifest has none, then refuses any change after pinning', async () => {
    const manifest = await installTinyModel(modelsDir, { folder: 'tofu', id: 'tofu-bert', unpinned: true });
    await expect(TransformersEmbedder.load(manifest, { modelsDir })).rejects.toThrow(/not pinned yet.*vigil models pin tofu-bert/s);

    expect((await pinModelFiles(manifest, modelsDir)).pinned).toBe(true);
    expect((await pinModelFiles(manifest, modelsDir)).pinned).toBe(false); // already pinned, same files
    const embedder = await load(manifest, { modelsDir });
    expect(embedder.id).toMatch(/^tofu-bert@/);

    await writeFile(join(modelsDir, 'tofu', 'config.json'), '{"model_type": "bert", "hidden_size": 6}');
    await expect(TransformersEmbedder.load(manifest, { modelsDir })).rejects.toThrow(/hash pinned on this machine.*vigil models unpin tofu-bert/s);
    await expect(pinModelFiles(manifest, modelsDir)).rejects.toThrow(/refused/);
  });

  it('never makes a network request, even when transformers.js is asked for a Hub model it does not have', async () => {
    // Three witnesses: the global fetch, the fetch transformers.js was given (it refuses and records), and a loopback
    // "Hub" that any request to the configured remote host would reach, whatever HTTP client made it.
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const hubRequests: string[] = [];
    const hub = createServer((req, res) => {
      hubRequests.push(req.url ?? '');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r));
    const t = await offlineTransformers(modelsDir);
    const remoteHost = t.env.remoteHost;
    t.env.remoteHost = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
    try {
      expect(t.env.allowRemoteModels).toBe(false);
      // A valid Hub id: with remote loading on, transformers.js would download it from the Hub here.
      await expect(t.AutoTokenizer.from_pretrained('Xenova/all-MiniLM-L6-v2')).rejects.toThrow();
      await expect(t.AutoModel.from_pretrained('Xenova/all-MiniLM-L6-v2')).rejects.toThrow(/allowRemoteModels=false|not found locally/);
      // The production loading path on a folder without a tokenizer, bypassing the hash check: it fails locally.
      const manifest = await installTinyModel(modelsDir, { folder: 'no-tokenizer' });
      await rm(join(modelsDir, 'no-tokenizer', 'tokenizer.json'));
      await expect(loadLocalModel(join(modelsDir, 'no-tokenizer'), manifest.modelFile, modelsDir)).rejects.toThrow(/tokenizer\.json/);
      // The whole production path, from hashes to vectors.
      const embedder = await load(await installTinyModel(modelsDir, { folder: 'offline' }), { modelsDir });
      expect(await embedder.embed(['hello world'], 'query')).toHaveLength(1);
      expect(fetchSpy).not.toHaveBeenCalled();
      expect(blockedTransformersRequests()).toEqual([]);
      expect(hubRequests).toEqual([]);

      // Control: with remote loading switched back on, the same call does reach the loopback Hub, so the witness sees.
      t.env.allowRemoteModels = true;
      t.env.fetch = (input: string | URL, init?: RequestInit) => fetch(input, init);
      // (Another id: transformers.js remembers which files it found missing for the first one.)
      await expect(t.AutoTokenizer.from_pretrained('Xenova/bge-small-en-v1.5')).rejects.toThrow();
      expect(hubRequests.some((url) => url.startsWith('/Xenova/bge-small-en-v1.5/'))).toBe(true);
    } finally {
      await offlineTransformers(modelsDir); // every switch back off for the other tests
      t.env.remoteHost = remoteHost;
      fetchSpy.mockRestore();
      await new Promise((r) => hub.close(r));
    }
  });
});
