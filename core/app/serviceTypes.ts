/**
 * Plain data types that cross from the engine to its front doors (CLI, desktop app over IPC, tests). They hold
 * no functions and no class instances, so they survive structured cloning and JSON unchanged.
 */
import type { Citation, Suggestion } from '../formats/schemas';
import type { StoreStatus } from '../knowledge/knowledgeStore';
import type { ReindexProgress } from '../knowledge/reindexJob';
import type { EntryStatus } from '../knowledge/storedEntry';
import type { LlmStatus } from '../llm/llmStatus';

export interface ServiceStatus {
  dataDir: string;
  embedderId: string;
  dimensions: number;
  entries: number;
  byStatus: Record<EntryStatus, number>;
  /** The last failed write to the knowledge store, in words, or null. Nothing acknowledged is lost: it is retried. */
  lastWriteError: string | null;
  /**
   * Which generation mode the engine is in (`retrieval-only` until a local model is configured and answers) and
   * why, in words; with the model and when it was last and will next be checked.
   */
  llm: Pick<LlmStatus, 'mode' | 'reason'> & Partial<LlmStatus>;
  /** The re-index after a change of embedder, running or last finished (progress, cancelled, failed), or null. */
  reindex?: ReindexProgress | null;
  /** The in-memory vector index (null while the current table's embedder is unavailable: full text only). */
  vectorIndex?: { entries: number; bytes: number; kernel: 'simd' | 'js' } | null;
  /** Whether the full-text, status and id indexes have been built (with the first commit). */
  indexed?: boolean;
}

export type { ReindexProgress };

export type { ImportReport } from '../knowledge/entryFiles';
export type { KnowledgeHit } from '../knowledge/knowledgeBrowser';

export type { Citation, LlmStatus, Suggestion };

/** The engine's status from the store's and the LLM mode: the last write error said in words, with what to check. */
export function serviceStatusOf(s: StoreStatus, llm: LlmStatus): ServiceStatus {
  return {
    dataDir: s.dataDir,
    embedderId: s.embedderId,
    dimensions: s.dimensions,
    entries: s.entries,
    byStatus: s.byStatus,
    lastWriteError: s.lastWriteError
      ? `Could not write to the knowledge folder (${s.lastWriteError}); ${s.pendingWrites} entries are kept in its write-ahead log and will be retried. Check free disk space and permissions of ${s.dataDir}.`
      : null,
    llm,
    reindex: s.reindex,
    vectorIndex: s.vectorIndex,
    indexed: s.indexed,
  };
}
