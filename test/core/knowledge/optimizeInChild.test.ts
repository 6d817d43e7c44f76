import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import { buildIndexes, schemaFor, toRow } from '../../../core/knowledge/entryTable';
import { optimizeInChild } from '../../../core/knowledge/optimizeInChild';
import { stored } from '../../fixtures/storeEntries';

const embedder = new HashedEmbedder();

function rows(from: number, count: number): ReturnType<typeof toRow>[] {
  return Array.from({ length: count }, (_, i) => {
    const entry = stored({ id: `e-${from + i}`, title: `Entry ${from + i}`, body: `How to fix problem number ${from + i} with the printer` });
    return toRow(entry, embedder.embedOne(entry.body));
  });
}

describe('optimizing a table in a child process', () => {
  it('compacts fragments and folds new rows into the indexes, and the parent then reads the new version', async () => {
    const dir = join(await tempFolder('vigil-optimize-'), 'lancedb');
    const db = await lancedb.connect(dir);
    const table = await db.createEmptyTable('entries_test', schemaFor(embedder.dimensions));
    await table.add(rows(0, 50));
    await buildIndexes(table);
    for (let i = 1; i <= 4; i++) await table.add(rows(i * 50, 50)); // four more fragments, outside the indexes
    const before = await table.version();
    expect((await table.stats()).fragmentStats.numFragments).toBe(5);
    expect((await table.indexStats('text_idx'))?.numUnindexedRows).toBe(200);

    expect(await optimizeInChild(dir, table, new Date(Date.now() - 3600_000))).toBe(true);

    expect(await table.version()).toBeGreaterThan(before);
    expect((await table.stats()).fragmentStats.numFragments).toBeLessThan(5);
    expect((await table.indexStats('text_idx'))?.numUnindexedRows).toBe(0);
    expect(await table.countRows()).toBe(250);
    const hits = await table.query().fullTextSearch(new lancedb.MatchQuery('249', 'text')).select(['id']).limit(5).toArray();
    expect(hits.map((h: { id: string }) => h.id)).toContain('e-249');
    await table.add(rows(250, 1)); // the parent's handle is still the writer afterwards
    expect(await table.countRows()).toBe(251);
    table.close();
    db.close();
  });

  it("reports the child's error, naming the table", async () => {
    const dir = join(await tempFolder('vigil-optimize-'), 'lancedb');
    const db = await lancedb.connect(dir);
    const table = await db.createEmptyTable('entries_gone', schemaFor(embedder.dimensions));
    await table.add(rows(0, 5));
    await db.dropTable('entries_gone');
    await expect(optimizeInChild(dir, table, new Date())).rejects.toThrow(/Compacting the knowledge table entries_gone failed \(exit 1\): .*not found/i);
    db.close();
  });
});
