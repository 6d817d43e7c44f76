/**
 * Opening the engine's parts on a data folder, in order and with everything closed again if one fails: the
 * folder's protection, the knowledge store (re-indexed after a change of embedder, tagged first), the audit log,
 * the installed packs, the log of shown suggestions, the local model and its monitor, and the learning loop.
 * copilotService.ts runs the pipeline on them.
 */
import { AlertEngine, DEFAULT_ALERT_RULES, type AlertRule } from '../assist/alerts';
import type { FollowupPolicy } from '../assist/followups';
import type { PrecedentVote } from '../assist/precedentVote';
import { ShownLog } from '../assist/shownLog';
import type { Embedder } from '../embed/embedder';
import { openConfiguredEmbedder } from '../embed/embedderFactory';
import { HashedEmbedder } from '../embed/hashedEmbedder';
import { KnowledgeStore } from '../knowledge/knowledgeStore';
import type { Clock } from '../learn/delayedReview';
import { Learning } from '../learn/learning';
import type { LanguageModel } from '../llm/languageModel';
import { LlmMonitor, type MonitorOptions } from '../llm/llmMonitor';
import { DEFAULT_OLLAMA_HOST, OllamaClient } from '../llm/ollamaClient';
import { EgressPolicy } from '../net/egress';
import { PackLibrary } from '../packs/packLibrary';
import { AuditLog, llmCallAudit, type AuditKeyring } from '../privacy/auditLog';
import { securePrivateFolder } from '../privacy/dataFolder';
import { noteCallRedactions } from '../privacy/decisionRedactions';
import { readPrivacySettings } from '../privacy/privacySettings';
import { createAutomaticSnapshot, snapshotBeforeReindex } from '../privacy/rollback';
import { RuleCentre } from '../rules/ruleCentre';
import { llmSemanticJudge } from '../rules/semanticJudge';

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
  /**
   * The team's documentation hosts: links to them may appear in model answers although the cited entries do not
   * contain them, and links the analyst shares from them are fetched as article candidates. Default: the data
   * folder's list (Settings → Privacy, `vigil links`, `privacy.documentationHosts` in settings.json).
   */
  allowLinkHosts?: readonly string[];
  /**
   * The policy shared links are fetched through: the process's, which the running connectors and the egress guard
   * use (the documentation hosts are allowed on it; refused in offline mode). Default: `egress`.
   */
  linkEgress?: EgressPolicy;
  /**
   * Interest rules for alerts. Default: the rule centre's (the data folder's rules/rules.json and installed packs'
   * rules, core/rules; the built-in DEFAULT_ALERT_RULES until the team saves its own). Given here, they are used
   * as they are until the rule centre saves a change.
   */
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
  /**
   * Where the audit log keeps a copy of its anchor out of the data folder's reach (the app's keychain-backed secret
   * store), so a dropped last record shows even when `audit/anchor.json` was rewritten too. Default: none.
   */
  auditKeyring?: AuditKeyring;
  /** The precedent vote (core/assist/precedentVote.ts); default PRECEDENT_VOTE, `null` for none (benchmarks that fit it). */
  precedentVote?: PrecedentVote | null;
}

/** The engine's open parts; `CopilotService` owns and closes them. */
export interface EngineParts {
  store: KnowledgeStore;
  library: PackLibrary;
  audit: AuditLog;
  shownLog: ShownLog;
  alerts: AlertEngine;
  /** The team's interest rules (rules/rules.json and packs), applied to `alerts` on every change. */
  rules: RuleCentre;
  monitor: LlmMonitor;
  llmClient: OllamaClient | null;
  learning: Learning;
  /** The embedder opened here (from the folder's settings), released on close; null when the caller gave one. */
  ownedEmbedder: Embedder | null;
  redactBeforeStorage: boolean;
  /** The team's documentation hosts (`CopilotOptions.allowLinkHosts`, else the data folder's). */
  allowLinkHosts: readonly string[];
  /** The policy every outbound connection of the engine goes through (the Ollama client's). */
  egress: EgressPolicy;
  /** The policy shared links are fetched through (`CopilotOptions.linkEgress`, else `egress`). */
  linkEgress: EgressPolicy;
}

/** Opens the engine's parts on `options.dataDir`; with `llm`, checks the model once before returning. */
export async function openEngineParts(options: CopilotOptions): Promise<EngineParts> {
  const folder = await securePrivateFolder(options.dataDir); // mode 0700, repaired with a warning
  if (folder.warning) options.onProgress?.(folder.warning);
  // A damaged setting stops the open with the error naming it: learning must not store what the team redacts.
  const saved = options.redactBeforeStorage === undefined || options.allowLinkHosts === undefined ? await readPrivacySettings(options.dataDir) : null;
  const redactBeforeStorage = options.redactBeforeStorage ?? saved!.redactBeforeStorage;
  const allowLinkHosts = options.allowLinkHosts ?? saved!.documentationHosts;
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
    audit = await AuditLog.open(options.dataDir, options.auditKeyring ? { keyring: options.auditKeyring } : {});
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
    shownLog = await ShownLog.open(options.dataDir, embedder);
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
    // Semantic rules with a description are judged by the local model while one runs (core/rules/semanticJudge.ts).
    const judge = llmSemanticJudge(() => monitor.model());
    const alerts = new AlertEngine(DEFAULT_ALERT_RULES, embedder, judge);
    const packs = library;
    const rules = new RuleCentre({
      dataDir: options.dataDir,
      embedder,
      judge,
      packRules: () => packs.rules(options.onProgress),
      apply: (enabled) => alerts.setRules(enabled),
    });
    // A damaged rules file must not keep the copilot from starting: it says why, and the built-in rules watch meanwhile.
    const enabled =
      options.alertRules ??
      (await rules.enabledRules().catch((error: unknown) => {
        options.onProgress?.(`${(error as Error).message} The built-in rules are used until it is fixed.`);
        return DEFAULT_ALERT_RULES;
      }));
    alerts.setRules(enabled);
    const learning = await Learning.open(options, store, audit);
    return { store, library, audit, shownLog, alerts, rules, monitor, llmClient: client, learning, ownedEmbedder: owned, redactBeforeStorage, allowLinkHosts, egress, linkEgress: options.linkEgress ?? egress };
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
