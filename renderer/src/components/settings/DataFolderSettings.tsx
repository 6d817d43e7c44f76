/**
 * Settings → Team data folder: which folder the team's data is in and how it was chosen, a way to choose another
 * (picked in the main process's folder dialog, checked there; the page never sends a path) or to go back to the
 * default, and what the folder holds: entries by status and the last failed write. Whether only the analyst can
 * read the folder is under Privacy → Data folder protection, for the same folder.
 */
import { useEffect } from 'react';
import type { DataFolderChoiceView } from '../../api/contractTypes';
import { PathText } from '../PathText';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { ErrorAlert, Notices } from '../Notices';

const SOURCE_WORDS: Record<DataFolderChoiceView['source'], string> = {
  default: 'the default folder',
  chosen: 'chosen by you',
  environment: 'set by VIGIL_DATA_DIR',
};

function FolderChoice() {
  const view = useCopilotStore((s) => s.dataFolder);
  const error = useCopilotStore((s) => s.dataFolderError);
  const busy = useCopilotStore((s) => s.dataFolderBusy);
  const notice = useCopilotStore((s) => s.dataFolderNotice);
  const restarting = useCopilotStore((s) => s.dataFolderRestarting);
  const load = useCopilotStore((s) => s.loadDataFolder);
  const choose = useCopilotStore((s) => s.chooseDataFolder);
  const useDefault = useCopilotStore((s) => s.useDefaultDataFolder);
  useEffect(() => {
    void load();
  }, [load]);

  const fixed = view?.source === 'environment';
  const disabled = !view || fixed || busy !== null || restarting;
  // Offered whenever something other than the default is in use or due at the next start.
  const offerDefault = view !== null && !fixed && (view.source === 'chosen' || view.next !== null);
  return (
    <div className="settings-form" role="group" aria-label="Folder in use">
      {view ? (
        <p>
          <span className="muted">Folder: </span>
          <PathText path={view.inUse} /> <span className="muted">({SOURCE_WORDS[view.source]})</span>
        </p>
      ) : (
        !error && <p className="empty-state">Loading…</p>
      )}
      {view?.next && !restarting && (
        <p className="notice" role="note">
          Vigil opens <PathText path={view.next} /> when it next starts.
        </p>
      )}
      {view?.problem && <ErrorAlert error={view.problem} />}
      <div className="settings-actions">
        <button type="button" onClick={() => void choose()} disabled={disabled}>
          {busy === 'choosing' ? 'Checking the folder…' : 'Choose folder…'}
        </button>
        {offerDefault && (
          <button type="button" className="secondary" onClick={() => void useDefault()} disabled={disabled}>
            {busy === 'default' ? 'Switching…' : 'Use the default folder'}
          </button>
        )}
      </div>
      <p className="settings-item-meta">
        An empty folder is set up for the team; a Vigil data folder (one your admin prepared on an encrypted volume, say) is opened as it is;
        a folder holding other files is refused. Switching restarts Vigil, after it has saved everything in the current folder. The choice is
        kept in your own preferences on this computer{view && !fixed ? <>; the default is <PathText path={view.defaultDir} /></> : null}.
      </p>
      <Notices notice={notice} error={error} />
    </div>
  );
}

function FolderContents() {
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

export function DataFolderSettings() {
  return (
    <div>
      <FolderChoice />
      <FolderContents />
    </div>
  );
}
