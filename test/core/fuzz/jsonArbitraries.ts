/**
 * fast-check arbitraries for fuzzing the parsers of the interchange formats (and, later, knowledge packs and the
 * connectors' payload mapping): valid records, the same records broken in the ways real files break, and lines
 * that are not records at all. Shared so every parser is fuzzed with the same nastiness.
 */
import fc from 'fast-check';

/** Strings with the characters that break naive code: quotes, newlines, NUL, BOM, RTL marks, lone surrogates, emoji. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // includes lone surrogates
  fc.constantFrom('', ' ', '\u0000', '\uFEFF', '\u202E', '\uD800', '"', '\\', '\n', '\r\n', '__proto__', 'constructor', '😀👍🏽', 'x'.repeat(5000)),
);

/** Any JSON value, nested a little. */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

const isoTime = fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());

export const validMessage = fc.record(
  { id: fc.string({ minLength: 1, maxLength: 8 }), author: fc.constantFrom('customer', 'analyst', 'bot', 'system'), text: nastyString, at: isoTime, internal: fc.boolean() },
  { requiredKeys: ['id', 'author', 'text'] },
);

export const validTicket = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 12 }),
    subject: nastyString,
    status: fc.constantFrom('new', 'open', 'pending', 'solved', 'closed'),
    team: nastyString,
    requester: nastyString,
    tags: fc.array(nastyString, { maxLength: 3 }),
    createdAt: isoTime,
    messages: fc.array(validMessage, { minLength: 1, maxLength: 4 }),
    resolution: nastyString,
    'x-extra': anyJson,
  },
  { requiredKeys: ['id', 'messages'] },
);

export const validEntry = fc.record(
  {
    id: fc.string({ minLength: 1, maxLength: 12 }),
    kind: fc.constantFrom('article', 'qa', 'case'),
    title: nastyString,
    question: nastyString,
    body: nastyString.filter((s) => s.length > 0),
    tags: fc.array(nastyString, { maxLength: 3 }),
    source: fc.record({ type: fc.constantFrom('import', 'ticket', 'pack'), ref: fc.option(nastyString) }),
    updatedAt: isoTime,
    'x-extra': anyJson,
  },
  { requiredKeys: ['id', 'kind', 'body'] },
);

/** A path into a JSON value and a replacement: how a field gets the wrong type, goes missing, or turns odd. */
export function mutate(value: unknown, path: number[], replacement: unknown, drop: boolean): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[path[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  if (drop && path.length === 1) {
    delete copy[key];
    return copy;
  }
  copy[key] = mutate((value as Record<string, unknown>)[key], path.slice(1), replacement, drop);
  return copy;
}

/** A valid record with one field replaced by any JSON value, or removed. */
export function brokenRecord(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), anyJson, fc.boolean())
    .map(([record, path, replacement, drop]) => mutate(record, path, replacement, drop));
}

/** One line of a JSONL file as a person or a buggy exporter might write it. */
export function jsonlLine(valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((v) => JSON.stringify(v)) },
    { weight: 4, arbitrary: brokenRecord(valid).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: valid.map((v) => JSON.stringify(v).slice(0, -3)) }, // torn
    { weight: 1, arbitrary: nastyString.map((s) => s.replace(/[\r\n]/g, ' ')) },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', '{}', '[]', 'null', '{"__proto__": {"polluted": true}, "id": "p", "messages": []}', `${'['.repeat(5000)}${']'.repeat(5000)}`) },
  );
}

/** One mutation to apply to a JSON document: where (indexes into its keys, level by level), what, or removal. */
export interface JsonMutation {
  path: number[];
  replacement: unknown;
  drop: boolean;
}

export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  replacement: fc.oneof(anyJson, nastyString),
  drop: fc.boolean(),
});
