/**
 * A loopback HTTP server that speaks the documented Ollama REST API (github.com/ollama/ollama, docs/api.md):
 * `GET /api/version`, `GET /api/tags`, `POST /api/show`, `POST /api/pull`, `POST /api/chat`,
 * `POST /api/generate`, `POST /api/embed`. Ollama itself cannot be installed here, so tests script this server
 * per test: what each model answers, which models exist, and faults (HTTP errors, garbage, stalls).
 * Every request is recorded so tests can check what the engine sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
}

export interface ChatRequestBody {
  model: string;
  messages?: Array<{ role: string; content: string }>;
  prompt?: string;
  system?: string;
  format?: unknown;
  stream?: boolean;
  options?: Record<string, unknown>;
}

/** What a scripted chat/generate turn does: answer with text, or fail. */
export type ScriptedReply =
  | string
  | { content: string; chunks?: string[] }
  | { status: number; error: string }
  | { garbage: string }
  | { stallMs: number; then?: ScriptedReply };

export interface FakeModel {
  name: string;
  /** Parameter size shown in `/api/tags`, e.g. `3.2B`. */
  parameterSize?: string;
  family?: string;
}

export interface OllamaServerOptions {
  models?: FakeModel[];
  /** Answers `/api/chat` and `/api/generate`; default echoes nothing useful (`{}`). */
  reply?: (body: ChatRequestBody, index: number) => ScriptedReply | Promise<ScriptedReply>;
  /** Embeds one text for `/api/embed`; default: a deterministic 8-dimension vector from character codes. */
  embed?: (text: string, model: string) => number[];
  /** Models `/api/pull` can fetch (added to `/api/tags` once pulled); others fail like Ollama does. */
  pullable?: string[];
}

export interface FakeOllama {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: string;
  requests: RecordedRequest[];
  options: OllamaServerOptions;
  /** Replace handlers mid-test. */
  set(options: Partial<OllamaServerOptions>): void;
  /** Make every request fail with this HTTP status until cleared (null). */
  failAll(status: number | null): void;
  close(): Promise<void>;
}

function defaultEmbed(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (let i = 0; i < text.length; i++) v[i % 8]! += (text.charCodeAt(i) % 31) / 31;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | null> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return null;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { __unparsable: text };
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tagOf(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

export async function startOllamaServer(initial: OllamaServerOptions = {}): Promise<FakeOllama> {
  const options: OllamaServerOptions = { ...initial };
  const requests: RecordedRequest[] = [];
  const installed = new Map<string, FakeModel>();
  for (const m of options.models ?? []) installed.set(tagOf(m.name), m);
  let failStatus: number | null = null;
  let chatCount = 0;

  const modelKnown = (name: unknown): boolean => typeof name === 'string' && installed.has(tagOf(name));

  async function answer(res: ServerResponse, body: ChatRequestBody, path: '/api/chat' | '/api/generate'): Promise<void> {
    let reply: ScriptedReply = options.reply ? await options.reply(body, chatCount++) : '{}';
    while (typeof reply === 'object' && 'stallMs' in reply) {
      await sleep(reply.stallMs);
      if (res.destroyed || !reply.then) {
        if (!res.destroyed) res.destroy();
        return;
      }
      reply = reply.then;
    }
    if (typeof reply === 'object' && 'status' in reply) return json(res, reply.status, { error: reply.error });
    if (typeof reply === 'object' && 'garbage' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(reply.garbage);
      return;
    }
    const content = typeof reply === 'string' ? reply : reply.content;
    const chunks = typeof reply === 'string' || !reply.chunks ? [content] : reply.chunks;
    const createdAt = new Date().toISOString();
    const piece = (text: string, done: boolean): Record<string, unknown> =>
      path === '/api/chat'
        ? { model: body.model, created_at: createdAt, message: { role: 'assistant', content: text }, done }
        : { model: body.model, created_at: createdAt, response: text, done };
    const stats = {
      done_reason: 'stop',
      total_duration: 1_000_000,
      load_duration: 100_000,
      prompt_eval_count: 10,
      prompt_eval_duration: 100_000,
      eval_count: content.length,
      eval_duration: 500_000,
    };
    if (body.stream === false) return json(res, 200, { ...piece(content, true), ...stats });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const chunk of chunks) {
      if (res.destroyed) return;
      res.write(`${JSON.stringify(piece(chunk, false))}\n`);
      await sleep(1);
    }
    res.end(`${JSON.stringify({ ...piece('', true), ...stats })}\n`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = await readBody(req);
    requests.push({ method: req.method ?? 'GET', path, body });
    if (failStatus !== null) return json(res, failStatus, { error: `scripted failure ${failStatus}` });
    if (body && '__unparsable' in body) return json(res, 400, { error: 'invalid character in request body' });

    if (req.method === 'GET' && (path === '/' || path === '')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('Ollama is running');
    }
    if (req.method === 'GET' && path === '/api/version') return json(res, 200, { version: '0.12.6' });
    if (req.method === 'GET' && path === '/api/tags') {
      return json(res, 200, {
        models: [...installed.entries()].map(([tag, m]) => ({
          name: tag,
          model: tag,
          modified_at: '2026-11-01T00:00:00Z',
          size: 2_000_000_000,
          digest: 'sha256:' + '0'.repeat(64),
          details: {
            format: 'gguf',
            family: m.family ?? 'llama',
            families: [m.family ?? 'llama'],
            parameter_size: m.parameterSize ?? '3.2B',
            quantization_level: 'Q4_K_M',
          },
        })),
      });
    }
    if (req.method === 'POST' && path === '/api/show') {
      const name = body?.['model'] ?? body?.['name'];
      if (!modelKnown(name)) return json(res, 404, { error: `model '${String(name)}' not found` });
      return json(res, 200, { modelfile: '', parameters: '', template: '', details: { format: 'gguf' } });
    }
    if (req.method === 'POST' && path === '/api/pull') {
      const name = String(body?.['model'] ?? body?.['name'] ?? '');
      if (!(options.pullable ?? []).map(tagOf).includes(tagOf(name))) {
        return json(res, 500, { error: 'pull model manifest: file does not exist' });
      }
      const total = 4_000_000;
      const steps = [
        { status: 'pulling manifest' },
        ...[0, 1_000_000, 2_500_000, total].map((completed) => ({
          status: 'pulling aabbccdd',
          digest: 'sha256:aabbccdd',
          total,
          completed,
        })),
        { status: 'verifying sha256 digest' },
        { status: 'writing manifest' },
        { status: 'success' },
      ];
      installed.set(tagOf(name), { name });
      if (body?.['stream'] === false) return json(res, 200, { status: 'success' });
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for (const step of steps) {
        res.write(`${JSON.stringify(step)}\n`);
        await sleep(1);
      }
      return void res.end();
    }
    if (req.method === 'POST' && (path === '/api/chat' || path === '/api/generate')) {
      if (!modelKnown(body?.['model'])) {
        return json(res, 404, { error: `model '${String(body?.['model'])}' not found, try pulling it first` });
      }
      return answer(res, body as unknown as ChatRequestBody, path);
    }
    if (req.method === 'POST' && path === '/api/embed') {
      const model = String(body?.['model'] ?? '');
      if (!modelKnown(model)) return json(res, 404, { error: `model '${model}' not found, try pulling it first` });
      const input = body?.['input'];
      const texts = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
      const embed = options.embed ?? defaultEmbed;
      return json(res, 200, {
        model,
        embeddings: texts.map((t) => embed(t, model)),
        total_duration: 1_000_000,
        load_duration: 100_000,
        prompt_eval_count: texts.length,
      });
    }
    return json(res, 404, { error: '404 page not found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    options,
    set(next) {
      Object.assign(options, next);
      for (const m of next.models ?? []) installed.set(tagOf(m.name), m);
    },
    failAll(status) {
      failStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
