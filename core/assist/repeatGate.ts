/**
 * The last gate: never say the same thing twice on one ticket. A suggestion is a repeat when it cites the same
 * best entry as one already shown on the ticket, or when its text is nearly the same (word-set Jaccard).
 * The memory survives restarts through `ShownLog` (shownLog.ts), which replays its file into this gate.
 */
import { tokenize } from '../text/tokenize';

/**
 * Word-set overlap above which two suggestion texts read as the same. 0.8 lets "Lower the MTU to 1380" and
 * "Lower the tunnel MTU to 1380" count as one while two different steps of one runbook stay distinct.
 */
export const REPEAT_JACCARD = 0.8;

interface Shown {
  topEntryId: string | null;
  words: Set<string>;
  afterMessageId: string | null;
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

  /**
   * True when showing this on `ticketId` would repeat an earlier suggestion. Suggestions shown after the message
   * `sameMessageId` do not count: an LLM draft refines the retrieval suggestion for the same message.
   */
  isRepeat(ticketId: string, topEntryId: string | null, text: string, sameMessageId?: string): boolean {
    const words = new Set(tokenize(text));
    return (this.shown.get(ticketId) ?? []).some(
      (s) =>
        (sameMessageId === undefined || s.afterMessageId !== sameMessageId) &&
        ((topEntryId !== null && s.topEntryId === topEntryId) || jaccard(s.words, words) >= REPEAT_JACCARD),
    );
  }

  /** Records a suggestion that was shown. */
  remember(ticketId: string, topEntryId: string | null, text: string, afterMessageId: string | null = null): void {
    const list = this.shown.get(ticketId) ?? [];
    list.push({ topEntryId, words: new Set(tokenize(text)), afterMessageId });
    this.shown.set(ticketId, list);
  }

  forget(ticketId: string): void {
    this.shown.delete(ticketId);
  }
}
