/**
 * What a recorded queue says the analyst answered: the first substantive public analyst reply after a customer
 * message (not a question back, not an internal note). Replay compares the copilot's suggestions with it, to
 * stand in for the analyst's feedback (`--feedback queue`) and for the what-if report's "same answer" rate.
 */
import type { Message, Ticket } from '../formats/schemas';
import { answerOverlap, SAME_ANSWER_OVERLAP } from '../learn/entryMerger';
import { isSubstantiveAnswer } from '../learn/ruleExtractor';

/** The index of the analyst's answer to the customer message at `index`, or -1 when the queue holds none. */
export function analystAnswerIndex(ticket: Pick<Ticket, 'messages'>, index: number): number {
  for (let i = index + 1; i < ticket.messages.length; i++) {
    const message = ticket.messages[i] as Message;
    if (message.internal) continue;
    if (isSubstantiveAnswer(message)) return i;
  }
  return -1;
}

/**
 * Whether a suggestion says what the analyst said: the same content-word overlap (≥ SAME_ANSWER_OVERLAP, 0.5)
 * that the learning loop uses to call two answers one (core/learn/entryMerger.ts).
 */
export function sameAnswer(suggestion: string, analystReply: string): boolean {
  return answerOverlap(suggestion, analystReply) >= SAME_ANSWER_OVERLAP;
}
