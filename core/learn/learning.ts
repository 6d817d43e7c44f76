/**
 * The engine's learning side on one data folder (docs/learning.md): entry history, suggestion feedback, the
 * delayed review and its scheduler, the learning loop, the review queue of proposed entries, the team's learning
 * settings and bulk curation. The engine (core/app/copilotService.ts) feeds it what it showed and the tickets that
 * closed; analysts and scripts review, restore and delete through it.
 */
import { formatLineIssue } from '../formats/jsonl';
import { isClosedStatus, type Ticket } from '../formats/schemas';
import { FeedbackCenter } from '../feedback/feedbackCenter';
import type { EntryFeedback } from '../feedback/feedbackStats';
import type { FeedbackInput, SuggestionEvent } from '../feedback/suggestionEvents';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import { sourceTicketOf, type EntryStatus, type StoredEntry } from '../knowledge/storedEntry';
import type { LanguageModel } from '../llm/languageModel';
import type { AuditLog } from '../privacy/auditLog';
import { createAutomaticSnapshot } from '../privacy/rollback';
import { DelayedReviewScheduler, judgeByRules, judgeWithLlm, MAX_REVIEW_WAITS, type Clock, type ReviewVerdict } from './delayedReview';
import { EntryHistory, type HistoryRecord } from '../knowledge/entryHistory';
import { LearningLoop, type LearnOutcome } from './learningLoop';
import { loadLearningSettings, saveLearningSettings, type LearnMode, type LearningSettings } from './learningSettings';
import { ReviewDesk, type EntryEdit, type ReviewItem } from './reviewQueue';
import type { LearnPolicy } from './ticketLearner';

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
  /** For `modify` under the `review` policy: the proposed correction waiting for approval (the entry keeps serving). */
  proposalId?: string;
}

/** A Q&A learned while its ticket was still open: the first question nobody's suggestion answered. */
export interface DuringTicketResult {
  ticketId: string;
  /** The first question's message id. */
  messageId: string;
  /** Q&A entries written or merged, with their status under the team's policy. */
  entryIds: string[];
  statusById: Record<string, EntryStatus>;
}

/**
 * The first-question flag: the id of the conversation's first customer message (Vigil tracks which query is the
 * conversation's first; its unanswered first question is what it learns during the ticket). Null without one.
 */
export function firstQuestionId(ticket: Ticket): string | null {
  return ticket.messages.find((m) => m.author === 'customer' && !m.internal)?.id ?? null;
}

/** An analyst's decision on a proposed entry; `edit` approves it with their changes. */
export interface ReviewDecision {
  entryId: string;
  decision: 'approve' | 'edit' | 'reject';
  edit?: EntryEdit;
  /** Why it was rejected. */
  reason?: string;
}

export interface LearningOptions {
  dataDir: string;
  /** The time source of learning and feedback (delayed review, history); tests move it by hand. */
  clock?: Clock;
  /** A local model for extracting and reviewing learned entries; without one, rules do it. */
  learningModel?: LanguageModel | null;
  /** Hears damaged lines skipped at open. */
  onProgress?: (message: string) => void;
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

/** Learning on one open store: what analysts did, what was learned, and what the review kept. */
export class Learning {
  private model: LanguageModel | null;
  private readonly listeners = new Set<(entryIds: string[]) => void>();

  private constructor(
    private readonly store: KnowledgeStore,
    private readonly audit: AuditLog,
    readonly history: EntryHistory,
    readonly feedback: FeedbackCenter,
    readonly scheduler: DelayedReviewScheduler,
    private readonly loop: LearningLoop,
    /** The review queue and every versioned change of an entry (approve, edit, retire, restore). */
    readonly desk: ReviewDesk,
    private settings: LearningSettings,
    readonly clock: Clock,
    model: LanguageModel | null,
  ) {
    this.model = model;
  }

  /** Opens the learning loop's parts on the data folder (core/learn, core/feedback). */
  static async open(options: LearningOptions, store: KnowledgeStore, audit: AuditLog): Promise<Learning> {
    const settings = await loadLearningSettings(options.dataDir);
    const clock = options.clock ?? (() => new Date());
    const history = await EntryHistory.open(options.dataDir);
    try {
      const feedback = await FeedbackCenter.open(options.dataDir, settings.demotion, reinstatedEntries(history), settings.gateRecalibration);
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
      return new Learning(store, audit, history, feedback, scheduler, loop, desk, settings, clock, model);
    } catch (err) {
      await history.close();
      throw err;
    }
  }

  /**
   * Hears the entries an analyst's review or the delayed review changed (the app tells every window); returns the
   * unsubscribe function. Changes from feedback are announced by whoever recorded it.
   */
  onKnowledgeChange(listener: (entryIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells the listeners that these entries changed. */
  announce(entryIds: string[]): void {
    for (const listener of this.listeners) listener(entryIds);
  }

  /**
   * Learns from a closed ticket (already stored as the team may keep it): its case and Q&A entries, deduplicated
   * against the knowledge. `auto` approves them (replay), `review` proposes them all, `team` follows the settings.
   */
  async learnFromClosedTicket(ticket: Ticket, policy: LearnPolicy): Promise<LearnResult> {
    const answered = new Set(
      this.feedback
        .eventsOf(ticket.id)
        .filter((e) => ['inserted', 'copied', 'published', 'liked'].includes(e.type) && e.afterMessageId)
        .map((e) => e.afterMessageId as string),
    );
    const outcome = await this.loop.learn(ticket, LEARN_MODES[policy], { answeredBySuggestion: answered, now: this.clock() });
    if (this.scheduler.isPending(ticket.id)) this.scheduler.noteActivity(ticket.id, ticket);
    this.scheduler.doneFirstQuestion(ticket.id); // the close learned it: nothing left to learn during the ticket
    const main = outcome.created[0] ?? outcome.entryIds[0];
    return { ...outcome, status: (main && outcome.statusById[main]) || 'proposed' };
  }

  /**
   * Records that the engine showed a suggestion citing `entryIds` on `ticket` (stored as the team may keep it);
   * `gateConfidence` when the retrieval gate decided to show it (for its recalibration from feedback).
   */
  async noteShown(ticket: Ticket, afterMessageId: string, entryIds: string[], gateConfidence?: number): Promise<void> {
    await this.feedback.record({
      type: 'shown',
      ticketId: ticket.id,
      afterMessageId,
      entryIds,
      at: this.clock().toISOString(),
      actor: 'engine',
      ...(gateConfidence === undefined ? {} : { gateConfidence }),
    });
    this.scheduler.noteActivity(ticket.id, ticket);
    // The copilot answered the first question after all (the model's draft): nothing to learn during the ticket.
    if (firstQuestionId(ticket) === afterMessageId) this.scheduler.doneFirstQuestion(ticket.id);
    else this.scheduler.updateFirstQuestion(ticket);
  }

  /** Records activity on a ticket the delayed review is waiting on (the conversation went on). */
  noteActivity(ticket: Ticket): void {
    if (this.scheduler.isPending(ticket.id)) this.scheduler.noteActivity(ticket.id, ticket);
    this.scheduler.updateFirstQuestion(ticket);
  }

  /**
   * The copilot decided on a customer message and showed nothing: if it is the conversation's first question,
   * the answer the humans give is learned once the conversation has gone on for the team's delay.
   */
  noteUnanswered(ticket: Ticket, afterMessageId: string): void {
    if (firstQuestionId(ticket) === afterMessageId) this.scheduler.noteUnansweredFirstQuestion(ticket, afterMessageId);
    else this.scheduler.updateFirstQuestion(ticket);
  }

  /**
   * Learning during the ticket (Vigil's AutoQA): every first question the copilot left unanswered, whose
   * conversation has gone on for the team's delay (default 20 minutes), becomes a Q&A with the answer the humans
   * gave, under the team's policy (`review` proposes it, `auto` approves it). No human answer yet: it looks again
   * after another delay (at most `MAX_REVIEW_WAITS` times). A suggestion the analyst used for it meanwhile means it
   * was answered after all: nothing is learned. The case and the later questions are learned when the ticket closes.
   */
  async learnDuringTickets(policy: LearnPolicy): Promise<DuringTicketResult[]> {
    const { scheduler, feedback, settings } = this;
    const results: DuringTicketResult[] = [];
    for (const due of scheduler.firstQuestionsDue(settings.delayedReviewMinutes)) {
      const { ticket, messageId } = due;
      const at = ticket.messages.findIndex((m) => m.id === messageId);
      const answerAt = ticket.messages.findIndex((m, i) => i > at && m.author !== 'customer' && !m.internal);
      const used = feedback.eventsOf(ticket.id).some((e) => ['inserted', 'copied', 'published', 'liked'].includes(e.type) && e.afterMessageId === messageId);
      if (at < 0 || used || isClosedStatus(ticket.status)) {
        scheduler.doneFirstQuestion(ticket.id); // answered by a suggestion, or closing learns it anyway
        continue;
      }
      if (answerAt < 0) {
        if (scheduler.waitFirstQuestion(ticket.id) > MAX_REVIEW_WAITS) scheduler.doneFirstQuestion(ticket.id);
        continue;
      }
      // The conversation up to the humans' first answer: the first question and what answered it.
      const upToAnswer: Ticket = { ...ticket, status: 'open', messages: ticket.messages.slice(0, answerAt + 1) };
      const outcome = await this.loop.learn(upToAnswer, LEARN_MODES[policy], { now: this.clock(), qaOnly: true });
      scheduler.doneFirstQuestion(ticket.id);
      if (outcome.entryIds.length > 0) results.push({ ticketId: ticket.id, messageId, entryIds: outcome.entryIds, statusById: outcome.statusById });
    }
    await scheduler.save();
    const changed = results.flatMap((r) => r.entryIds);
    if (changed.length > 0) this.announce(changed);
    return results;
  }

  /**
   * Records what the analyst did with a suggestion (`reason` already as the team may store it). Validated and
   * fsynced; the ticket's quiet time restarts. An entry that keeps being dismissed is retired (reversibly).
   */
  async recordFeedback(event: FeedbackInput): Promise<{ event: SuggestionEvent; retired: string | null }> {
    const { feedback, scheduler } = this;
    // The reaction carries the gate's confidence in what it reacts to, so teammates' desks can recalibrate on it.
    const gateConfidence = event.gateConfidence ?? (event.type === 'shown' ? undefined : feedback.gate.shownConfidence(event));
    const stored = await feedback.record({ ...event, at: event.at ?? this.clock().toISOString(), ...(gateConfidence === undefined ? {} : { gateConfidence }) });
    if (scheduler.isPending(stored.ticketId) || stored.type !== 'shown') scheduler.noteActivity(stored.ticketId);
    const entryId = stored.entryIds[0] as string;
    if ((stored.type === 'dismissed' || stored.type === 'disliked') && feedback.stats.shouldRetire(entryId)) {
      const entry = await this.store.get(entryId);
      if (entry && entry.status === 'approved') {
        const f = feedback.of(entryId);
        await this.desk.retire(entryId, 'feedback:dismissals', `dismissed ${f.dismissed} and disliked ${f.disliked} times in ${f.shown} showings`);
        return { event: stored, retired: entryId };
      }
    }
    return { event: stored, retired: null };
  }

  /** Feedback counts of an entry. */
  entryFeedback(entryId: string): EntryFeedback {
    return this.feedback.of(entryId);
  }

  /** The factor retrieval may multiply an entry's score by: below 1 for entries analysts keep dismissing. */
  feedbackBoost(entryId: string): number {
    return this.feedback.boost(entryId);
  }

  /** Proposed entries waiting for an analyst. */
  reviewQueue(): Promise<ReviewItem[]> {
    return this.desk.queue();
  }

  approveEntry(id: string, actor: string): Promise<StoredEntry> {
    return this.desk.approve(id, actor);
  }

  /** Approves an entry with the analyst's changes (checked against the quality rules). */
  editEntry(id: string, edit: EntryEdit, actor: string): Promise<StoredEntry> {
    return this.desk.edit(id, edit, actor);
  }

  /** Rejects an entry: retired, never suggested, restorable from its history. */
  rejectEntry(id: string, actor: string, reason?: string): Promise<StoredEntry> {
    return this.desk.reject(id, actor, reason);
  }

  /** Approves, edits (and approves) or rejects one proposed entry as `actor`, announces it; returns the queue left. */
  async reviewEntry(request: ReviewDecision, actor: string): Promise<ReviewItem[]> {
    if (request.decision === 'approve') await this.approveEntry(request.entryId, actor);
    else if (request.decision === 'reject') await this.rejectEntry(request.entryId, actor, request.reason);
    else await this.editEntry(request.entryId, request.edit ?? {}, actor);
    this.announce([request.entryId]);
    return this.reviewQueue();
  }

  /** An entry's versions, oldest first. */
  entryHistory(id: string): HistoryRecord[] {
    return this.desk.versions(id);
  }

  /** Makes an earlier version of an entry current again (recorded as a new version). */
  async restoreEntry(id: string, version: number, actor: string): Promise<StoredEntry> {
    const before = await this.store.get(id);
    const restored = await this.desk.restore(id, version, actor);
    if (before?.status === 'retired' && restored.status !== 'retired') this.reinstate(id);
    return restored;
  }

  /** Starts a new feedback window for an entry brought back from retirement. */
  reinstate(id: string): void {
    this.feedback.stats.reinstate(id, this.clock().toISOString());
  }

  learningSettings(): LearningSettings {
    return this.settings;
  }

  /** Changes the team's learning settings (saved in the data folder). */
  async setLearningSettings(settings: Partial<LearningSettings>): Promise<LearningSettings> {
    const saved = await saveLearningSettings(this.store.dataDir, { ...this.settings, ...settings });
    this.settings = saved;
    this.loop.setSettings(saved);
    this.feedback.gate.configure(saved.gateRecalibration);
    return saved;
  }

  /**
   * Starts the gate's recalibration over: the reactions so far are no longer counted (they stay in the log), so the
   * gate is the fitted default until enough new ones come. Saved with the team's settings.
   */
  async resetGateRecalibration(): Promise<LearningSettings> {
    return this.setLearningSettings({ gateRecalibration: { ...this.settings.gateRecalibration, since: this.clock().toISOString() } });
  }

  /**
   * Switches the gate's recalibration from the team's feedback on or off (`vigil status --gate-recalibration`, the
   * Insights switch); the last reset (`since`) is kept either way. Saved with the team's settings.
   */
  async setGateRecalibration(enabled: boolean): Promise<LearningSettings> {
    return this.setLearningSettings({ gateRecalibration: { ...this.settings.gateRecalibration, enabled } });
  }

  /** Uses a local model for extraction and the delayed review (null: rules). */
  setLearningModel(model: LanguageModel | null): void {
    this.model = model;
    this.loop.setModel(model);
  }

  /**
   * Judges the entries cited on every ticket due for its review (the team's delay, default 20 minutes of further
   * conversation since the suggestion, or that long quiet): keep, modify, retire or pending. Pending (nobody has
   * answered since the suggestion) leaves the whole ticket waiting for more conversation, at most
   * `MAX_REVIEW_WAITS` times. A modification never withdraws a serving entry: under `review: always` the
   * correction waits in the queue beside it, otherwise it replaces it at once. Every decision is written to the
   * entry's history with its reason. Shown suggestions the analyst never touched are recorded as `ignored`.
   * Returns every verdict and announces the entries changed; the app calls this on a timer.
   */
  async runDelayedReview(): Promise<DelayedReviewResult[]> {
    const { feedback, scheduler, desk, settings, clock, model } = this;
    const results: DelayedReviewResult[] = [];
    for (const { ticketId, ticket } of scheduler.due(settings.delayedReviewMinutes)) {
      const events = feedback.eventsOf(ticketId);
      // A later suggestion after the same message (the model's draft) replaced the earlier one on the desk: only
      // what was on screen last is judged.
      const lastShown = new Map<string, string>();
      events.forEach((e, i) => {
        if (e.type === 'shown') lastShown.set(e.afterMessageId ?? `#${i}`, e.entryIds[0] as string);
      });
      const shownIds = [...new Set(lastShown.values())];
      const mayWait = scheduler.waits(ticketId) < MAX_REVIEW_WAITS;
      const judged: Array<{ verdict: ReviewVerdict; entry: StoredEntry; cited: StoredEntry; about: SuggestionEvent[] }> = [];
      for (const entryId of shownIds) {
        const cited = await this.store.get(entryId);
        if (!cited || cited.status === 'retired') continue;
        // A cited case stands for its ticket's answer: the Q&A learned from the same ticket is what gets judged.
        const source = cited.kind === 'case' ? sourceTicketOf(cited) : null;
        const answerEntry = source ? await this.store.get(`qa-${source}`) : null;
        const entry = answerEntry && answerEntry.status !== 'retired' ? answerEntry : cited;
        const about = events.filter((e) => e.entryIds[0] === entryId);
        const verdict = model ? await judgeWithLlm(model, entry, ticket, about, { mayWait }) : judgeByRules(entry, ticket, about, { mayWait });
        judged.push({ verdict, entry, cited, about });
      }
      const at = clock().toISOString();
      if (judged.some((j) => j.verdict.action === 'pending')) {
        // Wait for more conversation: nothing changes yet, and the ticket's events stay for the next look.
        scheduler.wait(ticketId);
        for (const { verdict, entry, cited } of judged.filter((j) => j.verdict.action === 'pending')) {
          await this.history.record('reviewed', entry, 'review:delayed', { at, before: entry, note: `pending: ${verdict.reason} (ticket ${ticketId})` });
          results.push({ ...verdict, ticketId, citedEntryId: cited.id });
        }
        continue;
      }
      for (const { verdict, entry, cited, about } of judged) {
        if (about.every((e) => e.type === 'shown')) {
          const shown = about[0] as SuggestionEvent;
          await feedback.record({ ...shown, type: 'ignored', at, actor: 'engine' });
        }
        const note = `${verdict.action}: ${verdict.reason} (ticket ${ticketId}, judged by ${verdict.judge})`;
        const result: DelayedReviewResult = { ...verdict, ticketId, citedEntryId: cited.id };
        if (verdict.action === 'modify' && verdict.corrected) {
          if (settings.review === 'always' && entry.status === 'approved') {
            result.proposalId = (await desk.proposeRevision(entry.id, verdict.corrected, 'review:delayed', note)).id;
          } else {
            await desk.modify(entry.id, verdict.corrected, entry.status, 'review:delayed', note);
          }
        } else if (verdict.action === 'retire') {
          // The precedent goes as a whole: its Q&A and its case carry the same outdated resolution.
          const ticketOfEntry = sourceTicketOf(entry);
          const related = ticketOfEntry ? [`qa-${ticketOfEntry}`, `case-${ticketOfEntry}`] : [];
          for (const id of new Set([entry.id, cited.id, ...related])) {
            const current = await this.store.get(id);
            if (current && current.status !== 'retired') await desk.retire(id, 'review:delayed', note);
          }
        } else {
          await this.history.record('reviewed', entry, 'review:delayed', { at, before: entry, note });
        }
        results.push(result);
      }
      scheduler.done(ticketId);
      feedback.forgetTicket(ticketId);
    }
    await scheduler.save();
    const changed = results.filter((r) => r.action === 'modify' || r.action === 'retire').flatMap((r) => [r.entryId, ...(r.proposalId ? [r.proposalId] : [])]);
    if (changed.length > 0) this.announce(changed);
    return results;
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
    const found = new Map<string, StoredEntry>();
    for (const id of new Set(ids)) {
      const entry = await this.store.get(id);
      if (entry) found.set(id, entry);
    }
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
    const at = this.clock().toISOString();
    const note = [options.reason, mode === 'delete' ? `deleted permanently (bulk delete); \`vigil store rollback ${snapshot.name}\` brings it back` : `retired in a bulk action; snapshot ${snapshot.name}`]
      .filter(Boolean)
      .join('; ');
    const after = entries.map((entry): StoredEntry => ({ ...entry, status: 'retired', updatedAt: at }));
    await this.history.recordAll(after.map((entry, i) => ({ action: 'retired' as const, entry, actor, at, note, before: entries[i]! })));
    if (mode === 'delete') await this.store.remove(entries.map((e) => e.id));
    else await this.store.upsert(after);
    await this.audit.append({
      type: 'admin',
      action: mode === 'delete' ? 'bulk_delete' : 'bulk_retire',
      detail: { actor, entries: entries.length, missing: missing.length, snapshot: snapshot.name },
    });
    return { mode, changed: entries.map((e) => e.id), missing, snapshot: snapshot.name };
  }

  /** Saves the scheduler and closes the history and feedback files (each closes even if another fails). */
  async close(): Promise<void> {
    this.listeners.clear();
    await Promise.allSettled([this.scheduler.save(), this.history.close(), this.feedback.close()]);
  }
}
