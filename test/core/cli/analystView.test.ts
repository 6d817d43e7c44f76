/** A decision printed as the analyst sees it: the suggestion's own words and source, or why Vigil kept quiet. */
import { describe, expect, it } from 'vitest';
import { describeForAnalyst, wrap } from '../../../core/cli/analystView';
import type { Suggestion } from '../../../core/formats/schemas';

const base: Suggestion = {
  ticketId: 'T-1',
  afterMessageId: '1',
  shown: true,
  reason: 'answerable',
  kind: 'answer',
  text: 'Refresh the page and add the item again; if that fails, log out and back in.',
  confidence: 0.736,
  citations: [{ entryId: 'qa-T-0', kind: 'qa', sourceTicketId: 'T-0', score: 0.61 }],
  latencyMs: 3,
};

describe('a decision as the analyst sees it', () => {
  it('prints the suggestion text itself, one confidence figure and its source ticket', () => {
    const out = describeForAnalyst(base, 'The cart does not update').join('\n');
    expect(out).toContain('customer: The cart does not update');
    expect(out).toContain('Vigil suggests an answer (confidence 74%)');
    expect(out).toContain('log out and back in');
    expect(out).toContain('cites qa-T-0, learned from T-0');
    expect(out).not.toContain('0.61');
  });

  it('says in words why a decision was not shown', () => {
    expect(describeForAnalyst({ ...base, shown: false, reason: 'low_confidence' }, 'hi').join('\n')).toContain(
      'Vigil stays silent: nothing in the knowledge is a reliable enough match',
    );
    expect(describeForAnalyst({ ...base, shown: false, reason: 'duplicate' }, 'hi').join('\n')).toContain('already suggested on this ticket');
  });

  it('wraps long text without losing a word', () => {
    const text = 'one two three four five six seven eight nine ten';
    const lines = wrap(text, 14, '  ');
    expect(lines.every((l) => l.length <= 16)).toBe(true);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(text);
  });
});
