import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../core/formats/schemas';
import { matchTextOf, pathOf } from '../../../core/knowledge/storedEntry';

const learned: Entry = {
  id: 'qa-T-1',
  kind: 'qa',
  question: 'My VPN connection keeps dropping.',
  body: 'Lower the tunnel MTU to 1380.',
  path: [
    { author: 'analyst', text: 'Which network are you on?' },
    { author: 'customer', text: 'Hotel wifi abroad.' },
  ],
};

describe('the text an entry is matched on', () => {
  it('matches a learned entry on its question and the path to its resolution, never on its answer', () => {
    expect(matchTextOf(learned)).toBe('My VPN connection keeps dropping.\nWhich network are you on?\nHotel wifi abroad.');
  });

  it('ignores a path that is not a list of customer and analyst turns, as an older or hand-edited file may hold', () => {
    expect(pathOf({ ...learned, path: 'Hotel wifi' })).toEqual([]);
    const odd = [{ author: 'bot', text: 'Auto-reply' }, { author: 'customer' }, null, 'text', { author: 'customer', text: 'Hotel wifi abroad.' }];
    expect(pathOf({ ...learned, path: odd })).toEqual([{ author: 'customer', text: 'Hotel wifi abroad.' }]);
    expect(matchTextOf({ ...learned, path: odd })).toBe('My VPN connection keeps dropping.\nHotel wifi abroad.');
  });

  it('matches an article, which has no question, on its title and body', () => {
    expect(matchTextOf({ id: 'kb-1', kind: 'article', title: 'VPN MTU', body: 'Lower the MTU.', path: learned['path'] })).toBe('VPN MTU\nLower the MTU.');
  });
});
