/**
 * The engine's view of a local language model: typed JSON out of a JSON schema, streamed text for drafts, both
 * with a timeout and cancellation. `OllamaClient` implements it; the pipeline depends only on this interface.
 */
import type { z } from 'zod';
import type { LlmCallInfo } from '../privacy/promptRedaction';

export type { LlmCallInfo };

/** Why a model call failed, in categories the engine reacts to differently. */
export type LlmErrorKind =
  /** Nothing answers at the host (connection refused, DNS, reset). */
  | 'unreachable'
  /** The server answers but does not have the model. */
  | 'model_missing'
  /** No answer (or no next chunk) within the time limit. */
  | 'timeout'
  /** The caller cancelled. */
  | 'aborted'
  /** The answer was not valid JSON or did not match the schema. */
  | 'bad_output'
  /** The server answered with an error (out of memory, bad request...). */
  | 'server_error'
  /** The egress policy refused the host (not loopback, not allowed). */
  | 'blocked';

/** A failed model call; `message` is written for the analyst, `detail` keeps the technical cause. */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly detail: string = '',
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface CallOptions {
  /** Cancels the call; the promise rejects with an `aborted` LlmError. */
  signal?: AbortSignal;
  /**
   * Time limit in ms. For JSON calls, for the whole answer; for streams, between two chunks (a model that keeps
   * writing is not cut off, one that stalls is).
   */
  timeoutMs?: number;
  /**
   * For the call's `llm_call` audit record: its purpose, ticket, the entries shown and what was redacted
   * (core/privacy/promptRedaction.ts). Never sent to the model.
   */
  audit?: LlmCallInfo;
}

export interface JsonRequest<S extends z.ZodType> extends CallOptions {
  system: string;
  prompt: string;
  /** The answer must match this schema; it is sent to the model as its JSON schema (`format`). */
  schema: S;
}

export interface TextRequest extends CallOptions {
  system: string;
  prompt: string;
  /** Hears the text so far after every chunk (a draft appearing as it is written). */
  onText?: (textSoFar: string) => void;
}

export interface LanguageModel {
  /** `ollama:<model>`: recorded with decisions so a replay says which model made them. */
  readonly id: string;
  /** One JSON answer, parsed and validated against `schema`; rejects with an LlmError otherwise. */
  generateJson<S extends z.ZodType>(request: JsonRequest<S>): Promise<z.output<S>>;
  /** Streams free text; resolves with the whole text. */
  streamText(request: TextRequest): Promise<string>;
}
