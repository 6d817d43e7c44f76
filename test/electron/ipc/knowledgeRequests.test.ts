import { describe, expect, it } from 'vitest';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';

describe('request validation of the knowledge browser', () => {
  it('accepts filters, pages, edits and status changes, trimming free text', () => {
    expect(parseIpcRequest('listEntries', [{}])).toEqual({});
    expect(parseIpcRequest('listEntries', [{ status: 'retired', kind: 'qa', origin: 'learned', text: '  vpn ', offset: 50, limit: 50 }])).toEqual({
      status: 'retired',
      kind: 'qa',
      origin: 'learned',
      text: 'vpn',
      offset: 50,
      limit: 50,
    });
    expect(parseIpcRequest('entryDetail', [{ entryId: 'qa-rt:42' }])).toEqual({ entryId: 'qa-rt:42' });
    expect(parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: { answer: ' Do X. ', tags: [' vpn ', 'wifi'] } }])).toEqual({
      entryId: 'qa-1',
      patch: { answer: 'Do X.', tags: ['vpn', 'wifi'] },
    });
    expect(parseIpcRequest('setEntryStatus', [{ entryId: 'qa-1', status: 'retired', reason: ' outdated ' }])).toEqual({ entryId: 'qa-1', status: 'retired', reason: 'outdated' });
    expect(parseIpcRequest('restoreEntryVersion', [{ entryId: 'qa-1', version: 2 }])).toEqual({ entryId: 'qa-1', version: 2 });
  });

  it('refuses bad filters and pages, naming the field', () => {
    expect(() => parseIpcRequest('listEntries', [{ status: 'deleted' }])).toThrow('vigil:listEntries received a malformed request: status: the status must be one of proposed, approved, retired');
    expect(() => parseIpcRequest('listEntries', [{ kind: 'faq' }])).toThrow('kind: the kind must be one of article, qa, case');
    expect(() => parseIpcRequest('listEntries', [{ origin: 'web' }])).toThrow('origin: the origin must be one of learned, imported, pack');
    expect(() => parseIpcRequest('listEntries', [{ limit: 5000 }])).toThrow('limit: the page size must be at most 100');
    expect(() => parseIpcRequest('listEntries', [{ offset: -1 }])).toThrow('offset: the offset cannot be negative');
    expect(() => parseIpcRequest('listEntries', [{ offset: 1.5 }])).toThrow('offset: the offset must be a whole number');
    expect(() => parseIpcRequest('listEntries', [{ text: 'x'.repeat(2001) }])).toThrow('text: the text filter is longer than 2000 characters');
    expect(() => parseIpcRequest('listEntries', [{ where: '1=1' }])).toThrow(/Unrecognized key/);
    expect(() => parseIpcRequest('listEntries', [])).toThrow(/request: /);
  });

  it('refuses bad edits, status changes and restores, naming the field', () => {
    expect(() => parseIpcRequest('entryDetail', [{ entryId: '' }])).toThrow('entryId: the entry id is empty');
    expect(() => parseIpcRequest('entryDetail', [{ entryId: 'x'.repeat(513) }])).toThrow('entryId: the entry id is longer than 512 characters');
    expect(() => parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: {} }])).toThrow('patch: change at least one of title, question, answer or tags');
    expect(() => parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: { answer: '   ' } }])).toThrow('patch.answer: the answer is empty');
    expect(() => parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: { question: 'x'.repeat(20_001) } }])).toThrow('patch.question: the question is longer than 20000 characters');
    expect(() => parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: { tags: Array.from({ length: 31 }, (_, i) => `t${i}`) } }])).toThrow('patch.tags: at most 30 tags');
    expect(() => parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: { tags: ['x'.repeat(61)] } }])).toThrow('patch.tags.0: a tag is longer than 60 characters');
    expect(() => parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: { answer: 'ok', status: 'approved' } }])).toThrow(/Unrecognized key/);
    expect(() => parseIpcRequest('editEntry', [{ entryId: 'qa-1', patch: { answer: 'ok' }, actor: 'someone-else' }])).toThrow(/Unrecognized key/);
    expect(() => parseIpcRequest('setEntryStatus', [{ entryId: 'qa-1', status: 'proposed' }])).toThrow('status: the status must be approved or retired');
    expect(() => parseIpcRequest('restoreEntryVersion', [{ entryId: 'qa-1', version: 0 }])).toThrow('version: versions start at 1');
    expect(() => parseIpcRequest('restoreEntryVersion', [{ entryId: 'qa-1', version: '2' }])).toThrow('version: the version must be a number');
  });
});
