/**
 * The team's data folder: where it is, how many entries it holds by status, and the last failed write.
 */
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';

export function DataFolderSettings() {
  const status = useCopilotStore((s) => s.status);
  const error = useCopilotStore((s) => s.statusError);
  if (!status) {
    return error ? (
      <p className="notice error" role="alert">
        {error}
      </p>
    ) : (
      <p className="empty-state">Loading…</p>
    );
  }
  const count = (n: number) => n.toLocaleString('en');
  return (
    <div>
      <p>
        <span className="muted">Folder: </span>
        <span className="path">{status.dataDir}</span>
      </p>
      <dl className="settings-counts" aria-label="Entries by status">
        <div>
          <dt>Approved</dt>
          <dd>{count(status.byStatus.approved)}</dd>
        </div>
        <div>
          <dt>Proposed (waiting for review)</dt>
          <dd>{count(status.byStatus.proposed)}</dd>
        </div>
        <div>
          <dt>Retired</dt>
          <dd>{count(status.byStatus.retired)}</dd>
        </div>
        <div>
          <dt>In all</dt>
          <dd>{count(status.entries)}</dd>
        </div>
      </dl>
      {status.lastWriteError ? (
        <p className="notice error" role="alert">
          Last write error: {status.lastWriteError}
        </p>
      ) : (
        <p className="settings-item-meta">No write errors since Vigil started.</p>
      )}
    </div>
  );
}
