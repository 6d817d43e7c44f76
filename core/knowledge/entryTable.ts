/**
 * The LanceDB side of the store: the table layout (one table per embedder), how an entry becomes a row, the
 * scalar and full-text indexes, and reading a table back into memory (vectors and term statistics) at open.
 */
import { createHash } from 'node:crypto';
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, makeData, RecordBatch, Schema, Struct, Table as ArrowTable, Utf8, vectorFromArray } from 'apache-arrow';
import { stemsOf } from '../text/stems';
import { tokenize } from '../text/tokenize';
import type { CorpusStats } from './freshTier';
import { ENTRY_STATUSES, fullTextOf, type EntryStatus, type StoredEntry } from './storedEntry';
import type { VectorIndex } from './vectorIndex';

export type EntryRow = {
  id: string;
  kind: string;
  status: string;
  source_type: string;
  source_ref: string;
  updated_at: string;
  text: string;
  doc: string;
  vector: number[];
};

/** Status as a small code for the in-memory vector index's filter. */
export function statusCode(status: EntryStatus): number {
  return ENTRY_STATUSES.indexOf(status);
}

export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function tableNameFor(embedderId: string): string {
  return `entries_${createHash('sha256').update(embedderId).digest('hex').slice(0, 16)}`;
}

export function schemaFor(dimensions: number): Schema {
  const text = (name: string): Field => new Field(name, new Utf8(), false);
  return new Schema([
    text('id'),
    text('kind'),
    text('status'),
    text('source_type'),
    text('source_ref'),
    text('updated_at'),
    text('text'),
    text('doc'),
    new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
  ]);
}

export function toRow(entry: StoredEntry, vector: Float32Array): EntryRow {
  return {
    id: entry.id,
    kind: entry.kind,
    status: entry.status,
    source_type: entry.source?.type ?? 'import',
    source_ref: entry.source?.ref ?? '',
    updated_at: entry.updatedAt ?? '',
    text: tokenize(fullTextOf(entry)).join(' '),
    doc: JSON.stringify(entry),
    vector: Array.from(vector),
  };
}

/**
 * Entries and their vectors as one Arrow table in the table's schema, built column by column: the vectors are
 * copied into one Float32Array that becomes the vector column's buffer. Handing LanceDB plain objects instead
 * (`toRow`, vectors as JS number arrays that its converter copies value by value) was a quarter of an import's
 * time at 100k entries, plus most of its garbage collection (BENCHMARKS.md, "the store at scale").
 */
export function toArrowTable(items: readonly { entry: StoredEntry; vector: Float32Array }[], dimensions: number): ArrowTable {
  const schema = schemaFor(dimensions);
  const length = items.length;
  const flat = new Float32Array(length * dimensions);
  items.forEach(({ vector }, i) => {
    if (vector.length !== dimensions) throw new Error(`A vector of ${vector.length} dimensions cannot join a table of ${dimensions}.`);
    flat.set(vector, i * dimensions);
  });
  const strings = (values: string[]) => {
    const chunks = vectorFromArray(values, new Utf8()).data;
    if (chunks.length !== 1) throw new Error(`Expected one Arrow chunk for ${values.length} strings, got ${chunks.length}.`);
    return chunks[0]!;
  };
  const vectorType = schema.fields[8]!.type as FixedSizeList<Float32>;
  const children = [
    strings(items.map(({ entry }) => entry.id)),
    strings(items.map(({ entry }) => entry.kind)),
    strings(items.map(({ entry }) => entry.status)),
    strings(items.map(({ entry }) => entry.source?.type ?? 'import')),
    strings(items.map(({ entry }) => entry.source?.ref ?? '')),
    strings(items.map(({ entry }) => entry.updatedAt ?? '')),
    strings(items.map(({ entry }) => tokenize(fullTextOf(entry)).join(' '))),
    strings(items.map(({ entry }) => JSON.stringify(entry))),
    makeData({
      type: vectorType,
      length,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: length * dimensions, nullCount: 0, data: flat }),
    }),
  ];
  const data = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  return new ArrowTable(schema, [new RecordBatch(schema, data)]);
}

/**
 * The `text` column holds the engine's own tokens joined by spaces, so Lance's tokenizer sees exactly the tokens
 * the fresh tier scores, and BM25 scores from both can be compared.
 */
function ftsIndex(): lancedb.Index {
  // A fresh Index each time: LanceDB consumes the object when it builds the index.
  return lancedb.Index.fts({
    withPosition: false,
    baseTokenizer: 'whitespace',
    lowercase: false,
    stem: false,
    removeStopWords: false,
    asciiFolding: false,
  });
}

/** Whether `table` has every index `buildIndexes` makes. */
export async function hasIndexes(table: lancedb.Table): Promise<boolean> {
  const columns = new Set((await table.listIndices()).flatMap((index) => index.columns));
  return columns.has('text') && columns.has('status') && columns.has('id');
}

/**
 * Full-text index on `text`, bitmap on `status`, btree on `id`. Without the bitmap every status-filtered search
 * scans the column (53 ms instead of 17 ms on 20k rows, `npm run bench:store-layout`); without the btree,
 * fetching the 30 hits of a search by id scans the id column (BENCHMARKS.md, "store at scale").
 */
export async function buildIndexes(table: lancedb.Table): Promise<void> {
  await table.createIndex('text', { config: ftsIndex(), replace: true });
  await table.createIndex('status', { config: lancedb.Index.bitmap(), replace: true });
  await table.createIndex('id', { config: lancedb.Index.btree(), replace: true });
}

interface ArrowData {
  offset: number;
  length: number;
  values: unknown;
  children: ArrowData[];
}

/**
 * Reads every row's id, status, tokens and vector: vectors into `vectors`, term counts into `stats`, ids into `idSet`. One pass,
 * in Arrow batches, reading the vector column's float buffer directly (no per-row arrays).
 */
export async function loadTable(
  table: lancedb.Table,
  vectors: VectorIndex | null,
  stats: CorpusStats | null,
  idSet: Set<string> | null = null,
): Promise<number> {
  const columns = ['id', 'status', ...(stats ? ['text'] : []), ...(vectors ? ['vector'] : [])];
  // Room for the table and a little growth, so the index is not grown (and over-allocated) row by row.
  vectors?.reserveFor(Math.ceil((await table.countRows()) * 1.05) + 1024);
  let rows = 0;
  for await (const batch of table.query().select(columns)) {
    const ids = (batch.getChild('id')?.toArray() ?? []) as string[];
    const statuses = (batch.getChild('status')?.toArray() ?? []) as EntryStatus[];
    const texts = batch.getChild('text');
    const vectorColumn = batch.getChild('vector');
    if (idSet) for (const id of ids) idSet.add(id);
    if (stats && texts) {
      for (const text of texts.toArray() as string[]) stats.add(stemsOf(text.split(' ').filter(Boolean)));
    }
    if (vectors && vectorColumn) {
      const dims = vectors.dimensions;
      let row = 0;
      for (const chunk of vectorColumn.data as unknown as ArrowData[]) {
        const child = chunk.children[0] as ArrowData;
        const values = child.values as Float32Array;
        for (let i = 0; i < chunk.length; i++, row++) {
          const start = child.offset + (chunk.offset + i) * dims;
          vectors.set(ids[row] as string, values.subarray(start, start + dims), statusCode(statuses[row] as EntryStatus));
        }
      }
    }
    rows += batch.numRows;
  }
  return rows;
}
