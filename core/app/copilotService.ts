/**
 * The one façade of the engine. The desktop app (over IPC), the `vigil` CLI and the tests all drive the product
 * through this class, so every front door gets the same behaviour.
 */
import { basename } from 'node:path';
import { Assistant } from '../assist/assistant';
import type { Embedder } from '../embed/embedder';
import { HashedEmbedder } from '../embed/hashedEmbedder';
import { formatLineIssue, JsonlWriter, readJsonl } from '../formats/jsonl';
import { EntrySchema, type Suggestion, type Ticket } from '../formats/schemas';
import { KnowledgeStore } from '../knowledge/knowledgeStore';
import { sourceTicketOf, toStoredEntry, type EntryStatus, type StoredEntry } from '../knowledge/storedEntry';
import type { LearnPolicy } from '../learn/ticketLearner';
import type { ImportReport, KnowledgeHit, ServiceStatus } from './serviceTypes';
import { FeedbackCenter } from '../feedback/feedbackCenter';
import type { EntryFeedback } from '../feedback/feedbackStats';
import type { FeedbackInput, SuggestionEvent } from '../feedback/suggestionEvents';
import type { LanguageModel } from '../llm/languageModel';
import { DelayedReviewScheduler, judgeByRules, judgeWithLlm, type Clock, type ReviewVerdict } from '../learn/delayedReview';
import { EntryHistory, type HistoryRecord } from '../learn/entryHistory';
import { LearningLoop, type LearnOutcome } from '../learn/learningLoop';
import { loadLearningSettings, saveLearningSettings, type LearnMode, type LearningSettings } from '../learn/learningSettings';
import { ReviewDesk, type EntryEdit, type ReviewItem } from '../learn/reviewQueue';

export interface CopilotOptions {
  /** The team's data folder; created when missing. */
  dataDir: string;
  /** Defaults to the built-in embedder, which needs no model files. */
  embedder?: Embedder;
  /** Reports long-running work (re-indexing) in words. */
  onProgress?: (message: string) => void;
  /** The time source of learning and feedback (delayed review, history); tests move it by hand. */
  clock?: Clock;
  /** A local model for extracting and reviewing learned entries; without one, rules do it. */
  learningModel?: LanguageModel | null;
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

export class CopilotService {
  private readonly assistant: Assistant;

  private constructor(
    private readonly store: KnowledgeStore,
    private readonly learning: Learning,
  ) {
    this.assistant = new Assistant(store);
  }

  /** Opens the engine on a team's data folder. */
  static async open(options: CopilotOptions): Promise<CopilotService> {
    const embedder = options.embedder ?? new HashedEmbedder();
    const settings = await loadLearningSettings(options.dataDir);
    const store = await KnowledgeStore.open(options.dataDir, embedder, options.onProgress);
    try {
      const clock = options.clock ?? (() => new Date());
      const history = await EntryHistory.open(options.dataDir);
      const feedback = await FeedbackCenter.open(options.dataDir, settings.demotion, reinstatedEntries(history));
      const scheduler = await DelayedReviewScheduler.open(options.dataDir, clock);
      feedback.retainTickets(scheduler.pendingIds()); // older tickets' events are only in the log (and the stats)
      for (const issue of [...history.issues, ...feedback.issues]) {
        options.onProgress?.(`Skipped a damaged line (the rest was loaded): ${formatLineIssue(issue)}`);
      }
      const model = options.learningModel ?? null;
      const loop = new LearningLoop(store, history, settings, model);
      const desk = new ReviewDesk(store, history, clock);
      return new CopilotService(store, { history, feedback, scheduler, loop, desk, settings, clock, model });
    } catch (err) {
      await store.close();
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

  /** Searches approved knowledge, as the analyst does from the knowledge view. */
  async searchKnowledge(query: string, limit = 10): Promise<KnowledgeHit[]> {
    const hits = await this.store.search(query, { limit });
    return hits.map((hit) => ({
      id: hit.entry.id,
      kind: hit.entry.kind,
      status: hit.entry.status,
      title: hit.entry.title ?? null,
      question: hit.entry.question ?? null,
      body: hit.entry.body,
      sourceTicketId: sourceTicketOf(hit.entry),
      score: Math.round(hit.similarity * 1000) / 1000,
    }));
  }

  /**
   * Runs the proactive pipeline after a customer message. `ticket` is a snapshot that holds the conversation at
   * least up to `messageIndex`; `arrivedAt` is when the message arrived (`performance.now()`), for latency.
   */
  async assistOnMessage(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<Suggestion> {
    const suggestion = await this.assistant.onCustomerMessage(ticket, messageIndex, arrivedAt);
    const shownEntry = suggestion.citations[0]?.entryId;
    if (suggestion.shown && shownEntry) {
      // The engine records what it shows; the front ends record what the analyst does with it.
      await this.learning.feedback.record({
        type: 'shown',
        ticketId: ticket.id,
        afterMessageId: suggestion.afterMessageId,
        entryIds: suggestion.citations.map((c) => c.entryId),
        at: this.learning.clock().toISOString(),
        actor: 'engine',
      });
      this.learning.scheduler.noteActivity(ticket.id, ticket);
    } else if (this.learning.scheduler.isPending(ticket.id)) {
      this.learning.scheduler.noteActivity(ticket.id, ticket);
    }
    return suggestion;
  }

  /**
   * Learns from a closed ticket: its case and Q&A entries, deduplicated against the knowledge (merged into a
   * twin, or flagged as a conflict). `auto` approves them (replay), `review` proposes them all, `team` follows
   * the team's learning settings (review always, or auto-approve above a confidence).
   */
  async learnFromClosedTicket(ticket: Ticket, policy: LearnPolicy): Promise<LearnResult> {
    this.assistant.onTicketClosed(ticket.id);
    const { feedback, scheduler, loop, clock } = this.learning;
    const answered = new Set(
      feedback
        .eventsOf(ticket.id)
        .filter((e) => ['inserted', 'copied', 'published', 'liked'].includes(e.type) && e.afterMessageId)
        .map((e) => e.afterMessageId as string),
    );
    const outcome = await loop.learn(ticket, LEARN_MODES[policy], { answeredBySuggestion: answered, now: clock() });
    if (scheduler.isPending(ticket.id)) scheduler.noteActivity(ticket.id, ticket);
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
    const stored = await feedback.record({ ...event, at: event.at ?? clock().toISOString() });
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
          await desk.retire(entry.id, 'review:delayed', `${verdict.reason} (ticket ${ticketId})`);
          if (entry.id !== cited.id) await desk.retire(cited.id, 'review:delayed', `${verdict.reason} (ticket ${ticketId})`);
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

  /** Finishes queued writes and releases the data folder. */
  async close(): Promise<void> {
    try {
      await this.learning.scheduler.save();
      await this.learning.history.close();
      await this.learning.feedback.close();
    } finally {
      await this.store.close();
    }
  }
}
