/**
 * JSON Lines reading and writing for the interchange formats. A malformed line is reported with its file, line
 * number and field, and skipped; every good line is still returned (spec: formats.md, "All files").
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { z } from 'zod';
import { describeFileError, fileError } from './fileErrors';
import type { LineIssue } from './lineIssue';
import { errorMessage } from './errorMessage';

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

/**
 * What one line may hold. Far above any real ticket or entry (the largest line in the shared data sets is 38 KB, the
 * deepest nesting 5 levels), far below what takes a process down: a security review's 120 MB line took 3 GB to read,
 * and one entry nested 5,000 levels deep overflowed the stack when it was written, failing a whole `kb import`.
 */
export interface JsonLimits {
  /** Bytes of one line (UTF-8). */
  maxLineBytes: number;
  /** Characters of one string value. */
  maxFieldChars: number;
  /** Levels of objects and arrays inside one another (the line's own object is level 1). */
  maxDepth: number;
}

export const JSON_LIMITS: Readonly<JsonLimits> = Object.freeze({ maxLineBytes: 16 * 1024 * 1024, maxFieldChars: 4 * 1024 * 1024, maxDepth: 64 });

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MiB`;
}

/**
 * How deep a JSON text nests, counted without parsing it (brackets outside strings), so a hostile line is refused
 * before anything recursive sees it. Stops counting once past `limit`.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

/**
 * The first place a parsed value breaks `limits` (too deep, a string too long), with its field path, or null.
 * Walks with its own stack, so a deep value cannot overflow it.
 */
export function checkJsonLimits(value: unknown, limits: JsonLimits = JSON_LIMITS): { field: string; message: string } | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const field = item.path === '' ? '(line)' : item.path;
    if (typeof item.value === 'string') {
      if (item.value.length > limits.maxFieldChars) {
        return { field, message: `is ${item.value.length} characters long; a field may hold at most ${limits.maxFieldChars}` };
      }
    } else if (item.value !== null && typeof item.value === 'object') {
      const depth = item.depth + 1;
      if (depth > limits.maxDepth) return { field, message: `nests deeper than ${limits.maxDepth} levels of objects and arrays` };
      const children = Array.isArray(item.value) ? item.value.map((v, i) => [String(i), v] as const) : Object.entries(item.value);
      for (let i = children.length - 1; i >= 0; i--) {
        const [key, child] = children[i]!;
        stack.push({ value: child, path: item.path === '' ? key : `${item.path}.${key}`, depth });
      }
    }
  }
  return null;
}

/** A line of a file: its text, or how long it was when it was too long to keep. */
type RawLine = { text: string; bytes: number } | { text: null; bytes: number };

/**
 * Splits a file into lines without ever holding more than `maxLineBytes` of one: a longer line is skipped to its
 * end and reported by its size only.
 */
async function* boundedLines(file: string, maxLineBytes: number): AsyncGenerator<RawLine> {
  const input = createReadStream(file);
  let parts: Buffer[] = [];
  let bytes = 0;
  let skipping = false;
  const finish = (): RawLine => {
    const line: RawLine = skipping ? { text: null, bytes } : { text: Buffer.concat(parts).toString('utf8').replace(/\r$/, ''), bytes };
    parts = [];
    bytes = 0;
    skipping = false;
    return line;
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); ; nl = chunk.indexOf(10, start)) {
        const end = nl === -1 ? chunk.length : nl;
        bytes += end - start;
        if (!skipping && bytes > maxLineBytes) {
          skipping = true;
          parts = [];
        }
        if (!skipping) parts.push(chunk.subarray(start, end));
        if (nl === -1) break;
        yield finish();
        start = nl + 1;
      }
    }
    if (bytes > 0 || parts.length > 0 || skipping) yield finish();
  } finally {
    input.destroy();
  }
}

/** One valid record with the line it came from. */
export interface LineRecord<T> {
  line: number;
  value: T;
}

/**
 * Streams a JSONL file, validating each non-blank line with `schema`. Invalid lines go to `onIssue` (and are
 * skipped); valid ones are yielded in file order. A line over `limits` (size, a field's size, nesting depth) is an
 * invalid line like any other: reported with its file, line and field, skipped, the rest read. Throws only when the
 * file itself cannot be read.
 */
export async function* readJsonl<S extends z.ZodType>(
  file: string,
  schema: S,
  onIssue: (issue: LineIssue) => void,
  limits: JsonLimits = JSON_LIMITS,
): AsyncGenerator<LineRecord<z.output<S>>> {
  let lineNo = 0;
  try {
    for await (const raw of boundedLines(file, limits.maxLineBytes)) {
      lineNo += 1;
      if (raw.text === null) {
        onIssue({ file, line: lineNo, field: '(line)', message: `is ${mebibytes(raw.bytes)} long; a line may hold at most ${mebibytes(limits.maxLineBytes)}` });
        continue;
      }
      const text = lineNo === 1 ? raw.text.replace(/^\uFEFF/, '') : raw.text;
      if (text.trim() === '') continue;
      // Only an object can be a record; anything else gets its own message below (JSON.parse itself is iterative).
      if (text.trimStart().startsWith('{') && jsonDepth(text, limits.maxDepth) > limits.maxDepth) {
        onIssue({ file, line: lineNo, field: '(line)', message: `nests deeper than ${limits.maxDepth} levels of objects and arrays` });
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        onIssue({ file, line: lineNo, field: '(line)', message: `not valid JSON (${errorMessage(err)})` });
        continue;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
        onIssue({ file, line: lineNo, field: '(line)', message: `each line must be one JSON object ({...}), not ${kind}` });
        continue;
      }
      const over = checkJsonLimits(parsed, limits);
      if (over) {
        onIssue({ file, line: lineNo, ...over });
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
