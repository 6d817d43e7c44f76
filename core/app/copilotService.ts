/**
 * The engine's pipeline on one data folder: a customer message in, a decision out (retrieval, then the local
 * model's draft when one runs; alerts and follow-up reminders by rule), every decision audited and noted for
 * learning, and learning when a ticket closes. The desk (desk.ts) drives it in the app, `vigil` commands and the
 * tests drive it directly. What the engine holds for other screens is handed out as parts: `learning` (review,
 * delayed review, curation), `knowledge` (entry browsing and search), `packs` and `llm`.
 */
import { Assistant, gateConfidenceOf, type AssistDecision, type AssistResult } from '../assist/assistant';
import { alertDecision, type AlertEngine } from '../assist/alerts';
import { SHOW_THRESHOLD } from '../assist/confidence';
import { askAboutTicket, summarizeTicket, type AskAnswer } from '../assist/explicitAsk';
import { DEFAULT_FOLLOWUP_POLICY, followupDecision, FollowupTracker } from '../assist/followups';
import { storeSource, type KnowledgeSource } from '../assist/knowledgeSource';
import type { ShownLog } from '../assist/shownLog';
import type { Embedder } from '../embed/embedder';
import type { KnowledgeReadOptions } from '../formats/knowledgeImport';
import type { LineIssue } from '../formats/lineIssue';
import type { GateCalibrationStatus } from '../feedback/gateCalibration';
import type { FeedbackInput, SuggestionEvent } from '../feedback/suggestionEvents';
import type { Entry, Suggestion, Ticket } from '../formats/schemas';
import type { EntryBrowser } from '../knowledge/entryBrowser';
import { exportEntryFile, importEntryFile, importEntryStream } from '../knowledge/entryFiles';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import type { ReindexProgress } from '../knowledge/reindexJob';
import type { EntryStatus, StoredEntry } from '../knowledge/storedEntry';
import type { DelayedReviewResult, Learning, LearnResult } from '../learn/learning';
import { DocumentationLinks } from '../learn/documentationLinks';
import type { LinkOutcome } from '../learn/sharedLinks';
import type { LearnPolicy } from '../learn/ticketLearner';
import type { CallOptions } from '../llm/languageModel';
import { log } from '../privacy/redactingLogger';
import { LlmAdmin } from '../llm/llmAdmin';
import type { LlmMonitor, LlmStatus } from '../llm/llmMonitor';
import type { EgressPolicy } from '../net/egress';
import { PackAdmin } from '../packs/packAdmin';
import type { RuleCentre } from '../rules/ruleCentre';
import { AlertDispatch, type AlertSinks, type DeliveryOutcome } from '../rules/alertDelivery';
import { suggestionAudit, type AuditLog } from '../privacy/auditLog';
import { withRedactionTally } from '../privacy/decisionRedactions';
import { redactTextForStorage, redactTicketForStorage } from '../privacy/storageRedaction';
import { cleanMessage } from '../text/queryCleaner';
import { entryBrowserOf } from './entryBrowserOf';
import { openEngineParts, type CopilotOptions, type EngineParts } from './engineParts';
import { serviceStatusOf, type ImportReport, type ServiceStatus } from './serviceTypes';

export type { CopilotOptions, DelayedReviewResult, LearnResult };

/** A decision with the stored entries (any status) its citations name. */
export interface DecisionWithEntries {
  decision: AssistDecision;
  entries: Map<string, StoredEntry>;
}

/** What one customer message produced (CopilotService.onCustomerMessage). */
export interface MessageOutcome extends DecisionWithEntries {
  /** The local model's decision for the same message, when one runs; it supersedes `decision`. */
  draft: Promise<DecisionWithEntries> | null;
  /** Alerts the message raised, each a shown `alert` decision, already audited. */
  alerts: AssistDecision[];
}

export class CopilotService {
  private readonly assistant: Assistant;
  private readonly sources: KnowledgeSource[];
  private readonly followups: FollowupTracker;
  private readonly store: KnowledgeStore;
  private readonly shownLog: ShownLog;
  private readonly monitor: LlmMonitor;
  private readonly alerts: AlertEngine;
  /** The embedder `open` built (from the folder's settings), released on close. */
  private readonly ownedEmbedder: Embedder | null;
  private readonly redactBeforeStorage: boolean;
  private readonly egress: EgressPolicy;
  /** The team's documentation hosts, and the shared links learned from them. */
  private readonly links: DocumentationLinks;
  /** The data folder's audit log (core/privacy/auditLog.ts): what each suggestion and LLM call used. */
  readonly audit: AuditLog;
  /** Feedback, the review queue, the delayed review and curation (core/learn/learning.ts). */
  readonly learning: Learning;
  /** Installed knowledge packs, the trust list, subscriptions and pack export (docs/packs.md). */
  readonly packs: PackAdmin;
  /** The local model's list, pull and re-check (Settings → Models). */
  readonly llm: LlmAdmin;
  /** The Knowledge screen: search, pages, detail and edits of stored entries. */
  readonly knowledge: EntryBrowser;
  /** The rule centre: interest rules listed, edited, enabled, tested (core/rules/ruleCentre.ts). */
  readonly rules: RuleCentre;
  /** Where alerts also go as their rules say (helpdesk note, webhook); nowhere until the app sets sinks. */
  private readonly dispatch = new AlertDispatch();

  private constructor(parts: EngineParts, options: Pick<CopilotOptions, 'followupPolicy' | 'precedentVote'>) {
    const { store, learning, monitor } = parts;
    this.store = store;
    this.audit = parts.audit;
    this.learning = learning;
    this.shownLog = parts.shownLog;
    this.monitor = monitor;
    this.alerts = parts.alerts;
    this.rules = parts.rules;
    this.ownedEmbedder = parts.ownedEmbedder;
    this.redactBeforeStorage = parts.redactBeforeStorage;
    this.egress = parts.egress;
    this.links = new DocumentationLinks({ egress: parts.linkEgress, hosts: parts.allowLinkHosts, store, learning, storable: (t) => this.storable(t) });
    this.packs = new PackAdmin(parts.library, () => store.entries());
    this.llm = new LlmAdmin(parts.llmClient, monitor);
    this.knowledge = entryBrowserOf(store, learning, this.packs);
    this.followups = new FollowupTracker(options.followupPolicy ?? DEFAULT_FOLLOWUP_POLICY);
    // The team's own knowledge and every installed pack, searched in parallel by the pipeline.
    this.sources = [storeSource(store), { name: 'packs', search: (query, o) => this.packs.library.search(query, { limit: o.limit }) }];
    this.assistant = new Assistant({
      sources: this.sources,
      shown: parts.shownLog,
      llm: monitor,
      allowHosts: this.links.hosts,
      // Entries analysts keep dismissing rank lower (and are retired by the dismissal rule).
      rankFactor: (entryId) => learning.feedback.boost(entryId),
      ...(options.precedentVote !== undefined ? { precedentVote: options.precedentVote } : {}),
      // The team's feedback recalibrates the gate's threshold (core/feedback/gateCalibration.ts); refitted lazily.
      showThreshold: () => learning.feedback.gate.threshold(SHOW_THRESHOLD),
    });
  }

  /** Opens the engine on a team's data folder; with `llm`, checks the model once before returning. */
  static async open(options: CopilotOptions): Promise<CopilotService> {
    const parts = await openEngineParts(options);
    const service = new CopilotService(parts, options);
    // Unless a learning model was given, learning uses the pipeline's local model whenever it is usable.
    if (options.learningModel === undefined && parts.llmClient) {
      service.learning.setLearningModel(parts.monitor.model());
      parts.monitor.onChange(() => service.learning.setLearningModel(parts.monitor.model()));
    }
    return service;
  }

  /** Whether the local model is in use, and why not; see also `onLlmStatus`. */
  llmStatus(): LlmStatus {
    return this.monitor.status();
  }

  /** Hears every change of the LLM mode (the status bar). Returns the unsubscribe function. */
  onLlmStatus(listener: (status: LlmStatus) => void): () => void {
    return this.monitor.onChange(listener);
  }

  /** The store's size, embedder, indexes and re-index, the last write error in words, and the LLM mode. */
  async status(): Promise<ServiceStatus> {
    return serviceStatusOf(await this.store.status(), this.monitor.status());
  }

  /** Resolves when a background re-index has ended (done, failed or cancelled); its last progress, or null. */
  waitForReindex(): Promise<ReindexProgress | null> {
    return this.store.waitForReindex();
  }

  /** Stops a background re-index; the current index keeps answering. False when none was running. */
  cancelReindex(): Promise<boolean> {
    return this.store.cancelReindex();
  }

  /**
   * Imports knowledge entries as approved knowledge, from any shape `readKnowledge` reads (JSON Lines, a JSON array,
   * CSV with `options.mapping`, a folder of Markdown, HTML or text articles). Bad lines are reported (file, line,
   * field) and skipped; good lines are stored; nothing already stored is touched except entries with the same id.
   * `onProgress` hears the running count after every batch.
   */
  importEntries(file: string, onProgress?: (imported: number) => void, options: KnowledgeReadOptions = {}): Promise<ImportReport> {
    return importEntryFile(this.store, file, onProgress, options);
  }

  /** Imports the entries a reader yields (a helpdesk help center's) as approved knowledge; see importEntryStream. */
  importEntryStream(source: string, read: (onIssue: (issue: LineIssue) => void) => AsyncIterable<Entry>, onProgress?: (imported: number) => void): Promise<ImportReport> {
    return importEntryStream(this.store, source, read, onProgress);
  }

  /** Writes entries (all, or those with the given statuses) to a JSONL file in the spec's entry format. */
  exportEntries(file: string, statuses?: readonly EntryStatus[]): Promise<{ file: string; exported: number }> {
    return exportEntryFile(this.store, file, statuses);
  }

  /**
   * Runs the proactive pipeline after a customer message. `ticket` is a snapshot that holds the conversation at
   * least up to `messageIndex`; `arrivedAt` is when the message arrived (`performance.now()`), for latency.
   */
  async assistOnMessage(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<AssistDecision> {
    const { result, tally } = withRedactionTally(() => this.assistant.onCustomerMessage(ticket, messageIndex, arrivedAt));
    const decision = await result;
    const redactions = tally.counts();
    await this.noteDecision(ticket, decision);
    await this.audit.append(suggestionAudit(decision, { model: decision.model ?? null, redactions }));
    return decision;
  }

  /**
   * The same, with the LLM draft: `decision` is the retrieval result, to show at once; `draft`, when a local model
   * is in use, resolves to the LLM's decision for the same message, which supersedes it.
   */
  async assist(ticket: Ticket, messageIndex: number, arrivedAt: number = performance.now()): Promise<AssistResult> {
    // The redactions of the LLM calls made for this message (the draft's included) are summed for its audit records.
    const { result: running, tally } = withRedactionTally(() => this.assistant.assist(ticket, messageIndex, arrivedAt));
    const result = await running;
    const redactions = tally.counts(); // the calls finished before the retrieval decision (none today), not the draft's
    await this.noteDecision(ticket, result.decision);
    await this.audit.append(suggestionAudit(result.decision, { model: result.decision.model ?? null, redactions }));
    // The draft never rejects; its audit record must not make it (a failed append is already reported by status).
    const draft = result.draft?.then(async (d) => {
      await this.audit.append(suggestionAudit(d, { model: d.model ?? null, redactions: tally.counts() })).catch(() => undefined);
      // The draft replaces the retrieval decision on the desk: what it cites is what the analyst saw, so it is what
      // the delayed review must judge (a failed append is reported by the feedback log's status, not here).
      await this.noteDecision(ticket, d).catch((error: unknown) => log.warn(`Could not record the shown draft on ${ticket.id}: ${String(error)}`));
      return d;
    });
    return { ...result, draft: draft ?? null };
  }

  /**
   * The pipeline on one customer message as the desk records it, in one call: the retrieval decision at once and
   * the local model's later (`draft`), the alerts the message raised (`at`: its arrival, ms since epoch; audited
   * here, before the desk journals them), and the stored entries every shown decision cites.
   */
  async onCustomerMessage(ticket: Ticket, messageIndex: number, at: number, arrivedAt: number = performance.now()): Promise<MessageOutcome> {
    const { decision, draft } = await this.assist(ticket, messageIndex, arrivedAt);
    const alerts = await this.checkAlerts(ticket, messageIndex, at);
    await this.auditShown(alerts);
    const cited = (d: AssistDecision): string[] => (d.shown ? d.citations.map((c) => c.entryId) : []);
    const entries = await this.getEntries([...cited(decision), ...alerts.flatMap(cited)]);
    const drafted = draft?.then(async (d) => ({ decision: d, entries: await this.getEntries(cited(d)) })) ?? null;
    return { decision, draft: drafted, alerts, entries };
  }

  /**
   * The engine records what it shows (a `shown` event for the delayed review and the feedback statistics); the
   * front ends record what the analyst does with it.
   */
  private async noteDecision(ticket: Ticket, decision: AssistDecision): Promise<void> {
    if (decision.shown && decision.citations.length > 0) {
      await this.learning.noteShown(this.storable(ticket), decision.afterMessageId, decision.citations.map((c) => c.entryId), gateConfidenceOf(decision));
    } else {
      // Nothing shown: an unanswered first question is learned during the ticket (core/learn/learning.ts).
      const stored = this.storable(ticket);
      this.learning.noteActivity(stored);
      if (decision.afterMessageId) this.learning.noteUnanswered(stored, decision.afterMessageId);
    }
  }

  /** Shared links on `ticket` from the team's documentation hosts become article candidates (documentationLinks.ts). */
  learnSharedLinks(ticket: Ticket): Promise<LinkOutcome[]> {
    return this.links.learn(ticket);
  }

  /** The team's documentation hosts the engine uses now (normalised). */
  documentationHosts(): string[] {
    return [...this.links.hosts];
  }

  /**
   * Replaces the team's documentation hosts from the next message and the next shared link on (no restart). A bad
   * host name throws, naming it, and changes nothing. The caller saves them (core/privacy/privacySettings.ts).
   */
  setDocumentationHosts(hosts: readonly string[]): void {
    this.assistant.setAllowHosts(this.links.replace(hosts));
  }

  /** The ticket as the engine may write it to the data folder: redacted when the team asked for it (docs/privacy.md). */
  private storable(ticket: Ticket): Ticket {
    return this.redactBeforeStorage ? redactTicketForStorage(ticket).ticket : ticket;
  }

  /**
   * Writes the `suggestion` audit records of rule-based suggestions a front end shows (follow-up reminders and
   * alerts, which `pollFollowups` and `checkAlerts` only compute): no model, no prompt, so nothing redacted.
   */
  async auditShown(decisions: readonly Suggestion[]): Promise<void> {
    for (const decision of decisions) await this.audit.append(suggestionAudit(decision, { model: null }));
  }

  /** The analyst's own question about a ticket, answered from knowledge (streamed when a local model runs). */
  askAboutTicket(ticket: Ticket, question: string, options: CallOptions & { onText?: (text: string) => void } = {}): Promise<AskAnswer> {
    return askAboutTicket(ticket, question, {
      ...options,
      llm: this.monitor.model(),
      sources: this.sources,
      allowHosts: this.links.hosts,
      onLlmError: (e) => this.monitor.reportFailure(e),
    });
  }

  /** A summary of the ticket for the analyst (written by the local model, or extracted from the messages). */
  summarizeTicket(ticket: Ticket, options: CallOptions & { onText?: (text: string) => void } = {}): Promise<AskAnswer> {
    return summarizeTicket(ticket, { ...options, llm: this.monitor.model(), allowHosts: this.links.hosts, onLlmError: (e) => this.monitor.reportFailure(e) });
  }

  /**
   * Alert rules on a customer message (`at`: its arrival, ms since epoch). Each raised alert is a shown `alert`
   * decision whose `reason` is the rule id.
   */
  async checkAlerts(ticket: Ticket, messageIndex: number, at: number): Promise<AssistDecision[]> {
    const message = ticket.messages[messageIndex];
    if (!message || message.author !== 'customer') return [];
    // The messages before it, for a model judging a semantic rule (core/rules/semanticJudge.ts).
    const recent = ticket.messages.slice(Math.max(0, messageIndex - 4), messageIndex).map((m) => cleanMessage(m.text));
    const raised = await this.alerts.onCustomerMessage({ ticketId: ticket.id, messageId: message.id, text: cleanMessage(message.text), at, recent });
    this.dispatch.send(raised, (id) => this.rules.ruleOf(id), at);
    return raised.map(alertDecision);
  }

  /**
   * Lets alerts leave the desk as their rules say (`deliver`): the app passes its connectors' write-back and the
   * egress policy's fetch. Replays and commands leave it unset, so a recorded queue never posts anything.
   */
  setAlertSinks(sinks: AlertSinks | null): void {
    this.dispatch.setSinks(sinks);
  }

  /** Resolves, with their outcomes, when the alert deliveries under way have ended (tests; close waits too). */
  deliveriesSettled(): Promise<DeliveryOutcome[]> {
    return this.dispatch.settled();
  }

  /** Follow-up reminders newly due on `ticket` at `now` (ms since epoch), each raised once. */
  pollFollowups(ticket: Ticket, now: number): AssistDecision[] {
    return this.followups.poll(ticket, now).map(followupDecision);
  }

  /**
   * Learns from a closed ticket: its case and Q&A entries, deduplicated against the knowledge (merged into a
   * twin, or flagged as a conflict). `auto` approves them (replay), `review` proposes them all, `team` follows
   * the team's learning settings (review always, or auto-approve above a confidence).
   */
  async learnFromClosedTicket(ticket: Ticket, policy: LearnPolicy): Promise<LearnResult> {
    await this.assistant.onTicketClosed(ticket.id);
    return this.learning.learnFromClosedTicket(this.storable(ticket), policy); // docs/privacy.md
  }

  /**
   * Records what the analyst did with a suggestion (expanded, copied, inserted, published, liked, disliked with
   * a reason, dismissed, ignored). Validated and fsynced; the ticket's quiet time restarts. An entry that keeps
   * being dismissed is retired (reversibly) by the dismissal rule.
   */
  async recordFeedback(event: FeedbackInput): Promise<{ event: SuggestionEvent; retired: string | null }> {
    // A dislike's reason is the analyst's free text and may quote the customer (feedback/events.jsonl keeps it).
    const reason = event.reason !== undefined && this.redactBeforeStorage ? redactTextForStorage(event.reason) : event.reason;
    return this.learning.recordFeedback({ ...event, ...(reason !== undefined ? { reason } : {}) });
  }

  /**
   * The retrieval gate as the team's feedback set it: recalibrated from N reactions (its threshold and the default),
   * or the default gate and how many reactions it still needs (core/feedback/gateCalibration.ts).
   */
  gateCalibration(): GateCalibrationStatus {
    return this.learning.feedback.gate.status(SHOW_THRESHOLD);
  }

  /** Starts the gate's recalibration over from the next reaction on (the reactions stay in the log). */
  async resetGateRecalibration(): Promise<GateCalibrationStatus> {
    await this.learning.resetGateRecalibration();
    return this.gateCalibration();
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

  /** The local knowledge store, which the team store link (core/team/teamLink.ts) keeps as the team's cache. */
  teamCache(): KnowledgeStore {
    return this.store;
  }

  /** Finishes queued writes and releases the data folder. */
  async close(): Promise<void> {
    this.monitor.stop();
    await this.deliveriesSettled();
    await this.assistant.close();
    try {
      // The learning loop's files first (each closes even if another fails), then the packs and the store.
      await this.learning.close();
      await this.packs.close();
    } finally {
      try {
        await this.shownLog.close().finally(() => this.store.close());
      } finally {
        try {
          await this.ownedEmbedder?.close?.();
        } finally {
          await this.audit.close();
        }
      }
    }
  }
}
