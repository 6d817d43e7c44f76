import { describe, expect, it } from 'vitest';
import { parseIpcRequest } from '../../../electron/ipc/parseRequest';

describe('request validation of the Import panel', () => {
  it('accepts a choice of file or folder, an import of a chosen source with a column mapping, and a help-center import', () => {
    expect(parseIpcRequest('chooseImportSource', [{ what: 'folder' }])).toEqual({ what: 'folder' });
    const mapping = { question: 'Question', body: 'Response text', tags: 'Labels' };
    expect(parseIpcRequest('importKnowledge', [{ sourceId: 'src-0123456789abcdef', mapping }])).toEqual({ sourceId: 'src-0123456789abcdef', mapping });
    expect(parseIpcRequest('importKnowledge', [{ sourceId: 'src-0123456789abcdef' }])).toEqual({ sourceId: 'src-0123456789abcdef' });
    expect(parseIpcRequest('importHelpCenter', [{ connectorId: 'zd-main' }])).toEqual({ connectorId: 'zd-main' });
  });

  it('refuses a path in place of a chosen source, an unknown field, one column for two fields, naming the field', () => {
    expect(() => parseIpcRequest('importKnowledge', [{ sourceId: '/etc/passwd' }])).toThrow(
      'vigil:importKnowledge received a malformed request: sourceId: must be the source id the chosen file was given; choose the file again',
    );
    expect(() => parseIpcRequest('importKnowledge', [{ sourceId: 'src-0123456789abcdef', path: '/etc/passwd' }])).toThrow('malformed request');
    expect(() => parseIpcRequest('importKnowledge', [{ sourceId: 'src-0123456789abcdef', mapping: { id: 'Id' } }])).toThrow('mapping');
    expect(() => parseIpcRequest('importKnowledge', [{ sourceId: 'src-0123456789abcdef', mapping: { question: 'Text', body: 'Text' } }])).toThrow(
      'each column can hold one field only',
    );
    expect(() => parseIpcRequest('chooseImportSource', [{ what: 'drive' }])).toThrow('what: must be "file" or "folder"');
    expect(() => parseIpcRequest('importHelpCenter', [{ connectorId: '../zd' }])).toThrow('connectorId: must be a connector id');
  });
});
