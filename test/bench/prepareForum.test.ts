import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareForum } from './prepareForum';

const posts = (title: string): string =>
  `<posts><row Id="1" PostTypeId="1" AcceptedAnswerId="2" CreationDate="2017-01-01T00:00:00" Title="${title}" Body="&lt;p&gt;Body.&lt;/p&gt;" />` +
  '<row Id="2" PostTypeId="2" ParentId="1" CreationDate="2017-01-01T01:00:00" Score="1" Body="&lt;p&gt;Fix.&lt;/p&gt;" /></posts>';

describe('npm run data:forum', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prepare-forum-'));
  mkdirSync(join(dir, 'site-a'));
  writeFileSync(join(dir, 'site-a', 'Posts.xml'), posts('From a folder'));
  writeFileSync(join(dir, 'b.xml'), posts('From a file'));
  mkdirSync(join(dir, 'repo.git'));
  writeFileSync(join(dir, 'repo.git', 'HEAD'), 'ref: refs/heads/main\n');

  it('reads a folder, a file and a git directory, and counts what each site gave', () => {
    const read: Parameters<typeof prepareForum>[1] = (gitDir, path) => {
      expect([gitDir, path]).toEqual([join(dir, 'repo.git'), 'dump/Posts.xml']);
      return posts('From git');
    };
    const corpus = prepareForum([`a.stackexchange.com=${join(dir, 'site-a')}`, `b.com=${join(dir, 'b.xml')}`, `c.com=${join(dir, 'repo.git')}:dump/Posts.xml`], read);
    expect(corpus.questions.map((q) => [q.site, q.title])).toEqual([
      ['a.stackexchange.com', 'From a folder'],
      ['b.com', 'From a file'],
      ['c.com', 'From git'],
    ]);
    expect(corpus.sources.map((s) => [s.site, s.questions, s.accepted, s.best])).toEqual([
      ['a.stackexchange.com', 1, 1, 0],
      ['b.com', 1, 1, 0],
      ['c.com', 1, 1, 0],
    ]);
  });

  it('refuses a source without its site, a site given twice, and a location that does not exist', () => {
    expect(() => prepareForum([join(dir, 'b.xml')])).toThrow(/expected <site host>=<location>/);
    expect(() => prepareForum([`b.com=${join(dir, 'b.xml')}`, `b.com=${join(dir, 'b.xml')}`])).toThrow(/site b\.com is given twice/);
    expect(() => prepareForum([`b.com=${join(dir, 'missing.xml')}`])).toThrow(/missing\.xml: no such file, folder or git directory/);
  });
});
