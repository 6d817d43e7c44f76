/**
 * A knowledge entry as the store keeps it: the spec's entry (unknown fields kept) plus its review status and
 * provenance. Status and provenance travel as extra fields in `kb export`, so a round trip loses nothing.
 */
import { z } from 'zod';
import { EntrySchema, type Entry } from '../formats/schemas';

export const ENTRY_STATUSES = ['proposed', 'approved', 'retired'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

export const ProvenanceSchema = z.looseObject({
  /** Tickets this entry was learned from, oldest first. */
  sourceTicketIds: z.array(z.string()).default([]),
  createdAt: z.string(),
  approvedBy: z.string().nullable().optional(),
  approvedAt: z.string().nullable().optional(),
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

export type StoredEntry = Entry & { status: EntryStatus; provenance: Provenance };

/** The status and provenance an entry brings with it (an earlier export), or the defaults for a new import. */
export function toStoredEntry(entry: Entry, defaults: { status: EntryStatus; now: string }): StoredEntry {
  const status = z.enum(ENTRY_STATUSES).safeParse(entry['status']);
  const provenance = ProvenanceSchema.safeParse(entry['provenance']);
  const sourceRef = entry.source?.type === 'ticket' && entry.source.ref ? [entry.source.ref] : [];
  return {
    ...entry,
    status: status.success ? status.data : defaults.status,
    provenance: provenance.success ? provenance.data : { sourceTicketIds: sourceRef, createdAt: defaults.now },
  };
}

/** Parses a stored document back; the store wrote it, so a failure means on-disk corruption. */
export function parseStoredEntry(json: string): StoredEntry {
  const raw: unknown = JSON.parse(json);
  const entry = EntrySchema.parse(raw);
  return toStoredEntry(entry, { status: 'approved', now: new Date(0).toISOString() });
}

/** The ticket a citation of this entry points back to, if it was learned from one. */
export function sourceTicketOf(entry: StoredEntry): string | null {
  if (entry.source?.type === 'ticket' && entry.source.ref) return entry.source.ref;
  return entry.provenance.sourceTicketIds[0] ?? null;
}

/** One turn of the conversation that led to a learned resolution: an analyst's question, a customer's answer. */
export interface PathTurn {
  author: 'customer' | 'analyst';
  text: string;
}

/**
 * The `path` a learned entry carries (docs/formats.md): the turns between the customer's problem and the
 * resolution. Anything else in the field (an older or hand-edited file) is ignored, never an error.
 */
export function pathOf(entry: Entry): PathTurn[] {
  const path = entry['path'];
  if (!Array.isArray(path)) return [];
  return path.filter(
    (t): t is PathTurn =>
      typeof t === 'object' && t !== null && (t.author === 'customer' || t.author === 'analyst') && typeof t.text === 'string' && t.text.trim() !== '',
  );
}

/**
 * The text an entry is matched on. Q&A and cases are matched on their question (a past customer's problem
 * against the new customer's problem) and the path that led to their resolution (so a later turn of a new ticket
 * can match the diagnosis, not only the symptom), not on the answer; articles, which have no question, on their body.
 */
export function matchTextOf(entry: Entry): string {
  const head = [entry.title, entry.question].filter((s): s is string => Boolean(s && s.trim())).join('\n');
  if (entry.question && entry.question.trim()) return [head, ...pathOf(entry).map((t) => t.text)].join('\n');
  return head ? `${head}\n${entry.body}` : entry.body;
}

/**
 * How many times the title (and question) of an entry matched with its body count in the full-text leg: a word of
 * the title weighs as much as that many occurrences in the body. Measured on the fit parts of
 * `npm run bench:retrieval` (BENCHMARKS.md).
 */
export const TITLE_WEIGHT = Number(process.env['VIGIL_TITLE_WEIGHT'] ?? 4);

/** The text an entry is indexed on for full-text search: its match text, with the title repeated `TITLE_WEIGHT` times. */
export function fullTextOf(entry: Entry): string {
  const head = [entry.title, entry.question].filter((s): s is string => Boolean(s && s.trim())).join('\n');
  if ((entry.question && entry.question.trim()) || !head) return matchTextOf(entry);
  return `${Array.from({ length: TITLE_WEIGHT }, () => head).join('\n')}\n${entry.body}`;
}
