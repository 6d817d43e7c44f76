/**
 * A decision as the analyst sees it beside the ticket: what the customer wrote, then the suggestion's own text
 * (wrapped, not cut to an id), its one confidence figure and what it cites; or, for a silent decision, why the
 * copilot kept quiet, in words. Used by `npm run demo` to show a replay the way the desktop app would.
 */
import type { Suggestion } from '../formats/schemas';

/** Why a decision was not shown, in the words the app uses. */
const SILENT_BECAUSE: Record<string, string> = {
  low_confidence: 'nothing in the knowledge is a reliable enough match',
  duplicate: 'already suggested on this ticket',
  out_of_scope: 'not something the knowledge covers',
};

/** The words for a silent decision's reason (the reason code itself when it has none). */
export function silentReason(reason: string): string {
  return SILENT_BECAUSE[reason] ?? reason.replace(/_/g, ' ');
}

const KIND_WORDS: Record<Suggestion['kind'], string> = {
  answer: 'an answer',
  article: 'an article',
  similar_case: 'a similar resolved case',
  followup: 'a follow-up reminder',
  alert: 'an alert',
  next_step: 'a next step',
};

/** Wraps `text` (whitespace collapsed) to lines of at most `width` characters, each prefixed by `indent`. */
export function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** The lines for one decision made after the customer's `customerText`. */
export function describeForAnalyst(decision: Suggestion, customerText: string, width = 100): string[] {
  const lines = wrap(`customer: ${customerText}`, width, '  ');
  if (!decision.shown) {
    lines.push(`    (Vigil stays silent: ${silentReason(decision.reason)})`);
    return lines;
  }
  const percent = Math.round(decision.confidence * 100);
  lines.push(`  ▸ Vigil suggests ${KIND_WORDS[decision.kind] ?? decision.kind} (confidence ${percent}%):`);
  lines.push(...wrap(decision.text, width - 6, '      '));
  const cites = decision.citations.slice(0, 1).map((c) => (c.sourceTicketId ? `${c.entryId}, learned from ${c.sourceTicketId}` : c.entryId));
  if (cites.length > 0) lines.push(`      — cites ${cites.join('; ')}`);
  return lines;
}
