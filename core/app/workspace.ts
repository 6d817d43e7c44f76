/**
 * The composition root of the desktop app: one team's data folder opened as the engine (CopilotService), the
 * analyst's desk and the feature services built on them, opened and closed together. Each front-door call goes
 * straight to the service that owns it (electron/main/*Handlers.ts):
 *
 * - `desk`: the watched tickets, their suggestions and the analyst's feedback (desk.ts);
 * - `connectors`: watching the queues, their health, and Settings → Connectors (core/connectors);
 * - `replies`: reply drafts, notes and replies posted to the ticket's source (replies.ts);
 * - `learning`: the review queue and the delayed review (core/learn);
 * - `knowledge`: knowledge search and the Knowledge screen's browsing and edits (core/knowledge);
 * - `packs`: Settings → Packs (core/packs); `llm`: Settings → Models' local LLM (core/llm);
 * - `privacy`: Settings → Privacy and the audit view (core/privacy);
 * - `imports`: the Import screen: files, CSV with a column mapping, article folders, help centers (knowledgeImports.ts);
 * - `rules`: Settings → Rules, the rule centre (ruleAdmin.ts over core/rules); `whatIf`: Insights → What if, the
 *   what-if replay on a recorded queue (whatIf.ts);
 * - `service`: the engine itself (status, import, the LLM mode);
 * - `team`: the link to the team store when the data folder is in one (core/team/teamLink.ts), else null.
 *
 * The watcher feeds the connectors' events to the desk, which decides and learns through the engine.
 */
import type { Embedder } from '../embed/embedder';
import type { GateCalibrationStatus } from '../feedback/gateCalibration';
import { ConnectorService, type WatchOptions } from '../watch/connectorService';
import type { EntryBrowser } from '../knowledge/entryBrowser';
import type { Learning } from '../learn/learning';
import type { LearnPolicy } from '../learn/ticketLearner';
import type { LlmAdmin } from '../llm/llmAdmin';
import { readLlmSetting } from '../llm/llmSetting';
import { PackViews } from '../packs/packViews';
import type { AuditKeyring } from '../privacy/auditLog';
import type { EgressDenialLog } from '../privacy/egressDenials';
import { EgressPolicy } from '../net/egress';
import { PrivacyAdmin } from '../privacy/privacyAdmin';
import { readPrivacySettings } from '../privacy/privacySettings';
import { log } from '../privacy/redactingLogger';
import { webhookFetch } from '../rules/alertDelivery';
import type { SecretStore } from '../secrets/secretStore';
import { openTeamLink, type TeamLink } from '../team/teamLink';
import { CopilotService } from './copilotService';
import { Desk } from './desk';
import { KnowledgeImports } from './knowledgeImports';
import { computeInsights, type Insights } from './insights';
import { Replies } from './replies';
import { RuleAdmin } from './ruleAdmin';
import { WhatIfRuns } from './whatIf';

export type { WatchOptions };

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
  /**
   * The audit log's keeper of its anchor out of the data folder's reach: the app's keychain-backed secret store.
   * The audit log writes to it and the audit view verifies against it (core/privacy/auditLog.ts).
   */
  auditKeyring?: AuditKeyring;
  /**
   * The team store (docs/team.md), used when the data folder has a team.json: where its keys are (the OS keychain
   * in the app; the data folder's secret file by default), the process's egress policy, which is made to allow
   * exactly the store's endpoint (host and port), and how often to sync (default TEAM_SYNC_EVERY_MS; 0: only on request).
   */
  team?: { secrets?: SecretStore; egress?: Pick<EgressPolicy, 'checkEndpoint' | 'allowEndpoint'>; syncEveryMs?: number };
  /**
   * The process's egress policy (the one the app's guard enforces and the connectors run on): the team's
   * documentation hosts are allowed on it, and shared links are fetched through it, so offline mode refuses them.
   * Without it no shared link is fetched (the engine's own policy is loopback only).
   */
  egress?: EgressPolicy;
}

export class Workspace {
  readonly connectors: ConnectorService;
  readonly replies: Replies;
  readonly privacy: PrivacyAdmin;
  readonly packs: PackViews;
  readonly learning: Learning;
  readonly knowledge: EntryBrowser;
  readonly llm: LlmAdmin;
  readonly imports: KnowledgeImports;
  readonly rules: RuleAdmin;
  readonly whatIf: WhatIfRuns;
  private reviewTimer: NodeJS.Timeout | null = null;
  private reviewing: Promise<void> | null = null;
  private detachDenials: (() => Promise<void>) | null = null;
  /** The link to the team store, or null for a personal data folder. */
  team: TeamLink | null = null;

  private constructor(
    /** The engine: status, import, the LLM mode, and the pipeline the desk drives. */
    readonly service: CopilotService,
    readonly desk: Desk,
    /** The team's data folder this workspace holds. */
    readonly dataDir: string,
    redactingBeforeStorage: boolean,
    auditKeyring: AuditKeyring | undefined,
    embedder: Embedder | undefined,
  ) {
    this.connectors = new ConnectorService(dataDir, desk);
    this.replies = new Replies(dataDir, desk, () => this.connectors.running());
    this.packs = new PackViews(service.packs);
    this.learning = service.learning;
    this.knowledge = service.knowledge;
    this.llm = service.llm;
    this.imports = new KnowledgeImports(dataDir, service, this.connectors);
    // Webhooks are checked against the policy delivery uses (below): the running connectors', else loopback only.
    this.rules = new RuleAdmin({ dataDir, centre: service.rules, egress: () => this.connectors.running()?.egress ?? new EgressPolicy({ offline: true }) });
    this.whatIf = new WhatIfRuns({ dataDir, ...(embedder ? { embedder } : {}) });
    this.privacy = new PrivacyAdmin({
      dataDir,
      audit: service.audit,
      redactingBeforeStorage,
      entryCreationTimes: () => service.entryCreationTimes(),
      connectorHosts: () => this.connectors.hosts(),
      ...(auditKeyring ? { auditKeyring } : {}),
      applyDocumentationHosts: (hosts) => service.setDocumentationHosts(hosts),
    });
    // Alerts whose rules say so go to the helpdesk as internal notes (the connector's write-back) or to webhooks,
    // through the connectors' egress policy: loopback and the allow-listed hosts only (docs/privacy.md).
    service.setAlertSinks({
      postNote: (ticketId, text, signal) => {
        const running = this.connectors.running();
        if (!running) return Promise.reject(new Error('no helpdesk connector is running'));
        return running.postNote(ticketId, text, signal);
      },
      fetch: webhookFetch(() => this.connectors.running()?.egress ?? new EgressPolicy({ offline: true })),
    });
    // An analyst's review, edit or restore and the delayed review's changes reach every window as desk events.
    service.learning.onKnowledgeChange((entryIds) => desk.announceKnowledgeChange(entryIds));
  }

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    // The team's local model (`vigil llm use`), unless the caller chose one; none means retrieval-only.
    const llm = options.llm === undefined ? await readLlmSetting(options.dataDir) : options.llm;
    const privacy = await readPrivacySettings(options.dataDir).catch((error: unknown) => {
      // A damaged "privacy" key must not keep the desk from opening; Settings → Privacy shows the same error.
      options.onWarning?.(`${(error as Error).message} Vigil opens without redaction before storage and fetches no shared link until it is fixed.`);
      return null;
    });
    const redactBeforeStorage = privacy?.redactBeforeStorage ?? false;
    const service = await CopilotService.open({
      dataDir: options.dataDir,
      redactBeforeStorage,
      allowLinkHosts: privacy?.documentationHosts ?? [],
      ...(options.egress ? { linkEgress: options.egress } : {}),
      ...(llm ? { llm } : {}),
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.auditKeyring ? { auditKeyring: options.auditKeyring } : {}),
    });
    try {
      const desk = await Desk.open(options.dataDir, service, {
        ...(options.learnPolicy ? { learnPolicy: options.learnPolicy } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
        redactBeforeStorage,
      });
      const workspace = new Workspace(service, desk, options.dataDir, redactBeforeStorage, options.auditKeyring, options.embedder);
      workspace.detachDenials = options.egressDenials?.attach(service.audit) ?? null;
      workspace.team = await openTeamLink(options.dataDir, service, {
        ...options.team,
        announce: (entryIds) => desk.announceKnowledgeChange(entryIds),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
      const every = options.delayedReviewEveryMs ?? 60_000;
      if (every > 0) {
        workspace.reviewTimer = setInterval(() => {
          void workspace.runDelayedReview();
          desk.pollFollowups().catch((error: unknown) => log.warn(`Follow-up reminders could not be checked: ${String(error)}`));
        }, every);
        workspace.reviewTimer.unref();
      }
      return workspace;
    } catch (error) {
      await service.close();
      throw error;
    }
  }

  /** Suggestions shown and used, acceptance and knowledge growth over the last `days` days (desk and engine). */
  async insights(days = 14): Promise<Insights> {
    const created: string[] = [];
    for await (const at of this.service.entryCreationTimes()) created.push(at);
    return { ...computeInsights(this.desk.allShown(), created, new Date(), days), gate: this.service.gateCalibration() };
  }

  /**
   * Insights → "Start over": the gate's recalibration counts only the reactions from now on (those before stay in
   * the log); answers what the gate does now.
   */
  resetGateRecalibration(): Promise<GateCalibrationStatus> {
    return this.service.resetGateRecalibration();
  }

  /** Insights → "Recalibrate the gate from our feedback": the team setting switched; answers what the gate does now. */
  async setGateRecalibration(enabled: boolean): Promise<GateCalibrationStatus> {
    await this.learning.setGateRecalibration(enabled);
    return this.service.gateCalibration();
  }

  /**
   * The delayed review (docs/learning.md): tickets answered and quiet for the team's delay get their cited
   * knowledge kept, corrected (for review) or retired. One run at a time; a failure is logged and retried next time.
   */
  runDelayedReview(): Promise<void> {
    this.reviewing ??= this.learning
      .runDelayedReview()
      .then(() => this.learning.learnDuringTickets('team'))
      .then(() => undefined)
      .catch((error: unknown) => log.warn(`The delayed review failed; it runs again in a minute: ${String(error)}`))
      .finally(() => {
        this.reviewing = null;
      });
    return this.reviewing;
  }

  /** Stops the watcher and the review timer, closes the desk's journal, then the engine (which drains its writes). */
  async close(): Promise<void> {
    if (this.reviewTimer) clearInterval(this.reviewTimer);
    this.reviewTimer = null;
    await this.reviewing;
    // The team link first: its round writes into the store and the history the engine is about to close.
    await this.team?.close();
    await this.whatIf.close();
    await this.replies.close();
    try {
      await this.connectors.stopWatching();
    } finally {
      try {
        await this.desk.close();
      } finally {
        await this.detachDenials?.();
        await this.service.close();
      }
    }
  }
}
