import { describe, expect, it } from 'vitest';
import { checkEntryQuality, scrubEntryText } from '../../../core/learn/entryQuality';

const problems = (question: string, answer: string, names: string[] = []): string[] =>
  checkEntryQuality(question, answer, names).map((i) => `${i.field}:${i.problem}`);

describe('quality rules of learned entries', () => {
  it('accepts a general question with an actionable answer', () => {
    expect(problems('Why is my card declined abroad?', 'Turn on travel mode in the app under Card settings, then retry.')).toEqual([]);
  });

  it('refuses promises, hedges and hand-offs as answers', () => {
    expect(problems('Why is my card declined abroad?', "We'll look into it and get back to you.")).toContain('answer:non_answer');
    expect(problems('Why is my card declined abroad?', 'Maybe try restarting the app later on.')).toContain('answer:non_answer');
    expect(problems('Why is my card declined abroad?', 'Please contact your bank about the card.')).toContain('answer:non_answer');
    expect(problems('Why is my card declined abroad?', 'I have escalated this to the card team.')).toContain('answer:non_answer');
  });

  it('refuses answers that only ask back, and questions too short to state a problem', () => {
    expect(problems('Why is my card declined abroad?', 'Which country are you in? Which card?')).toContain('answer:answer_is_a_question');
    expect(problems('Help', 'Turn on travel mode in the app.')).toContain('question:question_too_short');
    expect(problems('Why is my card declined abroad?', 'Done.')).toContain('answer:answer_too_short');
  });

  it('refuses names, ticket numbers, dates and status talk that survived', () => {
    expect(problems('Why was Ana charged twice?', 'Refunds take five working days to appear.', ['Ana'])).toContain('question:contains_name');
    expect(problems('Refund for ticket 48213 not received', 'Refunds take five working days to appear.')).toContain('question:contains_identifier');
    expect(problems('Refund not received since 2026-03-01', 'Refunds take five working days to appear.')).toContain('question:contains_date');
    expect(problems('Refund not received yet', 'The ticket is now closed. Refunds take five days.')).toContain('answer:status_talk');
  });

  it('scrubs names, references, dates and pleasantries out of the text', () => {
    const text = 'Thanks Ana, I checked ticket #48213 on March 3rd. Turn on travel mode in the app, then retry. Let me know if it helps!';
    const scrubbed = scrubEntryText(text, ['Ana']);
    expect(scrubbed).toBe('I checked. Turn on travel mode in the app, then retry.');
    expect(checkEntryQuality('Why is my card declined abroad?', scrubbed, ['Ana']).filter((i) => i.problem !== 'answer_too_short')).toEqual([]);
  });

  it('drops a confirmation opener ("That fixed it, thanks!") from a learned answer, and refuses an answer that is only one (issue 20)', () => {
    expect(scrubEntryText('That fixed it, thanks! Clear the browser cache, then sign in to the portal again.')).toBe(
      'Clear the browser cache, then sign in to the portal again.',
    );
    expect(scrubEntryText('Great, glad that worked! Clear the browser cache.')).toBe('Clear the browser cache.');
    expect(problems('Portal login loops', scrubEntryText('Works now, thank you so much!'))).toContain('answer:answer_too_short');
    expect(problems('Portal login loops', "That's fixed it for me, thanks!")).toContain('answer:status_talk');
    // An instruction that merely mentions what worked is kept.
    expect(scrubEntryText('It works if you clear the cache first.')).toBe('It works if you clear the cache first.');
  });
});
