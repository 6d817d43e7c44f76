import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LlmError } from '../../../core/llm/languageModel';
import { ollamaBaseUrl, OllamaClient, type PullProgress } from '../../../core/llm/ollamaClient';
import { EgressPolicy } from '../../../core/net/egress';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

const Verdict = z.object({ answerable: z.boolean(), citations: z.array(z.string()) });

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LlmError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('OllamaClient against the loopback Ollama API server', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => server?.close());

  it('reports health and installed models, and says when the configured model is missing', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2', parameterSize: '3.2B' }] });
    const ok = await new OllamaClient({ host: server.host, model: 'llama3.2' }).health();
    expect(ok).toMatchObject({ reachable: true, version: '0.12.6', modelInstalled: true, problem: null });
    expect(ok.models[0]).toMatchObject({ name: 'llama3.2:latest', parameterSize: '3.2B', quantization: 'Q4_K_M' });

    const missing = await new OllamaClient({ host: server.host, model: 'qwen2.5:7b' }).health();
    expect(missing.reachable).toBe(true);
    expect(missing.problem?.kind).toBe('model_missing');
    expect(missing.problem?.message).toMatch(/qwen2\.5:7b is not installed.*ollama pull qwen2\.5:7b/);
  });

  it('says Ollama is not running, in words, when nothing listens at the host', async () => {
    server = await startOllamaServer();
    const host = server.host;
    await server.close();
    server = undefined;
    const client = new OllamaClient({ host, model: 'llama3.2' });
    const health = await client.health();
    expect(health.reachable).toBe(false);
    expect(health.problem?.kind).toBe('unreachable');
    expect(health.problem?.message).toBe(`Ollama is not running at ${host}. Start it with \`ollama serve\`, or keep working in retrieval-only mode.`);
    expect((await failure(client.generateJson({ system: 's', prompt: 'p', schema: Verdict }))).kind).toBe('unreachable');
  });

  it('sends the JSON schema as `format`, and returns the validated object', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => '{"answerable": true, "citations": ["kb-1"]}' });
    const client = new OllamaClient({ host: server.host, model: 'llama3.2' });
    const verdict = await client.generateJson({ system: 'sys', prompt: 'judge this', schema: Verdict });
    expect(verdict).toEqual({ answerable: true, citations: ['kb-1'] });
    const sent = server.requests.find((r) => r.path === '/api/chat')?.body;
    expect(sent).toMatchObject({ model: 'llama3.2', stream: false, format: { type: 'object', required: ['answerable', 'citations'] } });
    expect(sent?.['messages']).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'judge this' },
    ]);
    expect(sent?.['tools']).toBeUndefined();
  });

  it('rejects garbage, JSON of the wrong shape and a garbled HTTP body as bad output', async () => {
    const replies = ['not json at all', '{"answerable": "yes"}', { garbage: '{"message": {"content": ' }];
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: (_b, i) => replies[i] ?? '{}' });
    const client = new OllamaClient({ host: server.host, model: 'llama3.2' });
    const notJson = await failure(client.generateJson({ system: 's', prompt: 'p', schema: Verdict }));
    expect(notJson).toMatchObject({ kind: 'bad_output' });
    expect(notJson.message).toMatch(/not JSON/);
    const wrongShape = await failure(client.generateJson({ system: 's', prompt: 'p', schema: Verdict }));
    expect(wrongShape.message).toMatch(/answerable: /);
    expect((await failure(client.generateJson({ system: 's', prompt: 'p', schema: Verdict }))).kind).toBe('bad_output');
  });

  it('names a missing model and a server error (out of memory) distinctly', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => ({ status: 500, error: 'model requires more system memory (8 GiB) than is available' }) });
    const missing = await failure(new OllamaClient({ host: server.host, model: 'mistral' }).generateJson({ system: 's', prompt: 'p', schema: Verdict }));
    expect(missing.kind).toBe('model_missing');
    const oom = await failure(new OllamaClient({ host: server.host, model: 'llama3.2' }).generateJson({ system: 's', prompt: 'p', schema: Verdict }));
    expect(oom.kind).toBe('server_error');
    expect(oom.message).toMatch(/more system memory/);
  });

  it('gives up on a stalled answer after its time limit, and on cancellation', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => ({ stallMs: 5_000 }) });
    const client = new OllamaClient({ host: server.host, model: 'llama3.2' });
    const timedOut = await failure(client.generateJson({ system: 's', prompt: 'p', schema: Verdict, timeoutMs: 50 }));
    expect(timedOut.kind).toBe('timeout');
    const controller = new AbortController();
    const pending = client.generateJson({ system: 's', prompt: 'p', schema: Verdict, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await failure(pending)).kind).toBe('aborted');
    const stream = client.streamText({ system: 's', prompt: 'p', timeoutMs: 50 });
    expect((await failure(stream)).kind).toBe('timeout');
  });

  it('streams a draft chunk by chunk, and can cancel it midway', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: (_b, i) => (i === 0 ? { content: 'Lower the MTU.', chunks: ['Lower ', 'the ', 'MTU.'] } : { content: 'x', chunks: ['a', 'b', 'c', 'd', 'e', 'f'] }),
    });
    const client = new OllamaClient({ host: server.host, model: 'llama3.2' });
    const seen: string[] = [];
    expect(await client.streamText({ system: 's', prompt: 'p', onText: (t) => seen.push(t) })).toBe('Lower the MTU.');
    expect(seen).toEqual(['Lower ', 'Lower the ', 'Lower the MTU.']);
    const controller = new AbortController();
    const cancelled = client.streamText({ system: 's', prompt: 'p', signal: controller.signal, onText: () => controller.abort() });
    expect((await failure(cancelled)).kind).toBe('aborted');
  });

  it('pulls a model with progress, and reports a model that does not exist', async () => {
    server = await startOllamaServer({ models: [], pullable: ['llama3.2'] });
    const client = new OllamaClient({ host: server.host, model: 'llama3.2' });
    expect((await client.health()).modelInstalled).toBe(false);
    const progress: PullProgress[] = [];
    await client.pull((p) => progress.push(p));
    expect(progress.map((p) => p.fraction).filter((f) => f !== null)).toEqual([0, 0.25, 0.625, 1]);
    expect(progress.at(-1)?.status).toBe('success');
    expect((await client.health()).modelInstalled).toBe(true);
    const nope = await failure(client.pull(() => {}, { model: 'no-such-model' }));
    expect(nope.message).toMatch(/could not download no-such-model.*file does not exist/);
  });

  it('goes through the egress policy, which refuses a non-loopback host before connecting', async () => {
    const client = new OllamaClient({ host: 'ollama.example.com:11434', model: 'llama3.2', fetch: new EgressPolicy({ offline: true }).fetch });
    const blocked = await failure(client.generateJson({ system: 's', prompt: 'p', schema: Verdict }));
    expect(blocked.kind).toBe('blocked');
    expect(blocked.message).toMatch(/will not send ticket text to ollama\.example\.com:11434/);
  });

  it('accepts the host forms people write', () => {
    expect(ollamaBaseUrl('127.0.0.1:11434')).toBe('http://127.0.0.1:11434');
    expect(ollamaBaseUrl('localhost')).toBe('http://localhost:11434');
    expect(ollamaBaseUrl(':8080')).toBe('http://127.0.0.1:8080');
    expect(ollamaBaseUrl('http://[::1]:11434/')).toBe('http://[::1]:11434');
  });
});
