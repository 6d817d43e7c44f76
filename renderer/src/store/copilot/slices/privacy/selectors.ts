/**
 * How the Privacy section and the audit view put the engine's data into words. Pure functions of the data, so
 * they are tested without a screen. Record kinds this version does not know are described by their fields.
 */
import type { AuditRecordView, AuditValue, RollbackPreview, SnapshotView } from '../../../../api/contractTypes';

/** The record kinds the filter offers, with their names for people; other kinds are offered once seen. */
export const AUDIT_KIND_LABELS: Record<string, string> = {
  suggestion: 'Suggestions',
  llm_call: 'LLM calls',
  egress_denied: 'Refused connections',
  admin: 'Administration (snapshots, rollbacks, repairs)',
};

/** Longest field value shown in a row: records hold ids and counts, so anything longer is cut, never dumped. */
const MAX_VALUE_CHARS = 160;

function clip(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** "email 2, phone 1", or "none" when nothing was redacted. */
export function redactionText(value: AuditValue | undefined): string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'none';
  const parts = Object.entries(value)
    .filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([kind, n]) => `${kind} ${String(n)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** One field's value as text: lists joined, objects as key=value pairs, long text cut. */
export function valueText(value: AuditValue | undefined): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : clip(value.map((v) => valueText(v)).join(', '));
  if (typeof value === 'object') {
    const pairs = Object.entries(value).map(([k, v]) => `${k}=${valueText(v)}`);
    return pairs.length === 0 ? '—' : clip(pairs.join(' '));
  }
  return clip(String(value));
}

/** One row of the audit view: a headline and the fields that say what was used. */
export interface AuditRow {
  title: string;
  details: Array<{ label: string; value: string }>;
}

const detail = (label: string, value: string) => ({ label, value });

/** Describes a record for the audit view; unknown kinds (and unexpected shapes) by their name and every field. */
export function describeAuditRow(record: AuditRecordView): AuditRow {
  const f = record.fields;
  if (record.known) {
    switch (record.type) {
      case 'suggestion':
        return {
          title: `Suggestion on ${valueText(f['ticketId'])}: ${f['shown'] === true ? 'shown' : 'kept silent'} (${valueText(f['reason'])})`,
          details: [
            detail('Entries', valueText(f['entryIds'])),
            detail('Model', f['model'] === null ? 'none (retrieval only)' : valueText(f['model'])),
            detail('Redacted', redactionText(f['redactions'])),
          ],
        };
      case 'llm_call':
        return {
          title: `LLM call for ${valueText(f['purpose'])}: ${valueText(f['outcome'])}`,
          details: [
            detail('Model', valueText(f['model'])),
            detail('Ticket', valueText(f['ticketId'])),
            detail('Entries', valueText(f['entryIds'])),
            detail('Redacted', redactionText(f['redactions'])),
            detail('Prompt', `${valueText(f['promptChars'])} characters`),
            ...(typeof f['responseChars'] === 'number' ? [detail('Answer', `${f['responseChars']} characters`)] : []),
            ...(typeof f['durationMs'] === 'number' ? [detail('Took', `${Math.round(f['durationMs'])} ms`)] : []),
            ...(f['error'] ? [detail('Error', valueText(f['error']))] : []),
          ],
        };
      case 'egress_denied':
        return {
          title: `Refused a connection to ${valueText(f['host'])} (${valueText(f['via'])})`,
          details: [detail('Why', valueText(f['reason']))],
        };
      case 'admin':
        return {
          title: `Administration: ${valueText(f['action']).replace(/_/g, ' ')}`,
          details: Object.entries((f['detail'] as Record<string, AuditValue> | undefined) ?? {}).map(([k, v]) => detail(k, valueText(v))),
        };
    }
  }
  return {
    title: `${record.type.replace(/_/g, ' ')}${record.known ? '' : ' (a kind this version does not describe)'}`,
    details: Object.entries(f).map(([k, v]) => detail(k, k === 'redactions' ? redactionText(v) : valueText(v))),
  };
}

/** "3 hours ago"-style age of a snapshot, with the time itself. */
export function whenText(iso: string, now = Date.now()): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  const minutes = Math.round(ms / 60_000);
  const age = minutes < 1 ? 'just now' : minutes < 60 ? `${minutes} min ago` : minutes < 48 * 60 ? `${Math.round(minutes / 60)} h ago` : `${Math.round(minutes / 1440)} days ago`;
  return `${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')} (${age})`;
}

/** The confirmation's sentences: what a rollback to the snapshot undoes, and how to undo it. */
export function rollbackConsequences(preview: RollbackPreview): string[] {
  const s: SnapshotView = preview.snapshot;
  const added = preview.entriesAddedSince;
  return [
    `The knowledge store goes back to how it was at ${s.createdAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}.`,
    added > 0
      ? `${added.toLocaleString('en')} ${added === 1 ? 'entry' : 'entries'} learned or imported since then will be gone, and approvals, edits and retirements made since are undone.`
      : 'No entry was added since then; approvals, edits and retirements made since are undone.',
    "The data folder's settings (embedding model, local LLM, privacy switches) return to what they were then.",
    ...(preview.newerSnapshots > 0 ? [`${preview.newerSnapshots} newer snapshot${preview.newerSnapshots === 1 ? '' : 's'} stay${preview.newerSnapshots === 1 ? 's' : ''} available.`] : []),
    'Vigil first saves the current state as a snapshot of its own ("before-rollback-…"): roll back to it to undo this. The workspace closes and reopens, which takes a few seconds.',
  ];
}
