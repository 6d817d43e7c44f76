/**
 * The report of one model call that the audit log records. It sits in privacy/ because both the model client
 * (core/llm, which fills it in) and the audit log (which writes it) use it, and llm already builds on privacy.
 */
import type { LlmCallInfo } from './promptRedaction';

/** What a model client reports about one finished call, for the audit log: sizes and counts, never the text. */
export interface LlmCallReport extends LlmCallInfo {
  model: string;
  /** Characters of the system and user prompt sent. */
  promptChars: number;
  /** Characters of the answer received (0 when it failed). */
  responseChars: number;
  outcome: 'ok' | 'error' | 'timeout' | 'cancelled';
  durationMs: number;
  /** The failure in words, or null. */
  error: string | null;
}
