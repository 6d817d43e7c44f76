import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { OllamaManifest } from '../../../core/embed/modelManifest';
import { writePin } from '../../../core/embed/modelManifest';
import { ollamaBaseUrl, OllamaEmbedder, OllamaModelMissingError } from '../../../core/embed/ollamaEmbedder';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

/** nomic-embed-text's manifest facts, at the fake server's 8 dimensions. */
function manifest(overrides: Partial<OllamaManifest> = {}): OllamaManifest {
  return {
    format: 1,
    id: 'nomic-embed-text',
    name: 'nomic-embed-text',
    task: 'sentence-embedding',
    backend: 'ollama',
    tag: 'nomic-embed-text',
    digest: null,
    dimensions: 8,
    maxInputTokens: 8192,
    prefixes: { query: 'search_query: ', document: 'search_document: ' },
    licence: 'Apache-2.0',
    source: 'ollama pull nomic-embed-text',
    ...overrides,
  };
}

/** A fetch that rewrites the digest `/api/tags` reports, as after `ollama pull` of a newer version. */
function withDigest(digest: string): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (!String(input).endsWith('/api/tags')) return response;
    const body = (await response.json()) as { models: Array<Record<string, unknown>> };
    for (const m of body.models) m['digest'] = digest;
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

describe('the Ollama embedder', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanup.length > 0) await cleanup.pop()!();
  });
  async function ollama(models = [{ name: 'nomic-embed-text' }], embed?: (text: string) => number[]): Promise<FakeOllama> {
    const server = await startOllamaServer({ models, ...(embed ? { embed } : {}) });
    cleanup.push(() => server.close());
    return server;
  }

  it('embeds through /api/embed in batches, with the manifest’s prefixes and input limit, as unit vectors in order', async () => {
    const server = await ollama([{ name: 'nomic-embed-text' }], (text) => [text.length, 1, 0, 0, 0, 0, 0, 0]);
    const embedder = await OllamaEmbedder.connect(manifest(), { host: server.url, batchSize: 2 });
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee'];
    const vectors = await embedder.embed(texts, 'document');

    const embedCalls = server.requests.filter((r) => r.path === '/api/embed').slice(1); // after the probe
    expect(embedCalls.map((r) => r.body?.['input'])).toEqual([
      ['search_document: a', 'search_document: bb'],
      ['search_document: ccc', 'search_document: dddd'],
      ['search_document: eeeee'],
    ]);
    expect(embedCalls[0]!.body).toMatchObject({ model: 'nomic-embed-text', truncate: true, options: { num_ctx: 8192 } });
    vectors.forEach((v, i) => {
      const length = 'search_document: '.length + texts[i]!.length;
      expect(v[0]).toBeCloseTo(length / Math.hypot(length, 1), 6);
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    });

    await embedder.embed(['vpn'], 'query');
    expect(server.requests.at(-1)!.body?.['input']).toEqual(['search_query: vpn']);
  });

  it('says which `ollama pull` to run when the model is missing, and never pulls it', async () => {
    const server = await ollama([{ name: 'llama3.2' }]);
    const error = await OllamaEmbedder.connect(manifest(), { host: server.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OllamaModelMissingError);
    expect((error as Error).message).toContain('Install it with `ollama pull nomic-embed-text`');
    expect(server.requests.map((r) => r.path)).toEqual(['/api/tags']);
  });

  it('finds a model listed under its full tag', async () => {
    const server = await ollama([{ name: 'nomic-embed-text:latest' }]);
    await expect(OllamaEmbedder.connect(manifest({ tag: 'nomic-embed-text:latest' }), { host: server.url })).resolves.toBeInstanceOf(OllamaEmbedder);
    await expect(OllamaEmbedder.connect(manifest({ tag: 'nomic-embed-text:v1.5' }), { host: server.url })).rejects.toThrow(/ollama pull nomic-embed-text:v1.5/);
  });

  it('refuses vectors whose size is not the manifest’s', async () => {
    const server = await ollama();
    await expect(OllamaEmbedder.connect(manifest({ dimensions: 768 }), { host: server.url })).rejects.toThrow(
      /returned a 8-dimension vector .* says 768/,
    );
  });

  it('reports garbage and server errors in words', async () => {
    const server = await ollama();
    const embedder = await OllamaEmbedder.connect(manifest(), { host: server.url });
    server.set({ embed: () => [Number.NaN, 0, 0, 0, 0, 0, 0, 0] });
    await expect(embedder.embed(['x'], 'query')).rejects.toThrow(/unexpected form|non-finite/);
    server.failAll(500);
    await expect(embedder.embed(['x'], 'query')).rejects.toThrow(/could not embed with nomic-embed-text \(HTTP 500: scripted failure 500\)/);
  });

  it('says Ollama is not running when nothing listens', async () => {
    const server = await ollama();
    const url = server.url;
    await server.close();
    await expect(OllamaEmbedder.connect(manifest(), { host: url })).rejects.toThrow(/Ollama is not running at 127\.0\.0\.1:\d+ .*ollama serve/);
  });

  it('gives up on a server that never answers', async () => {
    const silent: Server = createServer(() => undefined); // accepts, never responds
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => { silent.closeAllConnections(); silent.close(() => r()); }));
    const { port } = silent.address() as AddressInfo;
    await expect(OllamaEmbedder.connect(manifest(), { host: `127.0.0.1:${port}`, timeoutMs: 300 })).rejects.toThrow(
      /did not answer GET \/api\/tags within 300 ms/,
    );
  });

  it('connects only to this machine', async () => {
    await expect(OllamaEmbedder.connect(manifest(), { host: 'http://10.20.30.40:11434' })).rejects.toThrow(
      /Blocked a connection to 10\.20\.30\.40.*OLLAMA_HOST/,
    );
  });

  it('carries the model’s digest in its id, and refuses a digest other than the pinned one', async () => {
    const server = await ollama();
    const modelsDir = await tempFolder('vigil-models-');
    const a = await OllamaEmbedder.connect(manifest(), { host: server.url, fetch: withDigest('a'.repeat(64)) });
    const b = await OllamaEmbedder.connect(manifest(), { host: server.url, fetch: withDigest('b'.repeat(64)) });
    expect(a.id).toMatch(/^nomic-embed-text@[0-9a-f]{12}$/);
    expect(b.id).not.toBe(a.id);

    await expect(OllamaEmbedder.connect(manifest({ digest: 'a'.repeat(64) }), { host: server.url, fetch: withDigest('b'.repeat(64)) })).rejects.toThrow(
      /digest is b{64}, but the manifest says a{64}/,
    );
    await writePin(modelsDir, 'nomic-embed-text', { pinnedAt: '2026-11-22T00:00:00Z', digest: 'a'.repeat(64) });
    await expect(OllamaEmbedder.connect(manifest(), { host: server.url, modelsDir, fetch: withDigest('b'.repeat(64)) })).rejects.toThrow(
      /pinned on this machine says a{64}.*vigil models unpin nomic-embed-text/,
    );
    await expect(OllamaEmbedder.connect(manifest(), { host: server.url, modelsDir, fetch: withDigest('a'.repeat(64)) })).resolves.toBeInstanceOf(OllamaEmbedder);
  });

  it('reads OLLAMA_HOST the way Ollama does', () => {
    expect(ollamaBaseUrl(undefined)).toBe('http://127.0.0.1:11434');
    expect(ollamaBaseUrl('127.0.0.1')).toBe('http://127.0.0.1:11434');
    expect(ollamaBaseUrl('0.0.0.0:5000')).toBe('http://127.0.0.1:5000');
    expect(ollamaBaseUrl('http://localhost:80')).toBe('http://localhost');
  });
});
