/**
 * A team's workspace as the long-running front door uses it (the desktop app): the engine (CopilotService),
 * the analyst's desk and the queue watcher on one data folder, opened and closed together. The watcher feeds
 * the connectors' events to the desk, which decides and learns through the engine.
 */
import { join } from 'node:path';
import { buildConnectors, CONNECTORS_FILE, loadConnectorsConfig, type BuiltConnectors } from '../connectors/registry';
import { connectorHosts, type ConnectorConfig } from '../connectors/registry';
import { isLoopbackHost } from '../net/egress';
import type { Embedder } from '../embed/embedder';
import { readLlmSetting } from '../llm/llmSetting';
import type { EgressDenialLog } from '../privacy/egressDenials';
import type { EgressPolicy } from '../net/egress';
import { redactSecrets, type SecretStore } from '../secrets/secretStore';
import { Watcher, type ConnectorHealth } from '../watch/watcher';
import type { LearnPolicy } from '../learn/ticketLearner';
import type { ReindexProgress } from '../knowledge/reindexJob';
import type { ScanReport } from '../packs/packSubscriptions';
import type { LlmStatus } from '../llm/llmStatus';
import { CopilotService } from './copilotService';
import { Desk } from './desk';
import type { ReviewItem } from '../learn/reviewQueue';
import type { DeskEvent, FeedbackRequest, ReviewRequest, ShownSuggestion, TicketDetail, TicketSummary } from './deskTypes';
import { computeInsights, type Insights } from './insights';
import {
  checkConnectorDraft,
  describeConnectorKinds,
  readConnectorForEdit,
  removeConnectorSettings,
  saveConnectorSettings,
  type ConnectorEditView,
  type ConnectorKindForm,
  type ConnectorRemoval,
  type ConnectorSaveResult,
  type SaveConnectorRequest,
} from './connectorConfig';
import { ReplyDrafts, type ReplyDraftView, type ReplyVisibility, type SendReplyResult } from './replyDrafts';
import { exportAuditLog, readAuditLogPage, AUDIT_TYPES, type AuditPageOptions, type AuditType } from '../privacy/auditLog';
import { securePrivateFolder } from '../privacy/dataFolder';
import { log } from '../privacy/redactingLogger';
import { createSnapshot, listSnapshots, readSnapshot } from '../privacy/rollback';
import {
  dataFolderView,
  networkView,
  readPrivacySettings,
  snapshotView,
  verifyAuditView,
  writePrivacySettings,
  type EgressState,
} from './privacySettings';
import type {
  AuditExportReport,
  AuditPage,
  AuditVerificationView,
  DataFolderView,
  PrivacyOverview,
  PrivacySettings,
  RollbackPreview,
  SnapshotView,
} from './privacyTypes';
import type { ImportReport, KnowledgeHit, ServiceStatus } from './serviceTypes';
import type { EntryDetail, EntryListPage, EntryListRequest, EntryPatch } from './knowledgeBrowser';
import type {
  LlmOverview,
  LlmPullProgress,
  PackInstallReport,
  PacksOverview,
  PackSyncReport,
  SubscriptionView,
  TrustKeyReport,
  TrustedKeyView,
  ConnectorsOverview,
  ConnectorTestResult,
} from './settingsTypes';

export interface WorkspaceOptions {
  dataDir: string;
  embedder?: Embedder;
  learnPolicy?: LearnPolicy;
  /**
   * How often answered tickets that went quiet are reviewed (keep, modify, retire) and follow-up reminders are
   * checked; default every minute; 0: never.
   */
  delayedReviewEveryMs?: number;
  /** The local LLM; default the data folder's setting (`vigil llm use`); null forces retrieval-only. */
  llm?: { model: string; host?: string } | null;
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
  /**
   * The process's record of refused connections (the app's egress guard): while this workspace is open, its
   * refusals go into the data folder's audit log.
   */
  egressDenials?: EgressDenialLog;
}

export interface WatchOptions {
  /** Where connector credentials come from (safeStorage in the app). */
  secrets: SecretStore;
  /** Loopback only: refuse every connector host. */
  offline?: boolean;
  /** Hears every change of a connector's health. */
  onHealth?: (health: ConnectorHealth) => void;
  /** The process's egress policy: the connectors' hosts are allowed on it (the app guards every connection with it). */
  egress?: EgressPolicy;
}

export class Workspace {
  private watcher: Watcher | null = null;
  private secrets: SecretStore | null = null;
  private connectors: BuiltConnectors | null = null;
  private reviewTimer: NodeJS.Timeout | null = null;
  private reviewing: Promise<void> | null = null;
  private detachDenials: (() => Promise<void>) | null = null;
  /** How watching was last started, so a connector saved in Settings restarts it the same way. */
  private watchOptions: WatchOptions | null = null;
  private replyDrafts: Promise<ReplyDrafts> | null = null;
  /** Connectors offline mode holds back, with why (set by startWatching). */
  private paused = new Map<string, string>();
  /** The "redact before storage" setting as the engine was opened with (it is read at open only). */
  private redactingBeforeStorage = false;

  private constructor(
    readonly service: CopilotService,
    readonly desk: Desk,
    /** The team's data folder this workspace holds. */
    readonly dataDir: string,
  ) {}

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    // The team's local model (`vigil llm use`), unless the caller chose one; none means retrieval-only.
    const llm = options.llm === undefined ? await readLlmSetting(options.dataDir) : options.llm;
    const privacy = await readPrivacySettings(options.dataDir).catch((error: unknown) => {
      // A damaged "privacy" key must not keep the desk from opening; Settings → Privacy shows the same error.
      options.onWarning?.(`${(error as Error).message} Vigil opens without redaction before storage until it is fixed.`);
      return null;
    });
    const service = await CopilotService.open({
      dataDir: options.dataDir,
      redactBeforeStorage: privacy?.redactBeforeStorage ?? false,
      ...(llm ? { llm } : {}),
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    try {
      const desk = await Desk.open(options.dataDir, service, {
        ...(options.learnPolicy ? { learnPolicy: options.learnPolicy } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
        redactBeforeStorage: privacy?.redactBeforeStorage ?? false,
      });
      const workspace = new Workspace(service, desk, options.dataDir);
      workspace.detachDenials = options.egressDenials?.attach(service.audit) ?? null;
      workspace.redactingBeforeStorage = privacy?.redactBeforeStorage ?? false;
      const every = options.delayedReviewEveryMs ?? 60_000;
      if (every > 0) {
        workspace.reviewTimer = setInterval(() => {
          void workspace.runDelayedReview();
          workspace.desk.pollFollowups().catch((error: unknown) => log.warn(`Follow-up reminders could not be checked: ${String(error)}`));
        }, every);
        workspace.reviewTimer.unref();
      }
      return workspace;
    } catch (error) {
      await service.close();
      throw error;
    }
  }

  status(): Promise<ServiceStatus> {
    return this.service.status();
  }

  searchKnowledge(query: string, limit?: number): Promise<KnowledgeHit[]> {
    return this.service.searchKnowledge(query, limit);
  }

  importEntries(file: string): Promise<ImportReport> {
    return this.service.importEntries(file);
  }

  async listTickets(): Promise<TicketSummary[]> {
    return this.desk.listTickets();
  }

  openTicket(ticketId: string): Promise<TicketDetail | null> {
    return this.desk.openTicket(ticketId);
  }

  sendFeedback(request: FeedbackRequest): Promise<ShownSuggestion> {
    return this.desk.feedback(request);
  }

  /** Learned entries waiting for an analyst, oldest first. */
  reviewQueue(): Promise<ReviewItem[]> {
    return this.service.reviewQueue();
  }

  /** Approves, edits (and approves) or rejects one proposed entry as `actor`; returns the queue that remains. */
  async reviewEntry(request: ReviewRequest, actor: string): Promise<ReviewItem[]> {
    if (request.decision === 'approve') await this.service.approveEntry(request.entryId, actor);
    else if (request.decision === 'reject') await this.service.rejectEntry(request.entryId, actor, request.reason);
    else await this.service.editEntry(request.entryId, request.edit ?? {}, actor);
    this.desk.announceKnowledgeChange([request.entryId]);
    return this.service.reviewQueue();
  }

  /** Suggestions shown and used, acceptance and knowledge growth over the last `days` days. */
  async insights(days = 14): Promise<Insights> {
    const created: string[] = [];
    for await (const at of this.service.entryCreationTimes()) created.push(at);
    return computeInsights(this.desk.allShown(), created, new Date(), days);
  }

  // ── Knowledge packs, for the app's settings (the same calls as `vigil pack …`) ─────────────────────────

  /** Installed packs, trusted keys and subscriptions. */
  async packsOverview(): Promise<PacksOverview> {
    const packs = this.service.packs;
    const [keys, subscriptions] = await Promise.all([packs.trustedKeys(), packs.listSubscriptions()]);
    return {
      packs: packs.list().map((p) => ({
        name: p.name,
        version: p.version,
        team: p.team,
        description: p.description ?? null,
        entries: p.entries,
        signer: p.signer,
        keyId: p.keyId,
        installedAt: p.installedAt,
        problem: p.problem,
      })),
      trustedKeys: keys.map(keyView),
      subscriptions: subscriptions.map((s) => ({ folder: s.folder, packs: [...s.packs] })),
    };
  }

  /** Verifies and installs a pack file (refused unless its signer is trusted). */
  async installPack(file: string): Promise<PackInstallReport> {
    const { outcome, pack, previousVersion } = await this.service.packs.install(file);
    return { outcome, name: pack.name, version: pack.version, previousVersion, entries: pack.entries, signer: pack.signer };
  }

  async removePack(name: string): Promise<{ name: string; version: string }> {
    const pack = await this.service.packs.remove(name);
    return { name: pack.name, version: pack.version };
  }

  /** Trusts the public key in `file` under `name`. */
  async trustKeyFile(file: string, name: string): Promise<TrustKeyReport> {
    const { key, added } = await this.service.packs.trustKeyFile(file, name);
    return { key: keyView(key), added };
  }

  async untrustKey(id: string): Promise<TrustedKeyView> {
    return keyView(await this.service.packs.untrustKey(id));
  }

  async subscribePacks(folder: string, packs: readonly string[]): Promise<SubscriptionView> {
    const s = await this.service.packs.subscribe(folder, packs);
    return { folder: s.folder, packs: [...s.packs] };
  }

  /** Drops the whole subscription to `folder`. */
  async unsubscribePacks(folder: string): Promise<void> {
    await this.service.packs.unsubscribe(folder);
  }

  /** Scans every subscribed folder once and installs newer versions of subscribed packs. */
  async syncPacks(): Promise<PackSyncReport[]> {
    return (await this.service.packs.syncSubscriptions()).map(syncReportView);
  }

  /** Resolves when a background re-index (after a change of embedder) has ended; its last progress, or null. */
  waitForReindex(): Promise<ReindexProgress | null> {
    return this.service.waitForReindex();
  }

  // ── The local LLM, for the app's settings ────────────────────────────────────────────────────────────

  /** The engine's LLM mode and the models Ollama has installed (or why they cannot be listed). */
  async llmOverview(): Promise<LlmOverview> {
    const status = this.service.llmStatus();
    try {
      const models = await this.service.listLlmModels();
      return { status, installed: models.map((m) => ({ name: m.name, sizeBytes: m.sizeBytes, parameterSize: m.parameterSize })), problem: null };
    } catch (error) {
      return { status, installed: null, problem: (error as Error).message };
    }
  }

  /** Downloads the configured model into Ollama (only ever on the analyst's click), reporting progress. */
  pullLlmModel(onProgress: (progress: LlmPullProgress) => void): Promise<LlmStatus> {
    return this.service.pullLlmModel((p) => onProgress({ status: p.status, fraction: p.fraction }));
  }

  /** Checks the local model now rather than at the next background check. */
  recheckLlm(): Promise<LlmStatus> {
    return this.service.recheckLlm();
  }

  /**
   * Watches the subscribed folders while the workspace is open (the desktop app does), installing newer versions
   * as they appear; `onReport` hears what each scan installed or refused. Stops when the workspace closes.
   */
  watchPacks(onReport: (report: PackSyncReport) => void): Promise<void> {
    return this.service.packs.watchSubscriptions({ onReport: (r) => onReport(syncReportView(r)) });
  }

  onDeskEvent(listener: (event: DeskEvent) => void): () => void {
    return this.desk.onEvent(listener);
  }

  /**
   * Starts watching the connectors configured in `<data folder>/connectors.json`; returns their ids (none when
   * the file is missing or every connector is disabled). A mistake in the file is thrown, naming the field.
   */
  async startWatching(options: WatchOptions): Promise<string[]> {
    await this.stopWatching();
    this.secrets = options.secrets;
    this.watchOptions = options;
    const configs = await loadConnectorsConfig(this.dataDir);
    // Offline mode: connectors to other machines wait (paused, with the reason in their health) rather than
    // retrying refusals; folder connectors and those on this machine keep going.
    this.paused = options.offline || options.egress?.offline ? pausedOffline(configs) : new Map();
    const built = await buildConnectors(configs.filter((c) => !this.paused.has(c.id)), {
      dataDir: this.dataDir,
      secrets: options.secrets,
      offline: options.offline ?? false,
      ...(options.egress ? { egress: options.egress } : {}),
    });
    if (built.connectors.length === 0) return [];
    this.connectors = built;
    this.watcher = await Watcher.open({
      dataDir: this.dataDir,
      sink: this.desk,
      connectors: built.connectors,
      redact: built.redact,
      ...(options.onHealth ? { onHealth: options.onHealth } : {}),
    });
    this.watcher.start();
    return built.connectors.map((c) => c.connector.id);
  }

  /** The configured connectors with their health, or why `connectors.json` cannot be used. */
  async connectorsOverview(): Promise<ConnectorsOverview> {
    const file = join(this.dataDir, CONNECTORS_FILE);
    let configs;
    try {
      configs = await loadConnectorsConfig(this.dataDir);
    } catch (error) {
      return { file, connectors: [], problem: error instanceof Error ? error.message : String(error) };
    }
    const health = new Map(this.connectorHealth().map((h) => [h.id, h]));
    return {
      file,
      connectors: configs.map((c) => ({ id: c.id, kind: c.kind, enabled: c.enabled, writeBack: c.writeBack, health: health.get(c.id) ?? this.pausedHealth(c) })),
      problem: null,
    };
  }

  /** Checks one connector's address and credentials now; the answer says what is wrong in plain words. */
  async testConnector(id: string): Promise<ConnectorTestResult> {
    if (!this.secrets) return { id, ok: false, message: 'Vigil has not started watching the queues yet; try again in a moment.' };
    let built: BuiltConnectors | null = null;
    try {
      built = await buildConnectors(await loadConnectorsConfig(this.dataDir), { dataDir: this.dataDir, secrets: this.secrets, only: [id] });
      await built.connectors[0]!.connector.testConnection(AbortSignal.timeout(30_000));
      return { id, ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { id, ok: false, message: built ? built.redact(message) : message };
    } finally {
      for (const { connector } of built?.connectors ?? []) await connector.close?.().catch(() => undefined);
    }
  }

  /** Each watched connector's health (state, last sync, lag, backlog, last error in words). */
  connectorHealth(): ConnectorHealth[] {
    return this.watcher?.health() ?? [];
  }

  /** Fetches every page a connector has now, delivering its events (tests, "sync now"). */
  catchUp(connectorId: string): Promise<number> {
    if (!this.watcher) return Promise.reject(new Error('No connectors are being watched.'));
    return this.watcher.catchUp(connectorId);
  }

  /**
   * Posts a suggestion's text as an internal note on its ticket at the source (on the analyst's click only),
   * and records it as published. Refused unless the ticket's connector allows write-back.
   */
  async publishSuggestion(ticketId: string, suggestionId: string): Promise<ShownSuggestion> {
    const detail = await this.desk.openTicket(ticketId);
    const shown = detail?.suggestions.find((s) => s.id === suggestionId);
    if (!shown) throw new Error(`No suggestion ${suggestionId} on ticket ${ticketId}; reload the ticket.`);
    if (!this.connectors) throw new Error(`Ticket ${ticketId} does not come from a connector that is running, so nothing can be posted to it.`);
    await this.connectors.postNote(ticketId, shown.suggestion.text, AbortSignal.timeout(30_000));
    return this.desk.feedback({ ticketId, suggestionId, action: 'published' });
  }

  async stopWatching(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = null;
    this.connectors = null;
    await watcher?.stop();
  }

  // ── Connectors from the Settings screen (core/app/connectorConfig.ts) ──────────────────────────────────

  /** Every connector kind with its form, generated from the kind's settings schema. */
  connectorForms(): ConnectorKindForm[] {
    return describeConnectorKinds();
  }

  /** One connector's settings for the edit form; for secrets only whether one is stored. */
  connectorForEdit(id: string, secrets: SecretStore): Promise<ConnectorEditView> {
    return readConnectorForEdit(this.dataDir, id, secrets);
  }

  /**
   * Checks an unsaved connector: the form's fields, then its address and credentials (the secrets typed in, else
   * those stored), as `testConnector` does for a saved one. Nothing is written.
   */
  async testConnectorDraft(request: SaveConnectorRequest, secrets: SecretStore): Promise<ConnectorSaveResult> {
    const checked = await checkConnectorDraft(this.dataDir, request);
    if (!checked.ok) return checked;
    const typed = checked.secrets;
    const overlay: SecretStore = {
      get: async (name) => typed.get(name) ?? (await secrets.get(name)),
      set: () => Promise.reject(new Error('A connection test stores no secrets.')),
      delete: async () => false,
      list: async () => [...new Set([...typed.keys(), ...(await secrets.list())])].sort(),
    };
    let built: BuiltConnectors | null = null;
    const id = checked.config.id;
    try {
      // The admin asked to reach this host: it is allowed on the app's policy, as saving would allow it.
      built = await buildConnectors([checked.config], {
        dataDir: this.dataDir,
        secrets: overlay,
        only: [id],
        offline: this.watchOptions?.offline ?? false,
        ...(this.watchOptions?.egress ? { egress: this.watchOptions.egress } : {}),
      });
      await built.connectors[0]!.connector.testConnection(AbortSignal.timeout(30_000));
      return { ok: true, id };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, message: built ? built.redact(message) : redactSecrets(message, typed.values()), fieldErrors: {} };
    } finally {
      for (const { connector } of built?.connectors ?? []) await connector.close?.().catch(() => undefined);
    }
  }

  /**
   * Adds or changes a connector in connectors.json (secrets to `secrets`), then restarts watching so the change is
   * picked up at once and the connector's host is allowed. `watchProblem` says why watching could not restart.
   */
  async saveConnector(request: SaveConnectorRequest, secrets: SecretStore): Promise<ConnectorSaveResult & { watchProblem?: string | null }> {
    const result = await saveConnectorSettings(this.dataDir, request, secrets);
    if (!result.ok) return result;
    return { ...result, watchProblem: await this.restartWatching() };
  }

  /** Removes a connector (its secrets deleted, its sync state kept) and restarts watching without it. */
  async removeConnector(id: string, secrets: SecretStore): Promise<ConnectorRemoval & { watchProblem: string | null }> {
    const removal = await removeConnectorSettings(this.dataDir, id, secrets);
    return { ...removal, watchProblem: await this.restartWatching() };
  }

  /** Starts watching again with the options it was last started with; the problem in words, or null. */
  private async restartWatching(): Promise<string | null> {
    if (!this.watchOptions) return null;
    try {
      await this.startWatching(this.watchOptions);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  // ── The reply box (core/app/replyDrafts.ts) ─────────────────────────────────────────────────────────

  private drafts(): Promise<ReplyDrafts> {
    this.replyDrafts ??= ReplyDrafts.open(this.dataDir, {
      onWarning: (message) => log.warn(message),
      storageText: (ticketId, text) => this.desk.storageText(ticketId, text), // redacted under "redact before storage"
    });
    return this.replyDrafts;
  }

  private draftView(ticketId: string, drafts: ReplyDrafts): ReplyDraftView {
    const draft = drafts.get(ticketId);
    const can = this.connectors?.writeCapabilities(ticketId) ?? {
      note: false,
      reply: false,
      reason: `Ticket ${ticketId} does not come from a connector that is running, so nothing can be posted to it; copy the reply instead.`,
    };
    return {
      ticketId,
      text: draft?.text ?? '',
      insertedSuggestionIds: draft?.insertedSuggestionIds ?? [],
      updatedAt: draft?.updatedAt ?? null,
      canPostNote: can.note,
      canSendReply: can.reply,
      writeProblem: can.reason,
    };
  }

  /** The ticket's reply draft (kept across restarts) and what its source can take. */
  async replyDraft(ticketId: string): Promise<ReplyDraftView> {
    return this.draftView(ticketId, await this.drafts());
  }

  /** Keeps the ticket's reply draft; `insertedSuggestionIds` are the suggestions inserted into it. */
  async saveReplyDraft(ticketId: string, text: string, insertedSuggestionIds: readonly string[]): Promise<ReplyDraftView> {
    const drafts = await this.drafts();
    await drafts.save(ticketId, text, insertedSuggestionIds);
    return this.draftView(ticketId, drafts);
  }

  /**
   * Posts the analyst's reply to the ticket at its source, as an internal note or (after the analyst confirmed it)
   * as a reply to the customer; then records every suggestion inserted into it as published (the desk journal,
   * learning, Insights), appends the reply to `desk/replies.jsonl` and clears the draft.
   */
  async sendReply(ticketId: string, text: string, visibility: ReplyVisibility): Promise<SendReplyResult> {
    if (text.trim() === '') throw new Error('The reply is empty; write or insert something first.');
    if (!this.connectors) throw new Error(`Ticket ${ticketId} does not come from a connector that is running, so nothing can be posted to it; copy the reply instead.`);
    const signal = AbortSignal.timeout(30_000);
    if (visibility === 'public') await this.connectors.postReply(ticketId, text, signal);
    else await this.connectors.postNote(ticketId, text, signal);
    const drafts = await this.drafts();
    const inserted = drafts.get(ticketId)?.insertedSuggestionIds ?? [];
    const suggestions: ShownSuggestion[] = [];
    for (const suggestionId of inserted) {
      try {
        suggestions.push(await this.desk.feedback({ ticketId, suggestionId, action: 'published' }));
      } catch (error) {
        // The reply is out; a suggestion withdrawn since it was inserted has nothing left to credit.
        log.warn(`The reply on ${ticketId} was sent, but suggestion ${suggestionId} could not be marked as published: ${String(error)}`);
      }
    }
    const sent = await drafts.recordSent({ ticketId, visibility, text, suggestionIds: suggestions.map((s) => s.id) });
    return { sent, suggestions };
  }

  /**
   * The delayed review (docs/learning.md): tickets answered and quiet for the team's delay get their cited
   * knowledge kept, corrected (for review) or retired. One run at a time; a failure is logged and retried next time.
   */
  runDelayedReview(): Promise<void> {
    this.reviewing ??= this.service
      .runDelayedReview()
      .then((results) => {
        const changed = results.filter((r) => r.action !== 'keep').map((r) => r.entryId);
        if (changed.length > 0) this.desk.announceKnowledgeChange(changed);
      })
      .catch((error: unknown) => log.warn(`The delayed review failed; it runs again in a minute: ${String(error)}`))
      .finally(() => {
        this.reviewing = null;
      });
    return this.reviewing;
  }

  // ── Privacy, for the app's settings and audit view (docs/privacy.md) ─────────────────────────────────

  /**
   * The Privacy section: the saved settings, what may leave the machine under `egress` (the process's policy in
   * the app), the data folder's protection and the store snapshots, newest first.
   */
  async privacyOverview(egress: EgressState): Promise<PrivacyOverview> {
    const [settings, network, dataFolder, snapshots] = await Promise.all([
      readPrivacySettings(this.dataDir),
      networkView(this.dataDir, egress),
      dataFolderView(this.dataDir),
      listSnapshots(this.dataDir),
    ]);
    return {
      settings,
      redactingBeforeStorage: this.redactingBeforeStorage,
      network,
      dataFolder,
      snapshots: snapshots.map(snapshotView).reverse(),
      auditFile: this.service.audit.file,
    };
  }

  /** Whether the running engine redacts tickets before learning from them (read from the settings at open). */
  redactsBeforeStorage(): boolean {
    return this.redactingBeforeStorage;
  }

  /**
   * Saves privacy settings. Offline mode is the caller's to apply to its egress policy (`setOffline`); redaction
   * before storage is read when the workspace opens, so it applies from the next open (ServiceHost.restart).
   */
  setPrivacySettings(change: Partial<PrivacySettings>): Promise<PrivacySettings> {
    return writePrivacySettings(this.dataDir, change);
  }

  /** Re-applies mode 0700 to the data folder (recorded in the audit log when it changed anything). */
  async repairDataFolder(): Promise<DataFolderView> {
    const result = await securePrivateFolder(this.dataDir);
    if (result.repaired) {
      const before = result.modeBefore === null ? 'unknown' : `0${(result.modeBefore & 0o777).toString(8)}`;
      await this.service.audit.append({ type: 'admin', action: 'permissions_repaired', detail: { modeBefore: before, modeAfter: '0700' } });
    }
    if (!result.repaired && result.warning) throw new Error(result.warning);
    return dataFolderView(this.dataDir);
  }

  /** Tags the store's current state as `name` (this workspace holds the folder's writer lock). */
  async tagSnapshot(name: string, reason: string): Promise<SnapshotView> {
    return snapshotView(await createSnapshot(this.dataDir, name, { lockHeld: true, reason, audit: this.service.audit }));
  }

  /** What rolling back to `name` would undo: entries created since, and newer snapshots left behind. */
  async rollbackPreview(name: string): Promise<RollbackPreview> {
    const snapshot = await readSnapshot(this.dataDir, name);
    let entriesAddedSince = 0;
    for await (const at of this.service.entryCreationTimes()) if (at > snapshot.createdAt) entriesAddedSince++;
    const newerSnapshots = (await listSnapshots(this.dataDir)).filter((s) => s.createdAt > snapshot.createdAt).length;
    return { snapshot: snapshotView(snapshot), entriesAddedSince, newerSnapshots };
  }

  /** One page of the audit log, newest first (see readAuditLogPage). */
  auditPage(options: AuditPageOptions): Promise<AuditPage> {
    return readAuditLogPage(this.dataDir, options);
  }

  /** Checks the audit log's hash chain, as `vigil audit verify`. */
  verifyAudit(): Promise<AuditVerificationView> {
    return verifyAuditView(this.dataDir);
  }

  /** Writes the audit log (or the records of one type) to `file`, in the format of `vigil audit export`. */
  async exportAudit(file: string, options: { format: 'jsonl' | 'csv'; type?: string }): Promise<AuditExportReport> {
    const type = options.type && (AUDIT_TYPES as readonly string[]).includes(options.type) ? (options.type as AuditType) : undefined;
    if (options.type && !type) throw new Error(`type: "${options.type}" is not a record type this version can export (use ${AUDIT_TYPES.join(', ')}, or none for all).`);
    const result = await exportAuditLog(this.dataDir, file, { format: options.format, ...(type ? { type } : {}) });
    return { file: result.file, exported: result.exported, format: options.format };
  }

  /** The health of a connector offline mode paused: stopped, with the reason as its last error; null otherwise. */
  private pausedHealth(config: { id: string; kind: string }): ConnectorHealth | null {
    const why = this.paused.get(config.id);
    if (!why) return null;
    return {
      id: config.id, kind: config.kind, state: 'stopped', lastSyncAt: null, lastEventAt: null, lagMs: null, backlog: 0, delivered: 0,
      duplicatesDropped: 0, invalidDropped: 0, consecutiveFailures: 0, lastError: why, lastErrorAt: null, issues: [], issuesTotal: 0, nextAttemptAt: null,
    };
  }

  /** Stops the watcher and the review timer, closes the desk's journal, then the engine (which drains its writes). */
  async close(): Promise<void> {
    if (this.reviewTimer) clearInterval(this.reviewTimer);
    this.reviewTimer = null;
    await this.reviewing;
    await (await this.replyDrafts?.catch(() => null))?.close();
    try {
      await this.stopWatching();
    } finally {
      try {
        await this.desk.close();
      } finally {
        await this.detachDenials?.();
        await this.service.close();
      }
    }
  }

  // ── The knowledge browser (core/app/knowledgeBrowser.ts) ───────────────────────────────────────────────

  /** One page of entries; see `CopilotService.listEntries`. */
  listEntries(request: EntryListRequest): Promise<EntryListPage> {
    return this.service.listEntries(request);
  }

  /** One entry with provenance, history and feedback counts, or null. */
  entryDetail(id: string): Promise<EntryDetail | null> {
    return this.service.entryDetail(id);
  }

  /** Saves an analyst's edit as a new version and tells every window the knowledge changed. */
  async reviseEntry(id: string, patch: EntryPatch, actor: string): Promise<EntryDetail> {
    const detail = await this.service.reviseEntry(id, patch, actor);
    this.desk.announceKnowledgeChange([id]);
    return detail;
  }

  /** Retires an entry or approves it again, and tells every window. */
  async setEntryStatus(id: string, status: 'approved' | 'retired', actor: string, note?: string): Promise<EntryDetail> {
    const detail = await this.service.setEntryStatus(id, status, actor, note);
    this.desk.announceKnowledgeChange([id]);
    return detail;
  }

  /** Restores an earlier version of an entry (as a new version) and tells every window. */
  async restoreEntryVersion(id: string, version: number, actor: string): Promise<EntryDetail> {
    await this.service.restoreEntry(id, version, actor);
    this.desk.announceKnowledgeChange([id]);
    const detail = await this.service.entryDetail(id);
    if (!detail) throw new Error(`Entry ${id} was restored but could not be read back; reload the knowledge list.`);
    return detail;
  }
}

/** The enabled connectors that connect to another machine, each with why offline mode pauses it. */
function pausedOffline(configs: readonly ConnectorConfig[]): Map<string, string> {
  const paused = new Map<string, string>();
  for (const config of configs) {
    const remote = config.enabled ? connectorHosts(config).filter((h) => !isLoopbackHost(h)) : [];
    if (remote.length === 0) continue;
    paused.set(config.id, `Paused: offline mode allows only this machine, and ${config.id} connects to ${remote.join(', ')}. Switch offline mode off in Settings → Privacy to resume.`);
  }
  return paused;
}

function keyView(key: { id: string; name: string; addedAt: string }): TrustedKeyView {
  return { id: key.id, name: key.name, addedAt: key.addedAt };
}

function syncReportView(r: ScanReport): PackSyncReport {
  return {
    folder: r.folder,
    unreachable: r.unreachable,
    installed: r.installed.map((i) => ({ file: i.file, name: i.pack.name, version: i.pack.version, outcome: i.outcome })),
    refused: r.refused.map((f) => ({ file: f.file, message: f.message })),
  };
}
