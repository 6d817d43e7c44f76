import { describe, expect, it } from 'vitest';
import type { AssistDecision } from '../../core/assist/assistant';
import { abcdArticleFor, scoreDecisions } from './gateReport';
import { itWithData } from '../support/publicData';

const decision = (ticketId: string, afterMessageId: string, fields: Partial<AssistDecision>): AssistDecision => ({
  ticketId,
  afterMessageId,
  shown: false,
  reason: 'low_confidence',
  kind: 'article',
  text: '',
  confidence: 0,
  citations: [{ entryId: 'a', kind: 'article', sourceTicketId: null, score: 0.5 }],
  latencyMs: 1,
  stage: 'retrieval',
  gates: [],
  ...fields,
});

describe('gate report scoring', () => {
  it('scores the final decision per message (the LLM one when present) against always speaking', () => {
    const score = scoreDecisions(
      [
        decision('T-1', '1', { shown: true, reason: 'answerable' }),
        decision('T-1', '1', { stage: 'llm', shown: false, reason: 'not_answerable' }),
        decision('T-1', '2', { shown: true, reason: 'answerable', citations: [{ entryId: 'b', kind: 'article', sourceTicketId: null, score: 0.4 }] }),
        decision('T-1', '3', { reason: 'out_of_scope', citations: [] }),
        decision('T-1', '3', { stage: 'rules', kind: 'alert', shown: true, reason: 'business-impact', citations: [] }),
      ],
      (d) => d.citations[0]?.entryId === 'a',
    );
    expect(score).toMatchObject({ messages: 3, outOfScope: 1, candidates: 2, alwaysRight: 1, shown: 1, shownRight: 0 });
  });

  itWithData(['abcd'], 'maps ABCD dialogue subflows to the guideline articles', () => {
    expect(abcdArticleFor('product_defect', 'return_size')).toBe('abcd-return-due-to-size');
    expect(abcdArticleFor('storewide_query', 'timing_4')).toBe('abcd-timing-faq');
    expect(abcdArticleFor('nope', 'x')).toBeNull();
  });
});
