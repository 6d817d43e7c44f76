/**
 * The team's connectors: each one's kind, state, last sync, backlog and last error in words, with a button that
 * checks its address and credentials now; and adding, editing and removing connectors (ConnectorForm), which
 * writes `connectors.json` and restarts watching at once. Secrets go to the system keychain, never to the file.
 * When the file has a mistake, the section says where and offers nothing that would overwrite it.
 */
import { useState } from 'react';
import type { ConnectorView } from '../../api/contractTypes';
import { PathText } from '../PathText';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { ConnectorForm } from '../connectors/ConnectorForm';
import { ageLabel } from '../deskText';

function healthLine(view: ConnectorView): string {
  if (!view.enabled) return 'Disabled';
  const h = view.health;
  if (!h) return 'Not watched yet';
  const parts = [h.state === 'idle' ? 'Up to date' : h.state === 'retrying' ? 'Retrying' : h.state === 'syncing' ? 'Syncing' : h.state];
  if (h.lastSyncAt) parts.push(`last sync ${ageLabel(h.lastSyncAt)} ago`);
  if (h.backlog > 0) parts.push(`${h.backlog} events waiting`);
  return parts.join(' · ');
}

/** Which form is open: none, "add", or "edit" of one connector. */
type Editing = null | { mode: 'add' } | { mode: 'edit'; id: string };

export function ConnectorSettings() {
  const overview = useCopilotStore((s) => s.connectors);
  const error = useCopilotStore((s) => s.connectorsError);
  const tests = useCopilotStore((s) => s.connectorTests);
  const notice = useCopilotStore((s) => s.connectorNotice);
  const testConnector = useCopilotStore((s) => s.testConnector);
  const loadConnectors = useCopilotStore((s) => s.loadConnectors);
  const removeConnector = useCopilotStore((s) => s.removeConnector);
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<string | null>(null);

  if (error) {
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  }
  if (!overview) return <p className="empty-state">Loading…</p>;
  // A file Vigil cannot read is never rewritten from here: the admin fixes it first, so nothing in it is lost.
  const locked = overview.problem !== null;
  return (
    <div>
      <p className="muted">
        Saved in <PathText path={overview.file} />; secrets go to the system keychain, never into that file.
      </p>
      {overview.problem && (
        <div className="notice error" role="alert">
          <p>{overview.problem}</p>
          <p>
            Vigil does not change connectors.json while it has a mistake, so nothing in it is lost. Fix the line or field named above in a text
            editor, then reload.
          </p>
          <button type="button" className="secondary" onClick={() => void loadConnectors()}>
            Reload connectors.json
          </button>
        </div>
      )}
      {notice && (
        <p role="status" className="settings-notice">
          {notice}
        </p>
      )}
      {overview.connectors.length === 0 && !overview.problem && <p className="empty-state">No connectors yet: Vigil is not watching any queue.</p>}
      <ul className="settings-list" aria-label="Connectors">
        {overview.connectors.map((view) => {
          const test = tests[view.id];
          return (
            <li key={view.id}>
              <strong>{view.id}</strong> <span className="muted">({view.kind}{view.writeBack ? ', may post notes' : ''})</span>
              <p>{healthLine(view)}</p>
              {view.health?.lastError && (
                <p className="notice error" role="alert">
                  {view.health.lastError}
                </p>
              )}
              <div className="settings-actions">
                <button type="button" className="secondary" disabled={test === 'testing'} onClick={() => void testConnector(view.id)}>
                  {test === 'testing' ? 'Testing…' : `Test ${view.id}`}
                </button>
                <button type="button" className="secondary" disabled={locked || editing !== null} onClick={() => setEditing({ mode: 'edit', id: view.id })}>
                  {`Edit ${view.id}`}
                </button>
                <button type="button" className="secondary" disabled={locked || editing !== null} onClick={() => setRemoving(view.id)}>
                  {`Remove ${view.id}`}
                </button>
              </div>
              {test && test !== 'testing' && (
                <p role="status" className={test.ok ? 'notice' : 'notice error'}>
                  {test.ok ? `${view.id}: connection and credentials work.` : test.message}
                </p>
              )}
              {removing === view.id && (
                <div className="notice" role="alertdialog" aria-label={`Remove ${view.id}?`}>
                  <p>
                    Remove {view.id}? Vigil stops watching it and deletes its secret from the keychain. Its tickets stay on the desk and its sync state
                    (watch/{view.id}) is kept, so adding it again under the same id resumes where it stopped.
                  </p>
                  <div className="settings-actions">
                    <button
                      type="button"
                      onClick={() => {
                        setRemoving(null);
                        void removeConnector(view.id);
                      }}
                    >
                      {`Yes, remove ${view.id}`}
                    </button>
                    <button type="button" className="secondary" onClick={() => setRemoving(null)}>
                      Keep it
                    </button>
                  </div>
                </div>
              )}
              {editing?.mode === 'edit' && editing.id === view.id && <ConnectorForm mode="edit" editId={view.id} onClose={() => setEditing(null)} />}
            </li>
          );
        })}
      </ul>
      {editing?.mode === 'add' ? (
        <ConnectorForm mode="add" onClose={() => setEditing(null)} />
      ) : (
        <button type="button" disabled={locked || editing !== null} onClick={() => setEditing({ mode: 'add' })}>
          Add connector
        </button>
      )}
    </div>
  );
}
