/**
 * Fuzzing the ticket and entry parsers: whatever a file holds, reading it never throws, every non-blank line is
 * either a record or an issue naming its line and field in words, valid lines come back unchanged, and nothing
 * pollutes shared prototypes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { readJsonlAll } from '../../../core/formats/jsonl';
import { EntrySchema, TicketSchema } from '../../../core/formats/schemas';
import { jsonlLine, validEntry, validTicket } from './jsonArbitraries';

let dir: string;
async function file(content: string): Promise<string> {
  dir ??= await tempFolder('vigil-fuzz-');
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(path, content);
  return path;
}

function expectClearIssues(issues: { file: string; line: number; field: string; message: string }[], path: string, lines: string[]): void {
  for (const issue of issues) {
    expect(issue.file).toBe(path);
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.line).toBeLessThanOrEqual(lines.length);
    expect(issue.field).toMatch(/^(\(line\)|[\w.-]+)$/);
    expect(issue.message.length).toBeGreaterThan(3);
    expect(issue.message).not.toMatch(/\[object Object\]|undefined is not|Cannot read prop/);
  }
}

describe.each([
  ['tickets', TicketSchema, validTicket],
  ['entries', EntrySchema, validEntry],
] as const)('fuzzing the %s parser', (_name, schema, valid) => {
  it('never throws; each line is a record or a clear issue; valid lines survive unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jsonlLine(valid as fc.Arbitrary<unknown>), { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'), async (lines, eol) => {
        const path = await file(lines.join(eol));
        const { records, issues } = await readJsonlAll(path, schema);
        const nonBlank = lines.filter((l) => l.trim() !== '').length;
        expect(records.length + issues.length).toBe(nonBlank);
        expectClearIssues(issues, path, lines);
        for (const issue of issues) {
          const text = lines[issue.line - 1]!;
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            expect(issue.message).toMatch(/^not valid JSON \(/);
            continue;
          }
          if (json === null || typeof json !== 'object' || Array.isArray(json)) expect(issue.message).toMatch(/^each line must be one JSON object/);
          else expect(issue.field).not.toBe('(line)'); // a record with a bad field names the field
        }
        for (const { line, value } of records) {
          const original = JSON.parse(lines[line - 1]!) as Record<string, unknown>;
          expect(schema.safeParse(original).success).toBe(true);
          expect(value.id).toBe(original['id']);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });
});

describe('fuzzed knowledge files through the real engine', () => {
  it('imports the good lines, names the bad ones, and exports what it stored', async () => {
    const dataDir = await tempFolder('vigil-fuzz-store-');
    const service = await CopilotService.open({ dataDir });
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(jsonlLine(validEntry), { minLength: 5, maxLength: 25 }), async (lines) => {
          const path = await file(lines.join('\n'));
          const report = await service.importEntries(path);
          const nonBlank = lines.filter((l) => l.trim() !== '').length;
          expect(report.imported + report.issues.length).toBe(nonBlank);
          expectClearIssues(report.issues, path, lines);
        }),
        { numRuns: 4 },
      );
      const out = join(dataDir, 'export.jsonl');
      const { exported } = await service.exportEntries(out);
      const back = await readJsonlAll(out, EntrySchema);
      expect(back.issues).toEqual([]);
      expect(back.records).toHaveLength(exported);
      expect((await readFile(out, 'utf8')).length).toBeGreaterThan(0);
    } finally {
      await service.close();
    }
  }, 120_000);
});
