/**
 * Wording of the knowledge browser: kinds, statuses, origins, provenance and history lines, in one place so the
 * list and the detail panel say the same.
 */
import type { EntryContent, EntryDetail, EntryOrigin, EntryProvenanceView, EntrySummary, EntryVersionView } from '../../api/contractTypes';

type EntryKind = EntrySummary['kind'];
type EntryStatus = EntrySummary['status'];

export const KIND_LABELS: Record<EntryKind, string> = { qa: 'Q&A', case: 'Case', article: 'Article' };
export const STATUS_LABELS: Record<EntryStatus, string> = { approved: 'Approved', proposed: 'Proposed', retired: 'Retired' };
export const ORIGIN_LABELS: Record<EntryOrigin, string> = { learned: 'Learned', imported: 'Imported', pack: 'Pack' };

const ACTION_LABELS: Record<EntryVersionView['action'], string> = {
  baseline: 'as stored before its first change',
  created: 'learned',
  merged: 'merged with another ticket',
  approved: 'approved',
  edited: 'edited',
  rejected: 'rejected',
  retired: 'retired',
  restored: 'restored',
  modified: 'corrected by the delayed review',
  reviewed: 'reviewed (no change)',
};

/** The question, else the title, else the id. */
export function entryHeading(entry: Pick<EntryContent, 'question' | 'title'> & { id?: string }): string {
  return entry.question?.trim() || entry.title?.trim() || entry.id || 'Untitled entry';
}

/** "2026-11-22 09:55" in the analyst's time zone; an unreadable time as it came. */
export function timeLabel(iso: string | null): string {
  if (!iso) return 'never';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** Where an entry came from, in one line: "Learned from ticket rt:4100 (connector rt)". */
export function originLine(p: EntryProvenanceView): string {
  if (p.origin === 'pack') return p.pack ? `From the knowledge pack ${p.pack.name}${p.pack.version ? ` ${p.pack.version}` : ''}` : 'From a knowledge pack';
  if (p.origin === 'imported') return p.importedFrom ? `Imported from the file ${p.importedFrom}` : 'Imported';
  if (p.tickets.length === 0) return 'Learned from a closed ticket';
  const tickets = p.tickets.map((t) => (t.connector ? `${t.id} (connector ${t.connector})` : t.id));
  return `Learned from ${p.tickets.length === 1 ? 'ticket' : 'tickets'} ${tickets.join(', ')}`;
}

/** "v2 · edited by maria · 2026-11-20 11:00". */
export function versionLine(v: EntryVersionView): string {
  const what = v.action === 'restored' && v.restoredFrom ? `restored version ${v.restoredFrom}` : ACTION_LABELS[v.action];
  return `v${v.version} · ${what} by ${v.actor} · ${timeLabel(v.at)}`;
}

/** "Shown 7 times · liked 3 · disliked 1 · dismissed 1 · used 3 times (copied, inserted or published)". */
export function feedbackLine(f: NonNullable<EntryDetail['feedback']>): string {
  const used = f.copied + f.inserted + f.published;
  return [
    `Cited in ${f.shown} ${f.shown === 1 ? 'suggestion' : 'suggestions'}`,
    `liked ${f.liked}`,
    `disliked ${f.disliked}`,
    `dismissed ${f.dismissed}`,
    `used ${used} ${used === 1 ? 'time' : 'times'}`,
  ].join(' · ');
}
