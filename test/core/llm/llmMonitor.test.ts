import { afterEach, describe, expect, it } from 'vitest';
import { LlmError } from '../../../core/llm/languageModel';
import { LlmMonitor, type LlmStatus, type Timer } from '../../../core/llm/llmMonitor';
import { OllamaClient } from '../../../core/llm/ollamaClient';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

/** A clock the test moves by hand: retries run when the test says so, never by waiting. */
function manualTimer(): Timer & { pending: Array<{ at: number; run: () => void }>; advance(ms: number): void } {
  let now = 0;
  const pending: Array<{ at: number; run: () => void }> = [];
  return {
    pending,
    now: () => now,
    setTimeout: (run, ms) => {
      const task = { at: now + ms, run };
      pending.push(task);
      return task;
    },
    clearTimeout: (handle) => {
      const i = pending.indexOf(handle as (typeof pending)[number]);
      if (i >= 0) pending.splice(i, 1);
    },
    advance(ms) {
      now += ms;
      for (const task of pending.filter((t) => t.at <= now)) {
        pending.splice(pending.indexOf(task), 1);
        task.run();
      }
    },
  };
}

describe('LLM availability monitor', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => server?.close());

  it('says retrieval-only with a reason when no model is configured', async () => {
    const monitor = new LlmMonitor(null);
    expect(await monitor.start()).toMatchObject({ mode: 'retrieval-only', modelId: null });
    expect(monitor.status().reason).toMatch(/No local model is configured/);
    expect(monitor.model()).toBeNull();
  });

  it('falls back while the model is missing, retries in the background, and switches to LLM mode once it is there', async () => {
    server = await startOllamaServer({ models: [] });
    const timer = manualTimer();
    const monitor = new LlmMonitor(new OllamaClient({ host: server.host, model: 'llama3.2' }), { timer, retryMs: 1_000 });
    const changes: LlmStatus[] = [];
    monitor.onChange((s) => changes.push(s));
    const first = await monitor.start();
    expect(first.mode).toBe('retrieval-only');
    expect(first.reason).toMatch(/llama3\.2 is not installed.*checks again in the background/);
    expect(first.nextCheckAt).toBe(new Date(1_000).toISOString());
    expect(monitor.model()).toBeNull();

    server.set({ models: [{ name: 'llama3.2' }] });
    timer.advance(1_000);
    const second = await monitor.check(); // joins the check the timer started
    expect(second.mode).toBe('llm');
    expect(second.reason).toMatch(/Using the local model llama3\.2 \(Ollama 0\.12\.6 at 127\.0\.0\.1:\d+\)/);
    expect(monitor.model()?.id).toBe('ollama:llama3.2');
    expect(timer.pending).toHaveLength(0);
    expect(changes.map((c) => c.mode)).toEqual(['retrieval-only', 'llm']);
  });

  it('sets the model aside at once when Ollama stops, but only after repeated garbage, and backs off between checks', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }] });
    const timer = manualTimer();
    const monitor = new LlmMonitor(new OllamaClient({ host: server.host, model: 'llama3.2' }), { timer, retryMs: 1_000, badAnswerLimit: 3 });
    await monitor.start();
    expect(monitor.status().mode).toBe('llm');

    const garbage = new LlmError('bad_output', 'unreadable');
    monitor.reportFailure(garbage);
    monitor.reportFailure(garbage);
    expect(monitor.status().mode).toBe('llm');
    monitor.reportSuccess();
    monitor.reportFailure(garbage);
    monitor.reportFailure(garbage);
    expect(monitor.status().mode).toBe('llm');
    monitor.reportFailure(garbage);
    expect(monitor.status()).toMatchObject({ mode: 'retrieval-only' });
    expect(monitor.status().reason).toMatch(/gave answers Vigil could not read 3 times in a row/);

    server.failAll(503);
    timer.advance(1_000);
    await monitor.check();
    expect(monitor.status().reason).toMatch(/answered with an error \(503/);
    expect(timer.pending[0]?.at).toBe(1_000 + 2_000); // doubled

    monitor.reportFailure(new LlmError('aborted', 'cancelled')); // says nothing about the model
    server.failAll(null);
    timer.advance(2_000);
    await monitor.check();
    expect(monitor.status().mode).toBe('llm');
    monitor.reportFailure(new LlmError('unreachable', 'Ollama is not running at 127.0.0.1:11434. Start it with `ollama serve`, or keep working in retrieval-only mode.'));
    expect(monitor.status().mode).toBe('retrieval-only');
    monitor.stop();
    expect(timer.pending).toHaveLength(0);
  });
});
