import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { KnowledgeStore } from '../../../core/knowledge/knowledgeStore';
import { WriteAheadLog } from '../../../core/knowledge/writeAheadLog';
import { formatLineIssue } from '../../../core/formats/jsonl';
import { ARTICLES, stored } from '../../fixtures/storeEntries';

describe('write-ahead log', () => {
  it('refuses an entry nested too deep by its id and field, before writing anything, instead of overflowing the stack', async () => {
    const dir = await tempFolder('vigil-wal-deep-');
    const log = new WriteAheadLog(dir);
    let meta: unknown = 'leaf';
    for (let i = 0; i < 5000; i++) meta = [meta];
    const deep = { ...stored({ id: 'kb-deep', body: 'x' }), meta } as unknown as Parameters<WriteAheadLog['append']>[0][number];
    await expect(log.append([ARTICLES[0]!, deep])).rejects.toThrow(/^Entry kb-deep cannot be stored: meta(\.0)+ nests deeper than 64 levels/);
    await log.close();
    expect(await new WriteAheadLog(dir).readAll()).toEqual([]);
  });

  it('recovers every good line around a bad one in the middle of the log, and says which line it skipped', async () => {
    const dir = await tempFolder('vigil-wal-bad-');
    const deep = `{"id":"kb-deep","kind":"article","body":"x","meta":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    await writeFile(join(dir, 'fresh-log.jsonl'), `${JSON.stringify(stored({ id: 'kb-a', body: 'a' }))}\n${deep}\n${JSON.stringify(stored({ id: 'kb-b', body: 'b' }))}\n`);
    const lines: string[] = [];
    expect((await new WriteAheadLog(dir).readAll((issue) => lines.push(formatLineIssue(issue)))).map((e) => e.id)).toEqual(['kb-a', 'kb-b']);
    expect(lines).toEqual([`${join(dir, 'fresh-log.jsonl')}:2: (line): skipped in recovery: over the limits of one line (16777216 bytes, 64 levels)`]);
  });

  it('replays segments oldest first, then the live log, and drops only committed segments', async () => {
    const dir = await tempFolder('vigil-wal-');
    const log = new WriteAheadLog(dir);
    await log.append([ARTICLES[0]!]);
    const first = await log.rotate();
    await log.append([ARTICLES[1]!]);
    const second = await log.rotate();
    await log.append([{ ...ARTICLES[0]!, body: 'newer' }]);
    await log.close();
    expect((await readdir(dir)).sort()).toEqual(['fresh-log.1.jsonl', 'fresh-log.2.jsonl', 'fresh-log.jsonl']);

    const replay = new WriteAheadLog(dir);
    expect((await replay.readAll()).map((e) => [e.id, e.body])).toEqual([
      [ARTICLES[0]!.id, ARTICLES[0]!.body],
      [ARTICLES[1]!.id, ARTICLES[1]!.body],
      [ARTICLES[0]!.id, 'newer'],
    ]);
    await replay.dropSegments(first);
    expect((await readdir(dir)).sort()).toEqual(['fresh-log.2.jsonl', 'fresh-log.jsonl']);
    expect(await replay.rotate()).toBe(second + 1); // numbering continues after the segments found
  });

  it('recovers a commit interrupted by a crash: the segment and the live log, the later write winning', async () => {
    const dir = await tempFolder('vigil-wal-crash-');
    // As a crash during a commit leaves them: a segment being committed, and writes made meanwhile.
    await writeFile(join(dir, 'fresh-log.4.jsonl'), `${JSON.stringify(stored({ id: 'kb-a', body: 'first version' }))}\n`);
    await writeFile(
      join(dir, 'fresh-log.jsonl'),
      `${JSON.stringify(stored({ id: 'kb-a', body: 'second version' }))}\n${JSON.stringify(stored({ id: 'kb-b', body: 'another' }))}\n{"id": "torn`,
    );
    const store = await KnowledgeStore.open(dir, new HashedEmbedder());
    try {
      expect(await store.count()).toBe(2);
      expect((await store.get('kb-a'))?.body).toBe('second version');
      expect((await readdir(dir)).filter((f) => f.startsWith('fresh-log'))).toEqual(['fresh-log.jsonl']);
      expect(await readFile(join(dir, 'fresh-log.jsonl'), 'utf8')).toBe('');
    } finally {
      await store.close();
    }
  });
});
