/**
 * The one façade of the engine. The desktop app (over IPC), the `vigil` CLI and the tests all drive the product
 * through this class, so every front door gets the same behaviour.
 */
import { basename } from 'node:path';
import { Assistant } from '../assist/assistant';
import type { Embedder } from '../embed/embedder';
import { openConfiguredEmbedder } from '../embed/embedderFactory';
import { JsonlWriter, readJsonl } from '../formats/jsonl';
import { EntrySchema, type Suggestion, type Ticket } from '../formats/schemas';
import { KnowledgeStore, type SearchHit } from '../knowledge/knowledgeStore';
import { sourceTicketOf, toStoredEntry, type EntryStatus, type StoredEntry } from '../knowledge/storedEntry';
import { learnFromTicket, type LearnPolicy } from '../learn/ticketLearner';
import { PackAdmin } from '../packs/packAdmin';
import { mergeHits, PackLibrary, type PackHit } from '../packs/packLibrary';
import { AuditLog, suggestionAudit } from '../privacy/auditLog';
import { securePrivateFolder } from '../privacy/dataFolder';
import { redactTicket } from '../privacy/redaction';
import type { ImportReport, KnowledgeHit, ServiceStatus } from './serviceTypes';

export interface CopilotOptions {
  /** The team's data folder; created when missing. */
  dataDir: string;
  /**
   * Defaults to the embedder chosen for the data folder with `vigil models use` (its `settings.json`), else the
   * built-in one, which needs no model files. An embedder passed here stays the caller's to close.
   */
  embedder?: Embedder;
  /** Reports long-running work (re-indexing) in words. */
  onProgress?: (message: string) => void;
  /** Redact personal data from tickets before anything is learned (stored) from them; see docs/privacy.md. */
  redactBeforeStorage?: boolean;
}

/** Entries written to the store per commit while importing. */
const IMPORT_BATCH = 500;

export interface LearnResult {
  /** Ids of the entries written (or updated). */
  entryIds: string[];
  status: EntryStatus;
  skippedQa: string | null;
}

export class CopilotService {
  private readonly assistant: Assistant;
  /** Installed knowledge packs, the trust list, subscriptions and pack export (docs/packs.md). */
  readonly packs: PackAdmin;

  private constructor(
    private readonly store: KnowledgeStore,
    library: PackLibrary,
    /** The data folder's audit log (core/privacy/auditLog.ts): what each suggestion and LLM call used. */
    readonly audit: AuditLog,
    /** The embedder `open` built (from the folder's settings), released on close. */
    private readonly ownedEmbedder: Embedder | null = null,
    private readonly redactBeforeStorage = false,
  ) {
    this.assistant = new Assistant(store);
    this.packs = new PackAdmin(library, () => store.entries());
  }

  /** Opens the engine on a team's data folder. */
  static async open(options: CopilotOptions): Promise<CopilotService> {
    const folder = await securePrivateFolder(options.dataDir); // mode 0700, repaired with a warning
    if (folder.warning) options.onProgress?.(folder.warning);
    const owned = options.embedder ? null : await openConfiguredEmbedder(options.dataDir, options.onProgress);
    const embedder = options.embedder ?? owned!;
    let store: KnowledgeStore | null = null;
    let audit: AuditLog | null = null;
    try {
      store = await KnowledgeStore.open(options.dataDir, embedder, options.onProgress);
      audit = await AuditLog.open(options.dataDir);
      const library = await PackLibrary.open(options.dataDir, embedder, options.onProgress);
      return new CopilotService(store, library, audit, owned, options.redactBeforeStorage);
    } catch (err) {
      try {
        await audit?.close();
        await store?.close();
      } finally {
        await owned?.close?.();
      }
      throw err;
    }
  }

  async status(): Promise<ServiceStatus> {
    const s = await this.store.status();
    return {
      dataDir: s.dataDir,
      embedderId: s.embedderId,
      dimensions: s.dimensions,
      entries: s.entries,
      byStatus: s.byStatus,
      lastWriteError: s.lastWriteError
        ? `Could not write to the knowledge folder (${s.lastWriteError}); ${s.pendingWrites} entries are kept in its write-ahead log and will be retried. Check free disk space and permissions of ${s.dataDir}.`
        : null,
      llm: { mode: 'retrieval-only', reason: 'No local LLM is configured yet; suggestions come from retrieval alone.' },
    };
  }

  /**
   * Imports knowledge entries from a JSONL file as approved knowledge. Bad lines are reported (file, line,
   * field) and skipped; good lines are stored; nothing already stored is touched except entries with the same id.
   * `onProgress` hears the running count after every batch.
   */
  async importEntries(file: string, onProgress?: (imported: number) => void): Promise<ImportReport> {
    const report: ImportReport = { file, imported: 0, issues: [] };
    const now = new Date().toISOString();
    let batch: StoredEntry[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      await this.store.upsert(batch);
      report.imported += batch.length;
      batch = [];
      onProgress?.(report.imported);
    };
    for await (const { value } of readJsonl(file, EntrySchema, (issue) => report.issues.push(issue))) {
      const entry = value.source ? value : { ...value, source: { type: 'import' as const, ref: basename(file) } };
      batch.push(toStoredEntry(entry, { status: 'approved', now }));
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await flush();
    return report;
  }

  /** Writes entries (all, or those with the given statuses) to a JSONL file in the spec's entry format. */
  async exportEntries(file: string, statuses?: readonly EntryStatus[]): Promise<{ file: string; exported: number }> {
    const writer = new JsonlWriter(file);
    let exported = 0;
    try {
      for await (const entry of this.store.entries()) {
        if (statuses && !statuses.includes(entry.status)) continue;
        await writer.write(entry);
        exported++;
      }
    } finally {
      await writer.close();
    }
    return { file, exported };
  }

  /**
   * Searches approved knowledge, as the analyst does from the knowledge view: the team's own and its installed
   * packs' (hits from a pack name it), merged rank by rank (`mergeHits`).
   */
  async searchKnowledge(query: string, limit = 10): Promise<KnowledgeHit[]> {
    const [own, fromPacks] = await Promise.all([this.store.search(query, { limit }), this.packs.library.search(query, { limit })]);
    const merged: (SearchHit & { pack?: PackHit['pack'] })[] = [...own, ...fromPacks];
    const hits = mergeHits(merged, limit);
    return hits.map((hit) => ({
      id: hit.entry.id,
      kind: hit.entry.kind,
      status: hit.entry.status,
      title: hit.entry.title ?? null,
      question: hit.entry.question ?? null,
      body: hit.entry.body,
      sourceTicketId: sourceTicketOf(hit.entry),
      score: Math.round(hit.similarity * 1000) / 1000,
      ...(hit.pack ? { pack: hit.pack } : {}),
    }));
  }

  /**
   * Runs the proactive pipeline after a customer message. `ticket` is a snapshot that holds the conversation at
   * least up to `messageIndex`; `arrivedAt` is when the message arrived (`performance.now()`), for latency.
   */
  async assistOnMessage(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<Suggestion> {
    const suggestion = await this.assistant.onCustomerMessage(ticket, messageIndex, arrivedAt);
    await this.audit.append(suggestionAudit(suggestion));
    return suggestion;
  }

  /** Learns from a closed ticket: its case and Q&A entries, approved or proposed per `policy`. */
  async learnFromClosedTicket(ticket: Ticket, policy: LearnPolicy): Promise<LearnResult> {
    this.assistant.onTicketClosed(ticket.id);
    const learned = learnFromTicket(this.redactBeforeStorage ? redactTicket(ticket).ticket : ticket, policy);
    await this.store.upsert(learned.entries);
    return {
      entryIds: learned.entries.map((e) => e.id),
      status: policy === 'auto' ? 'approved' : 'proposed',
      skippedQa: learned.skippedQa,
    };
  }

  /** When each stored entry was created (any status), for the knowledge-growth chart. */
  async *entryCreationTimes(): AsyncGenerator<string> {
    for await (const entry of this.store.entries()) yield entry.provenance.createdAt;
  }

  /** The stored entries with these ids (any status); ids not found are left out. */
  async getEntries(ids: readonly string[]): Promise<Map<string, StoredEntry>> {
    const found = new Map<string, StoredEntry>();
    for (const id of new Set(ids)) {
      const entry = await this.store.get(id);
      if (entry) found.set(id, entry);
    }
    return found;
  }

  /** Finishes queued writes and releases the data folder. */
  async close(): Promise<void> {
    try {
      await this.packs.close();
    } finally {
      try {
        await this.store.close();
      } finally {
        try {
          await this.ownedEmbedder?.close?.();
        } finally {
          await this.audit.close();
        }
      }
    }
  }
}
