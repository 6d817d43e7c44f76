/**
 * The last gate: never say the same thing twice on one ticket. A suggestion is a repeat when it cites the same
 * best entry as one already shown on the ticket, when its text is nearly the same (word-set Jaccard), or, with the
 * engine's embedder, when it means the same as anything already shown there (cosine of the texts' embeddings).
 * The memory survives restarts through `ShownLog` (shownLog.ts), which replays its file into this gate.
 */
import type { Embedder } from '../embed/embedder';
import { dot } from '../embed/vectorMath';
import { errorMessage } from '../formats/errorMessage';
import { log } from '../privacy/redactingLogger';
import { tokenize } from '../text/tokenize';

/**
 * Word-set overlap above which two suggestion texts read as the same. 0.8 lets "Lower the MTU to 1380" and
 * "Lower the tunnel MTU to 1380" count as one while two different steps of one runbook stay distinct.
 */
export const REPEAT_JACCARD = 0.8;

/**
 * Embedding similarity at or above which a suggestion says what an earlier one on the ticket said. 0.7 is Vigil's
 * setting (volcengine/veaiops, chatops proactive reply: an answer whose embedding is ≥ 0.7 similar to an earlier
 * answer in the conversation is not sent); it is not refitted here.
 */
export const REPEAT_SIMILARITY = 0.7;

interface Shown {
  topEntryId: string | null;
  text: string;
  words: Set<string>;
  afterMessageId: string | null;
  /** The text's embedding, computed when first needed. */
  vector?: Float32Array;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Remembers what was shown per ticket; forgets a ticket when it closes. */
export class RepeatGate {
  private readonly shown = new Map<string, Shown[]>();

  /** @param embedder the engine's embedder, for the check by meaning; without one, entry ids and word overlap only. */
  constructor(private readonly embedder: Embedder | null = null) {}

  /**
   * Why showing this on `ticketId` would repeat an earlier suggestion, or null when it would not. Suggestions shown
   * after the message `sameMessageId` do not count: an LLM draft refines the retrieval suggestion for the same
   * message. A failing embedder leaves the id and word checks to decide (logged): it never blocks a decision.
   */
  async repeatOf(ticketId: string, topEntryId: string | null, text: string, sameMessageId?: string): Promise<string | null> {
    const earlier = this.earlier(ticketId, sameMessageId);
    if (earlier.length === 0) return null;
    const byWords = this.repeatByWords(ticketId, topEntryId, text, sameMessageId);
    if (byWords) return byWords;
    if (!this.embedder) return null;
    try {
      const missing = earlier.filter((s) => !s.vector);
      const vectors = await this.embedder.embed([text, ...missing.map((s) => s.text)], 'document');
      missing.forEach((s, i) => (s.vector = vectors[i + 1]));
      const candidate = vectors[0]!;
      const similarity = Math.max(...earlier.map((s) => (s.vector ? dot(s.vector, candidate) : 0)));
      if (similarity >= REPEAT_SIMILARITY) return `means the same as a suggestion shown on ${ticketId} (similarity ${similarity.toFixed(2)} ≥ ${REPEAT_SIMILARITY})`;
    } catch (error) {
      log.warn(`Repeat check by meaning skipped on ${ticketId}: ${errorMessage(error)}`);
    }
    return null;
  }

  /**
   * The cheap part of `repeatOf`, without the embedder: the same entry, or nearly the same words, already shown on
   * `ticketId`. The assistant steps over such hits when it looks for the next entry to offer.
   */
  repeatByWords(ticketId: string, topEntryId: string | null, text: string, sameMessageId?: string): string | null {
    const earlier = this.earlier(ticketId, sameMessageId);
    if (earlier.length === 0) return null;
    if (topEntryId !== null && earlier.some((s) => s.topEntryId === topEntryId)) return `cites ${topEntryId}, already shown on ${ticketId}`;
    const words = new Set(tokenize(text));
    const overlap = Math.max(...earlier.map((s) => jaccard(s.words, words)));
    if (overlap >= REPEAT_JACCARD) return `nearly the same words as a suggestion shown on ${ticketId} (${overlap.toFixed(2)} ≥ ${REPEAT_JACCARD})`;
    return null;
  }

  private earlier(ticketId: string, sameMessageId?: string): Shown[] {
    return (this.shown.get(ticketId) ?? []).filter((s) => sameMessageId === undefined || s.afterMessageId !== sameMessageId);
  }

  /** Records a suggestion that was shown. */
  remember(ticketId: string, topEntryId: string | null, text: string, afterMessageId: string | null = null): void {
    const list = this.shown.get(ticketId) ?? [];
    list.push({ topEntryId, text, words: new Set(tokenize(text)), afterMessageId });
    this.shown.set(ticketId, list);
  }

  forget(ticketId: string): void {
    this.shown.delete(ticketId);
  }
}
