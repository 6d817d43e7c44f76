import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { main } from '../../../core/cli/vigil';
import { readEmbedderSetting } from '../../../core/embed/embedderFactory';
import { installTinyModel } from '../../fixtures/tinyOnnx/tinyManifest';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

function capture(): { out: { log: (l: string) => void; error: (l: string) => void }; stdout: string[]; stderr: string[]; text: () => string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l) => stdout.push(l), error: (l) => stderr.push(l) }, stdout, stderr, text: () => [...stdout, ...stderr].join('\n') };
}

describe('vigil models', () => {
  let root: string;
  let modelsDir: string;
  let dataDir: string;
  let ollama: FakeOllama;
  const run = async (...args: string[]): Promise<{ code: number; text: string }> => {
    const c = capture();
    const code = await main(['models', ...args, '--models-dir', modelsDir, '--data-dir', dataDir], c.out);
    return { code, text: c.text() };
  };

  beforeAll(async () => {
    root = await tempFolder('vigil-models-cli-');
    modelsDir = join(root, 'models');
    dataDir = join(root, 'data');
    // As the shipped manifests are: no hashes known in advance.
    await installTinyModel(modelsDir, { unpinned: true, writeManifest: true });
    ollama = await startOllamaServer({ models: [{ name: 'nomic-embed-text' }], embed: () => new Array<number>(768).fill(0.5) });
  });
  afterAll(async () => {
    await ollama.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists the built-in embedder and every manifest with its state', async () => {
    const { code, text } = await run('list');
    expect(code).toBe(0);
    expect(text).toMatch(/^\* builtin +built-in +512/m);
    expect(text).toMatch(/^ {2}tiny-bert +transformers +6 +64 +MIT +installed, hashes not pinned \(run `vigil models pin tiny-bert`\)/m);
    expect(text).toMatch(/^ {2}all-minilm-l6-v2 +transformers +384 +256 +Apache-2\.0 +not installed \(copy its files into .*all-MiniLM-L6-v2\)/m);
    expect(text).toMatch(/^ {2}nomic-embed-text +ollama +768/m);
  });

  it('verifies, pins on first use, refuses changes, and chooses the data folder’s embedder', async () => {
    let result = await run('verify', 'tiny-bert');
    expect(result.code).toBe(1);
    expect(result.text).toMatch(/UNPINNED +onnx\/model\.onnx/);
    expect(result.text).toContain('vigil models pin tiny-bert');

    result = await run('use', 'tiny-bert');
    expect(result.code).toBe(1);
    expect(await readEmbedderSetting(dataDir)).toBeNull();

    result = await run('pin', 'tiny-bert');
    expect(result.code).toBe(0);
    expect(result.text).toContain('pinned the sha256 of 4 files');
    result = await run('verify', 'tiny-bert');
    expect(result.code).toBe(0);
    expect(result.text).toMatch(/tiny-bert: ready \(4 files match their sha256\)/);

    result = await run('use', '--embedder', 'tiny-bert');
    expect(result.code).toBe(0);
    expect(result.text).toMatch(/now uses tiny-bert \(index tiny-bert@[0-9a-f]{12}, 6 dimensions\)/);
    expect(await readEmbedderSetting(dataDir)).toEqual({ model: 'tiny-bert', modelsDir });
    expect((await run('list')).text).toMatch(/^\* tiny-bert/m);

    const status = capture();
    expect(await main(['status', '--data-dir', dataDir], status.out)).toBe(0);
    expect(status.stdout).toContainEqual(expect.stringMatching(/^embedder: tiny-bert@[0-9a-f]{12} \(6 dimensions\)$/));

    // The model is changed behind Vigil's back: refused everywhere until it is deliberately re-pinned.
    await writeFile(join(modelsDir, 'tiny-bert', 'tokenizer_config.json'), '{"model_max_length": 8}');
    result = await run('verify');
    expect(result.code).toBe(1);
    expect(result.text).toMatch(/DIFFERS +tokenizer_config\.json +expected [0-9a-f]{12}… \(pinned on this machine\), found/);
    expect((await run('pin', 'tiny-bert')).code).toBe(1);
    const refused = capture();
    expect(await main(['status', '--data-dir', dataDir], refused.out)).toBe(1);
    expect(refused.stderr.join('\n')).toMatch(/refused.*vigil models use builtin --data-dir/s);

    expect((await run('unpin', 'tiny-bert')).code).toBe(0);
    expect((await run('pin', 'tiny-bert')).code).toBe(0);
    expect((await run('verify', 'tiny-bert')).code).toBe(0);

    expect((await run('use', 'builtin')).code).toBe(0);
    expect(await readEmbedderSetting(dataDir)).toEqual({ model: 'builtin' });
  });

  it('verifies and pins an Ollama model without ever pulling it', async () => {
    let result = await run('verify', 'nomic-embed-text', '--ollama-host', ollama.url);
    expect(result.code).toBe(0);
    expect(result.text).toMatch(/nomic-embed-text: ready \(Ollama nomic-embed-text, digest 000000000000…, 768-dimension vectors checked\)/);
    expect(result.text).toContain('digest not pinned');
    result = await run('pin', 'nomic-embed-text', '--ollama-host', ollama.url);
    expect(result.code).toBe(0);
    expect(result.text).toContain(`pinned Ollama nomic-embed-text at digest ${'0'.repeat(64)}`);
    expect((await run('verify', 'nomic-embed-text', '--ollama-host', ollama.url)).text).toContain('matches the digest pinned on this machine');

    const missing = await startOllamaServer({ models: [] });
    try {
      result = await run('use', 'nomic-embed-text', '--ollama-host', missing.url);
      expect(result.code).toBe(1);
      expect(result.text).toContain('Install it with `ollama pull nomic-embed-text`');
      expect(missing.requests.some((r) => r.path === '/api/pull')).toBe(false);
    } finally {
      await missing.close();
    }
    expect(ollama.requests.some((r) => r.path === '/api/pull')).toBe(false);
  });

  it('replays a recorded queue with a chosen model, to measure it', async () => {
    expect((await run('pin', 'tiny-bert')).code).toBe(0);
    const tickets = join(root, 'tickets.jsonl');
    const knowledge = join(root, 'entries.jsonl');
    await writeFile(knowledge, `${JSON.stringify({ id: 'kb-card', kind: 'article', title: 'card has not arrived', body: 'the card has not arrived' })}\n`);
    await writeFile(tickets, `${JSON.stringify({ id: 'T-1', status: 'open', messages: [{ id: '1', author: 'customer', text: 'my card has not arrived' }] })}\n`);
    const c = capture();
    const code = await main(
      ['replay', '--tickets', tickets, '--knowledge', knowledge, '--out', join(root, 'out.jsonl'), '--embedder', 'tiny-bert', '--models-dir', modelsDir],
      c.out,
    );
    expect(code).toBe(0);
    expect(c.stdout).toContain('tickets: 1 (1 customer messages)');
    const missing = capture();
    expect(await main(['replay', '--tickets', tickets, '--out', join(root, 'out2.jsonl'), '--embedder', 'bge-small-en-v1.5', '--models-dir', modelsDir], missing.out)).toBe(1);
    expect(missing.stderr.join('\n')).toMatch(/Model bge-small-en-v1\.5 is not installed/);
  });

  it('explains usage mistakes with exit code 2 and unknown models with exit code 1', async () => {
    expect((await run('use')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('pin')).code).toBe(2);
    const unknown = await run('verify', 'no-such-model');
    expect(unknown.code).toBe(1);
    expect(unknown.text).toMatch(/No model manifest has the id "no-such-model"/);
  });
});
