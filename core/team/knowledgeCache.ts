/**
 * The team store as a source of the local knowledge store: the analyst's learned entries are shared as `entry`
 * operations, and the others' entries are upserted into the local store (its int8 index and fresh tier), so the
 * copilot cites them from local memory without waiting on the network.
 *
 * Provenance names the analyst: a shared entry carries `provenance.learnedBy` (who wrote this version) and
 * `provenance.teamAt` (when). When two analysts edit one entry, the later `teamAt` is current on every machine; an
 * older version arriving late is not applied over a newer one.
 */
import { z } from 'zod';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import { parseStoredEntry, type StoredEntry } from '../knowledge/storedEntry';
import { log } from '../privacy/redactingLogger';
import type { TeamOp } from './outbox';
import type { TeamSync } from './teamSync';

const EntryPayloadSchema = z.object({ entry: z.unknown() });

/**
 * Records the local store's entries `ids` (just learned or edited) as the analyst's `entry` operations, and stamps
 * the local copies with the same provenance, so an older edit from another analyst never overwrites them.
 */
export async function shareEntries(sync: TeamSync, store: KnowledgeStore, analyst: string, ids: readonly string[], now: Date = new Date()): Promise<TeamOp[]> {
  const ops: TeamOp[] = [];
  const shares: StoredEntry[] = [];
  for (const id of ids) {
    const entry = await store.get(id);
    if (entry === null) continue;
    const shared: StoredEntry = { ...entry, provenance: { ...entry.provenance, learnedBy: analyst, teamAt: now.toISOString() } };
    ops.push(await sync.record('entry', { entry: shared }));
    shares.push(shared);
  }
  if (shares.length > 0) await store.upsert(shares);
  return ops;
}

function teamAtOf(entry: StoredEntry | null): string {
  const at = entry?.provenance['teamAt'];
  return typeof at === 'string' ? at : '';
}

/**
 * The `apply` of a TeamSync that feeds `store`: every `entry` operation of another analyst is upserted, unless the
 * local store holds a later version of that entry. Idempotent, as TeamSync requires. An operation that does not
 * parse is skipped and logged (by opId, never its content): another analyst's newer app may write a newer shape.
 */
export function applyToKnowledge(store: KnowledgeStore, self: string): (ops: readonly TeamOp[]) => Promise<void> {
  return async (ops) => {
    const newest = new Map<string, StoredEntry>();
    for (const op of ops) {
      if (op.kind !== 'entry' || op.analyst === self) continue;
      let entry: StoredEntry;
      try {
        const payload = EntryPayloadSchema.parse(JSON.parse(op.payload));
        entry = parseStoredEntry(JSON.stringify(payload.entry));
      } catch {
        log.warn(`team store: skipped entry operation ${op.opId}, which does not parse`);
        continue;
      }
      const seen = newest.get(entry.id) ?? null;
      if (teamAtOf(entry) >= teamAtOf(seen)) newest.set(entry.id, entry);
    }
    const writes: StoredEntry[] = [];
    for (const entry of newest.values()) {
      if (teamAtOf(entry) >= teamAtOf(await store.get(entry.id))) writes.push(entry);
    }
    if (writes.length > 0) await store.upsert(writes);
  };
}
