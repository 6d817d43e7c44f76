import { beforeAll, expect, it } from 'vitest';
import { extractWithRules } from '../../core/learn/ruleExtractor';
import { dialogueTicket, loadDialogues } from './dialogueCurve';
import { describeWithData } from '../support/publicData';

describeWithData(['dstc11'], 'the multi-turn learning-curve tickets (DSTC11 validation)', () => {
  let dialogues: ReturnType<typeof loadDialogues>;
  beforeAll(() => {
    dialogues = loadDialogues();
  });

  it('keeps one knowledge-seeking ticket per conversation, so no ticket repeats another one\'s path', () => {
    // 1,902 conversations in the validation logs; those whose turns never need knowledge are left out.
    expect(dialogues.length).toBeGreaterThan(1700);
    expect(dialogues.length).toBeLessThanOrEqual(1902);
    expect(new Set(dialogues.map((d) => d.turns[0]?.text)).size).toBe(dialogues.length);
    expect(dialogues.every((d) => d.resolution.size > 0 && d.turns.at(-1)?.speaker === 'U')).toBe(true);
  });

  it('asks at the last customer turn and closes with the agent\'s response, which the learner keeps with its path', () => {
    const dialogue = dialogues.find((d) => d.turns.length >= 5) ?? dialogues[0]!;
    const open = dialogueTicket(dialogue, false);
    expect(open.status).toBe('open');
    expect(open.messages.at(-1)?.author).toBe('customer');
    const closed = dialogueTicket(dialogue, true);
    expect(closed.status).toBe('closed');
    expect(closed.messages.at(-1)).toMatchObject({ author: 'analyst', text: dialogue.response });
    const [main] = extractWithRules(closed).candidates;
    expect(main?.path?.length).toBeGreaterThan(0);
  });
});
