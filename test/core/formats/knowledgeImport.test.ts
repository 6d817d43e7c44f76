/** Importing the knowledge a team already has: JSON Lines, a JSON array, CSV with a column mapping, a folder of articles. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { articleFromFile, parseCsv, parseFieldMapping, readKnowledge, type KnowledgeReadOptions } from '../../../core/formats/knowledgeImport';
import type { LineIssue } from '../../../core/formats/lineIssue';
import type { Entry } from '../../../core/formats/schemas';

async function readAll(source: string, options: KnowledgeReadOptions = {}): Promise<{ entries: Entry[]; issues: LineIssue[] }> {
  const entries: Entry[] = [];
  const issues: LineIssue[] = [];
  for await (const entry of readKnowledge(source, options, (i) => issues.push(i))) entries.push(entry);
  return { entries, issues };
}

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'vigil-kbimport-'));

describe('reading knowledge to import', () => {
  it('reads a pretty-printed JSON array as entries, naming the line where a bad item starts', async () => {
    const file = join(await tmp(), 'entries.json');
    const items = [
      { id: 'a1', kind: 'article', title: 'VPN', body: 'Lower the MTU.' },
      { id: 'a2', kind: 'article', title: 'No body' },
    ];
    await writeFile(file, JSON.stringify(items, null, 2));
    const { entries, issues } = await readAll(file);
    expect(entries.map((e) => e.id)).toEqual(['a1']);
    expect(issues).toEqual([{ file, line: 8, field: 'body', message: 'is missing (expected string)' }]);
  });

  it('reads a JSON document saved as .jsonl as one array, not as hundreds of bad lines', async () => {
    const file = join(await tmp(), 'export.jsonl');
    await writeFile(file, JSON.stringify({ entries: [{ id: 'x', kind: 'qa', question: 'Q?', body: 'A.' }, { id: 'y', kind: 'qa', body: 'B.' }] }, null, 2));
    const { entries, issues } = await readAll(file);
    expect(entries.map((e) => e.id)).toEqual(['x', 'y']);
    expect(issues).toEqual([]);
  });

  it('reads JSON Lines whose first line is a stray array line by line, and a one-line array as a document', async () => {
    const dir = await tmp();
    const lines = join(dir, 'entries.jsonl');
    await writeFile(lines, ['[]', '{"id":"a","kind":"article","body":"Lower the MTU."}', '{}'].join('\n'));
    const read = await readAll(lines);
    expect(read.entries.map((e) => e.id)).toEqual(['a']);
    expect(read.issues.map((i) => i.line)).toEqual([1, 3]);
    const oneLine = join(dir, 'array.jsonl');
    await writeFile(oneLine, JSON.stringify([{ id: 'b', kind: 'article', body: 'Restart.' }]));
    expect((await readAll(oneLine)).entries.map((e) => e.id)).toEqual(['b']);
  });

  it('reads CSV through a column mapping: quoted commas and line breaks, tags split, questions become Q&A', async () => {
    const file = join(await tmp(), 'faq.csv');
    await writeFile(file, 'Question,Answer,Labels\r\n"How do I reset, my password?","Use the link\non the login page","account;login"\r\nNo answer,,\r\n');
    const { entries, issues } = await readAll(file, { mapping: parseFieldMapping('question=Question,body=Answer,tags=Labels') });
    expect(entries).toEqual([
      { id: 'faq-2', kind: 'qa', question: 'How do I reset, my password?', body: 'Use the link\non the login page', tags: ['account', 'login'] },
    ]);
    expect(issues).toEqual([{ file, line: 4, field: 'body', message: 'must not be empty' }]);
  });

  it('says which column is missing instead of skipping every row of a CSV without a body', async () => {
    const file = join(await tmp(), 'faq.csv');
    await writeFile(file, 'Question,Answer\nQ,A\n');
    const { entries, issues } = await readAll(file);
    expect(entries).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toContain('--map body=COLUMN');
    expect(() => parseFieldMapping('bdy=Answer')).toThrow(/unknown field "bdy"/);
  });

  it('reads a folder of Markdown, HTML and text articles, one entry per file titled from its heading, and names the files it skips', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'network'));
    await writeFile(join(dir, 'reset-password.md'), '---\nauthor: ana\n---\n# Reset your password\n\nGo to **Settings**.\n');
    await writeFile(join(dir, 'network', 'vpn.html'), '<html><head><title>Site</title></head><body><h1>VPN drops</h1><p>Lower the MTU &amp; retry.</p></body></html>');
    await writeFile(join(dir, 'printer.txt'), 'Printer jam\nOpen tray 2.\n');
    await writeFile(join(dir, 'logo.png'), 'PNG');
    await writeFile(join(dir, 'empty.md'), '# Only a title\n');
    const { entries, issues } = await readAll(dir);
    expect(entries.map((e) => [e.id, e.title, e.body])).toEqual([
      ['doc-network-vpn', 'VPN drops', 'Lower the MTU & retry.'],
      ['doc-printer', 'Printer jam', 'Open tray 2.'],
      ['doc-reset-password', 'Reset your password', 'Go to **Settings**.'],
    ]);
    expect(entries[0]?.source).toEqual({ type: 'import', ref: join('network', 'vpn.html') });
    expect(issues.map((i) => [i.file.slice(dir.length + 1), i.field])).toEqual([
      ['empty.md', 'body'],
      ['logo.png', '(file)'],
    ]);
  });

  it('fails with a sentence when the source does not exist', async () => {
    await expect(readAll(join(await tmp(), 'nope.jsonl'))).rejects.toThrow(/nope\.jsonl does not exist/);
  });

  it('parses CSV rows with the line each starts on, semicolon-separated exports too', () => {
    expect(parseCsv('a;b\n"x\ny";z\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x\ny', 'z'] },
    ]);
    expect(articleFromFile('a.md', 'Title\n=====\n\nText')).toEqual({ title: 'Title', body: 'Text' });
  });
});
