/**
 * The review queue and the operations on an entry's life: approve, edit (approve with changes), reject, retire,
 * and restore any earlier version. Every operation is a new version in the history (who, when, why) written
 * before the store is updated; rejecting and retiring only change the status, so nothing is ever deleted and
 * every step can be undone by restoring the version before it.
 */
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import type { EntryStatus, StoredEntry } from '../knowledge/storedEntry';
import type { EntryHistory, HistoryAction, HistoryRecord } from '../knowledge/entryHistory';
import { checkEntryQuality, describeQualityIssues } from './entryQuality';
import { learnedConfidence } from './entryMerger';

/** One proposed entry as the analyst reviews it. */
export interface ReviewItem {
  id: string;
  kind: StoredEntry['kind'];
  title: string | null;
  question: string | null;
  answer: string;
  confidence: number;
  sourceTicketIds: string[];
  createdAt: string;
  /** Why it needs a look beyond the policy: `conflict` with another entry, or a delayed-review correction. */
  reason: string | null;
  conflictsWith: string | null;
}

export interface EntryEdit {
  title?: string;
  question?: string;
  /** The answer (the entry's `body`). */
  answer?: string;
}

function reviewInfo(entry: StoredEntry): { reason: string | null; conflictsWith: string | null } {
  const review = entry['review'] as { reason?: unknown; conflictsWith?: unknown } | undefined;
  return {
    reason: typeof review?.reason === 'string' ? review.reason : null,
    conflictsWith: typeof review?.conflictsWith === 'string' ? review.conflictsWith : null,
  };
}

export function toReviewItem(entry: StoredEntry): ReviewItem {
  return {
    id: entry.id,
    kind: entry.kind,
    title: entry.title ?? null,
    question: entry.question ?? null,
    answer: entry.body,
    confidence: learnedConfidence(entry),
    sourceTicketIds: entry.provenance.sourceTicketIds,
    createdAt: entry.provenance.createdAt,
    ...reviewInfo(entry),
  };
}

export class ReviewDesk {
  constructor(
    private readonly store: KnowledgeStore,
    private readonly history: EntryHistory,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Proposed entries, oldest first: Q&A before cases, conflicts flagged. */
  async queue(): Promise<ReviewItem[]> {
    const items: ReviewItem[] = [];
    for await (const entry of this.store.entries()) if (entry.status === 'proposed') items.push(toReviewItem(entry));
    const kindOrder = (k: string): number => (k === 'qa' ? 0 : k === 'article' ? 1 : 2);
    return items.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Approves an entry as it is. */
  async approve(id: string, actor: string): Promise<StoredEntry> {
    const entry = await this.require(id);
    const at = this.now();
    const { review: _review, ...rest } = entry;
    return this.change('approved', entry, {
      ...rest,
      status: 'approved',
      updatedAt: at,
      provenance: { ...entry.provenance, approvedBy: actor, approvedAt: at },
    } as StoredEntry, actor);
  }

  /** Approves an entry with the analyst's changes; the changed text must still meet the quality rules. */
  async edit(id: string, edit: EntryEdit, actor: string): Promise<StoredEntry> {
    const entry = await this.require(id);
    const question = edit.question?.trim() ?? entry.question ?? '';
    const answer = edit.answer?.trim() ?? entry.body;
    if (!answer) throw new Error(`Entry ${id}: the answer cannot be empty.`);
    if (entry.kind === 'qa') {
      // Names cannot be checked here (the ticket is not at hand); the other rules can.
      const issues = checkEntryQuality(question, answer).filter((i) => i.problem !== 'contains_name');
      if (issues.length > 0) throw new Error(`Entry ${id} was not changed: ${describeQualityIssues(issues)}.`);
    }
    const at = this.now();
    const { review: _review, ...rest } = entry;
    return this.change('edited', entry, {
      ...rest,
      ...(edit.title !== undefined ? { title: edit.title.trim() } : {}),
      ...(question ? { question } : {}),
      body: answer,
      status: 'approved',
      updatedAt: at,
      provenance: { ...entry.provenance, approvedBy: actor, approvedAt: at },
    } as StoredEntry, actor);
  }

  /** Rejects a proposed entry: it is retired (never suggested) and can be restored from its history. */
  async reject(id: string, actor: string, reason?: string): Promise<StoredEntry> {
    const entry = await this.require(id);
    return this.change('rejected', entry, { ...entry, status: 'retired', updatedAt: this.now() }, actor, reason);
  }

  /** Retires an entry (feedback, delayed review, or an analyst); reversible with `restore`. */
  async retire(id: string, actor: string, note?: string): Promise<StoredEntry> {
    const entry = await this.require(id);
    return this.change('retired', entry, { ...entry, status: 'retired', updatedAt: this.now() }, actor, note);
  }

  /** Writes a corrected version of an entry (delayed review's `modify`), with the status the caller decided. */
  async modify(id: string, edit: Required<Pick<EntryEdit, 'answer'>> & EntryEdit, status: EntryStatus, actor: string, note: string): Promise<StoredEntry> {
    const entry = await this.require(id);
    const at = this.now();
    return this.change('modified', entry, {
      ...entry,
      ...(edit.question ? { question: edit.question } : {}),
      body: edit.answer,
      status,
      updatedAt: at,
      ...(status === 'proposed' ? { review: { reason: 'correction from the delayed review' } } : {}),
    }, actor, note);
  }

  /** An entry's versions, oldest first. */
  versions(id: string): HistoryRecord[] {
    return this.history.versions(id);
  }

  /** Makes an earlier version current again (as a new version, so the restore itself can be undone). */
  async restore(id: string, version: number, actor: string): Promise<StoredEntry> {
    const record = this.history.version(id, version);
    if (!record) {
      const known = this.history.versions(id).length;
      throw new Error(
        known === 0 ? `Entry ${id} has no history to restore from.` : `Entry ${id} has versions 1 to ${known}; there is no version ${version}.`,
      );
    }
    const current = await this.store.get(id);
    const restored: StoredEntry = { ...record.entry, updatedAt: this.now() };
    await this.history.record('restored', restored, actor, { at: this.now(), before: current, restoredFrom: version });
    await this.store.upsert([restored]);
    return restored;
  }

  private async change(action: HistoryAction, before: StoredEntry, after: StoredEntry, actor: string, note?: string): Promise<StoredEntry> {
    await this.history.record(action, after, actor, { at: after.updatedAt ?? this.now(), before, ...(note ? { note } : {}) });
    await this.store.upsert([after]);
    return after;
  }

  private async require(id: string): Promise<StoredEntry> {
    const entry = await this.store.get(id);
    if (!entry) throw new Error(`No knowledge entry with id ${id}. List the queue with \`vigil kb review\`.`);
    return entry;
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
