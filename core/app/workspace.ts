/**
 * A team's workspace as the long-running front doors use it (the desktop app, `vigil watch`): the engine
 * (CopilotService) and the analyst's desk on one data folder, opened and closed together.
 */
import type { Embedder } from '../embed/embedder';
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
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
}

export class Workspace {
  private constructor(
    readonly service: CopilotService,
    readonly desk: Desk,
  ) {}

  static async open(options: WorkspaceOptions): Promise<Workspace> {
    const service = await CopilotService.open({
      dataDir: options.dataDir,
      ...(options.embedder ? { embedder: options.embedder } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    try {
      const desk = await Desk.open(options.dataDir, service, {
        ...(options.learnPolicy ? { learnPolicy: options.learnPolicy } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
      return new Workspace(service, desk);
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

  /** Closes the desk's journal, then the engine (which drains its write queue). */
  async close(): Promise<void> {
    try {
      await this.desk.close();
    } finally {
      await this.service.close();
    }
  }
}
