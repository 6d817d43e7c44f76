/** Folders written from `~` (renderer/src/components/pathText.ts): only the analyst's own home, whole, is shortened. */
import { describe, expect, it } from 'vitest';
import { homeShortened } from '../../renderer/src/components/pathText';

describe('folders written from ~', () => {
  it('writes the home folder and every path under it from ~, in a path or in a sentence', () => {
    expect(homeShortened('/home/ana', '/home/ana')).toBe('~');
    expect(homeShortened('/home/ana/.config/Vigil Desktop/teams/default', '/home/ana/')).toBe('~/.config/Vigil Desktop/teams/default');
    expect(homeShortened('starts again on /home/ana/Private/vigil-team. The data folder /home/ana/Private/vigil-team could be read', '/home/ana')).toBe(
      'starts again on ~/Private/vigil-team. The data folder ~/Private/vigil-team could be read',
    );
    expect(homeShortened('(in /home/ana)', '/home/ana')).toBe('(in ~)');
    expect(homeShortened('C:\\Users\\ana\\Documents\\tickets', 'C:\\Users\\ana')).toBe('~\\Documents\\tickets');
  });

  it('leaves another account’s folder, a folder that only starts like the home, and a home inside another path as they are', () => {
    expect(homeShortened('/home/anabel/tickets', '/home/ana')).toBe('/home/anabel/tickets');
    expect(homeShortened('/home/ana.old/tickets', '/home/ana')).toBe('/home/ana.old/tickets');
    expect(homeShortened('/backup/home/ana/tickets', '/home/ana')).toBe('/backup/home/ana/tickets');
    expect(homeShortened('/srv/vigil', '/home/ana')).toBe('/srv/vigil');
  });

  it('shows every path in full while the home is unknown or is the root', () => {
    expect(homeShortened('/home/ana/tickets', null)).toBe('/home/ana/tickets');
    expect(homeShortened('/srv/vigil', '/')).toBe('/srv/vigil');
  });
});
