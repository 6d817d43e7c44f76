/**
 * Feedback for one data folder: the append-only event log, the per-entry statistics folded from it, and the
 * events of each ticket still waiting for its delayed review. Opening reads the whole log once; a bad line is
 * reported (file, line, field) and skipped, the rest is loaded.
 */
import type { LineIssue } from '../formats/lineIssue';
import { DEFAULT_DEMOTION_RULE, FeedbackStats, type DemotionRule, type EntryFeedback } from './feedbackStats';
import { DEFAULT_GATE_CALIBRATION, GateCalibration, type GateCalibrationSettings } from './gateCalibration';
import { eventLogPath, SuggestionEventLog, type SuggestionEvent } from './suggestionEvents';

export class FeedbackCenter {
  private readonly byTicket = new Map<string, SuggestionEvent[]>();
  private readonly listeners = new Set<(event: SuggestionEvent) => Promise<void>>();

  private constructor(
    private readonly log: SuggestionEventLog,
    readonly stats: FeedbackStats,
    /** The team's recalibration of the retrieval gate, folded from the same events (gateCalibration.ts). */
    readonly gate: GateCalibration,
    /** Lines of the event log that could not be read; the others were loaded. */
    readonly issues: LineIssue[],
  ) {}

  /**
   * `reinstated` maps entries restored after a retirement to when that happened: feedback before it no longer
   * counts towards demotion (see FeedbackStats.reinstate). `gate`: the team's gate recalibration setting.
   */
  static async open(
    dataDir: string,
    rule: DemotionRule = DEFAULT_DEMOTION_RULE,
    reinstated: ReadonlyMap<string, string> = new Map(),
    gate: GateCalibrationSettings = DEFAULT_GATE_CALIBRATION,
  ): Promise<FeedbackCenter> {
    const center = new FeedbackCenter(new SuggestionEventLog(eventLogPath(dataDir)), new FeedbackStats(rule), new GateCalibration(gate), []);
    for (const [entryId, at] of reinstated) center.stats.reinstate(entryId, at);
    for await (const event of center.log.read((issue) => center.issues.push(issue))) center.fold(event);
    return center;
  }

  /** Validates, stores (fsynced) and counts one event; then tells the listeners (the team store link). */
  async record(event: unknown): Promise<SuggestionEvent> {
    const stored = await this.log.append(event);
    this.fold(stored);
    for (const listener of this.listeners) await listener(stored);
    return stored;
  }

  /**
   * Stores and counts another analyst's event from the team store (core/team/teamLink.ts): it weighs in the
   * entry's statistics like a local one, but the listeners do not hear it (it is not shared back) and it is not
   * kept with this desk's tickets, whose delayed review is this analyst's own.
   */
  async recordFromTeam(event: unknown): Promise<SuggestionEvent> {
    const stored = await this.log.append(event);
    this.stats.add(stored);
    this.gate.add(stored);
    return stored;
  }

  /** Hears every event `record` stored, before `record` returns. Returns the unsubscribe function. */
  onRecorded(listener: (event: SuggestionEvent) => Promise<void>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The events recorded for a ticket since it was last reviewed, in order. */
  eventsOf(ticketId: string): SuggestionEvent[] {
    return [...(this.byTicket.get(ticketId) ?? [])];
  }

  /** Keeps in memory only the events of these tickets (those still waiting for their review). */
  retainTickets(ticketIds: ReadonlySet<string>): void {
    for (const id of [...this.byTicket.keys()]) if (!ticketIds.has(id)) this.byTicket.delete(id);
  }

  /** Drops a reviewed ticket's events from memory (they stay in the log). */
  forgetTicket(ticketId: string): void {
    this.byTicket.delete(ticketId);
  }

  of(entryId: string): EntryFeedback {
    return this.stats.of(entryId);
  }

  /** Score factor for retrieval (1 = neutral); see FeedbackStats.boost. */
  boost(entryId: string): number {
    return this.stats.boost(entryId);
  }

  /** Every event on disk, for audits and recomputation. */
  events(onIssue?: (issue: LineIssue) => void): AsyncGenerator<SuggestionEvent> {
    return this.log.read(onIssue);
  }

  close(): Promise<void> {
    return this.log.close();
  }

  private fold(event: SuggestionEvent): void {
    this.stats.add(event);
    this.gate.add(event);
    const list = this.byTicket.get(event.ticketId) ?? [];
    list.push(event);
    this.byTicket.set(event.ticketId, list);
  }
}
