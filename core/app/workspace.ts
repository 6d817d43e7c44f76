/**
 * A team's workspace as the long-running front door uses it (the desktop app): the engine (CopilotService),
 * the analyst's desk and the queue watcher on one data folder, opened and closed together. The watcher feeds
 * the connectors' events to the desk, which decides and learns through the engine.
 */
import { buildConnectors, loadConnectorsConfig, type BuiltConnectors } from '../connectors/registry';
import type { Embedder } from '../embed/embedder';
import { readLlmSetting } from '../llm/llmSetting';
import type { SecretStore } from '../secrets/secretStore';
import { Watcher, type ConnectorHealth } from '../watch/watcher';
import type { LearnPolicy } from '../learn/ticketLearner';
import { CopilotService } from './copilotService';
import { Desk } from './desk';
import type { DeskEvent, FeedbackRequest, ShownSuggestion, TicketDetail, TicketSummary } from './deskTypes';
import { computeInsights, type Insights } from './insights';
import type { ImportReport, KnowledgeHit, ServiceStatus } from './serviceTypes';

export interface WorkspaceOptions {
  dataDir: string;
  embedder?: Embedder;
  learnPolicy?: LearnPolicy;
  /** The local LLM; default the data folder's setting (`vigil llm use`); null forces retrieval-only. */
  llm?: { model: string; host?: string } | null;
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
}

export interface WatchOptions {
  /** Where connector credentials come from (safeStorage in the app). */
  secrets: SecretStore;
  /** Loopback only: refuse every connector host. */
  offline?: boolean;
  /** Hears every change of a connector's health. */
  onHealth?: (health: ConnectorHealth) => void;
}

export class Workspace {
  private watcher: Watcher | null = null;
  private connectors: BuiltConnectors | null = null;

  private constructor(
    readonly service: CopilotService,
    readonly desk: Desk,
    private readonly dataDir: string,
  ) {}

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    // The team's local model (`vigil llm use`), unless the caller chose one; none means retrieval-only.
    const llm = options.llm === undefined ? await readLlmSetting(options.dataDir) : options.llm;
    const service = await CopilotService.open({
      dataDir: options.dataDir,
      ...(llm ? { llm } : {}),
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    try {
      const desk = await Desk.open(options.dataDir, service, {
        ...(options.learnPolicy ? { learnPolicy: options.learnPolicy } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
      return new Workspace(service, desk, options.dataDir);
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

  /** Suggestions shown and used, acceptance and knowledge growth over the last `days` days. */
  async insights(days = 14): Promise<Insights> {
    const created: string[] = [];
    for await (const at of this.service.entryCreationTimes()) created.push(at);
    return computeInsights(this.desk.allShown(), created, new Date(), days);
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
    const configs = await loadConnectorsConfig(this.dataDir);
    const built = await buildConnectors(configs, { dataDir: this.dataDir, secrets: options.secrets, offline: options.offline ?? false });
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

  /** Stops the watcher, closes the desk's journal, then the engine (which drains its write queue). */
  async close(): Promise<void> {
    try {
      await this.stopWatching();
    } finally {
      try {
        await this.desk.close();
      } finally {
        await this.service.close();
      }
    }
  }
}
