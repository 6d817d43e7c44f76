/**
 * The learning loop, run when a ticket closes: extract candidates (the LLM when one is available, else rules),
 * keep the ticket as a case, deduplicate each candidate against the store (merge into a twin, or flag a
 * conflict), give each entry its status by the team's policy, then record every change in the history before
 * writing it to the store.
 */
import type { Ticket } from '../formats/schemas';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import type { EntryStatus, StoredEntry } from '../knowledge/storedEntry';
import type { LanguageModel } from '../llm/languageModel';
import type { Change, EntryHistory } from '../knowledge/entryHistory';
import { findTwin, mergeInto } from './entryMerger';
import { decideStatus, type LearnMode, type LearningSettings } from './learningSettings';
import { extractWithLlm } from './llmExtractor';
import { extractWithRules, type Extraction, type RejectedCandidate } from './ruleExtractor';
import { caseEntryOf, qaEntryOf, qaIdFor } from './ticketLearner';

/** Confidence of a case entry (a raw precedent, not an extracted answer) for the review policy. */
const CASE_CONFIDENCE = 0.6;

export interface LearnOutcome {
  /** Ids of the entries written or updated, case first. */
  entryIds: string[];
  /** New Q&A entries. */
  created: string[];
  /** Existing entries that absorbed a candidate from this ticket. */
  merged: string[];
  /** New entries that contradict an existing one (`conflictsWith`), waiting for review outside replay. */
  conflicts: Array<{ entryId: string; conflictsWith: string }>;
  /** Status of every written entry. */
  statusById: Record<string, EntryStatus>;
  /** Candidates refused by the quality rules, with the reasons. */
  rejected: RejectedCandidate[];
  skippedQa: string | null;
  /** `llm`, `rules`, or `rules (fallback: …)`. */
  extractor: string;
}

export interface LearnOptions {
  /** Customer messages a suggestion already answered (see ruleExtractor.ts). */
  answeredBySuggestion?: ReadonlySet<string>;
  now?: Date;
  signal?: AbortSignal;
  /** Learn the Q&A only, no case (learning during a ticket: the conversation is not over). */
  qaOnly?: boolean;
}

export class LearningLoop {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly history: EntryHistory,
    private settings: LearningSettings,
    private model: LanguageModel | null = null,
  ) {}

  /** Uses a local model for extraction from now on (null: rules only). */
  setModel(model: LanguageModel | null): void {
    this.model = model;
  }

  setSettings(settings: LearningSettings): void {
    this.settings = settings;
  }

  async learn(ticket: Ticket, mode: LearnMode, options: LearnOptions = {}): Promise<LearnOutcome> {
    const at = (options.now ?? new Date()).toISOString();
    const extractOptions = options.answeredBySuggestion ? { answeredBySuggestion: options.answeredBySuggestion } : {};
    let extraction: Extraction;
    let extractor = 'rules';
    if (this.model) {
      const result = await extractWithLlm(this.model, ticket, { ...extractOptions, ...(options.signal ? { signal: options.signal } : {}) });
      extraction = result;
      extractor = result.fallback ? `rules (fallback: ${result.fallback})` : 'llm';
    } else {
      extraction = extractWithRules(ticket, extractOptions);
    }

    const outcome: LearnOutcome = {
      entryIds: [],
      created: [],
      merged: [],
      conflicts: [],
      statusById: {},
      rejected: extraction.rejected,
      skippedQa: extraction.candidates.length > 0 ? null : extraction.skipped,
      extractor,
    };
    const changes: Change[] = [];
    const writes: StoredEntry[] = [];
    const write = (change: Change): void => {
      changes.push(change);
      writes.push(change.entry);
      outcome.entryIds.push(change.entry.id);
      outcome.statusById[change.entry.id] = change.entry.status;
    };
    const provenanceFor = (decision: { status: EntryStatus; approvedBy: string | null }) => ({
      sourceTicketIds: [ticket.id],
      createdAt: at,
      approvedBy: decision.approvedBy,
      approvedAt: decision.approvedBy ? at : null,
    });

    const kase = options.qaOnly ? null : caseEntryOf(ticket, at);
    if (!kase && !options.qaOnly) {
      return { ...outcome, skippedQa: 'the ticket has neither a described problem nor a resolution' };
    }
    const caseDecision = this.decide(mode, CASE_CONFIDENCE, false);
    const caseBefore = kase ? await this.existingWithoutHistory(kase.id) : null;
    if (kase) write({ action: caseBefore || this.known(kase.id) ? 'modified' : 'created', entry: { ...kase, status: caseDecision.status, provenance: provenanceFor(caseDecision) }, actor: caseDecision.approvedBy ?? 'learn', at, before: caseBefore, note: `learned from ticket ${ticket.id}` });

    let n = 0;
    for (const candidate of extraction.candidates) {
      const twin = await findTwin(this.store, candidate);
      if (twin.kind === 'merge' && !writes.some((w) => w.id === twin.target.id)) {
        const merged = mergeInto(twin.target, candidate, at);
        // A proposed entry that more tickets now support may cross the team's auto-approve threshold.
        let entry = merged;
        if (merged.status === 'proposed') {
          const decision = this.decide(mode, Number((merged['learned'] as { confidence?: number }).confidence ?? 0), false);
          if (decision.status === 'approved') {
            entry = { ...merged, status: 'approved', provenance: { ...merged.provenance, approvedBy: decision.approvedBy, approvedAt: at } };
          }
        }
        const before = this.history.versions(twin.target.id).length === 0 ? twin.target : null;
        write({ action: 'merged', entry, actor: 'learn', at, before, note: `same question as ticket ${ticket.id} (similarity ${twin.similarity.toFixed(3)})` });
        outcome.merged.push(entry.id);
        continue;
      }
      const conflict = twin.kind === 'conflict';
      const decision = this.decide(mode, candidate.confidence, conflict);
      const id = qaIdFor(ticket.id, n++);
      const base = qaEntryOf(candidate, id, at);
      const entry: StoredEntry = {
        ...base,
        ...(conflict ? { review: { reason: 'conflict', conflictsWith: twin.target.id } } : {}),
        status: decision.status,
        provenance: provenanceFor(decision),
      };
      const before = await this.existingWithoutHistory(id);
      write({
        action: before || this.known(id) ? 'modified' : 'created',
        entry,
        actor: decision.approvedBy ?? 'learn',
        at,
        before,
        note: conflict ? `answers differently from ${twin.target.id}` : `learned from ticket ${ticket.id} (${candidate.origin})`,
      });
      outcome.created.push(id);
      if (conflict) outcome.conflicts.push({ entryId: id, conflictsWith: twin.target.id });
    }

    await this.history.recordAll(changes);
    await this.store.upsert(writes);
    return outcome;
  }

  private decide(mode: LearnMode, confidence: number, conflict: boolean): { status: 'approved' | 'proposed'; approvedBy: string | null } {
    return decideStatus(this.settings, mode, confidence, conflict);
  }

  private known(id: string): boolean {
    return this.history.versions(id).length > 0;
  }

  /** The stored entry with this id when the history does not know it yet (so it is kept as version 1). */
  private async existingWithoutHistory(id: string): Promise<StoredEntry | null> {
    if (this.history.versions(id).length > 0) return null;
    return this.store.get(id);
  }
}
