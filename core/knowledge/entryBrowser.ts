/**
 * Entry browsing for the desktop app's Knowledge screen and search box: knowledge search, pages of stored entries (filtered, ordered and paged by
 * LanceDB, entryListing.ts), search across the team's entries and installed packs, one entry's detail, and an
 * analyst's edit, retirement or restore, each a new version in the entry's history. The rules that turn stored
 * entries into what the screen shows are in knowledgeBrowser.ts.
 */
import type { EntryFeedback } from '../feedback/feedbackStats';
import type { HistoryRecord } from './entryHistory';
import { countByStatus, listEntryPage, type ListingFilter } from './entryListing';
import type { KnowledgeStore, SearchHit } from './knowledgeStore';
import {
  applyPatch,
  DEFAULT_PAGE_SIZE,
  detailOf,
  MAX_PAGE_SIZE,
  ORIGIN_SOURCE_TYPES,
  originOf,
  readOnlyReason,
  summaryOf,
  type EntryDetail,
  type EntryListPage,
  type EntryListRequest,
  type EntryPatch,
  type EntrySummary,
  type KnowledgeHit,
} from './knowledgeBrowser';
import { ENTRY_STATUSES, sourceTicketOf, type StoredEntry } from './storedEntry';

/** A search hit from an installed pack, which names it (core/packs). */
export type BrowsedHit = SearchHit & { pack?: EntrySummary['pack'] };

/** What browsing reads and changes besides the store: packs, history and feedback (core/packs, learn, feedback). */
export interface EntryBrowserSources {
  store: KnowledgeStore;
  /** Approved entries of the installed packs matching `text`. */
  searchPacks: (text: string, limit: number) => Promise<BrowsedHit[]>;
  /** Merges hits of several sources rank by rank (packLibrary.ts `mergeHits`). */
  mergeHits: (hits: BrowsedHit[], limit: number) => BrowsedHit[];
  versions: (id: string) => HistoryRecord[];
  feedbackOf: (id: string) => EntryFeedback;
  now: () => Date;
  /** Records an analyst's edit as a new version (history first, then the store). */
  recordEdit: (next: StoredEntry, actor: string, at: string, before: StoredEntry) => Promise<void>;
  retire: (id: string, actor: string, note: string) => Promise<unknown>;
  approve: (id: string, actor: string) => Promise<unknown>;
  /** Makes an earlier version current again; a retired entry brought back starts a new feedback window. */
  restore: (id: string, version: number, actor: string) => Promise<unknown>;
  /** Starts a new feedback window for an entry approved again after retirement. */
  reinstate: (id: string) => void;
  /** Hears every entry an analyst changed here (the app tells every window). */
  onChanged?: (entryIds: string[]) => void;
}

/** The Knowledge screen's reads and edits on one open store. */
export class EntryBrowser {
  constructor(private readonly sources: EntryBrowserSources) {}

  /**
   * Searches approved knowledge, as the analyst does from the desk's search box: the team's own and its installed
   * packs' (hits from a pack name it), merged rank by rank.
   */
  async searchKnowledge(query: string, limit = 10): Promise<KnowledgeHit[]> {
    const [own, fromPacks] = await Promise.all([this.sources.store.search(query, { limit }), this.sources.searchPacks(query, limit)]);
    return this.sources.mergeHits([...own, ...fromPacks], limit).map((hit) => ({
      id: hit.entry.id,
      kind: hit.entry.kind,
      status: hit.entry.status,
      title: hit.entry.title ?? null,
      question: hit.entry.question ?? null,
      body: hit.entry.body,
      sourceTicketId: sourceTicketOf(hit.entry),
      score: Math.round(hit.similarity * 1000) / 1000,
      relevance: Math.round(hit.fused * 10_000) / 10_000,
      ...(hit.pack ? { pack: hit.pack } : {}),
    }));
  }

  /**
   * One page of stored entries, filtered by status, kind and origin: newest change first, filtered, ordered and
   * paged by LanceDB, so a page costs the same at 100k entries. With `text`, the page is the hybrid search's best
   * matches of the asked statuses instead, with installed packs' approved entries when the origin allows them;
   * `counts` are always the store's per status for the kind and origin.
   */
  async listEntries(request: EntryListRequest = {}): Promise<EntryListPage> {
    const { store } = this.sources;
    const offset = Math.max(0, Math.floor(request.offset ?? 0));
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(request.limit ?? DEFAULT_PAGE_SIZE)));
    const filter: ListingFilter = {
      statuses: request.status ? [request.status] : [],
      kinds: request.kind ? [request.kind] : [],
      sourceTypes: request.origin ? [ORIGIN_SOURCE_TYPES[request.origin]] : [],
    };
    const text = request.text?.trim() ?? '';
    if (text === '') {
      const [page, counts] = await store.readCommitted((table) => Promise.all([listEntryPage(table, filter, offset, limit), countByStatus(table, filter)]));
      return { items: page.entries.map(summaryOf), offset, hasMore: page.hasMore, order: 'recent', counts };
    }
    const want = offset + limit + 1;
    // Kind and origin are checked after the search, so it is asked for more when they will drop some hits.
    const searchLimit = request.kind || request.origin ? want * 4 : want;
    const withPacks = (!request.origin || request.origin === 'pack') && (!request.status || request.status === 'approved');
    const [own, fromPacks, counts] = await Promise.all([
      store.search(text, { limit: searchLimit, candidates: Math.max(50, searchLimit), statuses: request.status ? [request.status] : ENTRY_STATUSES }),
      withPacks ? this.sources.searchPacks(text, searchLimit) : Promise.resolve([]),
      store.readCommitted((table) => countByStatus(table, filter)),
    ]);
    const merged = this.sources.mergeHits([...own, ...fromPacks], own.length + fromPacks.length);
    const matching = merged.filter(
      (hit) => (!request.kind || hit.entry.kind === request.kind) && (!request.origin || originOf(hit.entry) === request.origin),
    );
    const items = matching.slice(offset, offset + limit).map((hit): EntrySummary => {
      const summary = summaryOf(hit.entry);
      // Installed packs are searched, not read by id: their entry's detail travels with the hit.
      return hit.pack ? { ...summary, readOnly: true, pack: hit.pack, detail: detailOf(hit.entry, [], null) } : summary;
    });
    return { items, offset, hasMore: matching.length > offset + limit, order: 'relevance', counts };
  }

  /** An entry with its provenance, every version of its history and its feedback counts; null when there is none. */
  async entryDetail(id: string): Promise<EntryDetail | null> {
    const entry = await this.sources.store.get(id);
    if (!entry) return null;
    return detailOf(entry, this.sources.versions(id), this.sources.feedbackOf(id));
  }

  /**
   * An analyst's change to an entry's question, title, answer or tags, checked against the entry format (errors
   * name the field), saved as a new version (`edited`, by `actor`) and searchable at once. The status stays as it
   * was. Entries from knowledge packs are read-only.
   */
  async reviseEntry(id: string, patch: EntryPatch, actor: string): Promise<EntryDetail> {
    const entry = await this.requireEditable(id);
    const at = this.sources.now().toISOString();
    await this.sources.recordEdit(applyPatch(entry, patch, at), actor, at, entry);
    return this.changed(id);
  }

  /**
   * Retires an entry (never suggested again, nothing deleted) or approves it again, as a new version by `actor`.
   * Reinstating a retired entry starts a new feedback window, as a restore does.
   */
  async setEntryStatus(id: string, status: 'approved' | 'retired', actor: string, note?: string): Promise<EntryDetail> {
    const entry = await this.requireEditable(id);
    if (entry.status !== status) {
      if (status === 'retired') {
        await this.sources.retire(id, actor, note ?? 'retired in the knowledge browser');
      } else {
        await this.sources.approve(id, actor);
        if (entry.status === 'retired') this.sources.reinstate(id);
      }
    }
    return this.changed(id);
  }

  /** Restores an earlier version of an entry (as a new version) and tells every window. */
  async restoreEntryVersion(id: string, version: number, actor: string): Promise<EntryDetail> {
    await this.sources.restore(id, version, actor);
    this.sources.onChanged?.([id]);
    const detail = await this.entryDetail(id);
    if (!detail) throw new Error(`Entry ${id} was restored but could not be read back; reload the knowledge list.`);
    return detail;
  }

  private async changed(id: string): Promise<EntryDetail> {
    const detail = (await this.entryDetail(id)) as EntryDetail;
    this.sources.onChanged?.([id]);
    return detail;
  }

  private async requireEditable(id: string): Promise<StoredEntry> {
    const entry = await this.sources.store.get(id);
    if (!entry) throw new Error(`No knowledge entry with id ${id}: it may have been deleted meanwhile. Reload the list.`);
    const readOnly = readOnlyReason(entry);
    if (readOnly) throw new Error(readOnly);
    return entry;
  }
}
