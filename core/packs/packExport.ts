/**
 * Turning team knowledge into a pack: choose entries (status, tags, kinds, dates), drop what is internal to the
 * team (review status, provenance with approvers' names), run the redaction pass, and encode (and sign) the pack.
 */
import type { KeyObject } from 'node:crypto';
import type { Entry, EntryKind } from '../formats/schemas';
import { toStoredEntry, type EntryStatus } from '../knowledge/storedEntry';
import { DEFAULT_MAX_PACK_BYTES, encodePack, PackError, parseHeader, type PackInfo, type PackManifest } from './packFormat';
import { redactEntry, type RedactionCounts } from './packRedaction';

export interface ExportFilters {
  /** Review statuses to take; default approved only. */
  statuses?: readonly EntryStatus[];
  /** Keep entries with at least one of these tags. */
  tags?: readonly string[];
  kinds?: readonly EntryKind[];
  /** Keep entries last changed at or after this time (ISO 8601): `updatedAt`, else when approved, else created. */
  since?: string;
  /** Keep entries last changed at or before this time. */
  until?: string;
}

export interface ExportOptions extends PackInfo {
  filters?: ExportFilters;
  /** Run the redaction pass (default true). */
  redact?: boolean;
  /** Extra words to redact (customer, product or host names), case-insensitive, whole words. */
  redactTerms?: readonly string[];
  /** Signs the pack when given; otherwise it is written unsigned, to be signed with `vigil pack sign`. */
  privateKey?: KeyObject;
  /** Largest pack to make: the size every install accepts (64 MiB) unless told otherwise. */
  maxBytes?: number;
}

export interface ExportResult {
  bytes: Buffer;
  manifest: PackManifest;
  /** Entries looked at, and how many the filters kept. */
  considered: number;
  selected: number;
  /** Entries the redaction pass changed, with what it replaced. */
  redacted: { id: string; counts: RedactionCounts }[];
}

function timeOf(entry: ReturnType<typeof toStoredEntry>): number {
  const when = entry.updatedAt ?? entry.provenance.approvedAt ?? entry.provenance.createdAt;
  return when ? Date.parse(when) : Number.NaN;
}

function parseTime(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`${name}: "${value}" is not a date (use ISO 8601, for example 2026-03-01)`);
  return t;
}

/** Builds a pack from entries (the team's store, or entry files); ids sorted, so the same knowledge gives the same bytes. */
export async function exportPack(source: AsyncIterable<Entry> | Iterable<Entry>, options: ExportOptions): Promise<ExportResult> {
  const filters = options.filters ?? {};
  const statuses = new Set<EntryStatus>(filters.statuses ?? ['approved']);
  const tags = filters.tags && filters.tags.length > 0 ? new Set(filters.tags) : null;
  const kinds = filters.kinds && filters.kinds.length > 0 ? new Set(filters.kinds) : null;
  const since = parseTime(filters.since, '--since');
  const until = parseTime(filters.until, '--until');
  const now = new Date().toISOString();

  let considered = 0;
  const chosen: Entry[] = [];
  const redacted: ExportResult['redacted'] = [];
  for await (const raw of source) {
    considered++;
    const entry = toStoredEntry(raw, { status: 'approved', now });
    if (!statuses.has(entry.status)) continue;
    if (kinds && !kinds.has(entry.kind)) continue;
    if (tags && !(entry.tags ?? []).some((t) => tags.has(t))) continue;
    if (since !== null || until !== null) {
      const t = timeOf(entry);
      if (Number.isNaN(t) || (since !== null && t < since) || (until !== null && t > until)) continue;
    }
    const { status: _status, provenance: _provenance, ...spec } = entry;
    let out = spec as Entry;
    if (options.redact !== false) {
      const result = redactEntry(out, options.redactTerms ?? []);
      out = result.entry;
      if (Object.keys(result.counts).length > 0) redacted.push({ id: entry.id, counts: result.counts });
    }
    chosen.push(out);
  }
  chosen.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const info: PackInfo = { name: options.name, version: options.version, team: options.team };
  if (options.description) info.description = options.description;
  if (options.created) info.created = options.created;
  if (options.rules && options.rules.length > 0) info.rules = options.rules;
  const bytes = encodePack(info, chosen, options.privateKey);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PACK_BYTES;
  if (bytes.length > maxBytes) {
    throw new PackError(
      'too_large',
      `Pack ${options.name} ${options.version} would be ${bytes.length} bytes (${chosen.length} entries), more than the ${maxBytes} an install accepts. Split it into several packs with --tag, --kind or --since.`,
    );
  }
  return { bytes, manifest: parseHeader(bytes, options.name).manifest, considered, selected: chosen.length, redacted };
}
