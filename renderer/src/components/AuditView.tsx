/**
 * The audit log, newest first, a page at a time (the engine reads it from its end; the log is never sent here
 * whole), filterable by kind. Each row says what a suggestion or LLM call used (entry ids, model, redaction
 * counts): the log holds no ticket text, and a kind this version does not know is shown by its name and
 * fields. "Verify chain" checks every record's hash; "Export…" writes the same file as `vigil audit export`,
 * to a place chosen in the main process's save dialog.
 */
import { useEffect, useId, useRef } from 'react';
import { useCopilotStore } from '../store/copilot/CopilotStoreProvider';
import { AUDIT_KIND_LABELS, describeAuditRow, whenText } from '../store/copilot/slices/privacy/selectors';
import { Notices } from './Notices';

function Verification() {
  const result = useCopilotStore((s) => s.auditVerification);
  if (!result) return null;
  if (result === 'verifying') return <p role="status">Checking every record’s hash…</p>;
  if (result.ok) {
    return (
      <p className="settings-notice" role="status">
        Chain intact: {result.records.toLocaleString('en')} records, each chained to the one before.
      </p>
    );
  }
  return (
    <div className="notice error" role="alert">
      <p>
        The audit log was changed after it was written
        {result.firstBrokenLine !== null ? `: the first problem is on line ${result.firstBrokenLine}` : ''} ({result.problems.length} problem
        {result.problems.length === 1 ? '' : 's'} in {result.records.toLocaleString('en')} records).
      </p>
      <ul>
        {result.problems.slice(0, 5).map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    </div>
  );
}

export function AuditView() {
  const records = useCopilotStore((s) => s.auditRecords);
  const next = useCopilotStore((s) => s.auditNext);
  const loading = useCopilotStore((s) => s.auditLoading);
  const error = useCopilotStore((s) => s.auditError);
  const unreadable = useCopilotStore((s) => s.auditUnreadable);
  const type = useCopilotStore((s) => s.auditType);
  const notice = useCopilotStore((s) => s.auditNotice);
  const verifying = useCopilotStore((s) => s.auditVerification === 'verifying');
  const filterAudit = useCopilotStore((s) => s.filterAudit);
  const loadAuditPage = useCopilotStore((s) => s.loadAuditPage);
  const verifyAudit = useCopilotStore((s) => s.verifyAudit);
  const exportAudit = useCopilotStore((s) => s.exportAudit);
  const closeAudit = useCopilotStore((s) => s.closeAudit);
  const id = useId();
  const heading = useRef<HTMLDivElement>(null);

  // Opening the view from Settings → Privacy moves the analyst to it.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  // Kinds offered: the known ones, and any other kind seen in the pages read (a newer Vigil's records).
  const kinds = [...new Set([...Object.keys(AUDIT_KIND_LABELS), ...records.map((r) => r.type), ...(type ? [type] : [])])];

  return (
    <div className="audit-view">
      <div className="settings-actions" ref={heading} tabIndex={-1}>
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select id={`${id}-kind`} value={type ?? ''} onChange={(e) => void filterAudit(e.target.value || null)}>
          <option value="">All records</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {AUDIT_KIND_LABELS[k] ?? k}
            </option>
          ))}
        </select>
        <button type="button" className="secondary" disabled={verifying} onClick={() => void verifyAudit()}>
          {verifying ? 'Verifying…' : 'Verify chain'}
        </button>
        <button type="button" className="secondary" onClick={() => void exportAudit('jsonl')}>
          Export (JSON Lines)…
        </button>
        <button type="button" className="secondary" onClick={() => void exportAudit('csv')}>
          Export (CSV)…
        </button>
        <button type="button" className="secondary" onClick={() => void loadAuditPage(true)}>
          Refresh
        </button>
        <button type="button" className="secondary" onClick={closeAudit}>
          Close
        </button>
      </div>
      <Verification />
      <Notices notice={notice} error={error} />
      {unreadable > 0 && (
        <p className="notice" role="note">
          {unreadable} line{unreadable === 1 ? ' is' : 's are'} not a record (a crash mid-write, or an edit): “Verify chain” names the line.
        </p>
      )}
      {records.length === 0 && !loading && !error && <p className="empty-state">{type ? 'No records of this kind.' : 'The audit log is empty.'}</p>}
      <ol className="settings-list audit-records" aria-label="Audit records">
        {records.map((record) => {
          const row = describeAuditRow(record);
          return (
            <li key={record.offset} className="settings-item" aria-label={`Record ${record.seq ?? '?'}: ${row.title}`}>
              <div className="settings-item-main">
                <span className="settings-item-title">
                  <span className="muted">#{record.seq ?? '?'}</span> {row.title}
                </span>
                <p className="settings-item-meta">{record.at ? whenText(record.at) : 'no time'}</p>
                {row.details.length > 0 && (
                  <dl className="audit-fields">
                    {row.details.map((d) => (
                      <div key={d.label}>
                        <dt>{d.label}</dt>
                        <dd>{d.value}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {loading && <p role="status">Reading the audit log…</p>}
      {next !== null && !loading && (
        <button type="button" className="secondary" onClick={() => void loadAuditPage(false)}>
          Older records
        </button>
      )}
    </div>
  );
}
