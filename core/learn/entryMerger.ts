/**
 * Deduplication of learned knowledge: before a candidate is added, the store is searched for a Q&A entry that
 * asks the same question on the same path (the diagnostic turns that led to the answer, resolutionPath.ts): the
 * candidate is searched with its question and path, as entries are matched on theirs. Same question and path and
 * an agreeing answer: the existing entry is updated (the new ticket is added to its provenance, its question kept
 * as a variant) instead of adding a twin. Same question and path, different answer: a conflict, which goes to the
 * review queue beside the existing entry. Same question on another path: its own precedent, whatever the answer,
 * since in troubleshooting the same symptom has several resolutions and the diagnosis decides between them.
 */
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import { matchTextOf, type StoredEntry } from '../knowledge/storedEntry';
import { STOPWORDS, tokenize } from '../text/tokenize';
import type { EntryCandidate } from './ruleExtractor';

/**
 * Cosine similarity of two questions (built-in embedder) at or above which they are the same question.
 * On BANKING77 train queries, a query's nearest other query at ≥ 0.85 had the same intent 97% of the time
 * (0.70–0.85: 86–93%); merging must be precise, a missed merge only leaves a near-twin.
 */
export const SAME_QUESTION_SIMILARITY = 0.85;
/** Content-word overlap (Jaccard) at or above which two answers say the same thing. */
export const SAME_ANSWER_OVERLAP = 0.5;
/** Questions kept as variants on a merged entry. */
const MAX_VARIANTS = 20;

export type TwinDecision =
  | { kind: 'new' }
  | { kind: 'merge'; target: StoredEntry; similarity: number }
  | { kind: 'conflict'; target: StoredEntry; similarity: number };

function contentWords(text: string): Set<string> {
  return new Set(tokenize(text).filter((w) => !STOPWORDS.has(w)));
}

/** Jaccard overlap of the content words of two answers, 0–1. */
export function answerOverlap(a: string, b: string): number {
  const x = contentWords(a);
  const y = contentWords(b);
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const w of x) if (y.has(w)) shared++;
  return shared / (x.size + y.size - shared);
}

/** The text a candidate will be matched on once learned: its question and its path. */
function candidateMatchText(candidate: EntryCandidate): string {
  return matchTextOf({ id: 'candidate', kind: 'qa', question: candidate.question, body: candidate.answer, ...(candidate.path ? { path: candidate.path } : {}) });
}

/**
 * Finds the existing Q&A entry (approved or proposed) a candidate duplicates or contradicts, if any: one whose
 * question and path are the candidate's (a single-turn ticket has no path, so there it is the question alone).
 */
export async function findTwin(store: KnowledgeStore, candidate: EntryCandidate): Promise<TwinDecision> {
  const hits = await store.search(candidateMatchText(candidate), { limit: 5, statuses: ['approved', 'proposed'] });
  const twin = hits.find((h) => h.entry.kind === 'qa' && h.similarity >= SAME_QUESTION_SIMILARITY);
  if (!twin) return { kind: 'new' };
  const agree = answerOverlap(candidate.answer, twin.entry.body) >= SAME_ANSWER_OVERLAP;
  return { kind: agree ? 'merge' : 'conflict', target: twin.entry, similarity: twin.similarity };
}

/** Learned confidence of an entry (0 when it was not learned: imports are not scored). */
export function learnedConfidence(entry: StoredEntry): number {
  const learned = entry['learned'] as { confidence?: unknown } | undefined;
  return typeof learned?.confidence === 'number' ? learned.confidence : 0;
}

/**
 * The existing entry updated with a candidate that asks the same and answers alike: both tickets in its
 * provenance, the new question kept as a variant, and a little more confidence (another ticket agrees).
 * The wording of the existing entry is kept: it may have been reviewed or edited.
 */
export function mergeInto(target: StoredEntry, candidate: EntryCandidate, at: string): StoredEntry {
  const sources = target.provenance.sourceTicketIds.includes(candidate.sourceTicketId)
    ? target.provenance.sourceTicketIds
    : [...target.provenance.sourceTicketIds, candidate.sourceTicketId];
  const variants = Array.isArray(target['variants']) ? (target['variants'] as unknown[]).filter((v): v is string => typeof v === 'string') : [];
  if (candidate.question !== target.question && !variants.includes(candidate.question)) variants.push(candidate.question);
  const learned = (target['learned'] as Record<string, unknown> | undefined) ?? {};
  // Each agreeing ticket adds 0.05, up to 0.95: support makes an answer more trustworthy, never certain.
  const confidence = Math.min(0.95, Math.max(learnedConfidence(target), candidate.confidence) + 0.05);
  return {
    ...target,
    updatedAt: at,
    variants: variants.slice(-MAX_VARIANTS),
    learned: { ...learned, origin: learned['origin'] ?? candidate.origin, confidence: Math.round(confidence * 1000) / 1000 },
    provenance: { ...target.provenance, sourceTicketIds: sources },
  };
}
