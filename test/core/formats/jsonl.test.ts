import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLineIssue, JSON_LIMITS, readJsonlAll } from '../../../core/formats/jsonl';
import { EntrySchema, SuggestionSchema, TicketSchema } from '../../../core/formats/schemas';
import { tempFolder } from '../../support/tempFolder';

async function fileWith(lines: string[]): Promise<string> {
  const dir = await tempFolder('vigil-jsonl-');
  const file = join(dir, 'input.jsonl');
  await writeFile(file, lines.join('\n'));
  return file;
}

describe('ticket files', () => {
  it('reads the spec example, defaults status to open and keeps unknown fields', async () => {
    const file = await fileWith([
      JSON.stringify({
        id: 'T-1042',
        subject: 'VPN drops every 10 minutes',
        team: 'network',
        messages: [{ id: '1', author: 'customer', text: 'My VPN disconnects', at: '2026-03-01T09:00:00Z' }],
        'x-priority': 'high',
      }),
    ]);
    const { records, issues } = await readJsonlAll(file, TicketSchema);
    expect(issues).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]?.value.status).toBe('open');
    expect(records[0]?.value['x-priority']).toBe('high');
  });

  it('names the file, line and field of each bad line and still returns the good ones', async () => {
    const good = JSON.stringify({ id: 'T-1', messages: [{ id: '1', author: 'customer', text: 'hi' }] });
    const file = await fileWith([
      good,
      '',
      '{"id": "T-2", "messages": [{"id": "1", "author": "robot", "text": "x"}]}',
      'not json at all',
      '{"id": "T-3", "messages": []}',
      '{"messages": [{"id": "1", "author": "customer", "text": "x"}]}',
      good.replace('T-1', 'T-4'),
    ]);
    const { records, issues } = await readJsonlAll(file, TicketSchema);
    expect(records.map((r) => [r.line, r.value.id])).toEqual([
      [1, 'T-1'],
      [7, 'T-4'],
    ]);
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [3, 'messages.0.author'],
      [4, '(line)'],
      [5, 'messages'],
      [6, 'id'],
    ]);
    expect(formatLineIssue(issues[0]!)).toMatch(new RegExp(`^${file}:3: messages\\.0\\.author: `));
  });

  it('rejects an unknown status and a time that is not ISO 8601', async () => {
    const file = await fileWith([
      '{"id": "T-1", "status": "archived", "messages": [{"id": "1", "author": "customer", "text": "x"}]}',
      '{"id": "T-2", "createdAt": "yesterday", "messages": [{"id": "1", "author": "customer", "text": "x"}]}',
    ]);
    const { issues } = await readJsonlAll(file, TicketSchema);
    expect(issues.map((i) => i.field)).toEqual(['status', 'createdAt']);
  });

  it('ignores a byte-order mark and Windows line ends', async () => {
    const file = await fileWith([`\uFEFF${JSON.stringify({ id: 'a', kind: 'qa', body: 'b' })}\r`]);
    const { records, issues } = await readJsonlAll(file, EntrySchema);
    expect(issues).toEqual([]);
    expect(records[0]?.value.id).toBe('a');
  });

  it('says which file could not be read', async () => {
    await expect(readJsonlAll('/nonexistent/tickets.jsonl', TicketSchema)).rejects.toThrow('/nonexistent/tickets.jsonl');
  });
});

describe('entry files', () => {
  it('requires id, kind and body, and only the spec kinds', async () => {
    const file = await fileWith([
      '{"id": "kb-1", "kind": "article", "body": "Lower the MTU", "source": {"type": "import", "ref": "runbook.md"}}',
      '{"id": "kb-2", "kind": "faq", "body": "x"}',
      '{"id": "kb-3", "kind": "qa"}',
      '{"id": "kb-4", "kind": "qa", "body": "x", "source": {"type": "web"}}',
    ]);
    const { records, issues } = await readJsonlAll(file, EntrySchema);
    expect(records.map((r) => r.value.id)).toEqual(['kb-1']);
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [2, 'kind'],
      [3, 'body'],
      [4, 'source.type'],
    ]);
  });
});

describe('suggestion format', () => {
  it('accepts the spec example line', () => {
    const example = {
      ticketId: 'T-1042',
      afterMessageId: '1',
      shown: true,
      reason: 'answerable',
      kind: 'answer',
      text: 'Lower the tunnel MTU to 1380 ...',
      confidence: 0.82,
      citations: [
        { entryId: 'kb-vpn-mtu', kind: 'article', sourceTicketId: null, score: 0.91 },
        { entryId: 'case-T-0977', kind: 'case', sourceTicketId: 'T-0977', score: 0.74 },
      ],
      latencyMs: 14,
    };
    expect(SuggestionSchema.parse(example)).toEqual(example);
  });
});

describe('hostile lines', () => {
  const good = (id: string): string => JSON.stringify({ id, kind: 'article', title: 'VPN drops', body: 'Lower the MTU to 1380.' });

  it('skips an entry nested 5,000 levels deep with a per-line error, and reads the others', async () => {
    const deep = `{"id":"kb-deep","kind":"article","body":"x","meta":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const file = await fileWith([good('kb-1'), deep, good('kb-2')]);
    const { records, issues } = await readJsonlAll(file, EntrySchema);
    expect(records.map((r) => r.value.id)).toEqual(['kb-1', 'kb-2']);
    expect(issues.map(formatLineIssue)).toEqual([`${file}:2: (line): nests deeper than 64 levels of objects and arrays`]);
  });

  it('counts nesting outside strings only: brackets inside a text are text', async () => {
    const file = await fileWith([JSON.stringify({ id: 'kb-b', kind: 'article', body: `${'[{'.repeat(500)} \\" ]` })]);
    const { records, issues } = await readJsonlAll(file, EntrySchema);
    expect(issues).toEqual([]);
    expect(records).toHaveLength(1);
  });

  it('skips a line longer than the limit without holding it, and reads the lines after it', async () => {
    const huge = `{"id":"kb-huge","kind":"article","body":"${'a'.repeat(JSON_LIMITS.maxLineBytes + 10)}"}`;
    const file = await fileWith([good('kb-1'), huge, good('kb-2')]);
    const { records, issues } = await readJsonlAll(file, EntrySchema);
    expect(records.map((r) => r.value.id)).toEqual(['kb-1', 'kb-2']);
    expect(issues).toEqual([{ file, line: 2, field: '(line)', message: 'is 16 MiB long; a line may hold at most 16 MiB' }]);
  });

  it('names the field that is too long', async () => {
    const file = await fileWith([JSON.stringify({ id: 'kb-long', kind: 'article', body: 'ok', extra: { notes: ['short', 'b'.repeat(JSON_LIMITS.maxFieldChars + 1)] } }), good('kb-2')]);
    const { records, issues } = await readJsonlAll(file, EntrySchema);
    expect(records.map((r) => r.value.id)).toEqual(['kb-2']);
    expect(issues.map(formatLineIssue)).toEqual([`${file}:1: extra.notes.1: is ${JSON_LIMITS.maxFieldChars + 1} characters long; a field may hold at most ${JSON_LIMITS.maxFieldChars}`]);
  });

  it('still reads Windows line endings and a final line without a newline', async () => {
    const dir = await tempFolder('vigil-jsonl-');
    const file = join(dir, 'crlf.jsonl');
    await writeFile(file, `${good('kb-1')}\r\n\r\n${good('kb-2')}`);
    const { records, issues } = await readJsonlAll(file, EntrySchema);
    expect(issues).toEqual([]);
    expect(records.map((r) => [r.line, r.value.id])).toEqual([[1, 'kb-1'], [3, 'kb-2']]);
  });
});
