/**
 * What was redacted for one decision of the proactive engine, for its `suggestion` audit record. The prompts of a
 * decision (scope check, rewrite, answerability and draft) are built in core/assist, each through its own
 * `PromptRedactor`, and each call's counts reach the model client's `onCall` report (the `llm_call` record). A
 * decision's record sums the counts of the calls made for it: the calls are tied to the decision by the async
 * context they run in (`AsyncLocalStorage`), so two tickets answered at the same time never mix their counts, and
 * the pipeline does not have to pass a tally through every stage.
 *
 * In retrieval-only mode no prompt is built, nothing is redacted, and the counts are zero: that is the truth, not a
 * missing number (the ticket's text never left the engine's memory).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { addCounts, emptyCounts, type RedactionCounts } from './redaction';

const current = new AsyncLocalStorage<RedactionCounts>();

/** The running sum of one decision's redactions; read it when writing the decision's audit record. */
export interface RedactionTally {
  /** A copy of the counts so far. */
  counts(): RedactionCounts;
}

/**
 * Runs `work` with a fresh tally: every LLM call made within it, and within what it starts (a draft that finishes
 * later), adds its prompt's redaction counts through `noteCallRedactions`.
 */
export function withRedactionTally<T>(work: () => Promise<T>): { result: Promise<T>; tally: RedactionTally } {
  const counts = emptyCounts();
  const result = current.run(counts, work);
  return { result, tally: { counts: () => ({ ...counts }) } };
}

/** Adds one LLM call's redaction counts to the tally of the decision it was made for, if any. */
export function noteCallRedactions(counts: RedactionCounts): void {
  const tally = current.getStore();
  if (tally) addCounts(tally, counts);
}
