import { describe, expect, it } from 'vitest';
import { skippedByReason, type LineIssue } from '../../../core/formats/lineIssue';

const issue = (line: number, field: string, message: string): LineIssue => ({ file: 'kb.jsonl', line, field, message });

describe('skipped lines counted by reason', () => {
  it('counts lines failing the same way together, most frequent first, without the details that differ per line', () => {
    expect(
      skippedByReason([
        issue(1, '(line)', `not valid JSON (Expected property name or '}' in JSON at position 1 (line 1 column 2))`),
        issue(2, 'body', 'is missing (expected string)'),
        issue(3, '(line)', `not valid JSON (Unexpected token 'x', "x" is not valid JSON)`),
        issue(4, 'body', 'is missing (expected string)'),
        issue(5, '(line)', 'not valid JSON (Unexpected end of JSON input)'),
      ]),
    ).toEqual([
      { reason: 'not valid JSON', count: 3 },
      { reason: 'body: is missing', count: 2 },
    ]);
  });

  it('keeps a reason whole when its parentheses are inside the sentence (a CSV header named in a refusal)', () => {
    expect(skippedByReason([issue(1, 'body', '--map names column "Answer", which the header (Question, Reply) does not have')])).toEqual([
      { reason: 'body: --map names column "Answer", which the header (Question, Reply) does not have', count: 1 },
    ]);
  });
});
