/**
 * The team's connectors: each one's kind, state, last sync, backlog and last error in words, with a button that
 * checks its address and credentials now. Connectors are added by an admin in `connectors.json` (secrets with
 * `vigil secrets set`), as docs/connectors.md describes; this section says where the file is.
 */
import type { ConnectorView } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
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

export function ConnectorSettings() {
  const overview = useCopilotStore((s) => s.connectors);
  const error = useCopilotStore((s) => s.connectorsError);
  const tests = useCopilotStore((s) => s.connectorTests);
  const testConnector = useCopilotStore((s) => s.testConnector);

  if (error) {
    return (
      <p className="notice error" role="alert">
        {error}
      </p>
    );
  }
  if (!overview) return <p className="empty-state">Loading…</p>;
  return (
    <div>
      <p className="muted">
        Configured in <span className="path">{overview.file}</span>; an admin adds connectors there and their secrets with{' '}
        <code>vigil secrets set NAME</code> (see docs/connectors.md).
      </p>
      {overview.problem && (
        <p className="notice error" role="alert">
          {overview.problem}
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
              <button type="button" className="secondary" disabled={test === 'testing'} onClick={() => void testConnector(view.id)}>
                {test === 'testing' ? 'Testing…' : `Test ${view.id}`}
              </button>
              {test && test !== 'testing' && (
                <p role="status" className={test.ok ? 'notice' : 'notice error'}>
                  {test.ok ? `${view.id}: connection and credentials work.` : test.message}
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
