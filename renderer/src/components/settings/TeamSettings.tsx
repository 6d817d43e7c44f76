/**
 * Settings → Team: the team store this data folder shares its learning with (docs/team.md). In a team: where the
 * store is, as whom, its state (in sync, behind by N, offline since T), a sync now and leaving. Otherwise: the form
 * to create or join one. The keys typed here go to the main process, which tries them, keeps them in the OS
 * keychain and never sends them back; every rule (the URI, the endpoint, the egress check) is checked there.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { TeamLinkStatus } from '../../api/contractTypes';
import { PathText } from '../PathText';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { Notices } from '../Notices';

/** The team store's state in an analyst's words: in sync, behind by N, offline since T. */
export function teamStateLabel(team: TeamLinkStatus): string {
  const waiting = team.pending > 0 ? `, ${team.pending} of your changes waiting to be sent` : '';
  switch (team.state) {
    case 'offline':
      return `Offline since ${formatTime(team.offlineSince)}${waiting}`;
    case 'never-synced':
      return `Not synced yet${waiting}`;
    case 'behind':
      return team.behindBy > 0 ? `Behind by ${team.behindBy} version${team.behindBy === 1 ? '' : 's'}${waiting}` : `Sending${waiting}`;
    default:
      return 'In sync';
  }
}

function formatTime(iso: string | null): string {
  if (iso === null) return '?';
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

function InTeam({ team }: { team: TeamLinkStatus }) {
  const busy = useCopilotStore((s) => s.teamBusy);
  const sync = useCopilotStore((s) => s.syncTeam);
  const leave = useCopilotStore((s) => s.leaveTeam);
  const [force, setForce] = useState(false);
  return (
    <div className="settings-form" role="group" aria-label="Team store">
      <p>
        <span className="muted">Store: </span>
        <PathText path={team.uri} /> <span className="muted">as</span> {team.analyst}
      </p>
      <p role="status" aria-label="Team store state">
        {teamStateLabel(team)}
        {team.lastSyncAt && team.state !== 'offline' ? <span className="muted"> (last synced {formatTime(team.lastSyncAt)})</span> : null}
      </p>
      {team.state === 'offline' && team.lastError && <p className="settings-item-meta">Last error: {team.lastError}</p>}
      <p className="settings-item-meta">
        {team.endpoint ? (
          <>
            Vigil reaches the store at <PathText path={team.endpoint} /> only; allow exactly this host and port in your firewall.
          </>
        ) : (
          'The store is a shared folder: Vigil makes no network connection of its own for it.'
        )}
      </p>
      <div className="settings-actions">
        <button type="button" onClick={() => void sync()} disabled={busy !== null}>
          {busy === 'syncing' ? 'Syncing…' : 'Sync now'}
        </button>
        <button type="button" className="secondary" onClick={() => void leave(force)} disabled={busy !== null}>
          {busy === 'leaving' ? 'Leaving…' : 'Leave the team store'}
        </button>
      </div>
      {team.pending > 0 && (
        <label className="settings-check">
          <input type="checkbox" checked={force} onChange={(event) => setForce(event.target.checked)} /> Leave even though {team.pending} of my changes
          are not sent (they stay in this folder’s outbox)
        </label>
      )}
    </div>
  );
}

function JoinForm() {
  const busy = useCopilotStore((s) => s.teamBusy);
  const join = useCopilotStore((s) => s.joinTeam);
  const id = useId();
  const [mode, setMode] = useState<'join' | 'init'>('join');
  const [uri, setUri] = useState('');
  const [analyst, setAnalyst] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [region, setRegion] = useState('');
  const [accessKey, setAccessKey] = useState('');
  const [secretKey, setSecretKey] = useState('');
  const [merge, setMerge] = useState(false);
  const objectStore = uri.trim().startsWith('s3://');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void join({
      mode,
      uri,
      analyst,
      ...(objectStore && endpoint.trim() ? { endpoint } : {}),
      ...(objectStore && region.trim() ? { region } : {}),
      ...(objectStore && accessKey ? { accessKey } : {}),
      ...(objectStore && secretKey ? { secretKey } : {}),
      ...(merge ? { merge } : {}),
    }).then(() => {
      setAccessKey('');
      setSecretKey('');
    });
  };
  return (
    <form className="settings-form" aria-label="Join a team store" onSubmit={submit}>
      <p>This data folder is personal: what you learn stays on this computer.</p>
      <fieldset>
        <legend>Team store</legend>
        <label>
          <input type="radio" name="team-mode" checked={mode === 'join'} onChange={() => setMode('join')} /> Join an existing team store
        </label>
        <label>
          <input type="radio" name="team-mode" checked={mode === 'init'} onChange={() => setMode('init')} /> Create a new team store
        </label>
      </fieldset>
      <label htmlFor={`${id}-uri`}>Store (s3://bucket/prefix or a shared folder)</label>
      <input id={`${id}-uri`} type="text" value={uri} onChange={(event) => setUri(event.target.value)} required />
      <label htmlFor={`${id}-analyst`}>Your name (shown on what you teach)</label>
      <input id={`${id}-analyst`} type="text" value={analyst} onChange={(event) => setAnalyst(event.target.value)} required />
      {objectStore && (
        <>
          <label htmlFor={`${id}-endpoint`}>Endpoint (https://host:port)</label>
          <input id={`${id}-endpoint`} type="url" value={endpoint} onChange={(event) => setEndpoint(event.target.value)} required />
          <label htmlFor={`${id}-region`}>Region</label>
          <input id={`${id}-region`} type="text" value={region} onChange={(event) => setRegion(event.target.value)} placeholder="us-east-1" />
          <label htmlFor={`${id}-accessKey`}>Access key</label>
          <input id={`${id}-accessKey`} type="password" autoComplete="off" value={accessKey} onChange={(event) => setAccessKey(event.target.value)} />
          <label htmlFor={`${id}-secretKey`}>Secret key</label>
          <input id={`${id}-secretKey`} type="password" autoComplete="off" value={secretKey} onChange={(event) => setSecretKey(event.target.value)} />
          <p className="settings-item-meta">The keys are tried against the store, then kept in your system keychain; leave them empty to use the ones kept there.</p>
        </>
      )}
      <label className="settings-check">
        <input type="checkbox" checked={merge} onChange={(event) => setMerge(event.target.checked)} /> Share this folder’s existing knowledge with the
        team (once, as mine)
      </label>
      <div className="settings-actions">
        <button type="submit" disabled={busy !== null}>
          {busy === 'joining' ? 'Reaching the store…' : mode === 'init' ? 'Create and join' : 'Join'}
        </button>
      </div>
    </form>
  );
}

export function TeamSettings() {
  const team = useCopilotStore((s) => s.team);
  const error = useCopilotStore((s) => s.teamError);
  const notice = useCopilotStore((s) => s.teamNotice);
  const load = useCopilotStore((s) => s.loadTeam);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <div>
      {team === undefined ? !error && <p className="empty-state">Loading…</p> : team === null ? <JoinForm /> : <InTeam team={team} />}
      <Notices notice={notice} error={error} />
    </div>
  );
}
