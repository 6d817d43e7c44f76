/**
 * JSON Lines reading and writing for the interchange formats. A malformed line is reported with its file, line
 * number and field, and skipped; every good line is still returned (spec: formats.md, "All files").
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { describeFileError, fileError } from './fileErrors';
import type { LineIssue } from './lineIssue';

export { formatLineIssue, type LineIssue } from './lineIssue';

/** Validation failure of one parsed value, with the first failing field named. */
export function describeZodError(error: z.ZodError): { field: string; message: string } {
  const first = error.issues[0];
  if (!first) return { field: '(line)', message: 'invalid' };
  const field = first.path.length > 0 ? first.path.map(String).join('.') : '(line)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  // zod says "is missing (expected string)" for a field that is simply not there.
  const missing = first.code === 'invalid_type' && / received undefined$/.test(first.message);
  return { field, message: `${missing ? `is missing (expected ${first.expected})` : first.message}${more}` };
}

/** One valid record with the line it came from. */
export interface LineRecord<T> {
  line: number;
  value: T;
}

/**
 * Streams a JSONL file, validating each non-blank line with `schema`. Invalid lines go to `onIssue` (and are
 * skipped); valid ones are yielded in file order. Throws only when the file itself cannot be read.
 */
export async function* readJsonl<S extends z.ZodType>(
  file: string,
  schema: S,
  onIssue: (issue: LineIssue) => void,
): AsyncGenerator<LineRecord<z.output<S>>> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const raw of lines) {
      lineNo += 1;
      const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        onIssue({ file, line: lineNo, field: '(line)', message: `not valid JSON (${(err as Error).message})` });
        continue;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
        onIssue({ file, line: lineNo, field: '(line)', message: `each line must be one JSON object ({...}), not ${kind}` });
        continue;
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        onIssue({ file, line: lineNo, ...describeZodError(result.error) });
        continue;
      }
      yield { line: lineNo, value: result.data };
    }
  } catch (err) {
    throw fileError(err, file, 'read');
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Reads a whole JSONL file into memory; convenient for small inputs and tests. */
export async function readJsonlAll<S extends z.ZodType>(
  file: string,
  schema: S,
): Promise<{ records: LineRecord<z.output<S>>[]; issues: LineIssue[] }> {
  const records: LineRecord<z.output<S>>[] = [];
  const issues: LineIssue[] = [];
  for await (const record of readJsonl(file, schema, (issue) => issues.push(issue))) records.push(record);
  return { records, issues };
}

/** Appends JSON objects to a file, one per line, respecting back-pressure. */
export class JsonlWriter {
  private readonly stream;
  /** The stream's first error, in words: a write or close after it rejects with it (never an unhandled event). */
  private failure: Error | null = null;

  constructor(private readonly file: string) {
    this.stream = createWriteStream(file, { encoding: 'utf8', flags: 'w' });
    this.stream.on('error', (error) => {
      this.failure ??= new Error(describeFileError(error, file, 'write'));
    });
  }

  /** A writer whose file is open: a missing folder or a read-only disk is an error here, before any work is done. */
  static async open(file: string): Promise<JsonlWriter> {
    const writer = new JsonlWriter(file);
    await new Promise<void>((resolve, reject) => {
      writer.stream.once('ready', () => resolve());
      writer.stream.once('error', () => reject(writer.failure));
    });
    return writer;
  }

  async write(value: unknown): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.stream.write(`${JSON.stringify(value)}\n`)) await this.settle('drain');
  }

  async close(): Promise<void> {
    if (this.failure) {
      this.stream.destroy();
      throw this.failure;
    }
    this.stream.end();
    await this.settle('finish');
  }

  private async settle(event: 'drain' | 'finish'): Promise<void> {
    try {
      await once(this.stream, event);
    } catch (error) {
      throw this.failure ?? new Error(describeFileError(error, this.file, 'write'));
    }
  }
}
