/**
 * Knows whether the local model can be used right now, says why not in words an analyst understands, and keeps
 * checking in the background (with back-off) until it can. The pipeline asks `model()` before every LLM stage
 * and reports each call's outcome, so a model that stops answering, or answers garbage, is set aside quickly and
 * picked up again once it recovers. The clock is injected: tests drive retries without waiting.
 */
import type { LanguageModel, LlmError } from './languageModel';
import type { LlmStatus } from './llmStatus';

export type { LlmStatus };
import type { LlmHealth } from './ollamaClient';

/** What the monitor needs from a model: the model itself and a health check that never throws. */
export interface MonitoredModel extends LanguageModel {
  readonly model: string;
  readonly hostLabel: string;
  health(): Promise<LlmHealth>;
}

export interface Timer {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimer: Timer = {
  now: () => Date.now(),
  setTimeout: (run, ms) => {
    const handle = setTimeout(run, ms);
    handle.unref?.(); // a pending retry must not keep the CLI alive
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface MonitorOptions {
  /** First retry after a failure; doubles up to `maxRetryMs`. 15 s: `ollama serve` starts in a few seconds. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Consecutive unreadable answers (or time-outs) before the model is set aside. */
  badAnswerLimit?: number;
  timer?: Timer;
}

const NOT_CONFIGURED = 'No local model is configured; suggestions come from retrieval alone. Choose an Ollama model in Settings → Models to get drafted answers.';

export class LlmMonitor {
  private available = false;
  private reason: string;
  private checkedAt: number | null = null;
  private nextCheckAt: number | null = null;
  private handle: unknown = null;
  private retryMs: number;
  private badAnswers = 0;
  private checking: Promise<LlmStatus> | null = null;
  private stopped = false;
  private readonly listeners = new Set<(status: LlmStatus) => void>();
  private readonly timer: Timer;
  private readonly baseRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly badAnswerLimit: number;

  constructor(
    private readonly llm: MonitoredModel | null,
    options: MonitorOptions = {},
  ) {
    this.timer = options.timer ?? systemTimer;
    this.baseRetryMs = options.retryMs ?? 15_000;
    this.maxRetryMs = options.maxRetryMs ?? 300_000;
    this.badAnswerLimit = options.badAnswerLimit ?? 3;
    this.retryMs = this.baseRetryMs;
    this.reason = llm ? `Checking the local model ${llm.model} at ${llm.hostLabel}…` : NOT_CONFIGURED;
  }

  status(): LlmStatus {
    const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
    return {
      mode: this.available ? 'llm' : 'retrieval-only',
      reason: this.reason,
      modelId: this.llm?.id ?? null,
      checkedAt: iso(this.checkedAt),
      nextCheckAt: iso(this.nextCheckAt),
    };
  }

  /** Hears every change of mode or reason. Returns the unsubscribe function. */
  onChange(listener: (status: LlmStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The model to use now, or null: retrieval-only. */
  model(): LanguageModel | null {
    return this.available ? this.llm : null;
  }

  /** Runs a health check now (one at a time) and schedules the next one if the model is not usable. */
  check(): Promise<LlmStatus> {
    if (!this.llm) return Promise.resolve(this.status());
    this.checking ??= this.runCheck(this.llm).finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async runCheck(llm: MonitoredModel): Promise<LlmStatus> {
    const health = await llm.health();
    this.checkedAt = this.timer.now();
    if (health.problem) this.setDown(health.problem.message);
    else {
      this.badAnswers = 0;
      this.retryMs = this.baseRetryMs;
      this.cancelRetry();
      const server = health.version ? `Ollama ${health.version} at ${llm.hostLabel}` : `Ollama at ${llm.hostLabel}`;
      this.set(true, `Using the local model ${llm.model} (${server}) for scope checks, answerability and drafts.`);
    }
    return this.status();
  }

  /** A model call succeeded: unreadable answers are no longer counted. */
  reportSuccess(): void {
    this.badAnswers = 0;
  }

  /**
   * A model call failed. Connection and missing-model failures set the model aside at once; unreadable answers
   * and time-outs only after `badAnswerLimit` in a row (one odd answer should not switch modes). Cancellations
   * say nothing about the model.
   */
  reportFailure(error: LlmError): void {
    if (!this.llm || error.kind === 'aborted') return;
    if (error.kind === 'bad_output' || error.kind === 'timeout') {
      this.badAnswers++;
      if (this.badAnswers < this.badAnswerLimit) return;
      const what = error.kind === 'timeout' ? 'did not answer in time' : 'gave answers Vigil could not read';
      this.setDown(`The local model ${this.llm.model} ${what} ${this.badAnswers} times in a row; suggestions come from retrieval alone until it answers properly.`);
      return;
    }
    this.setDown(error.message);
  }

  /** Starts watching: one check now, then background checks while the model is not usable. */
  start(): Promise<LlmStatus> {
    this.stopped = false;
    return this.check();
  }

  /** Stops background checks (closing the service). */
  stop(): void {
    this.stopped = true;
    this.cancelRetry();
  }

  private setDown(reason: string): void {
    this.set(false, reason);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.handle !== null || !this.llm) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
    this.nextCheckAt = this.timer.now() + wait;
    this.handle = this.timer.setTimeout(() => {
      this.handle = null;
      this.nextCheckAt = null;
      void this.check();
    }, wait);
  }

  private cancelRetry(): void {
    if (this.handle !== null) this.timer.clearTimeout(this.handle);
    this.handle = null;
    this.nextCheckAt = null;
  }

  private set(available: boolean, reason: string): void {
    const before = `${this.available}|${this.reason}`;
    this.available = available;
    this.reason = available ? reason : `${reason} Vigil checks again in the background.`;
    if (`${this.available}|${this.reason}` !== before) for (const listener of this.listeners) listener(this.status());
  }
}

