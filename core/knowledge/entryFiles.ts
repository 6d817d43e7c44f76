/**
 * Knowledge entries in and out of the store as JSONL files in the interchange format (../shared/spec/formats.md):
 * `vigil kb import`, the app's Import (core/app/knowledgeImports.ts) and `vigil kb export`.
 */
import { basename } from 'node:path';
import type { LineIssue } from '../formats/lineIssue';
import { JsonlWriter } from '../formats/jsonl';
import { readKnowledge, type KnowledgeReadOptions } from '../formats/knowledgeImport';
import type { Entry } from '../formats/schemas';
import type { KnowledgeStore } from './knowledgeStore';
import { toStoredEntry, type EntryStatus, type StoredEntry } from './storedEntry';

/** Entries written to the store per commit while importing. */
const IMPORT_BATCH = 500;

export interface ImportReport {
  file: string;
  imported: number;
  /** Lines that were skipped, each naming the file, line and field. */
  issues: LineIssue[];
}

/**
 * Imports knowledge entries from a file or folder (JSON Lines, a JSON array, CSV with a column mapping, Markdown,
 * HTML or text articles: formats/knowledgeImport.ts) as approved knowledge. Bad records are reported (file, line,
 * field) and skipped; good ones are stored; nothing already stored is touched except entries with the same id.
 * `onProgress` hears the running count after every batch.
 */
export function importEntryFile(store: KnowledgeStore, file: string, onProgress?: (imported: number) => void, options: KnowledgeReadOptions = {}): Promise<ImportReport> {
  return importEntryStream(store, file, (onIssue) => readKnowledge(file, options, onIssue), onProgress);
}

/**
 * Imports the entries a reader yields (a file's, a helpdesk help center's) as approved knowledge, as
 * `importEntryFile` does; `source` names them in the report and is their `source.ref` when they carry none.
 */
export async function importEntryStream(
  store: KnowledgeStore,
  source: string,
  read: (onIssue: (issue: LineIssue) => void) => AsyncIterable<Entry>,
  onProgress?: (imported: number) => void,
): Promise<ImportReport> {
  const file = source;
  const report: ImportReport = { file, imported: 0, issues: [] };
  const now = new Date().toISOString();
  let batch: StoredEntry[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await store.upsert(batch);
    report.imported += batch.length;
    batch = [];
    onProgress?.(report.imported);
  };
  for await (const value of read((issue) => report.issues.push(issue))) {
    const entry = value.source ? value : { ...value, source: { type: 'import' as const, ref: basename(file) } };
    batch.push(toStoredEntry(entry, { status: 'approved', now }));
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  await flush();
  // A bulk import leaves up to a tenth of the table outside the indexes; fold it in now, not while answering.
  if (report.imported > 0) await store.refreshIndexes();
  return report;
}

/** Writes entries (all, or those with the given statuses) to a JSONL file in the spec's entry format. */
export async function exportEntryFile(store: KnowledgeStore, file: string, statuses?: readonly EntryStatus[]): Promise<{ file: string; exported: number }> {
  const writer = new JsonlWriter(file);
  let exported = 0;
  try {
    for await (const entry of store.entries()) {
      if (statuses && !statuses.includes(entry.status)) continue;
      await writer.write(entry);
      exported++;
    }
  } finally {
    await writer.close();
  }
  return { file, exported };
}
