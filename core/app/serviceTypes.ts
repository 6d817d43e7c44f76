/**
 * Plain data types that cross from the engine to its front doors (CLI, desktop app over IPC, tests). They hold
 * no functions and no class instances, so they survive structured cloning and JSON unchanged.
 */
import type { LineIssue } from '../formats/lineIssue';
import type { Citation, EntryKind, Suggestion } from '../formats/schemas';
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

export interface ImportReport {
  file: string;
  imported: number;
  /** Lines that were skipped, each naming the file, line and field. */
  issues: LineIssue[];
}

export interface KnowledgeHit {
  id: string;
  kind: EntryKind;
  status: EntryStatus;
  title: string | null;
  question: string | null;
  body: string;
  sourceTicketId: string | null;
  /** Cosine similarity of the query to the entry, as cited in suggestions. */
  score: number;
  /**
   * What orders the hits: the reciprocal-rank fusion of the full-text and vector ranks (higher first). The
   * similarity alone does not: a hit found by its words can rank above one with a higher similarity.
   */
  relevance: number;
  /** Set when the entry comes from an installed knowledge pack (docs/packs.md). */
  pack?: { name: string; version: string };
}

export type { Citation, LlmStatus, Suggestion };
