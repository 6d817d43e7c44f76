/**
 * How big a prompt is in tokens, and what fits a small model's context. The engine counts a prompt in characters
 * where it records one (`promptChars` = system + prompt, ollamaClient.ts); the token estimate is made from the same
 * characters, so the two figures always agree. Ollama does not say how it will tokenize before the call, and no
 * tokenizer ships with the engine: a fixed ratio, chosen to over-count, stands in.
 */

/**
 * Characters per token of the estimate. Llama 3's tokenizer reads the pipeline's English prompts at 3.56 to 4.5
 * characters per token (median 3.9–4.5; BENCHMARKS.md, "LLM prompt sizes", `npm run bench:prompt-sizes`); other
 * languages take more tokens per character. 3 over-counted every one of those 3,585 prompts, so a prompt estimated
 * within budget is within it, with room for text that tokenizes worse than English.
 */
export const CHARS_PER_TOKEN = 3;

/**
 * The context of the small model the prompts are sized for. Ollama's default context for Llama 3.2 3B is 8k, but
 * older Ollama versions and smaller models run with 4k (2k on the oldest): 4k is the floor the engine relies on.
 */
export const SMALL_MODEL_CONTEXT_TOKENS = 4_096;

/**
 * Tokens left for the model's answer: the answerability JSON (its `answer` field holds at most 1,500 characters,
 * its `reason` 400) is about 600 tokens at the estimate's ratio.
 */
export const ANSWER_RESERVE_TOKENS = 700;

/** What a prompt (system + user text) may take: the context less the answer's room. */
export const PROMPT_BUDGET_TOKENS = SMALL_MODEL_CONTEXT_TOKENS - ANSWER_RESERVE_TOKENS;

/** Estimated tokens of `text` (see CHARS_PER_TOKEN). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Estimated tokens of a prompt as sent: its system message and its user text. */
export function promptTokens(prompt: { system: string; prompt: string }): number {
  return estimateTokens(prompt.system) + estimateTokens(prompt.prompt);
}

/**
 * The newest items (kept in their order) whose estimated size, each counted with `overhead` characters for its
 * separator, fits `budgetTokens`: the oldest are dropped first. An item that alone does not fit ends the run.
 */
export function newestThatFit(items: readonly string[], budgetTokens: number, overhead = 1): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as string;
    if (Math.ceil((chars + item.length + overhead) / CHARS_PER_TOKEN) > budgetTokens) break;
    chars += item.length + overhead;
    kept.unshift(item);
  }
  return kept;
}
