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

/** The entry a proposed revision corrects, if this entry is one. */
export function revisedEntryOf(entry: StoredEntry): string | null {
  const review = entry['review'] as { revises?: unknown } | undefined;
  return typeof review?.revises === 'string' ? review.revises : null;
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

  /** Approves an entry as it is (a proposed revision replaces the entry it revises). */
  async approve(id: string, actor: string): Promise<StoredEntry> {
    const entry = await this.require(id);
    const revises = revisedEntryOf(entry);
    if (revises) return this.applyRevision(entry, revises, { question: entry.question ?? '', answer: entry.body }, actor);
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
    const revises = revisedEntryOf(entry);
    if (revises) {
      const target = await this.edit(revises, { question: edit.question ?? entry.question ?? '', answer: edit.answer ?? entry.body, ...(edit.title !== undefined ? { title: edit.title } : {}) }, actor);
      await this.change('retired', entry, { ...entry, status: 'retired', updatedAt: this.now() }, actor, `approved with changes into ${revises}`);
      return target;
    }
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

  /**
   * Proposes a corrected version of a serving entry (delayed review's `modify` under the `review` policy): the
   * correction waits in the queue as `<id>-revision`, and the entry keeps serving as it is until an analyst
   * approves it (then the correction replaces the entry, as a new version) or rejects it (nothing changes).
   */
  async proposeRevision(id: string, edit: Required<Pick<EntryEdit, 'answer'>> & EntryEdit, actor: string, note: string): Promise<StoredEntry> {
    const entry = await this.require(id);
    const at = this.now();
    const revisionId = `${id}-revision`;
    const previous = await this.store.get(revisionId);
    const { review: _review, ...rest } = entry;
    const revision = {
      ...rest,
      id: revisionId,
      ...(edit.question ? { question: edit.question } : {}),
      body: edit.answer,
      status: 'proposed',
      updatedAt: at,
      provenance: { ...entry.provenance, createdAt: at, approvedBy: null, approvedAt: null },
      review: { reason: `correction of ${id} from the delayed review`, revises: id },
    } as StoredEntry;
    await this.history.record('reviewed', entry, actor, { at, before: entry, note: `${note}; a correction waits for approval as ${revisionId}, this version keeps serving` });
    return this.change('modified', previous ?? revision, revision, actor, note);
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

  /** Approving a revision: the revised entry gets its text (a new version), the revision is retired. */
  private async applyRevision(revision: StoredEntry, targetId: string, edit: Required<Pick<EntryEdit, 'answer' | 'question'>>, actor: string): Promise<StoredEntry> {
    const target = await this.require(targetId);
    const at = this.now();
    const { review: _review, ...rest } = target;
    const updated = await this.change('modified', target, {
      ...rest,
      ...(edit.question ? { question: edit.question } : {}),
      body: edit.answer,
      status: 'approved',
      updatedAt: at,
      provenance: { ...target.provenance, approvedBy: actor, approvedAt: at },
    } as StoredEntry, actor, `approved the delayed review's correction ${revision.id}`);
    await this.change('retired', revision, { ...revision, status: 'retired', updatedAt: at }, actor, `approved into ${targetId}`);
    return updated;
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
