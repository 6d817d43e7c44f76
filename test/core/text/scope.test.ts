import { describe, expect, it } from 'vitest';
import { checkScope } from '../../../core/text/scope';

describe('scope gate', () => {
  it.each(['thanks!', 'Thank you so much', 'ok', 'any update?', 'Hello', 'have a nice day'])('stays silent on "%s"', (text) => {
    expect(checkScope(text).inScope).toBe(false);
  });

  it.each(['My card was declined at the shop', 'Why is my transfer still pending?', 'error 403 on login', 'refund?'])(
    'helps with "%s"',
    (text) => {
      expect(checkScope(text).inScope).toBe(true);
    },
  );
});
