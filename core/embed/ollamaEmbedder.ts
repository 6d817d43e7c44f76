/**
 * Embeddings from a local Ollama (`POST /api/embed`), e.g. nomic-embed-text. Vigil never pulls a model: when the
 * tag is not installed it says which `ollama pull` to run. Requests go through the egress policy in offline mode
 * (this machine only), in batches, with a timeout; every returned vector is checked against the manifest's size.
 */
import { z } from 'zod';
import { EgressDeniedError, EgressPolicy } from '../net/egress';
import type { EmbedMode, Embedder } from './embedder';
import { modelFingerprint, readPins, type OllamaManifest } from './modelManifest';
import { normalize } from './vectorMath';

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434';

export interface OllamaEmbedderOptions {
  /** Ollama's address; default `OLLAMA_HOST` or 127.0.0.1:11434. Only this machine is reachable (egress policy). */
  host?: string;
  /** Per request. A cold model load can take several seconds; 30 s is generous on a laptop CPU. */
  timeoutMs?: number;
  /** Texts per request. */
  batchSize?: number;
  /** The models folder, where a pinned digest is recorded (`vigil models pin`). */
  modelsDir?: string;
  /** For tests; default: the egress policy's fetch in offline mode (loopback only). */
  fetch?: typeof fetch;
}

/** The Ollama model is not installed; the message names the `ollama pull` command. */
export class OllamaModelMissingError extends Error {
  constructor(readonly tag: string, host: string) {
    super(
      `Ollama at ${host} has no model "${tag}". Install it with \`ollama pull ${tag}\`, then try again ` +
        `(Vigil never downloads models on its own), or keep the built-in embedder (\`vigil models use builtin\`).`,
    );
    this.name = 'OllamaModelMissingError';
  }
}

/** `OLLAMA_HOST` as Ollama itself reads it (`host`, `host:port` or a URL), as an http URL without a trailing slash. */
export function ollamaBaseUrl(host: string | undefined = process.env['OLLAMA_HOST']): string {
  if (!host) return DEFAULT_OLLAMA_HOST;
  const url = new URL(/^https?:\/\//.test(host) ? host : `http://${host}`);
  if (!url.port && !/^https?:\/\/[^/]+:\d+/.test(host)) url.port = '11434';
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1'; // "listen everywhere" means "ask here"
  return url.origin;
}

/** Ollama names `name` and `name:latest` alike. */
function fullTag(tag: string): string {
  const last = tag.split('/').pop() ?? tag;
  return last.includes(':') ? tag : `${tag}:latest`;
}

const TagsSchema = z.object({
  models: z.array(z.object({ name: z.string(), model: z.string().optional(), digest: z.string().optional() })),
});
const EmbedResponseSchema = z.object({ embeddings: z.array(z.array(z.number())) });
const ErrorSchema = z.object({ error: z.string() });

/** What one HTTP exchange with Ollama returned. */
interface Answer {
  status: number;
  body: unknown;
}

/** Talks to one Ollama server: timeouts, and failures turned into sentences that say what to do. */
class OllamaHttp {
  readonly display: string;

  constructor(
    readonly base: string,
    private readonly fetchImpl: typeof fetch,
    private readonly timeoutMs: number,
  ) {
    this.display = new URL(base).host;
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      throw this.describe(err, method, path);
    }
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw new Error(`Ollama at ${this.display} answered ${method} ${path} with something that is not JSON (HTTP ${response.status}): ${text.slice(0, 120)}`);
    }
    return { status: response.status, body: parsed };
  }

  private describe(err: unknown, method: string, path: string): Error {
    if (err instanceof EgressDeniedError) {
      return new Error(`${err.message}. Ollama must run on this machine: set OLLAMA_HOST to a local address (127.0.0.1:11434).`);
    }
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      return new Error(
        `Ollama at ${this.display} did not answer ${method} ${path} within ${this.timeoutMs < 1000 ? `${this.timeoutMs} ms` : `${Math.round(this.timeoutMs / 1000)} s`}. ` +
          `Check that it is not stuck (\`ollama ps\`), or switch to the built-in embedder with \`vigil models use builtin\`.`,
      );
    }
    if (e.cause?.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNRESET' || e.cause?.code === 'ENOTFOUND') {
      return new Error(
        `Ollama is not running at ${this.display} (${e.cause.code}). Start it with \`ollama serve\`, ` +
          `or switch to the built-in embedder with \`vigil models use builtin\`.`,
      );
    }
    return new Error(`Could not reach Ollama at ${this.display} (${method} ${path}): ${e.message}`);
  }
}

/** The installed model's digest (hex), or throws `OllamaModelMissingError`. */
async function installedDigest(http: OllamaHttp, tag: string): Promise<string> {
  const answer = await http.request('GET', '/api/tags');
  if (answer.status !== 200) throw new Error(`Ollama at ${http.display} answered /api/tags with HTTP ${answer.status}.`);
  const tags = TagsSchema.safeParse(answer.body);
  if (!tags.success) throw new Error(`Ollama at ${http.display} answered /api/tags in an unexpected form (${tags.error.issues[0]?.message}).`);
  const wanted = fullTag(tag);
  const found = tags.data.models.find((m) => fullTag(m.name) === wanted || (m.model && fullTag(m.model) === wanted));
  if (!found) throw new OllamaModelMissingError(tag, http.display);
  return (found.digest ?? '').replace(/^sha256:/, '');
}

export class OllamaEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly maxInputTokens: number;
  /** The installed model's digest, as Ollama reports it. */
  readonly digest: string;

  private constructor(
    private readonly manifest: OllamaManifest,
    private readonly http: OllamaHttp,
    digest: string,
    private readonly batchSize: number,
  ) {
    this.digest = digest;
    this.id = `${manifest.id}@${modelFingerprint(manifest, digest)}`;
    this.dimensions = manifest.dimensions;
    this.maxInputTokens = manifest.maxInputTokens;
  }

  /**
   * Checks that Ollama runs and has the manifest's tag (never pulling it), that its digest matches a digest the
   * manifest or this machine pinned, and that it returns vectors of the manifest's size.
   */
  static async connect(manifest: OllamaManifest, options: OllamaEmbedderOptions = {}): Promise<OllamaEmbedder> {
    const http = new OllamaHttp(
      ollamaBaseUrl(options.host),
      options.fetch ?? new EgressPolicy({ offline: true }).fetch,
      options.timeoutMs ?? 30_000,
    );
    const digest = await installedDigest(http, manifest.tag);
    const pinned = manifest.digest ?? (options.modelsDir ? (await readPins(options.modelsDir)).models[manifest.id]?.digest : undefined);
    if (pinned && pinned !== digest) {
      const fix = manifest.digest
        ? `Install the version the manifest names (\`ollama pull ${manifest.tag}\` pulls the newest, which may differ).`
        : `If the model was updated on purpose, run \`vigil models unpin ${manifest.id}\` and then \`vigil models pin ${manifest.id}\`.`;
      throw new Error(
        `Ollama's ${manifest.tag} is refused: its digest is ${digest || '(none)'}, but the ${manifest.digest ? 'manifest' : 'digest pinned on this machine'} says ${pinned}. ${fix}`,
      );
    }
    const embedder = new OllamaEmbedder(manifest, http, digest, options.batchSize ?? 32);
    await embedder.embed(['probe'], 'query');
    return embedder;
  }

  /** The digest of the installed tag, for `vigil models pin` (never pulls). */
  static async currentDigest(manifest: OllamaManifest, options: OllamaEmbedderOptions = {}): Promise<string> {
    const http = new OllamaHttp(ollamaBaseUrl(options.host), options.fetch ?? new EgressPolicy({ offline: true }).fetch, options.timeoutMs ?? 30_000);
    return installedDigest(http, manifest.tag);
  }

  async embed(texts: readonly string[], mode: EmbedMode): Promise<Float32Array[]> {
    const prefix = this.manifest.prefixes[mode];
    // Ollama truncates at num_ctx tokens itself (`truncate: true`); this cap only bounds the request's size, far
    // above what any tokenizer fits in maxInputTokens.
    const maxChars = this.maxInputTokens * 16;
    const inputs = texts.map((t) => (prefix + t).slice(0, maxChars));
    const vectors: Float32Array[] = [];
    for (let start = 0; start < inputs.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(inputs.slice(start, start + this.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(input: string[]): Promise<Float32Array[]> {
    const answer = await this.http.request('POST', '/api/embed', {
      model: this.manifest.tag,
      input,
      truncate: true,
      options: { num_ctx: this.maxInputTokens },
    });
    if (answer.status === 404) throw new OllamaModelMissingError(this.manifest.tag, this.http.display);
    if (answer.status !== 200) {
      const error = ErrorSchema.safeParse(answer.body);
      throw new Error(`Ollama at ${this.http.display} could not embed with ${this.manifest.tag} (HTTP ${answer.status}: ${error.success ? error.data.error : 'no reason given'}).`);
    }
    const parsed = EmbedResponseSchema.safeParse(answer.body);
    if (!parsed.success) {
      throw new Error(`Ollama at ${this.http.display} answered /api/embed in an unexpected form (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}).`);
    }
    const { embeddings } = parsed.data;
    if (embeddings.length !== input.length) {
      throw new Error(`Ollama returned ${embeddings.length} vectors for ${input.length} texts (${this.manifest.tag}).`);
    }
    return embeddings.map((vector, i) => {
      if (vector.length !== this.dimensions) {
        throw new Error(
          `Ollama's ${this.manifest.tag} returned a ${vector.length}-dimension vector (text ${i + 1} of the batch), but its manifest ` +
            `(${this.manifest.id}) says ${this.dimensions}. Check that the tag is the model the manifest describes.`,
        );
      }
      if (!vector.every(Number.isFinite)) throw new Error(`Ollama's ${this.manifest.tag} returned a vector with non-finite values.`);
      return normalize(Float32Array.from(vector));
    });
  }
}
