/**
 * The one façade of the engine. The desktop app (over IPC), the `vigil` CLI and the tests all drive the product
 * through this class, so every front door gets the same behaviour.
 */
import { basename } from 'node:path';
import { Assistant, type AssistDecision, type AssistResult } from '../assist/assistant';
import { AlertEngine, DEFAULT_ALERT_RULES, type AlertRule } from '../assist/alerts';
import { askAboutTicket, summarizeTicket, type AskAnswer } from '../assist/explicitAsk';
import { DEFAULT_FOLLOWUP_POLICY, FollowupTracker, type FollowupPolicy } from '../assist/followups';
import { storeSource, type KnowledgeSource } from '../assist/knowledgeSource';
import { ShownLog } from '../assist/shownLog';
import type { Embedder } from '../embed/embedder';
import { openConfiguredEmbedder } from '../embed/embedderFactory';
import { JsonlWriter, readJsonl } from '../formats/jsonl';
import { EntrySchema, type Ticket } from '../formats/schemas';
import { KnowledgeStore, type SearchHit } from '../knowledge/knowledgeStore';
import { sourceTicketOf, toStoredEntry, type EntryStatus, type StoredEntry } from '../knowledge/storedEntry';
import { learnFromTicket, type LearnPolicy } from '../learn/ticketLearner';
import { LlmError, type CallOptions } from '../llm/languageModel';
import { LlmMonitor, type LlmStatus, type MonitorOptions } from '../llm/llmMonitor';
import { DEFAULT_OLLAMA_HOST, OllamaClient, type ModelInfo, type PullProgress } from '../llm/ollamaClient';
import { EgressPolicy } from '../net/egress';
import { PackAdmin } from '../packs/packAdmin';
import { mergeHits, PackLibrary, type PackHit } from '../packs/packLibrary';
import { AuditLog, suggestionAudit } from '../privacy/auditLog';
import { securePrivateFolder } from '../privacy/dataFolder';
import { redactTicket } from '../privacy/redaction';
import { cleanMessage } from '../text/queryCleaner';
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
  /**
   * The local model for scope checks, answerability and drafts (Ollama). Absent: retrieval-only mode. When set but
   * not reachable, the engine works retrieval-only, says why in `status().llm`, and checks again in the background.
   */
  llm?: { model: string; host?: string; jsonTimeoutMs?: number; monitor?: MonitorOptions };
  /** Checks every outbound connection (the Ollama host must be loopback in offline mode). Default: offline. */
  egress?: EgressPolicy;
  /** Hosts whose links may appear in model answers although the cited entries do not contain them. */
  allowLinkHosts?: readonly string[];
  /** Interest rules for alerts; default DEFAULT_ALERT_RULES (same problem from several customers, business impact, anger). */
  alertRules?: readonly AlertRule[];
  /** When follow-up reminders fall due; default DEFAULT_FOLLOWUP_POLICY. */
  followupPolicy?: FollowupPolicy;
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
  private readonly sources: KnowledgeSource[];
  private readonly followups: FollowupTracker;
  /** Installed knowledge packs, the trust list, subscriptions and pack export (docs/packs.md). */
  readonly packs: PackAdmin;

  private constructor(
    private readonly store: KnowledgeStore,
    library: PackLibrary,
    /** The data folder's audit log (core/privacy/auditLog.ts): what each suggestion and LLM call used. */
    readonly audit: AuditLog,
    /** The embedder `open` built (from the folder's settings), released on close. */
    private readonly ownedEmbedder: Embedder | null,
    private readonly shownLog: ShownLog,
    private readonly monitor: LlmMonitor,
    private readonly allowLinkHosts: readonly string[],
    private readonly alerts: AlertEngine,
    followupPolicy: FollowupPolicy,
    private readonly llmClient: OllamaClient | null,
    private readonly redactBeforeStorage = false,
  ) {
    this.packs = new PackAdmin(library, () => store.entries());
    this.followups = new FollowupTracker(followupPolicy);
    // The team's own knowledge and every installed pack, searched in parallel by the pipeline.
    this.sources = [storeSource(store), { name: 'packs', search: (query, o) => this.packs.library.search(query, { limit: o.limit }) }];
    this.assistant = new Assistant({ sources: this.sources, shown: shownLog, llm: monitor, allowHosts: allowLinkHosts });
  }

  /** Opens the engine on a team's data folder; with `llm`, checks the model once before returning. */
  static async open(options: CopilotOptions): Promise<CopilotService> {
    const folder = await securePrivateFolder(options.dataDir); // mode 0700, repaired with a warning
    if (folder.warning) options.onProgress?.(folder.warning);
    const owned = options.embedder ? null : await openConfiguredEmbedder(options.dataDir, options.onProgress);
    const embedder = options.embedder ?? owned!;
    let store: KnowledgeStore | null = null;
    let library: PackLibrary | null = null;
    let shownLog: ShownLog | null = null;
    let audit: AuditLog | null = null;
    try {
      store = await KnowledgeStore.open(options.dataDir, embedder, options.onProgress);
      audit = await AuditLog.open(options.dataDir);
      library = await PackLibrary.open(options.dataDir, embedder, options.onProgress);
      shownLog = await ShownLog.open(options.dataDir);
      const alerts = new AlertEngine(options.alertRules ?? DEFAULT_ALERT_RULES, embedder);
      const egress = options.egress ?? new EgressPolicy({ offline: true });
      const client = options.llm
        ? new OllamaClient({
            model: options.llm.model,
            host: options.llm.host ?? DEFAULT_OLLAMA_HOST,
            fetch: egress.fetch,
            ...(options.llm.jsonTimeoutMs ? { jsonTimeoutMs: options.llm.jsonTimeoutMs } : {}),
          })
        : null;
      const monitor = new LlmMonitor(client, options.llm?.monitor);
      await monitor.start();
      const followupPolicy = options.followupPolicy ?? DEFAULT_FOLLOWUP_POLICY;
      return new CopilotService(
        store,
        library,
        audit,
        owned,
        shownLog,
        monitor,
        options.allowLinkHosts ?? [],
        alerts,
        followupPolicy,
        client,
        options.redactBeforeStorage,
      );
    } catch (err) {
      try {
        await Promise.allSettled([shownLog?.close(), library?.close(), audit?.close()]);
        await store?.close();
      } finally {
        await owned?.close?.();
      }
      throw err;
    }
  }
  /** Whether the local model is in use, and why not; see also `onLlmStatus`. */
  llmStatus(): LlmStatus {
    return this.monitor.status();
  }

  /** Hears every change of the LLM mode (the status bar). Returns the unsubscribe function. */
  onLlmStatus(listener: (status: LlmStatus) => void): () => void {
    return this.monitor.onChange(listener);
  }

  /** The models installed in Ollama (Settings → Models). Throws an LlmError saying why when Ollama cannot be asked. */
  listLlmModels(options: CallOptions = {}): Promise<ModelInfo[]> {
    if (!this.llmClient) return Promise.reject(new LlmError('model_missing', 'No local model is configured.'));
    return this.llmClient.listModels(options);
  }

  /**
   * Downloads the configured model into Ollama, on the user's request only, reporting progress; then checks the
   * model again so the engine switches to LLM mode at once.
   */
  async pullLlmModel(onProgress: (progress: PullProgress) => void, options: CallOptions = {}): Promise<LlmStatus> {
    if (!this.llmClient) throw new LlmError('model_missing', 'No local model is configured.');
    await this.llmClient.pull(onProgress, options);
    return this.monitor.check();
  }

  /** Checks the local model now instead of waiting for the next background check. */
  recheckLlm(): Promise<LlmStatus> {
    return this.monitor.check();
  }

  /** Adds a knowledge source (an installed pack) to every later search of the pipeline. */
  addKnowledgeSource(source: KnowledgeSource): void {
    this.sources.push(source);
  }

  /** Removes a knowledge source by name. */
  removeKnowledgeSource(name: string): void {
    const i = this.sources.findIndex((s) => s.name === name);
    if (i > 0) this.sources.splice(i, 1); // the team's own store (index 0) stays
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
      llm: this.monitor.status(),
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
  async assistOnMessage(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<AssistDecision> {
    const decision = await this.assistant.onCustomerMessage(ticket, messageIndex, arrivedAt);
    await this.audit.append(suggestionAudit(decision, { model: decision.model ?? null }));
    return decision;
  }

  /**
   * The same, with the LLM draft: `decision` is the retrieval result, to show at once; `draft`, when a local model
   * is in use, resolves to the LLM's decision for the same message, which supersedes it.
   */
  async assist(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<AssistResult> {
    const result = await this.assistant.assist(ticket, messageIndex, arrivedAt);
    await this.audit.append(suggestionAudit(result.decision, { model: result.decision.model ?? null }));
    // The draft never rejects; its audit record must not make it (a failed append is already reported by status).
    const draft = result.draft?.then(async (d) => {
      await this.audit.append(suggestionAudit(d, { model: d.model ?? null })).catch(() => undefined);
      return d;
    });
    return { ...result, draft: draft ?? null };
  }

  /** The analyst's own question about a ticket, answered from knowledge (streamed when a local model runs). */
  askAboutTicket(ticket: Ticket, question: string, options: CallOptions & { onText?: (text: string) => void } = {}): Promise<AskAnswer> {
    return askAboutTicket(ticket, question, {
      ...options,
      llm: this.monitor.model(),
      sources: this.sources,
      allowHosts: this.allowLinkHosts,
      onLlmError: (e) => this.monitor.reportFailure(e),
    });
  }

  /** A summary of the ticket for the analyst (written by the local model, or extracted from the messages). */
  summarizeTicket(ticket: Ticket, options: CallOptions & { onText?: (text: string) => void } = {}): Promise<AskAnswer> {
    return summarizeTicket(ticket, { ...options, llm: this.monitor.model(), allowHosts: this.allowLinkHosts, onLlmError: (e) => this.monitor.reportFailure(e) });
  }

  /**
   * Alert rules on a customer message (`at`: its arrival, ms since epoch). Each raised alert is a shown `alert`
   * decision whose `reason` is the rule id.
   */
  async checkAlerts(ticket: Ticket, messageIndex: number, at: number): Promise<AssistDecision[]> {
    const message = ticket.messages[messageIndex];
    if (!message || message.author !== 'customer') return [];
    const raised = await this.alerts.onCustomerMessage({ ticketId: ticket.id, messageId: message.id, text: cleanMessage(message.text), at });
    return raised.map((a) => ({
      ticketId: a.ticketId,
      afterMessageId: a.afterMessageId,
      shown: true,
      reason: a.ruleId,
      kind: 'alert' as const,
      text: a.text,
      confidence: 1,
      citations: [],
      latencyMs: 0,
      stage: 'rules' as const,
      priority: a.priority,
      gates: [{ gate: 'alert' as const, verdict: 'pass' as const, detail: `rule ${a.ruleId} (${a.priority}): tickets ${a.ticketIds.join(', ')}` }],
    }));
  }

  /** Follow-up reminders newly due on `ticket` at `now` (ms since epoch), each raised once. */
  pollFollowups(ticket: Ticket, now: number): AssistDecision[] {
    return this.followups.poll(ticket, now).map((r) => ({
      ticketId: r.ticketId,
      afterMessageId: r.afterMessageId,
      shown: true,
      reason: r.reason,
      kind: 'followup' as const,
      text: r.text,
      confidence: 1,
      citations: [],
      latencyMs: 0,
      stage: 'rules' as const,
      gates: [{ gate: 'followup' as const, verdict: 'pass' as const, detail: `due since ${new Date(r.dueAt).toISOString()}` }],
    }));
  }

  /** Learns from a closed ticket: its case and Q&A entries, approved or proposed per `policy`. */
  async learnFromClosedTicket(ticket: Ticket, policy: LearnPolicy): Promise<LearnResult> {
    await this.assistant.onTicketClosed(ticket.id);
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
    this.monitor.stop();
    await this.assistant.close();
    try {
      await this.packs.close();
    } finally {
      try {
        await this.shownLog.close().finally(() => this.store.close());
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
