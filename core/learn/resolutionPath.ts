/**
 * The path to a resolution: the turns of a closed ticket between the customer's problem and the analyst's
 * resolution (the analyst's diagnostic questions, the customer's answers, what was tried). Learned entries keep it
 * in `path` (docs/formats.md) and are matched on it (core/knowledge/storedEntry.ts `matchTextOf`), because the
 * same symptom has different resolutions and the diagnostic turns are what tell them apart: on multi-turn
 * troubleshooting dialogues, Q&A that kept only the first question and the answer filled the engine's top five
 * with entries of the same symptom (issue 16).
 */
import type { Message } from '../formats/schemas';
import type { PathTurn } from '../knowledge/storedEntry';
import { cleanMessage } from '../text/queryCleaner';
import { tokenize } from '../text/tokenize';
import { scrubEntryText } from './entryQuality';

/**
 * Turns kept, the ones nearest the resolution: the last diagnostic exchanges decide between resolutions, and a
 * bounded path keeps a long ticket's entry from matching every query on its length alone. Eight turns are four
 * question-and-answer exchanges; the DSTC11 validation conversations have a median of 6 turns (mean 7.4)
 * before their first knowledge-seeking one, so most paths are kept whole. A starting value, not fitted: on the first
 * 600 tickets of the DSTC11 multi-turn curve (BENCHMARKS.md) 4, 8 and 16 turns gave 0.357, 0.345 and 0.347.
 */
export const MAX_PATH_TURNS = 8;

/**
 * The path in `messages[from, to)`: customer and analyst turns (bots and system notes are not the conversation),
 * without the messages in `skip` (the question itself), each cleaned like a query and scrubbed like an entry
 * (names, identifiers, dates, pleasantries), empty ones dropped; the last `MAX_PATH_TURNS`.
 */
export function pathBetween(
  messages: readonly Message[],
  from: number,
  to: number,
  names: readonly string[],
  skip: ReadonlySet<string> = new Set(),
): PathTurn[] {
  const path: PathTurn[] = [];
  for (const message of messages.slice(Math.max(0, from), Math.max(0, to))) {
    if (skip.has(message.id) || (message.author !== 'customer' && message.author !== 'analyst')) continue;
    const text = scrubEntryText(cleanMessage(message.text), names);
    if (tokenize(text).length > 0) path.push({ author: message.author, text });
  }
  return path.slice(-MAX_PATH_TURNS);
}
