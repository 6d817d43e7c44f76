/**
 * The app's Import (Knowledge → Import): what `vigil kb import` takes, for the desktop. A file of entries (JSON
 * Lines, a JSON array), a spreadsheet export (CSV, its columns mapped to entry fields by the analyst), a folder of
 * Markdown, HTML or text articles, or the help center of a connected helpdesk (Zendesk Guide, Freshdesk Solutions,
 * Zammad knowledge base, read-only). The reading is core/formats/knowledgeImport.ts and
 * core/connectors/helpCenterSource.ts, as for the CLI; this service adds what a screen needs: a look at a chosen
 * file before importing it (its CSV columns), a check of the mapping naming the missing column, progress, and a
 * report that counts every skipped line or file by reason and lists the first ones.
 */
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { helpCenterConnectors, helpCenterSource, type HelpCenterConnector } from '../connectors/helpCenterSource';
import { parseCsv, type FieldMapping } from '../formats/knowledgeImport';
import { skippedByReason, type LineIssue, type SkipReason } from '../formats/lineIssue';
import type { SecretStore } from '../secrets/secretStore';
import type { ConnectorService } from '../watch/connectorService';
import type { CopilotService } from './copilotService';
import type { ImportReport } from './serviceTypes';

export type { HelpCenterConnector };

/** The entry fields a CSV column can be mapped to in the app (the CLI's `--map` takes these and more). */
export const CSV_FIELDS = ['question', 'title', 'body', 'tags'] as const;
export type CsvField = (typeof CSV_FIELDS)[number];
/** Which column holds each field; a field left out is read from a column of its own name, if there is one. */
export type CsvMapping = Partial<Record<CsvField, string>>;

/** What a chosen file or folder holds, as far as the Import screen needs to know before importing it. */
export type ImportFormat = 'entries' | 'csv' | 'article' | 'articles';

/** A chosen file or folder, described for the Import screen (its path stays in the main process). */
export interface ImportSourceDescription {
  /** The file or folder name. */
  name: string;
  format: ImportFormat;
  /** A CSV file's header columns, in order; null for other formats. */
  columns: string[] | null;
  /** For a CSV file, the columns whose names say which field they hold ("Answer" → body); the analyst may change them. */
  suggestedMapping: CsvMapping;
}

/** Skipped lines listed by name in a report; the rest are counted by reason, so a bad file cannot flood the screen or the IPC channel. */
export const MAX_LISTED_ISSUES = 20;

/** What an import did: entries imported, every skipped line or file counted by reason, the first ones named. */
export interface KnowledgeImportResult {
  /** What was imported, as the analyst knows it: a file or folder name, or `zd (zendesk help center)`. */
  source: string;
  imported: number;
  /** Every line, record, file or article skipped. */
  skipped: number;
  /** The skipped ones counted by reason, most frequent first. */
  reasons: SkipReason[];
  /** The first skipped ones (at most `MAX_LISTED_ISSUES`), each with its place and reason. */
  issues: LineIssue[];
}

/** Hears how far an import is: entries stored so far. */
export type ImportProgressListener = (progress: { source: string; imported: number }) => void;

/** Header names that say which field a column holds, lower-case (the exports of Zendesk, Freshdesk and spreadsheets). */
const COLUMN_HINTS: Record<CsvField, readonly string[]> = {
  question: ['question', 'questions', 'q', 'subject', 'query', 'prompt'],
  title: ['title', 'name', 'heading', 'article title'],
  body: ['body', 'answer', 'answers', 'a', 'content', 'text', 'description', 'response', 'solution', 'reply'],
  tags: ['tags', 'tag', 'labels', 'label', 'keywords', 'categories', 'category'],
};

const ARTICLE_EXTENSIONS = new Set(['.md', '.markdown', '.html', '.htm', '.txt']);

/** The first 64 kB of a file: enough for any CSV header. */
async function head(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(65_536), 0, 65_536, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** A CSV file's header columns (trimmed), from its first line; empty when the file is. */
export async function csvColumns(path: string): Promise<string[]> {
  const text = await head(path);
  // Only the header row is wanted: cut at the first line break outside quotes by parsing what was read.
  const [header] = parseCsv(text);
  return header ? header.cells.map((c) => c.trim()) : [];
}

/** The columns whose names say which field they hold, each column used once. */
export function suggestMapping(columns: readonly string[]): CsvMapping {
  const mapping: CsvMapping = {};
  const used = new Set<string>();
  for (const field of CSV_FIELDS) {
    const column = columns.find((c) => !used.has(c) && COLUMN_HINTS[field].includes(c.toLowerCase()));
    if (column !== undefined) {
      mapping[field] = column;
      used.add(column);
    }
  }
  return mapping;
}

/**
 * Checks a CSV mapping against the file's header before anything is read: every chosen column must be in it, and
 * the answer (body) must come from somewhere. The error names the missing column and lists the file's columns.
 */
export function checkCsvMapping(name: string, columns: readonly string[], mapping: CsvMapping): void {
  const list = columns.length ? columns.map((c) => `"${c}"`).join(', ') : 'none';
  for (const field of CSV_FIELDS) {
    const column = mapping[field];
    if (column !== undefined && !columns.includes(column)) {
      throw new Error(`${name} has no column "${column}" (chosen for ${field}); its columns are ${list}.`);
    }
  }
  if (mapping.body === undefined && !columns.includes('body')) {
    throw new Error(`Choose the column that holds the answer (body): ${name} has no column named "body"; its columns are ${list}.`);
  }
}

function result(source: string, report: ImportReport): KnowledgeImportResult {
  return { source, imported: report.imported, skipped: report.issues.length, reasons: skippedByReason(report.issues), issues: report.issues.slice(0, MAX_LISTED_ISSUES) };
}

/** The Import screen's service, over the workspace's engine and connectors. */
export class KnowledgeImports {
  constructor(
    private readonly dataDir: string,
    private readonly service: Pick<CopilotService, 'importEntries' | 'importEntryStream'>,
    private readonly connectors: Pick<ConnectorService, 'withHostAllowed'>,
  ) {}

  /**
   * What a chosen file or folder holds; a CSV file's columns with a suggested mapping. Throws, naming it, when it
   * cannot be read or is a CSV file without a header.
   */
  async describe(path: string): Promise<ImportSourceDescription> {
    const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw new Error(err.code === 'ENOENT' ? `${path} does not exist.` : `Cannot read ${path}: ${err.message}`);
    });
    const name = basename(path);
    if (info.isDirectory()) return { name, format: 'articles', columns: null, suggestedMapping: {} };
    const ext = extname(path).toLowerCase();
    if (ext === '.csv') {
      const columns = await csvColumns(path);
      if (columns.length === 0) throw new Error(`${name} is empty: a CSV file needs a header line naming its columns.`);
      return { name, format: 'csv', columns, suggestedMapping: suggestMapping(columns) };
    }
    return { name, format: ARTICLE_EXTENSIONS.has(ext) ? 'article' : 'entries', columns: null, suggestedMapping: {} };
  }

  /**
   * Imports a file or folder as approved knowledge (CSV with `mapping`, checked first against the header).
   * Bad lines and files are skipped and counted; good ones are stored.
   */
  async importPath(path: string, mapping: CsvMapping = {}, onProgress?: ImportProgressListener): Promise<KnowledgeImportResult> {
    const described = await this.describe(path);
    const fieldMapping: FieldMapping = {};
    if (described.format === 'csv') {
      checkCsvMapping(described.name, described.columns ?? [], mapping);
      Object.assign(fieldMapping, mapping);
    }
    const report = await this.service.importEntries(path, (imported) => onProgress?.({ source: described.name, imported }), described.format === 'csv' ? { mapping: fieldMapping } : {});
    return result(described.name, report);
  }

  /** The configured connectors whose helpdesk has a help center (none when connectors.json is missing). */
  helpCenters(): Promise<HelpCenterConnector[]> {
    return helpCenterConnectors(this.dataDir);
  }

  /**
   * Imports the published help-center articles of connector `id`, read-only, with its token from `secrets` and
   * its host allowed on the app's egress policy for the import only (offline mode refuses it, saying so).
   */
  async importHelpCenter(id: string, secrets: SecretStore, onProgress?: ImportProgressListener, signal: AbortSignal = new AbortController().signal): Promise<KnowledgeImportResult> {
    const connectors = await this.helpCenters();
    const connector = connectors.find((c) => c.id === id);
    if (!connector) {
      throw new Error(`No helpdesk "${id}" with a help center is configured${connectors.length ? ` (with one: ${connectors.map((c) => c.id).join(', ')})` : ''}; add it in Settings → Connectors.`);
    }
    const host = new URL(connector.baseUrl).hostname.toLowerCase();
    return this.connectors.withHostAllowed(host, async (policy) => {
      const source = await helpCenterSource(this.dataDir, id, { secrets, policy, signal, addTokenHint: 'Save the connector again in Settings → Connectors with its token.' });
      const label = `${connector.vendor} (${id})`;
      const report = await this.service.importEntryStream(source.label, source.read, (imported) => onProgress?.({ source: label, imported }));
      return result(label, report);
    });
  }
}
