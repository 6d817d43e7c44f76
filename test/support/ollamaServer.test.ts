import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaServer, type FakeOllama } from './ollamaServer';

describe('the loopback Ollama API server used by the tests', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => server?.close());

  it('answers the official ollama client: tags, chat (streamed and not), embed, pull, errors', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      pullable: ['nomic-embed-text'],
      reply: (body) => ({ content: `echo:${body.messages?.at(-1)?.content ?? ''}`, chunks: ['ec', 'ho:', 'hi'] }),
    });
    const client = new Ollama({ host: server.url });
    expect((await client.list()).models.map((m) => m.name)).toEqual(['llama3.2:latest']);
    const once = await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: false });
    expect(once.message.content).toBe('echo:hi');
    let streamed = '';
    for await (const part of await client.chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }], stream: true })) {
      streamed += part.message.content;
    }
    expect(streamed).toBe('echo:hi');
    await expect(client.embed({ model: 'nomic-embed-text', input: 'x' })).rejects.toThrow(/not found/);
    const statuses: string[] = [];
    for await (const p of await client.pull({ model: 'nomic-embed-text', stream: true })) statuses.push(p.status);
    expect(statuses.at(-1)).toBe('success');
    const embedded = await client.embed({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(embedded.embeddings).toHaveLength(2);
    await expect(client.pull({ model: 'nope', stream: false })).rejects.toThrow(/file does not exist/);
    server.failAll(503);
    await expect(client.list()).rejects.toThrow(/scripted failure 503/);
    expect(server.requests.some((r) => r.path === '/api/chat' && r.body?.['stream'] === false)).toBe(true);
  });
});
