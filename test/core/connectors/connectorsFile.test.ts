import { describe, expect, it } from 'vitest';
import { parseConnectorsText } from '../../../core/connectors/connectorsFile';

const FILE = '/data/connectors.json';

describe('reading connectors.json as text', () => {
  it('names the file, line and column of a syntax mistake, in words', () => {
    expect(() => parseConnectorsText('{"connectors": [\n  {"id": "a",}\n]}', FILE)).toThrow(
      '/data/connectors.json:2: not valid JSON (property name expected at line 2, column 14)',
    );
    expect(() => parseConnectorsText('{"connectors": [] // a note\n}', FILE)).toThrow(/connectors\.json:1: not valid JSON \(invalid comment token/);
    expect(() => parseConnectorsText('', FILE)).toThrow('/data/connectors.json:1: not valid JSON');
  });

  it('finds each entry of the list where it is written, after a byte-order mark too', () => {
    const text = '\uFEFF{"format": 1, "connectors": [\n  {"id": "a", "kind": "folder", "path": "x"},\n  {"id": "b"}\n]}';
    const { value, layout } = parseConnectorsText(text, FILE);
    expect(value).toEqual({ format: 1, connectors: [{ id: 'a', kind: 'folder', path: 'x' }, { id: 'b' }] });
    expect(layout!.entries.map((e) => text.slice(e.start, e.end))).toEqual(['{"id": "a", "kind": "folder", "path": "x"}', '{"id": "b"}']);
    expect(text[layout!.open]).toBe('[');
    expect(text[layout!.close]).toBe(']');
  });

  it('has no layout when there is no connectors list to edit', () => {
    expect(parseConnectorsText('{"format": 1}', FILE).layout).toBeNull();
    expect(parseConnectorsText('[]', FILE).layout).toBeNull();
  });
});
