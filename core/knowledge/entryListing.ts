/**
 * Paged listing of the knowledge table for the knowledge browser: one page of entries, newest change first, and
 * the number of entries of each status, all answered by LanceDB (filter, order, offset, limit) so that a page costs
 * the same at 100k entries as at 1k and no more than one page of documents is ever read into memory.
 *
 * Kept apart from knowledgeStore.ts, whose internals are the store's own: these helpers only run read queries on
 * a table the store hands out once its fresh tier is committed (`KnowledgeStore.readCommitted`).
 */
import type * as lancedb from '@lancedb/lancedb';
import { quote } from './entryTable';
import { ENTRY_STATUSES, parseStoredEntry, type EntryStatus, type StoredEntry } from './storedEntry';

/** What to list; an absent (or empty) field means "any". Values are the table's own column values. */
export interface ListingFilter {
  statuses?: readonly EntryStatus[];
  /** `qa`, `case`, `article`. */
  kinds?: readonly string[];
  /** The `source_type` column: `ticket` (learned), `import`, `pack`. */
  sourceTypes?: readonly string[];
}

/** One page of entries and whether another follows. */
export interface ListingPage {
  entries: StoredEntry[];
  hasMore: boolean;
}

function inList(column: string, values: readonly string[] | undefined): string | null {
  if (!values || values.length === 0) return null;
  return `${column} IN (${values.map(quote).join(', ')})`;
}

/** The SQL filter for `filter`, or undefined for "everything". */
export function listingWhere(filter: ListingFilter): string | undefined {
  const parts = [inList('status', filter.statuses), inList('kind', filter.kinds), inList('source_type', filter.sourceTypes)].filter(
    (p): p is string => p !== null,
  );
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

/**
 * The entries matching `filter`, most recently changed first (entries never changed since import, which have no
 * `updatedAt`, come last), ties broken by id so pages never overlap. Two reads: the ids of the page (LanceDB sorts
 * only the small `updated_at` and `id` columns, keeping the top `offset + limit`), then those entries' documents by
 * id (btree index).
 */
export async function listEntryPage(table: lancedb.Table, filter: ListingFilter, offset: number, limit: number): Promise<ListingPage> {
  const where = listingWhere(filter);
  // Without a filter, LanceDB 0.37's planner refuses an ordered scan unless the row id is carried along.
  let query = table.query().withRowId();
  if (where) query = query.where(where);
  const rows = (await query
    .select(['id'])
    .orderBy([
      { columnName: 'updated_at', ascending: false },
      { columnName: 'id', ascending: true },
    ])
    .offset(offset)
    .limit(limit + 1) // one more than the page says whether another page follows
    .toArray()) as { id: string }[];
  const ids = rows.slice(0, limit).map((row) => row.id);
  if (ids.length === 0) return { entries: [], hasMore: false };
  const docs = (await table
    .query()
    .where(`id IN (${ids.map(quote).join(', ')})`)
    .select(['id', 'doc'])
    .limit(ids.length)
    .toArray()) as { id: string; doc: string }[];
  const byId = new Map(docs.map((row) => [row.id, row.doc]));
  const entries = ids.flatMap((id) => {
    const doc = byId.get(id);
    return doc === undefined ? [] : [parseStoredEntry(doc)];
  });
  return { entries, hasMore: rows.length > limit };
}

/** How many entries of each status match the filter's kind and source (its statuses are ignored): bitmap counts. */
export async function countByStatus(table: lancedb.Table, filter: ListingFilter): Promise<Record<EntryStatus, number>> {
  const rest = listingWhere({ ...filter, statuses: [] });
  const counts = await Promise.all(
    ENTRY_STATUSES.map((status) => table.countRows(rest ? `status = ${quote(status)} AND ${rest}` : `status = ${quote(status)}`)),
  );
  return Object.fromEntries(ENTRY_STATUSES.map((status, i) => [status, counts[i] ?? 0])) as Record<EntryStatus, number>;
}
