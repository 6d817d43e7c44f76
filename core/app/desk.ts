/**
 * The analyst's desk: the tickets Vigil watches, the suggestions it showed on each, and what the analyst did
 * with them. Ticket events from the connectors come in through `ingest`; after a customer message the engine
 * decides, and a shown decision becomes a suggestion on the ticket (and a `suggestion` event, which the app
 * turns into a badge, a toast or a notification). Every event carries what changed (the ticket's summary, the
 * suggestion as shown), so a listener need not read the list again. A closed ticket is handed to learning.
 *
 * Everything is kept in an append-only journal (`<dataDir>/desk/journal.jsonl`), fsynced per record, and
 * replayed at open, so a restart loses no ticket, suggestion or feedback. One event is one journal line (the
 * ticket as it now stands and the suggestion it produced), written only after its effects: a crash before it
 * leaves the event undelivered, so the watcher delivers it again, and an event already in the journal is
 * applied once. The desk is the watcher's sink in the desktop app.
 */
import { join } from 'node:path';
import type { TicketEvent } from '../connectors/connector';
import type { EventSink } from '../watch/eventSink';
import { AppendLog } from '../formats/appendLog';
import { formatLineIssue } from '../formats/jsonl';
import { log } from '../privacy/redactingLogger';
import { isClosedStatus, type Suggestion, type Ticket } from '../formats/schemas';
import { peopleNamesIn } from '../text/peopleNames';
import { sharesNewLinks } from '../learn/sharedLinks';
import type { LearnPolicy } from '../learn/ticketLearner';
import { redactTextForStorage } from '../privacy/storageRedaction';
import { RecordSchema, storableRecord, type JournalRecord, type ShownRecord } from './deskJournal';
import type { StoredEntry } from '../knowledge/storedEntry';
import type { DeskDecision, DeskEngine, DeskOptions } from './deskEngine';
import type { DeskEvent, FeedbackRequest, ShownSuggestion, TicketDetail, TicketSummary } from './deskTypes';
import { citationViews, shownView, ticketSummary } from './deskViews';

export type { DeskEngine, DeskOptions };

interface TicketState {
  ticket: Ticket;
  seenAt: string;
  suggestions: ShownSuggestion[];
  waiting: number;
}

export class Desk implements EventSink {
  private readonly tickets = new Map<string, TicketState>();
  private readonly appliedEvents = new Set<string>();
  private readonly listeners = new Set<(event: DeskEvent) => void>();
  private readonly now: () => Date;
  private readonly learnPolicy: LearnPolicy;
  private readonly redactBeforeStorage: boolean;
  private closing = false;
  /** Shared links being fetched and proposed; `close` waits for them (they write to the engine's store). */
  private readonly linkJobs = new Set<Promise<void>>();

  private constructor(
    private readonly engine: DeskEngine,
    private readonly journal: AppendLog<JournalRecord>,
    options: DeskOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.learnPolicy = options.learnPolicy ?? 'review';
    this.redactBeforeStorage = options.redactBeforeStorage ?? false;
  }

  static async open(dataDir: string, engine: DeskEngine, options: DeskOptions = {}): Promise<Desk> {
    const file = join(dataDir, 'desk', 'journal.jsonl');
    const records: JournalRecord[] = [];
    for await (const { value } of AppendLog.read(file, RecordSchema, (issue) =>
      options.onWarning?.(`Skipped a damaged line of the desk journal: ${formatLineIssue(issue)}`),
    )) {
      records.push(value);
    }
    const desk = new Desk(engine, await AppendLog.open<JournalRecord>(file), options);
    for (const record of records) desk.apply(record);
    return desk;
  }

  /** Subscribes to desk events; returns the unsubscribe function. */
  onEvent(listener: (event: DeskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies one ticket event: lets the engine decide after a new customer message, or learns from a ticket that
   * closed, then records the ticket and the suggestion in one journal line. An event seen before is ignored.
   */
  async ingest(event: TicketEvent): Promise<void> {
    const key = `${event.ticketId}|${event.id}`;
    if (this.appliedEvents.has(key)) return;
    const arrivedAt = performance.now();
    const before = this.tickets.get(event.ticketId)?.ticket;
    const ticket = event.ticket;
    let shown: ShownRecord | null = null;
    let draft: Promise<DeskDecision> | null = null;
    const alerts: Array<ShownRecord> = [];
    let learned: string[] = [];
    if (isClosedStatus(ticket.status)) {
      const wasClosed = before ? isClosedStatus(before.status) : false;
      if (!wasClosed) learned = (await this.engine.learnFromClosedTicket(ticket, this.learnPolicy)).entryIds;
    } else {
      const index = this.newCustomerMessageIndex(event, before);
      if (index !== null) {
        const at = Date.parse(ticket.messages[index]!.at ?? event.at);
        const outcome = await this.engine.onCustomerMessage(ticket, index, Number.isNaN(at) ? this.now().getTime() : at, arrivedAt);
        shown = outcome.decision.shown ? this.shownRecord(ticket, outcome.decision, outcome.entries) : null;
        for (const alert of outcome.alerts) alerts.push(this.shownRecord(ticket, alert, outcome.entries, `alert:${alert.reason}`));
        draft = outcome.draft;
      }
    }
    const record: JournalRecord = { t: 'event', key, at: this.now().toISOString(), ticket, shown, alerts };
    await this.commit(record);
    for (const one of [...alerts, ...(shown ? [shown] : [])]) this.emitSuggestion(ticket.id, one.id);
    this.emitTicketsChanged([ticket.id]);
    if (draft) void this.applyDraft(ticket, draft);
    if (!isClosedStatus(ticket.status) && sharesNewLinks(ticket, before)) {
      const job = this.learnLinks(ticket).finally(() => this.linkJobs.delete(job));
      this.linkJobs.add(job);
    }
    if (learned.length > 0) {
      const entries = await this.engine.getEntries(learned);
      this.emit({ type: 'knowledge-changed', entryIds: learned, entryKinds: [...entries.values()].map((e) => e.kind) });
    }
  }

  /** Article candidates from the shared links, in the background: the desk never waits for a documentation server. */
  private async learnLinks(ticket: Ticket): Promise<void> {
    try {
      const outcomes = (await this.engine.learnSharedLinks?.(ticket)) ?? [];
      const proposed = outcomes.flatMap((o) => (o.status === 'candidate' ? [o.entry.id] : []));
      if (proposed.length > 0) this.emit({ type: 'knowledge-changed', entryIds: proposed, entryKinds: proposed.map(() => 'article' as const) });
    } catch (error) {
      log.warn(`Vigil could not learn from the links shared on ${ticket.id}: ${String(error)}`, { names: this.namesOf(ticket) });
    }
  }

  /** The watcher's sink: applies one connector's events in order; resolves once each is in the journal. */
  async deliver(_connectorId: string, events: readonly TicketEvent[]): Promise<void> {
    for (const event of events) await this.ingest(event);
  }

  listTickets(): TicketSummary[] {
    const list = [...this.tickets.values()].map((state) => ticketSummary(state.ticket, state.seenAt, state.waiting));
    return list.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** One ticket with its suggestions; opening it clears its waiting badge. */
  async openTicket(ticketId: string): Promise<TicketDetail | null> {
    const state = this.tickets.get(ticketId);
    if (!state) return null;
    if (state.waiting > 0) {
      const record: JournalRecord = { t: 'opened', ticketId, at: this.now().toISOString() };
      await this.commit(record);
      this.emitTicketsChanged([ticketId]);
    }
    return { ticket: state.ticket, suggestions: state.suggestions.map((s) => ({ ...s, feedback: [...s.feedback] })) };
  }

  /**
   * Records what the analyst did with a suggestion, in the desk's journal and for learning: the entry the
   * suggestion rests on (its first citation) gains or loses standing, and may be retired by the dismissal rule.
   */
  async feedback(request: FeedbackRequest): Promise<ShownSuggestion> {
    const shown = this.tickets.get(request.ticketId)?.suggestions.find((s) => s.id === request.suggestionId);
    if (!shown) throw new Error(`No suggestion ${request.suggestionId} on ticket ${request.ticketId}; it may have been removed. Reload the ticket.`);
    const cited = shown.suggestion.citations[0]?.entryId;
    if (cited) {
      const { retired } = await this.engine.recordFeedback({
        type: request.action,
        ticketId: request.ticketId,
        entryIds: [cited],
        afterMessageId: shown.suggestion.afterMessageId,
        ...(request.reason ? { reason: this.storageText(request.ticketId, request.reason) } : {}),
      });
      if (retired) this.emit({ type: 'knowledge-changed', entryIds: [retired], entryKinds: [] });
    }
    const record: JournalRecord = {
      t: 'feedback',
      ticketId: request.ticketId,
      suggestionId: request.suggestionId,
      action: request.action,
      ...(request.reason ? { reason: request.reason } : {}),
      at: this.now().toISOString(),
    };
    await this.commit(record);
    return { ...shown, feedback: [...shown.feedback] };
  }

  /** Tells the app that knowledge changed outside a ticket event (review, the delayed review). */
  announceKnowledgeChange(entryIds: string[]): void {
    this.emit({ type: 'knowledge-changed', entryIds, entryKinds: [] });
  }

  /** Every suggestion shown on any ticket, with its feedback. */
  *allShown(): Generator<ShownSuggestion> {
    for (const state of this.tickets.values()) yield* state.suggestions;
  }

  async close(): Promise<void> {
    // A model's draft still in flight is dropped: the retrieval suggestion stays, nothing half-written.
    this.closing = true;
    this.listeners.clear();
    await Promise.allSettled([...this.linkJobs]);
    await this.journal.close();
  }

  /**
   * `text` about a ticket as it may be written to the data folder: redacted (with the names the ticket gives) when the
   * team asked for redaction before storage, else as it is. The reply drafts use it too.
   */
  storageText(ticketId: string, text: string): string {
    if (!this.redactBeforeStorage) return text;
    const ticket = this.tickets.get(ticketId)?.ticket;
    return redactTextForStorage(text, ticket ? this.namesOf(ticket) : []);
  }

  /** The people a ticket names: its requester and those its messages introduce or sign with. */
  private namesOf(ticket: Ticket): string[] {
    return [...(ticket.requester ? [ticket.requester] : []), ...peopleNamesIn(ticket)];
  }

  /** Journals a record (redacted first when the team asked for it), then applies the live one in memory. */
  private async commit(record: JournalRecord): Promise<void> {
    if (this.redactBeforeStorage) {
      const ticket = record.t === 'event' ? record.ticket : this.tickets.get(record.ticketId)?.ticket;
      await this.journal.append(storableRecord(record, ticket ? this.namesOf(ticket) : []));
    } else {
      await this.journal.append(record);
    }
    this.apply(record);
  }

  private apply(record: JournalRecord): void {
    switch (record.t) {
      case 'event': {
        this.appliedEvents.add(record.key);
        let state = this.tickets.get(record.ticket.id);
        if (state) state.ticket = record.ticket;
        else {
          state = { ticket: record.ticket, seenAt: record.at, suggestions: [], waiting: 0 };
          this.tickets.set(record.ticket.id, state);
        }
        for (const shown of [...record.alerts, ...(record.shown ? [record.shown] : [])]) this.addShown(state, shown);
        return;
      }
      case 'rules': {
        const state = this.tickets.get(record.ticketId);
        if (state) for (const shown of record.shown) this.addShown(state, shown);
        return;
      }
      case 'feedback': {
        this.tickets.get(record.ticketId)?.suggestions.find((s) => s.id === record.suggestionId)?.feedback.push(record.action);
        return;
      }
      case 'opened': {
        const state = this.tickets.get(record.ticketId);
        if (state) state.waiting = 0;
        return;
      }
      case 'draft': {
        const state = this.tickets.get(record.ticketId);
        if (!state) return;
        const at = state.suggestions.findIndex((s) => s.id === record.id);
        const shown = record.shown;
        if (!shown) {
          if (at >= 0) {
            state.suggestions.splice(at, 1);
            state.waiting = Math.max(0, state.waiting - 1);
          }
          return;
        }
        const next = shownView(shown, at >= 0 ? state.suggestions[at]!.feedback : []);
        if (at >= 0) state.suggestions[at] = next;
        else {
          state.suggestions.push(next);
          state.waiting += 1;
        }
        return;
      }
    }
  }

  private addShown(state: TicketState, shown: ShownRecord): void {
    if (state.suggestions.some((s) => s.id === shown.id)) return;
    state.suggestions.push(shownView(shown));
    state.waiting += 1;
  }

  /**
   * Raises the follow-up reminders due at `now` on open tickets (waiting customers, promises due, silence). A
   * reminder already on the ticket, even from before a restart, is not raised again.
   */
  async pollFollowups(now: number = this.now().getTime()): Promise<number> {
    let raised = 0;
    const changed: string[] = [];
    for (const state of this.tickets.values()) {
      if (isClosedStatus(state.ticket.status) || this.closing) continue;
      const due: Array<ShownRecord> = [];
      for (const reminder of this.engine.pollFollowups(state.ticket, now)) {
        const entries = await this.engine.getEntries(reminder.citations.map((c) => c.entryId));
        const shown = this.shownRecord(state.ticket, reminder, entries, `followup:${reminder.reason}`);
        if (!state.suggestions.some((s) => s.id === shown.id)) due.push(shown);
      }
      if (due.length === 0) continue;
      const record: JournalRecord = { t: 'rules', ticketId: state.ticket.id, shown: due };
      // Audit first: a crash between the two can leave a record of a reminder shown again after the restart,
      // never a reminder shown without its record.
      await this.engine.auditShown(due.map((d) => d.suggestion));
      await this.commit(record);
      for (const one of due) this.emitSuggestion(state.ticket.id, one.id);
      raised += due.length;
      changed.push(state.ticket.id);
    }
    if (raised > 0) this.emitTicketsChanged(changed);
    return raised;
  }

  /** The index of the customer message this event added, if it added one that was not there before. */
  private newCustomerMessageIndex(event: TicketEvent, before: Ticket | undefined): number | null {
    const messages = event.ticket.messages;
    const known = new Set(before?.messages.map((m) => m.id) ?? []);
    const wanted = event.messageId ?? null;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i]!;
      if (wanted !== null && message.id !== wanted) continue;
      if (known.has(message.id)) return null;
      return message.author === 'customer' ? i : null;
    }
    return null;
  }

  /**
   * One suggestion per customer message (the model's decision, when it comes, takes the retrieval one's place),
   * plus one per alert rule or follow-up reason (`tag`).
   */
  private shownRecord(ticket: Ticket, suggestion: Suggestion, entries: ReadonlyMap<string, StoredEntry>, tag?: string): ShownRecord {
    const citations = citationViews(suggestion, entries);
    const id = `${ticket.id}:${suggestion.afterMessageId}${tag ? `:${tag}` : ''}`;
    return { id, at: this.now().toISOString(), suggestion, citations };
  }

  /** Records the local model's decision once it arrives: a better suggestion, or the retrieval one withdrawn. */
  private async applyDraft(ticket: Ticket, draft: Promise<DeskDecision>): Promise<void> {
    try {
      const { decision, entries } = await draft;
      if (this.closing) return;
      const id = `${ticket.id}:${decision.afterMessageId}`;
      const had = this.tickets.get(ticket.id)?.suggestions.some((s) => s.id === id) ?? false;
      if (!decision.shown && !had) return;
      const shown = decision.shown ? this.shownRecord(ticket, decision, entries) : null;
      if (this.closing) return;
      const record: JournalRecord = { t: 'draft', ticketId: ticket.id, id, shown };
      await this.commit(record);
      if (shown) this.emitSuggestion(ticket.id, id);
      this.emitTicketsChanged([ticket.id]);
    } catch (error) {
      if (!this.closing) log.warn(`Vigil could not record the local model's suggestion for ${ticket.id}: ${String(error)}`, { names: this.namesOf(ticket) });
    }
  }

  /** Tells the listeners about a suggestion now on a ticket, with the ticket's summary and the suggestion as shown. */
  private emitSuggestion(ticketId: string, suggestionId: string): void {
    const state = this.tickets.get(ticketId);
    const shown = state?.suggestions.find((s) => s.id === suggestionId);
    if (!state || !shown) return;
    const s = shown.suggestion;
    this.emit({
      type: 'suggestion',
      ticketId,
      subject: state.ticket.subject ?? null,
      suggestionId,
      kind: s.kind,
      text: s.text,
      ticket: ticketSummary(state.ticket, state.seenAt, state.waiting),
      shown: { ...shown, feedback: [...shown.feedback] },
    });
  }

  /** Tells the listeners which tickets changed, with their summaries as they now stand. */
  private emitTicketsChanged(ticketIds: readonly string[]): void {
    const tickets: TicketSummary[] = [];
    for (const id of new Set(ticketIds)) {
      const state = this.tickets.get(id);
      if (state) tickets.push(ticketSummary(state.ticket, state.seenAt, state.waiting));
    }
    this.emit({ type: 'tickets-changed', tickets });
  }

  private emit(event: DeskEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        const ticket = 'ticketId' in event ? this.tickets.get(event.ticketId)?.ticket : undefined;
        log.warn(`A desk listener failed on ${event.type}: ${String(error)}`, { names: ticket ? this.namesOf(ticket) : [] });
      }
    }
  }
}
