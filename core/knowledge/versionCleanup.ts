/**
 * How far back compaction may delete old table versions. LanceDB refuses to clean up a version that a tag
 * (a rollback snapshot, core/privacy/rollback.ts) still points to, and `optimize` then fails; so the cutoff is
 * moved before the oldest tagged version.
 */
import type * as lancedb from '@lancedb/lancedb';

/** The cleanup cutoff that keeps `keepMs` of history and every tagged version. */
export async function cleanupCutoff(table: lancedb.Table, keepMs: number): Promise<Date> {
  let cutoff = Date.now() - keepMs;
  const tags = await table.tags();
  const tagged = new Set<number>();
  for (const tag of Object.keys(await tags.list())) tagged.add(await tags.getVersion(tag));
  if (tagged.size === 0) return new Date(cutoff);
  for (const version of await table.listVersions()) {
    if (tagged.has(version.version)) cutoff = Math.min(cutoff, version.timestamp.getTime() - 1);
  }
  return new Date(cutoff);
}
