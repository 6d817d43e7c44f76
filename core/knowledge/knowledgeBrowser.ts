/**
 * The knowledge browser's plain data (what crosses to the desktop app over IPC) and the rules that make it from
 * stored entries: where an entry came from in words an analyst reads (ticket and connector, file, pack), and how
 * an analyst's edit becomes a new version, checked against the interchange format (core/formats/schemas.ts) with
 * errors that name the field.
 */
import type { EntryFeedback } from '../feedback/feedbackStats';
import { EntrySchema, type EntryKind } from '../formats/schemas';
import type { EntryStatus, StoredEntry } from './storedEntry';
import type { HistoryAction, HistoryRecord } from './entryHistory';

/** Where entries come from, as the browser filters them. */
export const ENTRY_ORIGINS = ['learned', 'imported', 'pack'] as const;
export type EntryOrigin = (typeof ENTRY_ORIGINS)[number];

/** The store's `source.type` of each origin. */
export const ORIGIN_SOURCE_TYPES: Record<EntryOrigin, 'ticket' | 'import' | 'pack'> = { learned: 'ticket', imported: 'import', pack: 'pack' };

/** Entries per page when the caller does not say. */
export const DEFAULT_PAGE_SIZE = 50;
/** Most entries one page may hold. */
export const MAX_PAGE_SIZE = 100;
/** Most tags an entry may carry, and the longest tag: tags are labels, not text. */
export const MAX_TAGS = 30;
export const MAX_TAG_CHARS = 60;
/** Characters of the body shown in a list row. */
const EXCERPT_CHARS = 240;

/** One hit of a knowledge search, as the desk's search box lists it. */
export interface KnowledgeHit {
  id: string;
  kind: EntryKind;
  status: EntryStatus;
  title: string | null;
  question: string | null;
  body: string;
  sourceTicketId: string | null;
  /** Cosine similarity of the query to the entry, as cited in suggestions. */
  score: number;
  /**
   * What orders the hits: the reciprocal-rank fusion of the full-text and vector ranks (higher first). The
   * similarity alone does not: a hit found by its words can rank above one with a higher similarity.
   */
  relevance: number;
  /** Set when the entry comes from an installed knowledge pack (docs/packs.md). */
  pack?: { name: string; version: string };
}

/** What to list; an absent field means "any". */
export interface EntryListRequest {
  status?: EntryStatus;
  kind?: EntryKind;
  origin?: EntryOrigin;
  /** Words to search for: the list is then the search's best matches (of any status asked) instead of the newest. */
  text?: string;
  offset?: number;
  limit?: number;
}

/** One row of the list. */
export interface EntrySummary {
  id: string;
  kind: EntryKind;
  status: EntryStatus;
  title: string | null;
  question: string | null;
  excerpt: string;
  tags: string[];
  origin: EntryOrigin;
  updatedAt: string | null;
  /** Entries of installed packs, and entries that came from one, cannot be changed here. */
  readOnly: boolean;
  /** Set for a hit from an installed pack, whose detail travels with it (packs are searched, not browsed). */
  pack?: { name: string; version: string };
  detail?: EntryDetail;
}

/** One page of the list. */
export interface EntryListPage {
  items: EntrySummary[];
  offset: number;
  hasMore: boolean;
  /** `recent`: newest change first; `relevance`: best match of the text first. */
  order: 'recent' | 'relevance';
  /** Entries of each status for the request's kind and origin (the whole store's, not the text's matches). */
  counts: Record<EntryStatus, number>;
}

/** Where an entry came from. */
export interface EntryProvenanceView {
  origin: EntryOrigin;
  /** Tickets it was learned from, oldest first, each with the connector that delivered it (its id's prefix). */
  tickets: Array<{ id: string; connector: string | null }>;
  /** The file it was imported from (its name). */
  importedFrom: string | null;
  pack: { name: string; version: string } | null;
  createdAt: string;
  updatedAt: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
}

/** The editable part of an entry, as it is now or was in an earlier version. */
export interface EntryContent {
  title: string | null;
  question: string | null;
  body: string;
  tags: string[];
  status: EntryStatus;
}

/** One version in an entry's history. */
export interface EntryVersionView {
  version: number;
  at: string;
  action: HistoryAction;
  actor: string;
  note: string | null;
  restoredFrom: number | null;
  content: EntryContent;
}

/** Everything the detail panel shows. */
export interface EntryDetail {
  id: string;
  kind: EntryKind;
  content: EntryContent;
  provenance: EntryProvenanceView;
  /** Oldest first; empty for an entry never changed since it was imported. */
  history: EntryVersionView[];
  /** How analysts used it in suggestions (core/feedback), or null when it was never shown. */
  feedback: Pick<EntryFeedback, 'shown' | 'copied' | 'inserted' | 'published' | 'liked' | 'disliked' | 'dismissed' | 'dislikeReasons' | 'lastEventAt'> | null;
  /** Why it cannot be edited here, or null when it can. */
  readOnly: string | null;
}

/** An analyst's change to an entry; absent fields stay as they are. */
export interface EntryPatch {
  title?: string;
  question?: string;
  /** The answer (the entry's `body`). */
  answer?: string;
  tags?: string[];
}

/** The browser's origin of a stored entry. */
export function originOf(entry: StoredEntry): EntryOrigin {
  const type = entry.source?.type;
  if (type === 'pack') return 'pack';
  if (type === 'ticket') return 'learned';
  if (type === 'import') return 'imported';
  return entry.provenance.sourceTicketIds.length > 0 ? 'learned' : 'imported';
}

/** `network-basics@1.2.0` → name and version (the pack library's `source.ref`). */
function parsePackRef(ref: string | null | undefined): { name: string; version: string } | null {
  if (!ref) return null;
  const at = ref.lastIndexOf('@');
  return at > 0 ? { name: ref.slice(0, at), version: ref.slice(at + 1) } : { name: ref, version: '' };
}

/** Ticket ids carry their connector's id as a prefix (`rt-main:4821`, core/connectors/connector.ts). */
function connectorOf(ticketId: string): string | null {
  const colon = ticketId.indexOf(':');
  return colon > 0 ? ticketId.slice(0, colon) : null;
}

/** Why an entry cannot be changed in the browser, or null. */
export function readOnlyReason(entry: StoredEntry): string | null {
  if (originOf(entry) !== 'pack') return null;
  const pack = parsePackRef(entry.source?.ref);
  const name = pack ? `the knowledge pack ${pack.name}${pack.version ? ` ${pack.version}` : ''}` : 'a knowledge pack';
  return `This entry comes from ${name} and is read-only here; its publisher changes it in a new version of the pack.`;
}

export function provenanceOf(entry: StoredEntry): EntryProvenanceView {
  const origin = originOf(entry);
  const ref = entry.source?.ref ?? null;
  const ticketIds = entry.provenance.sourceTicketIds.length > 0 ? entry.provenance.sourceTicketIds : origin === 'learned' && ref ? [ref] : [];
  return {
    origin,
    tickets: ticketIds.map((id) => ({ id, connector: connectorOf(id) })),
    importedFrom: origin === 'imported' ? ref : null,
    pack: origin === 'pack' ? parsePackRef(ref) : null,
    createdAt: entry.provenance.createdAt,
    updatedAt: entry.updatedAt ?? null,
    approvedBy: entry.provenance.approvedBy ?? null,
    approvedAt: entry.provenance.approvedAt ?? null,
  };
}

export function contentOf(entry: StoredEntry): EntryContent {
  return { title: entry.title ?? null, question: entry.question ?? null, body: entry.body, tags: entry.tags ?? [], status: entry.status };
}

export function summaryOf(entry: StoredEntry): EntrySummary {
  const body = entry.body.replace(/\s+/g, ' ').trim();
  return {
    id: entry.id,
    kind: entry.kind,
    status: entry.status,
    title: entry.title ?? null,
    question: entry.question ?? null,
    excerpt: body.length > EXCERPT_CHARS ? `${body.slice(0, EXCERPT_CHARS - 1)}…` : body,
    tags: entry.tags ?? [],
    origin: originOf(entry),
    updatedAt: entry.updatedAt ?? null,
    readOnly: readOnlyReason(entry) !== null,
  };
}

export function versionView(record: HistoryRecord): EntryVersionView {
  return {
    version: record.version,
    at: record.at,
    action: record.action,
    actor: record.actor,
    note: record.note ?? null,
    restoredFrom: record.restoredFrom ?? null,
    content: contentOf(record.entry),
  };
}

/** The detail of an entry, from its history and feedback counts. */
export function detailOf(entry: StoredEntry, history: readonly HistoryRecord[], feedback: EntryFeedback | null): EntryDetail {
  const used = feedback && feedback.shown + feedback.liked + feedback.disliked + feedback.dismissed + feedback.copied + feedback.inserted + feedback.published > 0;
  return {
    id: entry.id,
    kind: entry.kind,
    content: contentOf(entry),
    provenance: provenanceOf(entry),
    history: history.map(versionView),
    feedback: used && feedback
      ? {
          shown: feedback.shown,
          copied: feedback.copied,
          inserted: feedback.inserted,
          published: feedback.published,
          liked: feedback.liked,
          disliked: feedback.disliked,
          dismissed: feedback.dismissed,
          dislikeReasons: feedback.dislikeReasons,
          lastEventAt: feedback.lastEventAt,
        }
      : null,
    readOnly: readOnlyReason(entry),
  };
}

/** The name of an entry field as the analyst sees it in the editor. */
const FIELD_NAMES: Record<string, string> = { body: 'answer', question: 'question', title: 'title', tags: 'tags' };

/**
 * The entry after an analyst's patch (trimmed, tags de-duplicated), stamped `at`, checked against the entry format
 * the way an import is. Throws an error naming the entry and each bad field; nothing is written by this function.
 */
export function applyPatch(entry: StoredEntry, patch: EntryPatch, at: string): StoredEntry {
  const problems: string[] = [];
  const tags = patch.tags?.map((t) => t.trim()).filter(Boolean);
  if (tags && tags.length > MAX_TAGS) problems.push(`tags: at most ${MAX_TAGS} tags`);
  const longTag = tags?.find((t) => t.length > MAX_TAG_CHARS);
  if (longTag) problems.push(`tags: "${longTag.slice(0, 20)}…" is longer than ${MAX_TAG_CHARS} characters`);
  const question = patch.question?.trim();
  if (question !== undefined && question === '' && entry.question !== undefined) problems.push('question: must not be empty');
  const next: StoredEntry = {
    ...entry,
    ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
    ...(question ? { question } : {}),
    ...(patch.answer !== undefined ? { body: patch.answer.trim() } : {}),
    ...(tags ? { tags: [...new Set(tags)] } : {}),
    updatedAt: at,
  };
  const parsed = EntrySchema.safeParse(next);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'entry');
      problems.push(`${FIELD_NAMES[field] ?? field}: ${issue.message}`);
    }
  }
  if (problems.length > 0) throw new Error(`Entry ${entry.id} was not changed: ${problems.join('; ')}. Correct it and save again.`);
  return next;
}
