/**
 * The one client for a local Ollama server (REST API: github.com/ollama/ollama, docs/api.md), built on the official
 * `ollama` package with the engine's egress-checked `fetch`. Health, model list, pull with progress, structured
 * output (`format` = the answer's JSON schema, validated again here), streamed drafts, time limits and
 * cancellation. Every failure becomes an `LlmError` whose message an analyst can act on.
 */
import { Ollama } from 'ollama';
import { z } from 'zod';
import type { LlmCallReport } from '../privacy/llmCallReport';
import { errorMessage } from '../formats/errorMessage';
import { describeZodError } from '../formats/jsonl';
import { emptyCounts } from '../privacy/redaction';
import { LlmError, type CallOptions, type JsonRequest, type LanguageModel, type TextRequest } from './languageModel';

/** Where Ollama listens unless configured otherwise (its own default). */
export const DEFAULT_OLLAMA_HOST = '127.0.0.1:11434';

/** A JSON answer (scope, rewrite, answerability) normally takes 1–5 s on a laptop CPU with a 3B model. */
export const DEFAULT_JSON_TIMEOUT_MS = 60_000;
/** A stream that sends nothing for this long has stalled (a cold model load can take ~20 s before the first token). */
export const DEFAULT_STREAM_IDLE_MS = 60_000;
/** Health checks must be quick: the status bar waits for them. */
const HEALTH_TIMEOUT_MS = 3_000;
/** How long Ollama keeps the model loaded after a call; the pipeline calls it after every customer message. */
const KEEP_ALIVE = '15m';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface OllamaClientOptions {
  /** `host:port` or a URL; default 127.0.0.1:11434. */
  host?: string;
  /** The model used for generation, e.g. `llama3.2:3b`. */
  model: string;
  /** The egress policy's fetch (`EgressPolicy.fetch`); default the global fetch. */
  fetch?: Fetch;
  jsonTimeoutMs?: number;
  streamIdleMs?: number;
  /**
   * Hears every generation call when it ends (JSON answers and drafts; not health checks or model lists): the
   * service appends it to the audit log as an `llm_call` record. A call without `audit` info is reported as
   * purpose `unlabelled`.
   */
  onCall?: (report: LlmCallReport) => void;
}

export interface ModelInfo {
  /** Full tag, e.g. `llama3.2:latest`. */
  name: string;
  sizeBytes: number;
  parameterSize: string | null;
  family: string | null;
  quantization: string | null;
}

export interface LlmHealth {
  reachable: boolean;
  /** Ollama's version when reachable. */
  version: string | null;
  models: ModelInfo[];
  /** Whether the configured model is installed. */
  modelInstalled: boolean;
  /** Null when all is well; otherwise what is wrong, in words. */
  problem: LlmError | null;
}

export interface PullProgress {
  status: string;
  completed: number | null;
  total: number | null;
  /** completed / total when both are known. */
  fraction: number | null;
}

/** `llama3.2` and `llama3.2:latest` are the same model to Ollama. */
export function modelTag(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

/** `http://127.0.0.1:11434` from `127.0.0.1:11434`, `:11434` or a URL. */
export function ollamaBaseUrl(host: string): string {
  const withScheme = host.startsWith(':') ? `http://127.0.0.1${host}` : host.includes('://') ? host : `http://${host}`;
  const url = new URL(withScheme);
  if (!url.port && !host.includes('://')) url.port = '11434';
  return url.origin;
}

/** A time limit and a caller's signal combined; `timedOut` tells the two apart after an abort. */
class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  timedOut = false;
  readonly signal: AbortSignal;

  constructor(
    private readonly ms: number,
    caller?: AbortSignal,
  ) {
    this.signal = caller ? AbortSignal.any([caller, this.controller.signal]) : this.controller.signal;
    this.reset();
  }

  /** Restarts the clock (streams: after every chunk). */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error('timeout'));
    }, this.ms);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

function causeCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

export class OllamaClient implements LanguageModel {
  readonly id: string;
  readonly model: string;
  /** `127.0.0.1:11434`, as shown to people. */
  readonly hostLabel: string;
  private readonly baseUrl: string;
  private readonly fetchImpl: Fetch;
  private readonly jsonTimeoutMs: number;
  private readonly streamIdleMs: number;
  private readonly onCall: ((report: LlmCallReport) => void) | undefined;

  constructor(options: OllamaClientOptions) {
    this.model = options.model;
    this.id = `ollama:${options.model}`;
    this.baseUrl = ollamaBaseUrl(options.host ?? DEFAULT_OLLAMA_HOST);
    this.hostLabel = new URL(this.baseUrl).host;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.jsonTimeoutMs = options.jsonTimeoutMs ?? DEFAULT_JSON_TIMEOUT_MS;
    this.streamIdleMs = options.streamIdleMs ?? DEFAULT_STREAM_IDLE_MS;
    this.onCall = options.onCall;
  }

  /** Runs one generation call and reports it (sizes, outcome, time; never the text) to `onCall`. */
  private async reported<T>(request: CallOptions & { system: string; prompt: string }, run: () => Promise<T>, size: (result: T) => number): Promise<T> {
    if (!this.onCall) return run();
    const started = performance.now();
    const info = request.audit ?? { purpose: 'unlabelled', ticketId: null, entryIds: [], redactions: emptyCounts() };
    const report = (outcome: LlmCallReport['outcome'], responseChars: number, error: string | null): void => {
      try {
        this.onCall?.({
          ...info,
          model: this.model,
          promptChars: request.system.length + request.prompt.length,
          responseChars,
          outcome,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
          error,
        });
      } catch {
        // the audit must never change what the call returns
      }
    };
    try {
      const result = await run();
      report('ok', size(result), null);
      return result;
    } catch (error) {
      const kind = error instanceof LlmError ? error.kind : null;
      report(kind === 'timeout' ? 'timeout' : kind === 'aborted' ? 'cancelled' : 'error', 0, errorMessage(error));
      throw error;
    }
  }

  /** An `ollama` client whose every request carries `signal` (the package aborts only streams by itself). */
  private clientFor(signal: AbortSignal): Ollama {
    const base = this.fetchImpl;
    return new Ollama({
      host: this.baseUrl,
      fetch: (input, init) => base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    });
  }

  /** Turns whatever a call threw into an LlmError with a sentence an analyst can act on. */
  describeFailure(error: unknown, deadline: Deadline | null, what: string): LlmError {
    if (error instanceof LlmError) return error;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (deadline?.timedOut) {
      return new LlmError(
        'timeout',
        `The local model ${this.model} did not answer ${what} in time; this suggestion comes from retrieval alone.`,
        detail,
      );
    }
    if (error instanceof Error && (error.name === 'AbortError' || deadline?.signal.aborted)) {
      return new LlmError('aborted', `The request to ${this.model} was cancelled.`, detail);
    }
    if (error instanceof Error && error.name === 'EgressDeniedError') {
      return new LlmError(
        'blocked',
        `Vigil will not send ticket text to ${this.hostLabel}: ${error.message}. Point the Ollama host at this machine (127.0.0.1).`,
        detail,
      );
    }
    const status = (error as { status_code?: unknown }).status_code;
    if (typeof status === 'number') {
      const message = error instanceof Error ? error.message : '';
      if (status === 404 && /not found/i.test(message)) return this.missingModel(detail);
      return new LlmError(
        'server_error',
        `Ollama at ${this.hostLabel} answered with an error (${status}: ${message.slice(0, 200)}); suggestions come from retrieval alone meanwhile.`,
        detail,
      );
    }
    const code = causeCode(error);
    if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN|UND_ERR_SOCKET|ETIMEDOUT/.test(code) || /fetch failed/i.test(detail)) {
      return new LlmError(
        'unreachable',
        `Ollama is not running at ${this.hostLabel}. Start it with \`ollama serve\`, or keep working in retrieval-only mode.`,
        `${detail}${code ? ` (${code})` : ''}`,
      );
    }
    return new LlmError('bad_output', `The local model ${this.model} gave an answer Vigil could not read; this suggestion comes from retrieval alone.`, detail);
  }

  private missingModel(detail: string): LlmError {
    return new LlmError(
      'model_missing',
      `The model ${this.model} is not installed in Ollama at ${this.hostLabel}. Pull it (Settings → Local LLM, or \`ollama pull ${this.model}\`), or keep working in retrieval-only mode.`,
      detail,
    );
  }

  /** Is Ollama up, which models does it have, is ours among them? Never throws. */
  async health(options: CallOptions = {}): Promise<LlmHealth> {
    const deadline = new Deadline(options.timeoutMs ?? HEALTH_TIMEOUT_MS, options.signal);
    const client = this.clientFor(deadline.signal);
    try {
      const { version } = await client.version();
      const models = await this.listWith(client);
      const modelInstalled = models.some((m) => m.name === modelTag(this.model));
      return {
        reachable: true,
        version: typeof version === 'string' ? version : null,
        models,
        modelInstalled,
        problem: modelInstalled ? null : this.missingModel(`not in /api/tags (${models.map((m) => m.name).join(', ') || 'no models'})`),
      };
    } catch (error) {
      return { reachable: false, version: null, models: [], modelInstalled: false, problem: this.describeFailure(error, deadline, 'the health check') };
    } finally {
      deadline.clear();
    }
  }

  /** The models installed in Ollama. */
  async listModels(options: CallOptions = {}): Promise<ModelInfo[]> {
    const deadline = new Deadline(options.timeoutMs ?? HEALTH_TIMEOUT_MS, options.signal);
    try {
      return await this.listWith(this.clientFor(deadline.signal));
    } catch (error) {
      throw this.describeFailure(error, deadline, 'the model list');
    } finally {
      deadline.clear();
    }
  }

  private async listWith(client: Ollama): Promise<ModelInfo[]> {
    const listed = await client.list();
    const models = z.array(z.looseObject({ name: z.string(), size: z.number().optional(), details: z.looseObject({}).optional() })).safeParse(listed?.models);
    if (!models.success) throw new LlmError('bad_output', `Ollama at ${this.hostLabel} sent a model list Vigil could not read.`, describeZodError(models.error).message);
    return models.data.map((m) => {
      const details = (m.details ?? {}) as Record<string, unknown>;
      const text = (key: string): string | null => (typeof details[key] === 'string' && details[key] ? (details[key] as string) : null);
      return { name: m.name, sizeBytes: m.size ?? 0, parameterSize: text('parameter_size'), family: text('family'), quantization: text('quantization_level') };
    });
  }

  /**
   * Downloads `model` (default: the configured one) into Ollama, reporting progress. Only on the user's request:
   * the app never pulls behind their back. A pull that sends nothing for the stream idle time is cut off.
   */
  async pull(onProgress: (progress: PullProgress) => void, options: CallOptions & { model?: string } = {}): Promise<void> {
    const model = options.model ?? this.model;
    const deadline = new Deadline(options.timeoutMs ?? this.streamIdleMs, options.signal);
    try {
      const stream = await this.clientFor(deadline.signal).pull({ model, stream: true });
      for await (const part of stream) {
        deadline.reset();
        const completed = typeof part.completed === 'number' ? part.completed : null;
        const total = typeof part.total === 'number' ? part.total : null;
        onProgress({ status: part.status, completed, total, fraction: completed !== null && total ? completed / total : null });
      }
    } catch (error) {
      const failure = this.describeFailure(error, deadline, 'the download');
      if (failure.kind === 'server_error' || failure.kind === 'bad_output') {
        throw new LlmError('server_error', `Ollama could not download ${model}: ${errorMessage(error)}. Check the model name and the network.`, failure.detail);
      }
      throw failure;
    } finally {
      deadline.clear();
    }
  }

  /** One JSON answer constrained by the schema (`format`), parsed and validated again here. */
  generateJson<S extends z.ZodType>(request: JsonRequest<S>): Promise<z.output<S>> {
    let answerChars = 0;
    return this.reported(
      request,
      async () => {
        const { value, chars } = await this.generateJsonNow(request);
        answerChars = chars;
        return value;
      },
      () => answerChars,
    );
  }

  private async generateJsonNow<S extends z.ZodType>(request: JsonRequest<S>): Promise<{ value: z.output<S>; chars: number }> {
    const deadline = new Deadline(request.timeoutMs ?? this.jsonTimeoutMs, request.signal);
    let content: string;
    try {
      const response = await this.clientFor(deadline.signal).chat({
        model: this.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.prompt },
        ],
        format: z.toJSONSchema(request.schema, { io: 'input', unrepresentable: 'any' }),
        stream: false,
        keep_alive: KEEP_ALIVE,
        // Deterministic: the same ticket gets the same judgement in the app and in a replay.
        options: { temperature: 0 },
      });
      content = typeof response?.message?.content === 'string' ? response.message.content : '';
    } catch (error) {
      throw this.describeFailure(error, deadline, 'its JSON answer');
    } finally {
      deadline.clear();
    }
    return { value: parseModelJson(content, request.schema, this.model), chars: content.length };
  }

  /** Streams a free-text answer; `onText` hears the text so far. */
  streamText(request: TextRequest): Promise<string> {
    return this.reported(request, () => this.streamTextNow(request), (text) => text.length);
  }

  private async streamTextNow(request: TextRequest): Promise<string> {
    const deadline = new Deadline(request.timeoutMs ?? this.streamIdleMs, request.signal);
    let text = '';
    try {
      const stream = await this.clientFor(deadline.signal).chat({
        model: this.model,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.prompt },
        ],
        stream: true,
        keep_alive: KEEP_ALIVE,
        options: { temperature: 0.2 },
      });
      for await (const part of stream) {
        deadline.reset();
        const piece = part?.message?.content;
        if (typeof piece !== 'string') throw new LlmError('bad_output', `The local model ${this.model} sent a draft Vigil could not read.`, 'chunk without message.content');
        if (piece) {
          text += piece;
          request.onText?.(text);
        }
      }
      return text;
    } catch (error) {
      throw this.describeFailure(error, deadline, 'the draft');
    } finally {
      deadline.clear();
    }
  }
}

/** Parses a model's JSON answer and validates it; anything else is a `bad_output` LlmError. */
export function parseModelJson<S extends z.ZodType>(content: string, schema: S, model = 'the local model'): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(content);
  } catch (error) {
    throw new LlmError('bad_output', `The local model ${model} answered with text that is not JSON; this suggestion comes from retrieval alone.`, `${errorMessage(error)}: ${content.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new LlmError('bad_output', `The local model ${model} answered with JSON that does not match what was asked (${field}: ${message}); this suggestion comes from retrieval alone.`, content.slice(0, 200));
  }
  return parsed.data;
}
