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
import { HashedEmbedder } from '../embed/hashedEmbedder';
import { openConfiguredEmbedder } from '../embed/embedderFactory';
import { readKnowledge, type KnowledgeReadOptions } from '../formats/knowledgeImport';
import type { LineIssue } from '../formats/lineIssue';
import { formatLineIssue, JsonlWriter } from '../formats/jsonl';
import type { Entry, Suggestion, Ticket } from '../formats/schemas';
import { KnowledgeStore, type SearchHit } from '../knowledge/knowledgeStore';
import { sourceTicketOf, toStoredEntry, type EntryStatus, type StoredEntry } from '../knowledge/storedEntry';
import type { LearnPolicy } from '../learn/ticketLearner';
import { LlmError, type CallOptions, type LanguageModel } from '../llm/languageModel';
import { LlmMonitor, type LlmStatus, type MonitorOptions } from '../llm/llmMonitor';
import { DEFAULT_OLLAMA_HOST, OllamaClient, type ModelInfo, type PullProgress } from '../llm/ollamaClient';
import { EgressPolicy } from '../net/egress';
import { PackAdmin } from '../packs/packAdmin';
import { mergeHits, PackLibrary, type PackHit } from '../packs/packLibrary';
import { AuditLog, suggestionAudit } from '../privacy/auditLog';
import { llmCallAudit } from '../privacy/auditLog';
import { createAutomaticSnapshot, snapshotBeforeReindex } from '../privacy/rollback';
import { securePrivateFolder } from '../privacy/dataFolder';
import { redactTextForStorage, redactTicketForStorage } from '../privacy/storageRedaction';
import { noteCallRedactions, withRedactionTally } from '../privacy/decisionRedactions';
import { readPrivacySettings } from './privacySettings';
import { cleanMessage } from '../text/queryCleaner';
import type { ReindexProgress } from '../knowledge/reindexJob';
import type { ImportReport, KnowledgeHit, ServiceStatus } from './serviceTypes';
import { FeedbackCenter } from '../feedback/feedbackCenter';
import type { EntryFeedback } from '../feedback/feedbackStats';
import type { FeedbackInput, SuggestionEvent } from '../feedback/suggestionEvents';
import { DelayedReviewScheduler, judgeByRules, judgeWithLlm, type Clock, type ReviewVerdict } from '../learn/delayedReview';
import { EntryHistory, type HistoryRecord } from '../learn/entryHistory';
import { LearningLoop, type LearnOutcome } from '../learn/learningLoop';
import { loadLearningSettings, saveLearningSettings, type LearnMode, type LearningSettings } from '../learn/learningSettings';
import { ReviewDesk, type EntryEdit, type ReviewItem } from '../learn/reviewQueue';
import { countByStatus, listEntryPage, type ListingFilter } from '../knowledge/entryListing';
import { ENTRY_STATUSES } from '../knowledge/storedEntry';
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
} from './knowledgeBrowser';

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
  /** The time source of learning and feedback (delayed review, history); tests move it by hand. */
  clock?: Clock;
  /** A local model for extracting and reviewing learned entries; without one, rules do it. */
  learningModel?: LanguageModel | null;
  /**
   * After a change of embedder the knowledge is re-indexed: in the `background` (default, the app: the old
   * index answers meanwhile) or before `open` resolves (`wait`, the CLI).
   */
  reindex?: 'background' | 'wait';
  /**
   * Redact personal data from tickets before anything is learned (stored) from them; see docs/privacy.md. Default:
   * the data folder's setting (Settings → Privacy, `privacy.redactBeforeStorage` in settings.json), so the CLI
   * learns as the app does.
   */
  redactBeforeStorage?: boolean;
}

/** Entries written to the store per commit while importing. */
const IMPORT_BATCH = 500;

export interface LearnResult extends LearnOutcome {
  /** Ids of the entries written (or updated). */
  entryIds: string[];
  /** Status of the ticket's main entry (its first Q&A, else its case). */
  status: EntryStatus;
  skippedQa: string | null;
}

/** A delayed-review verdict on one cited entry of one ticket. */
export interface DelayedReviewResult extends ReviewVerdict {
  ticketId: string;
  /** The entry the suggestion cited; `entryId` is the one judged (a cited case's Q&A, when it has one). */
  citedEntryId: string;
}

/** Parts of the learning loop (core/learn, core/feedback) the service holds. */
interface Learning {
  history: EntryHistory;
  feedback: FeedbackCenter;
  scheduler: DelayedReviewScheduler;
  loop: LearningLoop;
  desk: ReviewDesk;
  settings: LearningSettings;
  clock: Clock;
  model: LanguageModel | null;
}

const LEARN_MODES: Record<LearnPolicy, LearnMode> = { auto: 'replay', review: 'review-all', team: 'live' };

/** Entries restored after a retirement, with when: feedback before that no longer counts against them. */
function reinstatedEntries(history: EntryHistory): Map<string, string> {
  const reinstated = new Map<string, string>();
  for (const [entryId, records] of history.all()) {
    records.forEach((record, i) => {
      const previous = records[i - 1];
      if (record.action === 'restored' && previous?.entry.status === 'retired' && record.entry.status !== 'retired') {
        reinstated.set(entryId, record.at);
      }
    });
  }
  return reinstated;
}

/** Opens the learning loop's parts on the data folder (core/learn, core/feedback). */
async function openLearning(options: CopilotOptions, store: KnowledgeStore): Promise<Learning> {
  const settings = await loadLearningSettings(options.dataDir);
  const clock = options.clock ?? (() => new Date());
  const history = await EntryHistory.open(options.dataDir);
  try {
    const feedback = await FeedbackCenter.open(options.dataDir, settings.demotion, reinstatedEntries(history));
    const scheduler = await DelayedReviewScheduler.open(options.dataDir, clock).catch(async (err: unknown) => {
      await feedback.close();
      throw err;
    });
    feedback.retainTickets(scheduler.pendingIds()); // older tickets' events are only in the log (and the stats)
    for (const issue of [...history.issues, ...feedback.issues]) {
      options.onProgress?.(`Skipped a damaged line (the rest was loaded): ${formatLineIssue(issue)}`);
    }
    const model = options.learningModel ?? null;
    const loop = new LearningLoop(store, history, settings, model);
    const desk = new ReviewDesk(store, history, clock);
    return { history, feedback, scheduler, loop, desk, settings, clock, model };
  } catch (err) {
    await history.close();
    throw err;
  }
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
    private readonly learning: Learning,
    private readonly redactBeforeStorage = false,
  ) {
    this.packs = new PackAdmin(library, () => store.entries());
    this.followups = new FollowupTracker(followupPolicy);
    // The team's own knowledge and every installed pack, searched in parallel by the pipeline.
    this.sources = [storeSource(store), { name: 'packs', search: (query, o) => this.packs.library.search(query, { limit: o.limit }) }];
    this.assistant = new Assistant({
      sources: this.sources,
      shown: shownLog,
      llm: monitor,
      allowHosts: allowLinkHosts,
      // Entries analysts keep dismissing rank lower (and are retired by the dismissal rule).
      rankFactor: (entryId) => this.learning.feedback.boost(entryId),
    });
  }

  /** Opens the engine on a team's data folder; with `llm`, checks the model once before returning. */
  static async open(options: CopilotOptions): Promise<CopilotService> {
    const folder = await securePrivateFolder(options.dataDir); // mode 0700, repaired with a warning
    if (folder.warning) options.onProgress?.(folder.warning);
    // A damaged setting stops the open with the error naming it: learning must not store what the team redacts.
    const redactBeforeStorage = options.redactBeforeStorage ?? (await readPrivacySettings(options.dataDir)).redactBeforeStorage;
    const owned = options.embedder ? null : await openConfiguredEmbedder(options.dataDir, options.onProgress);
    const embedder = options.embedder ?? owned!;
    let store: KnowledgeStore | null = null;
    let library: PackLibrary | null = null;
    let shownLog: ShownLog | null = null;
    let audit: AuditLog | null = null;
    try {
      // A change of embedder re-indexes on open: tag the store first, so it can be rolled back (docs/privacy.md).
      const reindexSnapshot = await snapshotBeforeReindex(options.dataDir, embedder.id);
      store = await KnowledgeStore.open(options.dataDir, embedder, {
        onProgress: options.onProgress,
        reindex: options.reindex,
        // The embedder that wrote the folder's current table, so it stays searchable by vector while re-indexing.
        resolveEmbedder: (id) => (id === embedder.id ? embedder : HashedEmbedder.fromId(id)),
      });
      audit = await AuditLog.open(options.dataDir);
      if (reindexSnapshot) {
        await audit.append({ type: 'admin', action: 'store_tag', detail: { name: reindexSnapshot.name, reason: reindexSnapshot.reason, automatic: true } });
      }
      library = await PackLibrary.open(options.dataDir, embedder, options.onProgress);
      // Every pack install is preceded by a snapshot of the data folder (`vigil store rollback` undoes it).
      const installAudit = audit;
      library.onBeforeInstall((pack) =>
        createAutomaticSnapshot(options.dataDir, 'pack-install', `before installing pack ${pack.name} ${pack.version}${pack.previousVersion ? ` over ${pack.previousVersion}` : ''}`, {
          lockHeld: true,
          audit: installAudit,
        }).then(() => undefined),
      );
      shownLog = await ShownLog.open(options.dataDir);
      const alerts = new AlertEngine(options.alertRules ?? DEFAULT_ALERT_RULES, embedder);
      const egress = options.egress ?? new EgressPolicy({ offline: true });
      const client = options.llm
        ? new OllamaClient({
            model: options.llm.model,
            host: options.llm.host ?? DEFAULT_OLLAMA_HOST,
            fetch: egress.fetch,
            ...(options.llm.jsonTimeoutMs ? { jsonTimeoutMs: options.llm.jsonTimeoutMs } : {}),
            // Every generation call gets an `llm_call` audit record: model, purpose, entries, redaction counts, sizes.
            onCall: (report) => {
              noteCallRedactions(report.redactions); // into the decision's `suggestion` record (decisionRedactions.ts)
              const log = audit;
              log?.append(llmCallAudit(report)).catch((error: unknown) => options.onProgress?.(`Could not record an LLM call in the audit log: ${(error as Error).message}`));
            },
          })
        : null;
      const monitor = new LlmMonitor(client, options.llm?.monitor);
      await monitor.start();
      const followupPolicy = options.followupPolicy ?? DEFAULT_FOLLOWUP_POLICY;
      const learning = await openLearning(options, store);
      const service = new CopilotService(
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
        learning,
        redactBeforeStorage,
      );
      // Unless a learning model was given, learning uses the pipeline's local model whenever it is usable.
      if (options.learningModel === undefined && client) {
        service.setLearningModel(monitor.model());
        monitor.onChange(() => service.setLearningModel(monitor.model()));
      }
      return service;
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
      reindex: s.reindex,
      vectorIndex: s.vectorIndex,
      indexed: s.indexed,
    };
  }

  /** Resolves when a background re-index has ended (done, failed or cancelled); its last progress, or null. */
  waitForReindex(): Promise<ReindexProgress | null> {
    return this.store.waitForReindex();
  }

  /** Stops a background re-index; the current index keeps answering. False when none was running. */
  cancelReindex(): Promise<boolean> {
    return this.store.cancelReindex();
  }

  /**
   * Imports knowledge entries as approved knowledge, from any shape `readKnowledge` reads (JSON Lines, a JSON array,
   * CSV with `options.mapping`, a folder of Markdown, HTML or text articles). Bad lines are reported (file, line,
   * field) and skipped; good lines are stored; nothing already stored is touched except entries with the same id.
   * `onProgress` hears the running count after every batch.
   */
  importEntries(file: string, onProgress?: (imported: number) => void, options: KnowledgeReadOptions = {}): Promise<ImportReport> {
    return this.importEntryStream(file, (onIssue) => readKnowledge(file, options, onIssue), onProgress);
  }

  /**
   * Imports the entries a reader yields (a file's, a helpdesk help center's) as approved knowledge, as
   * `importEntries` does; `source` names them in the report and is their `source.ref` when they carry none.
   */
  async importEntryStream(source: string, read: (onIssue: (issue: LineIssue) => void) => AsyncIterable<Entry>, onProgress?: (imported: number) => void): Promise<ImportReport> {
    const file = source;
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
    for await (const value of read((issue) => report.issues.push(issue))) {
      const entry = value.source ? value : { ...value, source: { type: 'import' as const, ref: basename(file) } };
      batch.push(toStoredEntry(entry, { status: 'approved', now }));
      if (batch.length >= IMPORT_BATCH) await flush();
    }
    await flush();
    // A bulk import leaves up to a tenth of the table outside the indexes; fold it in now, not while answering.
    if (report.imported > 0) await this.store.refreshIndexes();
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
      relevance: Math.round(hit.fused * 10_000) / 10_000,
      ...(hit.pack ? { pack: hit.pack } : {}),
    }));
  }

  /**
   * Runs the proactive pipeline after a customer message. `ticket` is a snapshot that holds the conversation at
   * least up to `messageIndex`; `arrivedAt` is when the message arrived (`performance.now()`), for latency.
   */
  async assistOnMessage(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<AssistDecision> {
    const { result, tally } = withRedactionTally(() => this.assistant.onCustomerMessage(ticket, messageIndex, arrivedAt));
    const decision = await result;
    const redactions = tally.counts();
    await this.noteDecision(ticket, decision);
    await this.audit.append(suggestionAudit(decision, { model: decision.model ?? null, redactions }));
    return decision;
  }

  /**
   * The same, with the LLM draft: `decision` is the retrieval result, to show at once; `draft`, when a local model
   * is in use, resolves to the LLM's decision for the same message, which supersedes it.
   */
  async assist(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<AssistResult> {
    // The redactions of the LLM calls made for this message (the draft's included) are summed for its audit records.
    const { result: running, tally } = withRedactionTally(() => this.assistant.assist(ticket, messageIndex, arrivedAt));
    const result = await running;
    const redactions = tally.counts(); // the calls finished before the retrieval decision (none today), not the draft's
    await this.noteDecision(ticket, result.decision);
    await this.audit.append(suggestionAudit(result.decision, { model: result.decision.model ?? null, redactions }));
    // The draft never rejects; its audit record must not make it (a failed append is already reported by status).
    const draft = result.draft?.then(async (d) => {
      await this.audit.append(suggestionAudit(d, { model: d.model ?? null, redactions: tally.counts() })).catch(() => undefined);
      return d;
    });
    return { ...result, draft: draft ?? null };
  }

  /**
   * The engine records what it shows (a `shown` event for the delayed review and the feedback statistics); the
   * front ends record what the analyst does with it.
   */
  private async noteDecision(ticket: Ticket, decision: AssistDecision): Promise<void> {
    const shownEntry = decision.citations[0]?.entryId;
    if (decision.shown && shownEntry) {
      await this.learning.feedback.record({
        type: 'shown',
        ticketId: ticket.id,
        afterMessageId: decision.afterMessageId,
        entryIds: decision.citations.map((c) => c.entryId),
        at: this.learning.clock().toISOString(),
        actor: 'engine',
      });
      this.learning.scheduler.noteActivity(ticket.id, this.storable(ticket));
    } else if (this.learning.scheduler.isPending(ticket.id)) {
      this.learning.scheduler.noteActivity(ticket.id, this.storable(ticket));
    }
  }

  /** The ticket as the engine may write it to the data folder: redacted when the team asked for it (docs/privacy.md). */
  private storable(ticket: Ticket): Ticket {
    return this.redactBeforeStorage ? redactTicketForStorage(ticket).ticket : ticket;
  }

  /**
   * Writes the `suggestion` audit records of rule-based suggestions a front end shows (follow-up reminders and
   * alerts, which `pollFollowups` and `checkAlerts` only compute): no model, no prompt, so nothing redacted.
   */
  async auditShown(decisions: readonly Suggestion[]): Promise<void> {
    for (const decision of decisions) await this.audit.append(suggestionAudit(decision, { model: null }));
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

  /**
   * Learns from a closed ticket: its case and Q&A entries, deduplicated against the knowledge (merged into a
   * twin, or flagged as a conflict). `auto` approves them (replay), `review` proposes them all, `team` follows
   * the team's learning settings (review always, or auto-approve above a confidence).
   */
  async learnFromClosedTicket(ticket: Ticket, policy: LearnPolicy): Promise<LearnResult> {
    await this.assistant.onTicketClosed(ticket.id);
    const { feedback, scheduler, loop, clock } = this.learning;
    const answered = new Set(
      feedback
        .eventsOf(ticket.id)
        .filter((e) => ['inserted', 'copied', 'published', 'liked'].includes(e.type) && e.afterMessageId)
        .map((e) => e.afterMessageId as string),
    );
    const learnFrom = this.storable(ticket); // docs/privacy.md
    const outcome = await loop.learn(learnFrom, LEARN_MODES[policy], { answeredBySuggestion: answered, now: clock() });
    if (scheduler.isPending(ticket.id)) scheduler.noteActivity(ticket.id, learnFrom);
    const main = outcome.created[0] ?? outcome.entryIds[0];
    return { ...outcome, status: (main && outcome.statusById[main]) || 'proposed' };
  }

  /**
   * Records what the analyst did with a suggestion (expanded, copied, inserted, published, liked, disliked with
   * a reason, dismissed, ignored). Validated and fsynced; the ticket's quiet time restarts. An entry that keeps
   * being dismissed is retired (reversibly) by the dismissal rule.
   */
  async recordFeedback(event: FeedbackInput): Promise<{ event: SuggestionEvent; retired: string | null }> {
    const { feedback, scheduler, desk, clock } = this.learning;
    // A dislike's reason is the analyst's free text and may quote the customer (feedback/events.jsonl keeps it).
    const reason = event.reason !== undefined && this.redactBeforeStorage ? redactTextForStorage(event.reason) : event.reason;
    const stored = await feedback.record({ ...event, ...(reason !== undefined ? { reason } : {}), at: event.at ?? clock().toISOString() });
    if (scheduler.isPending(stored.ticketId) || stored.type !== 'shown') scheduler.noteActivity(stored.ticketId);
    const entryId = stored.entryIds[0] as string;
    if ((stored.type === 'dismissed' || stored.type === 'disliked') && feedback.stats.shouldRetire(entryId)) {
      const entry = await this.store.get(entryId);
      if (entry && entry.status === 'approved') {
        const f = feedback.of(entryId);
        await desk.retire(entryId, 'feedback:dismissals', `dismissed ${f.dismissed} and disliked ${f.disliked} times in ${f.shown} showings`);
        return { event: stored, retired: entryId };
      }
    }
    return { event: stored, retired: null };
  }

  /** Feedback counts of an entry. */
  entryFeedback(entryId: string): EntryFeedback {
    return this.learning.feedback.of(entryId);
  }

  /** The factor retrieval may multiply an entry's score by: below 1 for entries analysts keep dismissing. */
  feedbackBoost(entryId: string): number {
    return this.learning.feedback.boost(entryId);
  }

  /** Proposed entries waiting for an analyst. */
  reviewQueue(): Promise<ReviewItem[]> {
    return this.learning.desk.queue();
  }

  approveEntry(id: string, actor: string): Promise<StoredEntry> {
    return this.learning.desk.approve(id, actor);
  }

  /** Approves an entry with the analyst's changes (checked against the quality rules). */
  editEntry(id: string, edit: EntryEdit, actor: string): Promise<StoredEntry> {
    return this.learning.desk.edit(id, edit, actor);
  }

  /** Rejects an entry: retired, never suggested, restorable from its history. */
  rejectEntry(id: string, actor: string, reason?: string): Promise<StoredEntry> {
    return this.learning.desk.reject(id, actor, reason);
  }

  /** An entry's versions, oldest first. */
  entryHistory(id: string): HistoryRecord[] {
    return this.learning.desk.versions(id);
  }

  /** Makes an earlier version of an entry current again (recorded as a new version). */
  async restoreEntry(id: string, version: number, actor: string): Promise<StoredEntry> {
    const before = await this.store.get(id);
    const restored = await this.learning.desk.restore(id, version, actor);
    if (before?.status === 'retired' && restored.status !== 'retired') {
      this.learning.feedback.stats.reinstate(id, this.learning.clock().toISOString());
    }
    return restored;
  }

  learningSettings(): LearningSettings {
    return this.learning.settings;
  }

  /** Changes the team's learning settings (saved in the data folder). */
  async setLearningSettings(settings: Partial<LearningSettings>): Promise<LearningSettings> {
    const saved = await saveLearningSettings(this.store.dataDir, { ...this.learning.settings, ...settings });
    this.learning.settings = saved;
    this.learning.loop.setSettings(saved);
    return saved;
  }

  /** Uses a local model for extraction and the delayed review (null: rules). */
  setLearningModel(model: LanguageModel | null): void {
    this.learning.model = model;
    this.learning.loop.setModel(model);
  }

  /**
   * Judges the entries cited on every ticket that has been quiet for the team's delay (default 20 minutes):
   * keep, modify (a corrected version) or retire. Shown suggestions the analyst never touched are recorded as
   * `ignored`. Returns every verdict; the app calls this on a timer.
   */
  async runDelayedReview(): Promise<DelayedReviewResult[]> {
    const { feedback, scheduler, desk, settings, clock, model } = this.learning;
    const results: DelayedReviewResult[] = [];
    for (const { ticketId, ticket } of scheduler.due(settings.delayedReviewMinutes)) {
      const events = feedback.eventsOf(ticketId);
      const shownIds = [...new Set(events.filter((e) => e.type === 'shown').map((e) => e.entryIds[0] as string))];
      for (const entryId of shownIds) {
        const cited = await this.store.get(entryId);
        if (!cited || cited.status === 'retired') continue;
        // A cited case stands for its ticket's answer: the Q&A learned from the same ticket is what gets judged.
        const source = cited.kind === 'case' ? sourceTicketOf(cited) : null;
        const answerEntry = source ? await this.store.get(`qa-${source}`) : null;
        const entry = answerEntry && answerEntry.status !== 'retired' ? answerEntry : cited;
        const about = events.filter((e) => e.entryIds[0] === entryId);
        if (about.every((e) => e.type === 'shown')) {
          const shown = about[0] as SuggestionEvent;
          await feedback.record({ ...shown, type: 'ignored', at: clock().toISOString(), actor: 'engine' });
        }
        const verdict = model ? await judgeWithLlm(model, entry, ticket, about) : judgeByRules(entry, ticket, about);
        if (verdict.action === 'modify' && verdict.corrected) {
          const status = settings.review === 'always' ? 'proposed' : entry.status;
          await desk.modify(entry.id, verdict.corrected, status, 'review:delayed', `${verdict.reason} (ticket ${ticketId})`);
        } else if (verdict.action === 'retire') {
          // The precedent goes as a whole: its Q&A and its case carry the same outdated resolution.
          const ticketOfEntry = sourceTicketOf(entry);
          const related = ticketOfEntry ? [`qa-${ticketOfEntry}`, `case-${ticketOfEntry}`] : [];
          for (const id of new Set([entry.id, cited.id, ...related])) {
            const current = await this.store.get(id);
            if (current && current.status !== 'retired') await desk.retire(id, 'review:delayed', `${verdict.reason} (ticket ${ticketId})`);
          }
        }
        results.push({ ...verdict, ticketId, citedEntryId: cited.id });
      }
      scheduler.done(ticketId);
      feedback.forgetTicket(ticketId);
    }
    await scheduler.save();
    return results;
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

  /**
   * Bulk delete: retires (default) or permanently deletes the entries `ids`, for the Knowledge browser's
   * multi-select and for scripts. Before anything changes the data folder is tagged (an automatic snapshot,
   * "before deleting N entries"), so `vigil store rollback <snapshot>` brings every entry back, whatever the mode.
   *
   * - `retire`: each entry stays stored with status `retired` (never suggested), gets a `retired` version in its
   *   history, and can be brought back one by one with `restoreEntry`.
   * - `delete`: each entry's last state is first written to its history (a `retired` version noting the deletion),
   *   then the entries are removed from the store; only the snapshot (or the history) brings them back.
   *
   * Ids not in the store are listed in `missing` and otherwise ignored; an empty selection changes nothing (no
   * snapshot). One `admin` audit record (`bulk_retire` or `bulk_delete`) names the actor, the count and the
   * snapshot. Resolves once the change is durable.
   */
  async deleteEntries(
    ids: readonly string[],
    actor: string,
    options: { mode?: 'retire' | 'delete'; reason?: string } = {},
  ): Promise<{ mode: 'retire' | 'delete'; changed: string[]; missing: string[]; snapshot: string | null }> {
    const mode = options.mode ?? 'retire';
    if (!actor.trim()) throw new Error('deleteEntries needs the name of the person deleting (actor), for the entries’ history and the audit log.');
    const found = await this.getEntries(ids);
    const missing = [...new Set(ids)].filter((id) => !found.has(id));
    const entries = [...found.values()].filter((e) => mode === 'delete' || e.status !== 'retired');
    if (entries.length === 0) return { mode, changed: [], missing, snapshot: null };
    // Commit what is waiting in the write-ahead log, so the tagged versions hold every acknowledged entry.
    await this.store.flush();
    const snapshot = await createAutomaticSnapshot(
      this.store.dataDir,
      'bulk-delete',
      `before ${mode === 'delete' ? 'deleting' : 'retiring'} ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`,
      { lockHeld: true, audit: this.audit },
    );
    const at = this.learning.clock().toISOString();
    const note = [options.reason, mode === 'delete' ? `deleted permanently (bulk delete); \`vigil store rollback ${snapshot.name}\` brings it back` : `retired in a bulk action; snapshot ${snapshot.name}`]
      .filter(Boolean)
      .join('; ');
    const after = entries.map((entry): StoredEntry => ({ ...entry, status: 'retired', updatedAt: at }));
    await this.learning.history.recordAll(after.map((entry, i) => ({ action: 'retired' as const, entry, actor, at, note, before: entries[i]! })));
    if (mode === 'delete') await this.store.remove(entries.map((e) => e.id));
    else await this.store.upsert(after);
    await this.audit.append({
      type: 'admin',
      action: mode === 'delete' ? 'bulk_delete' : 'bulk_retire',
      detail: { actor, entries: entries.length, missing: missing.length, snapshot: snapshot.name },
    });
    return { mode, changed: entries.map((e) => e.id), missing, snapshot: snapshot.name };
  }

  /** Finishes queued writes and releases the data folder. */
  async close(): Promise<void> {
    this.monitor.stop();
    await this.assistant.close();
    try {
      // The learning loop's files first (each closes even if another fails), then the packs and the store.
      await Promise.allSettled([this.learning.scheduler.save(), this.learning.history.close(), this.learning.feedback.close()]);
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

  // ── The knowledge browser (core/app/knowledgeBrowser.ts; the desktop app's Knowledge screen) ──────────────

  /**
   * One page of stored entries, filtered by status, kind and origin: newest change first, filtered, ordered and
   * paged by LanceDB (core/knowledge/entryListing.ts), so a page costs the same at 100k entries. With `text`, the
   * page is the hybrid search's best matches of the asked statuses instead, with installed packs' approved entries
   * when the origin allows them; `counts` are always the store's per status for the kind and origin.
   */
  async listEntries(request: EntryListRequest = {}): Promise<EntryListPage> {
    const offset = Math.max(0, Math.floor(request.offset ?? 0));
    const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(request.limit ?? DEFAULT_PAGE_SIZE)));
    const filter: ListingFilter = {
      statuses: request.status ? [request.status] : [],
      kinds: request.kind ? [request.kind] : [],
      sourceTypes: request.origin ? [ORIGIN_SOURCE_TYPES[request.origin]] : [],
    };
    const text = request.text?.trim() ?? '';
    if (text === '') {
      const [page, counts] = await this.store.readCommitted((table) => Promise.all([listEntryPage(table, filter, offset, limit), countByStatus(table, filter)]));
      return { items: page.entries.map(summaryOf), offset, hasMore: page.hasMore, order: 'recent', counts };
    }
    const want = offset + limit + 1;
    // Kind and origin are checked after the search, so it is asked for more when they will drop some hits.
    const searchLimit = request.kind || request.origin ? want * 4 : want;
    const withPacks = (!request.origin || request.origin === 'pack') && (!request.status || request.status === 'approved');
    const [own, fromPacks, counts] = await Promise.all([
      this.store.search(text, { limit: searchLimit, candidates: Math.max(50, searchLimit), statuses: request.status ? [request.status] : ENTRY_STATUSES }),
      withPacks ? this.packs.library.search(text, { limit: searchLimit }) : Promise.resolve([]),
      this.store.readCommitted((table) => countByStatus(table, filter)),
    ]);
    const merged = mergeHits([...own, ...fromPacks] as (SearchHit & { pack?: PackHit['pack'] })[], own.length + fromPacks.length);
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
    const entry = await this.store.get(id);
    if (!entry) return null;
    return detailOf(entry, this.learning.history.versions(id), this.learning.feedback.of(id));
  }

  /**
   * An analyst's change to an entry's question, title, answer or tags, checked against the entry format (errors
   * name the field), saved as a new version (`edited`, by `actor`) and searchable at once. The status stays as it
   * was. Entries from knowledge packs are read-only.
   */
  async reviseEntry(id: string, patch: EntryPatch, actor: string): Promise<EntryDetail> {
    const entry = await this.requireEditable(id);
    const at = this.learning.clock().toISOString();
    const next = applyPatch(entry, patch, at);
    // History first, as every change in core/learn: a crash after it leaves a version that can be restored.
    await this.learning.history.record('edited', next, actor, { at, before: entry, note: 'edited in the knowledge browser' });
    await this.store.upsert([next]);
    return (await this.entryDetail(id)) as EntryDetail;
  }

  /**
   * Retires an entry (never suggested again, nothing deleted) or approves it again, as a new version by `actor`.
   * Reinstating a retired entry starts a new feedback window, as `restoreEntry` does.
   */
  async setEntryStatus(id: string, status: 'approved' | 'retired', actor: string, note?: string): Promise<EntryDetail> {
    const entry = await this.requireEditable(id);
    if (entry.status !== status) {
      if (status === 'retired') {
        await this.learning.desk.retire(id, actor, note ?? 'retired in the knowledge browser');
      } else {
        await this.learning.desk.approve(id, actor);
        if (entry.status === 'retired') this.learning.feedback.stats.reinstate(id, this.learning.clock().toISOString());
      }
    }
    return (await this.entryDetail(id)) as EntryDetail;
  }

  private async requireEditable(id: string): Promise<StoredEntry> {
    const entry = await this.store.get(id);
    if (!entry) throw new Error(`No knowledge entry with id ${id}: it may have been deleted meanwhile. Reload the list.`);
    const readOnly = readOnlyReason(entry);
    if (readOnly) throw new Error(readOnly);
    return entry;
  }
}
