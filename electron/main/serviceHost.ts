/**
 * Owns the workspace for the main process: opens it once (eagerly at start-up, electron/main/index.ts; again after
 * a restart), tracks every call in flight, and on quit refuses new calls, waits for the running ones (an import may
 * be half-way through its batches) and then closes the workspace, which drains LanceDB's write queue (Signal Desktop
 * drains its SQL worker the same way).
 */
import type { CopilotService } from '../../core/app/copilotService';
import type { Desk } from '../../core/app/desk';
import type { KnowledgeImports } from '../../core/app/knowledgeImports';
import type { Replies } from '../../core/app/replies';
import type { Workspace } from '../../core/app/workspace';
import type { RuleAdmin } from '../../core/app/ruleAdmin';
import type { WhatIfRuns } from '../../core/app/whatIf';
import type { ConnectorService } from '../../core/watch/connectorService';
import type { EntryBrowser } from '../../core/knowledge/entryBrowser';
import type { Learning } from '../../core/learn/learning';
import type { LlmAdmin } from '../../core/llm/llmAdmin';
import type { PackViews } from '../../core/packs/packViews';
import type { PrivacyAdmin } from '../../core/privacy/privacyAdmin';
import type { TeamLink } from '../../core/team/teamLink';

/** The part of the workspace the desktop app uses: the feature services its handlers call, and the shell's hooks. */
export interface DesktopService extends Pick<Workspace, 'insights' | 'resetGateRecalibration' | 'setGateRecalibration' | 'close'> {
  service: Pick<CopilotService, 'status' | 'waitForReindex'>;
  imports: Pick<KnowledgeImports, 'describe' | 'importPath' | 'helpCenters' | 'importHelpCenter'>;
  rules: Pick<RuleAdmin, 'view' | 'save' | 'setEnabled' | 'remove' | 'test'>;
  whatIf: Pick<WhatIfRuns, 'start' | 'status' | 'cancel' | 'saveReport'>;
  desk: Pick<Desk, 'listTickets' | 'openTicket' | 'feedback'>;
  connectors: Pick<ConnectorService, 'overview' | 'test' | 'forms' | 'forEdit' | 'testDraft' | 'save' | 'remove' | 'startWatching'>;
  replies: Pick<Replies, 'draft' | 'saveDraft' | 'send' | 'publishSuggestion'>;
  learning: Pick<Learning, 'reviewQueue' | 'reviewEntry'>;
  knowledge: Pick<EntryBrowser, 'searchKnowledge' | 'listEntries' | 'entryDetail' | 'reviseEntry' | 'setEntryStatus' | 'restoreEntryVersion'>;
  packs: Pick<PackViews, 'overview' | 'install' | 'remove' | 'trustKeyFile' | 'untrustKey' | 'subscribe' | 'unsubscribe' | 'sync'>;
  llm: Pick<LlmAdmin, 'overview' | 'pull' | 'recheck'>;
  privacy: Pick<
    PrivacyAdmin,
    'overview' | 'redactsBeforeStorage' | 'setSettings' | 'repairDataFolder' | 'tagSnapshot' | 'rollbackPreview' | 'auditPage' | 'verifyAudit' | 'exportAudit'
  >;
  /** The link to the team store (core/team/teamLink.ts); null or absent for a personal data folder. */
  team?: Pick<TeamLink, 'status' | 'syncOnce' | 'mergePersonal'> | null;
}

/** The workspace, opened once and reopened on `restart`, with a draining shutdown. */
export class ServiceHost {
  private opening: Promise<DesktopService> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;
  /** Set while `restart` drains and closes the engine; calls made meanwhile wait for the new one. */
  private restarting: Promise<void> | null = null;

  /** `open` runs on the first use (the shell makes one at start-up) and again after a restart or a failed open. */
  constructor(private readonly open: () => Promise<DesktopService>) {}

  /** Runs `work` against the engine; refused once shutdown has begun. */
  use<T>(work: (service: DesktopService) => Promise<T>): Promise<T> {
    if (this.closing) {
      return Promise.reject(new Error('Vigil is shutting down and no longer takes requests. Start it again to continue.'));
    }
    const run = (this.restarting ?? Promise.resolve()).then(() => this.service()).then(work);
    this.inFlight.add(run);
    const forget = (): void => {
      this.inFlight.delete(run);
    };
    run.then(forget, forget);
    return run;
  }

  /**
   * Closes the engine and opens it again (after the data folder's embedder changed: opening re-indexes into
   * the new model's table). Calls in flight finish first; calls made meanwhile wait and then run on the new
   * engine. Resolves once it is open; rejects, saying why, when it cannot be opened (the next call tries again).
   * `whileClosed` runs after the engine closed and before it opens again (a store rollback needs the folder's
   * writer lock); if it fails the engine is opened again all the same, and `restart` rejects with its error.
   */
  async restart(whileClosed?: () => Promise<void>): Promise<void> {
    if (this.closing) throw new Error('Vigil is shutting down and cannot restart its workspace now.');
    if (!this.restarting) {
      const previous = this.opening;
      const running = [...this.inFlight];
      this.restarting = (async () => {
        try {
          await Promise.allSettled(running);
          const service = await previous?.catch(() => null);
          await service?.close();
          await whileClosed?.();
        } finally {
          this.opening = null;
          this.restarting = null;
        }
      })();
    } else if (whileClosed) {
      // Another restart is under way: run this one's work in a restart of its own once that one is done.
      await this.restarting.catch(() => undefined);
      return this.restart(whileClosed);
    }
    const restarted = this.restarting;
    try {
      await restarted;
    } finally {
      await this.service();
    }
  }

  /** Waits for calls in flight, then closes the engine. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= this.drainAndClose();
    return this.closing;
  }

  private service(): Promise<DesktopService> {
    this.opening ??= this.open().catch((error: unknown) => {
      // Let the next call try again (the folder may have been locked by a CLI run), but say why this one failed.
      this.opening = null;
      throw new Error(`Vigil could not open its knowledge store: ${errorMessage(error)}. Close other Vigil windows or \`vigil\` commands using the same data folder, then try again.`);
    });
    return this.opening;
  }

  private async drainAndClose(): Promise<void> {
    await this.restarting?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
    if (!this.opening) return;
    const service = await this.opening.catch(() => null);
    await service?.close();
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
