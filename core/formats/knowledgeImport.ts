/**
 * Reads the knowledge a team already has, in the shapes it usually has it: Vigil's own entry format as JSON Lines
 * (`.jsonl`, `.ndjson`) or as one JSON array (`.json`, also `{"entries": [...]}` or `{"articles": [...]}`), a
 * spreadsheet export (`.csv`, columns mapped to entry fields), or a folder of articles (Markdown, HTML or text,
 * one entry per file, titled from its heading). Every record or file that cannot become an entry is reported with
 * its place and reason (`file:line: field: problem`), never silently dropped.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { describeZodError, readJsonl } from './jsonl';
import type { LineIssue } from './lineIssue';
import { EntrySchema, type Entry } from './schemas';

/** Entry fields a column (CSV) or a property (JSON) can be mapped to. */
export const MAPPABLE_FIELDS = ['id', 'kind', 'title', 'question', 'body', 'tags', 'updatedAt'] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/** Which column or property holds each entry field; a field not named is read from a column of its own name. */
export type FieldMapping = Partial<Record<MappableField, string>>;

export interface KnowledgeReadOptions {
  /** For CSV files and JSON arrays that are not in the entry format: where each entry field comes from. */
  mapping?: FieldMapping;
}

/** The article file types a folder import reads. */
const ARTICLE_EXTENSIONS = new Set(['.md', '.markdown', '.html', '.htm', '.txt']);

/**
 * Parses `title=Title,body=Answer,tags=Labels` (the CLI's `--map`). Throws on an unknown field, so a typo is not
 * an import that silently misses every body.
 */
export function parseFieldMapping(text: string): FieldMapping {
  const mapping: FieldMapping = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    const field = pair.slice(0, eq).trim();
    const column = pair.slice(eq + 1).trim();
    if (eq < 1 || !column) throw new Error(`--map: "${pair}" is not FIELD=COLUMN`);
    if (!(MAPPABLE_FIELDS as readonly string[]).includes(field)) {
      throw new Error(`--map: unknown field "${field}" (use ${MAPPABLE_FIELDS.join(', ')})`);
    }
    mapping[field as MappableField] = column;
  }
  return mapping;
}

/** Lower-case words joined by dashes, for ids made from names. */
function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

/**
 * One record (a CSV row, a JSON object) as an entry: mapped fields taken, `kind` defaulting to `qa` for a question without a title and to `article` otherwise, `id` to
 * the file's name and the record's number (so importing the same file again replaces, not duplicates), `tags`
 * split on commas or semicolons when given as text. Unmapped properties are kept, as the format keeps unknown fields.
 */
export function recordToEntry(record: Record<string, unknown>, mapping: FieldMapping, fallbackId: string): unknown {
  const pick = (field: MappableField): unknown => record[mapping[field] ?? field];
  const mappedColumns = new Set(Object.values(mapping));
  const rest = Object.fromEntries(Object.entries(record).filter(([key]) => !mappedColumns.has(key)));
  const tags = pick('tags');
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const entry: Record<string, unknown> = {
    ...rest,
    id: text(pick('id')) ?? (typeof pick('id') === 'number' ? String(pick('id')) : fallbackId),
    kind: text(pick('kind')) ?? (text(pick('question')) && !text(pick('title')) ? 'qa' : 'article'),
    body: typeof pick('body') === 'string' ? (pick('body') as string).trim() : pick('body'),
  };
  for (const field of ['title', 'question', 'updatedAt'] as const) {
    const value = text(pick(field));
    if (value !== undefined) entry[field] = value;
    else if (mapping[field]) delete entry[field];
  }
  if (typeof tags === 'string') entry['tags'] = tags.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
  else if (tags !== undefined) entry['tags'] = tags;
  return entry;
}

/**
 * Splits CSV text (RFC 4180: quoted fields may hold commas, quotes doubled, line breaks) into rows, each with the
 * line it starts on. A semicolon-separated export (common from spreadsheets in many locales) is detected from
 * the header line.
 */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const source = text.replace(/^\uFEFF/, '');
  const firstLine = source.slice(0, source.search(/\r?\n|$/));
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowStart = 1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && source[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((v) => v.trim() !== '')) rows.push({ line: rowStart, cells });
      cells = [];
      cell = '';
      line++;
      rowStart = line;
    } else cell += c;
  }
  cells.push(cell);
  if (cells.some((v) => v.trim() !== '')) rows.push({ line: rowStart, cells });
  return rows;
}

/** The line each top-level element of a JSON array starts on, in order (for `file:line` in reports). */
function elementLines(text: string, arrayStart: number): number[] {
  const lines: number[] = [];
  let line = text.slice(0, arrayStart).split('\n').length;
  let depth = 0;
  let inString = false;
  let expectValue = true;
  for (let i = arrayStart + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === undefined || /\s/.test(c)) continue;
    if (depth === 0 && expectValue && c !== ']') {
      lines.push(line);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) expectValue = true;
  }
  return lines;
}

function validate(file: string, line: number, candidate: unknown, onIssue: (issue: LineIssue) => void): Entry | null {
  const result = EntrySchema.safeParse(candidate);
  if (result.success) return result.data;
  onIssue({ file, line, ...describeZodError(result.error) });
  return null;
}

async function* readJsonDocument(file: string, mapping: FieldMapping, onIssue: (issue: LineIssue) => void): AsyncGenerator<Entry> {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    onIssue({ file, line: 1, field: '(file)', message: `not valid JSON (${(err as Error).message})` });
    return;
  }
  const container = document as Record<string, unknown> | null;
  const items = Array.isArray(document)
    ? document
    : container && typeof container === 'object' && Array.isArray(container['entries'])
      ? container['entries']
      : container && typeof container === 'object' && Array.isArray(container['articles'])
        ? container['articles']
        : null;
  if (!items) {
    onIssue({ file, line: 1, field: '(file)', message: 'expected a JSON array of entries (or {"entries": [...]}, or JSON Lines in a .jsonl file)' });
    return;
  }
  const arrayStart = Array.isArray(document) ? text.indexOf('[') : text.indexOf('[', text.search(/"(entries|articles)"\s*:/));
  const lines = elementLines(text, arrayStart);
  const stem = slug(basename(file, extname(file)));
  for (const [index, item] of items.entries()) {
    const line = lines[index] ?? 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      onIssue({ file, line, field: `[${index}]`, message: 'each item must be a JSON object ({...})' });
      continue;
    }
    const entry = validate(file, line, recordToEntry(item as Record<string, unknown>, mapping, `${stem}-${index + 1}`), onIssue);
    if (entry) yield entry;
  }
}

async function* readCsv(file: string, mapping: FieldMapping, onIssue: (issue: LineIssue) => void): AsyncGenerator<Entry> {
  const rows = parseCsv(await readFile(file, 'utf8'));
  const header = rows.shift();
  if (!header) {
    onIssue({ file, line: 1, field: '(file)', message: 'empty: a CSV file needs a header line naming its columns' });
    return;
  }
  const columns = header.cells.map((c) => c.trim());
  for (const [field, column] of Object.entries(mapping)) {
    if (!columns.includes(column)) {
      onIssue({ file, line: header.line, field, message: `--map names column "${column}", which the header (${columns.join(', ')}) does not have` });
      return;
    }
  }
  if (!mapping.body && !columns.includes('body')) {
    onIssue({ file, line: header.line, field: 'body', message: `no "body" column (columns: ${columns.join(', ')}); name the one holding the text with --map body=COLUMN` });
    return;
  }
  const stem = slug(basename(file, extname(file)));
  for (const row of rows) {
    if (row.cells.length !== columns.length) {
      onIssue({ file, line: row.line, field: '(line)', message: `${row.cells.length} cells, but the header has ${columns.length} columns` });
      continue;
    }
    const record = Object.fromEntries(columns.map((column, i) => [column, row.cells[i] ?? '']));
    const entry = validate(file, row.line, recordToEntry(record, mapping, `${stem}-${row.line}`), onIssue);
    if (entry) yield entry;
  }
}

/** Text from HTML: scripts and styles dropped, block elements as line breaks, the common entities decoded. */
export function htmlToText(html: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<(br|\/p|\/div|\/h[1-6]|\/li|\/tr|\/ul|\/ol|\/pre|\/blockquote)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
      }
      return entities[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** An article file's title and body: the first heading (Markdown `#`, HTML `<h1>` or `<title>`), else its first line. */
export function articleFromFile(name: string, content: string): { title: string; body: string } {
  const ext = extname(name).toLowerCase();
  if (ext === '.html' || ext === '.htm') {
    const heading = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(content) ?? /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(content);
    const title = heading ? htmlToText(heading[1] ?? '') : '';
    const withoutHeading = heading && heading[0].toLowerCase().startsWith('<h1') ? content.replace(heading[0], '') : content;
    const body = htmlToText(withoutHeading);
    return title ? { title, body } : firstLineTitle(body);
  }
  let text = content.replace(/^\uFEFF/, '');
  if (ext === '.md' || ext === '.markdown') {
    text = text.replace(/^---\n[\s\S]*?\n---\n/, ''); // front matter
    const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(text) ?? /^(.+)\n=+\s*$/m.exec(text);
    if (heading) return { title: heading[1]!.trim(), body: text.replace(heading[0], '').trim() };
  }
  return firstLineTitle(text.trim());
}

function firstLineTitle(text: string): { title: string; body: string } {
  const [first = '', ...rest] = text.split('\n');
  const body = rest.join('\n').trim();
  return body ? { title: first.trim().slice(0, 200), body } : { title: '', body: first.trim() };
}

async function* walk(dir: string): AsyncGenerator<string> {
  const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const dirent of names) {
    if (dirent.name.startsWith('.')) continue;
    const path = join(dir, dirent.name);
    if (dirent.isDirectory()) yield* walk(path);
    else if (dirent.isFile()) yield path;
  }
}

async function* readArticleFolder(dir: string, onIssue: (issue: LineIssue) => void): AsyncGenerator<Entry> {
  for await (const path of walk(dir)) {
    const rel = relative(dir, path);
    if (!ARTICLE_EXTENSIONS.has(extname(path).toLowerCase())) {
      onIssue({ file: path, line: 1, field: '(file)', message: 'not a Markdown, HTML or text article (.md, .html, .txt)' });
      continue;
    }
    const { title, body } = articleFromFile(path, await readFile(path, 'utf8'));
    const entry = validate(
      path,
      1,
      {
        id: `doc-${slug(rel.replace(/\.[^.]+$/, ''))}`,
        kind: 'article',
        ...(title ? { title } : {}),
        body,
        source: { type: 'import', ref: rel },
      },
      onIssue,
    );
    if (entry) yield entry;
  }
}

/**
 * Whether the file holds one JSON document rather than JSON Lines: its first line is a lone `{`, or opens an array
 * (`[` alone or `[{…` not closed on that line), or the file is one line holding an array. A first line that is a whole
 * value followed by more lines is JSON Lines, even when that value is a (bad) array.
 */
async function isJsonDocument(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF?\s*/, '');
    const end = head.search(/\r?\n/);
    const first = (end < 0 ? head : head.slice(0, end)).trim();
    if (first === '{') return true;
    if (!first.startsWith('[')) return false;
    if (end < 0 || head.slice(end).trim() === '') return true;
    return /^\[\s*(\{|$)/.test(first) && !isWholeJson(first);
  } finally {
    await handle.close();
  }
}

function isWholeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The entries in `source` (a file or a folder), in order. Bad records and files go to `onIssue` and are skipped.
 * Throws only when `source` itself cannot be read (missing, not a file or folder).
 */
export async function* readKnowledge(source: string, options: KnowledgeReadOptions, onIssue: (issue: LineIssue) => void): AsyncGenerator<Entry> {
  const info = await stat(source).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${source} does not exist.` : `Cannot read ${source}: ${err.message}`);
  });
  if (info.isDirectory()) {
    yield* readArticleFolder(source, onIssue);
    return;
  }
  const ext = extname(source).toLowerCase();
  const mapping = options.mapping ?? {};
  if (ext === '.csv') yield* readCsv(source, mapping, onIssue);
  else if (ext === '.json') yield* readJsonDocument(source, mapping, onIssue);
  else if (ext === '.md' || ext === '.markdown' || ext === '.html' || ext === '.htm' || ext === '.txt') {
    const { title, body } = articleFromFile(source, await readFile(source, 'utf8'));
    const entry = validate(source, 1, { id: `doc-${slug(basename(source, ext))}`, kind: 'article', ...(title ? { title } : {}), body, source: { type: 'import', ref: basename(source) } }, onIssue);
    if (entry) yield entry;
  } else if (await isJsonDocument(source)) {
    // A JSON document saved as .jsonl (or without an extension): read as one array, not as hundreds of bad lines.
    yield* readJsonDocument(source, mapping, onIssue);
  } else {
    for await (const { value } of readJsonl(source, EntrySchema, onIssue)) yield value;
  }
}
