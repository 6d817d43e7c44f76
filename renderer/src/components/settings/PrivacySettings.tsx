/**
 * Settings → Privacy (docs/privacy.md): offline mode, redaction before storage and the documentation hosts whose
 * shared links become article candidates, what may leave the machine
 * right now, whether the data folder is the analyst's alone, and the store's snapshots with rollback. Every
 * value comes from the engine through `window.vigil`; nothing here decides a rule. No link is opened from here:
 * docs are named, not linked, since the app opens only allowlisted https addresses.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { PrivacyOverview, SnapshotView } from '../../api/contractTypes';
import { PathText } from '../PathText';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { rollbackConsequences, whenText } from '../../store/copilot/slices/privacy/selectors';
import { Notices } from '../Notices';

/** An allowed `host:port` (IPv6 in brackets) is the team store's endpoint; connector hosts are listed without a port. */
const TEAM_ENDPOINT = /^(\[[^\]]+\]|[^:\s]+):\d+$/;

function NetworkPart({ privacy }: { privacy: PrivacyOverview }) {
  const { network } = privacy;
  return (
    <div className="privacy-part" aria-label="What may leave this machine" role="group">
      <h3>What may leave this machine now</h3>
      <ul className="settings-list" aria-label="Allowed destinations">
        <li className="settings-item">
          <div className="settings-item-main">
            <span className="settings-item-title">This machine (loopback)</span>
            <p className="settings-item-meta">127.0.0.1, ::1 and localhost: the local Ollama. Always allowed.</p>
          </div>
        </li>
        {network.allowedHosts.map((h) => (
          <li key={h.host} className="settings-item">
            <div className="settings-item-main">
              <span className="settings-item-title">{h.host}</span>
              <p className="settings-item-meta">
                {[
                  ...(h.connectors.length > 0 ? [`Used by the connector${h.connectors.length > 1 ? 's' : ''} ${h.connectors.join(', ')}`] : []),
                  ...(h.documentation ? ['A documentation host: links analysts share from it are fetched'] : []),
                  ...(TEAM_ENDPOINT.test(h.host) ? ['The team store’s endpoint: this host and port only'] : []),
                ].join(' · ') || 'A configured connector’s host'}
              </p>
            </div>
          </li>
        ))}
      </ul>
      {network.offline ? (
        <p className="settings-item-meta">Offline mode: nothing else, not even your connectors’ hosts.</p>
      ) : (
        network.allowedHosts.length === 0 && <p className="settings-item-meta">No connector needs another host, so nothing leaves this machine.</p>
      )}
      {network.pausedConnectors.length > 0 && (
        <p className="notice" role="note">
          Paused while offline:{' '}
          {network.pausedConnectors.map((c) => `${c.id} (${c.hosts.join(', ')})`).join('; ')}. Settings → Connectors shows them as paused, and why.
        </p>
      )}
      <p aria-label="Refused connections">
        {network.refusals.total === 0
          ? 'No connection has been refused.'
          : `${network.refusals.total.toLocaleString('en')} connection attempt${network.refusals.total === 1 ? ' was' : 's were'} refused; the latest:`}
      </p>
      {network.refusals.recent.length > 0 && (
        <ul className="settings-list" aria-label="Latest refused connections">
          {network.refusals.recent.map((r) => (
            <li key={`${r.seq ?? ''}-${r.at ?? ''}`} className="settings-item">
              <div className="settings-item-main">
                <span className="settings-item-title">
                  {r.host} <span className="muted">({r.via})</span>
                </span>
                <p className="settings-item-meta">
                  {r.at ? whenText(r.at) : ''} · {r.reason}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function DocumentationHostsPart({ privacy }: { privacy: PrivacyOverview }) {
  const save = useCopilotStore((s) => s.setDocumentationHosts);
  const busy = useCopilotStore((s) => s.privacyBusy);
  const saved = privacy.settings.documentationHosts.join(', ');
  const [draft, setDraft] = useState(saved);
  const id = useId();
  // A save (here, or `vigil links` and a reopen) replaces what is shown; a failed save keeps the analyst's text.
  useEffect(() => setDraft(saved), [saved]);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void save(draft);
  };
  return (
    <form className="privacy-part" role="group" aria-label="Documentation hosts" onSubmit={submit}>
      <h3>Documentation hosts</h3>
      <label htmlFor={id}>Documentation hosts whose links become article candidates</label>
      <input id={id} type="text" value={draft} placeholder="docs.example.com, kb.example.org" disabled={busy === 'documentation'} onChange={(e) => setDraft(e.target.value)} />
      <p className="settings-item-meta">
        When an analyst’s reply links to a page on one of these hosts (or a name under it), Vigil fetches that page once and proposes it as an
        article in the review queue; model answers may link there too. Nothing is fetched from any other host, and nothing at all in offline
        mode. Host names only, separated by commas. Applies at once.
      </p>
      {privacy.settings.offline && privacy.settings.documentationHosts.length > 0 && (
        <p className="notice" role="note">
          Offline mode is on: no shared link is fetched until it is off.
        </p>
      )}
      <button type="submit" className="secondary" disabled={busy !== null && busy !== 'loading'}>
        {busy === 'documentation' ? 'Saving…' : 'Save documentation hosts'}
      </button>
    </form>
  );
}

function DataFolderPart({ privacy }: { privacy: PrivacyOverview }) {
  const repair = useCopilotStore((s) => s.repairDataFolder);
  const busy = useCopilotStore((s) => s.privacyBusy);
  const folder = privacy.dataFolder;
  return (
    <div className="privacy-part" role="group" aria-label="Data folder protection">
      <h3>Data folder protection</h3>
      <p>
        <span className="muted">Folder: </span>
        <PathText path={folder.path} />
      </p>
      {folder.private ? (
        <p className="settings-item-meta">
          Readable by you only{folder.mode ? ` (mode ${folder.mode})` : ' (your profile’s permissions)'}.
        </p>
      ) : (
        <>
          <p className="notice error" role="alert">
            {folder.warning}
          </p>
          <button type="button" disabled={busy !== null && busy !== 'loading'} onClick={() => void repair()}>
            {busy === 'repairing' ? 'Fixing…' : 'Fix: make it readable by me only'}
          </button>
        </>
      )}
      <p className="settings-item-meta">
        Vigil does not encrypt the folder: put it on an encrypted volume (LUKS or fscrypt on Linux, FileVault on macOS, BitLocker on
        Windows). The section “Data at rest” of docs/privacy.md says how to move it there.
      </p>
    </div>
  );
}

function SnapshotItem({ snapshot, pending }: { snapshot: SnapshotView; pending: boolean }) {
  const busy = useCopilotStore((s) => s.privacyBusy);
  const preview = useCopilotStore((s) => s.rollbackPending);
  const askRollback = useCopilotStore((s) => s.askRollback);
  const cancelRollback = useCopilotStore((s) => s.cancelRollback);
  const confirmRollback = useCopilotStore((s) => s.confirmRollback);
  const headingId = useId();
  const working = busy !== null && busy !== 'loading';
  return (
    <li className="settings-item" aria-labelledby={headingId}>
      <div className="settings-item-main">
        <h4 id={headingId} className="settings-item-title">
          {snapshot.name} <span className="muted">{snapshot.automatic ? 'automatic' : 'by hand'}</span>
        </h4>
        <p className="settings-item-meta">
          {whenText(snapshot.createdAt)} · {snapshot.reason || 'no reason given'}
        </p>
        {pending && preview && (
          <div className="confirm" role="alertdialog" aria-label={`Confirm rolling back to ${snapshot.name}`}>
            <p>
              <strong>Roll back to {snapshot.name}?</strong>
            </p>
            <ul>
              {rollbackConsequences(preview).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            <button type="button" disabled={working} onClick={() => void confirmRollback()}>
              {busy === 'rolling-back' ? 'Rolling back…' : 'Yes, roll back'}
            </button>
            {/* Focus lands on the safe choice, so Enter right after "Roll back…" changes nothing. */}
            <button type="button" className="secondary" autoFocus disabled={busy === 'rolling-back'} onClick={cancelRollback}>
              Cancel
            </button>
          </div>
        )}
      </div>
      {!pending && (
        <button type="button" className="secondary" disabled={working} aria-label={`Roll back to ${snapshot.name}`} onClick={() => void askRollback(snapshot.name)}>
          Roll back to this…
        </button>
      )}
    </li>
  );
}

function SnapshotsPart({ privacy }: { privacy: PrivacyOverview }) {
  const tagSnapshot = useCopilotStore((s) => s.tagSnapshot);
  const busy = useCopilotStore((s) => s.privacyBusy);
  const preview = useCopilotStore((s) => s.rollbackPending);
  const [name, setName] = useState('');
  const [reason, setReason] = useState('');
  const id = useId();
  const onTag = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    void tagSnapshot(name.trim(), reason).then(() => {
      setName('');
      setReason('');
    });
  };
  return (
    <div className="privacy-part" role="group" aria-label="Snapshots">
      <h3>Snapshots</h3>
      <p className="settings-item-meta">
        A snapshot keeps the knowledge store as it is, so it can be rolled back. Vigil takes one by itself before a re-index, a pack install, a
        bulk delete and a rollback (keeping the last five); tag one by hand before a change you may regret.
      </p>
      <form className="field-row" aria-label="Tag a snapshot" onSubmit={onTag}>
        <label htmlFor={`${id}-name`}>Snapshot name</label>
        <input id={`${id}-name`} type="text" placeholder="before-cleanup" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} />
        <label htmlFor={`${id}-reason`}>Why (optional)</label>
        <input id={`${id}-reason`} type="text" placeholder="before removing old VPN answers" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
        <button type="submit" disabled={!name.trim() || (busy !== null && busy !== 'loading')}>
          {busy === 'tagging' ? 'Tagging…' : 'Tag now'}
        </button>
      </form>
      {privacy.snapshots.length === 0 ? (
        <p className="empty-state">No snapshots yet.</p>
      ) : (
        <ul className="settings-list" aria-label="Store snapshots">
          {privacy.snapshots.map((s) => (
            <SnapshotItem key={s.name} snapshot={s} pending={preview?.snapshot.name === s.name} />
          ))}
        </ul>
      )}
    </div>
  );
}

export function PrivacySettings() {
  const privacy = useCopilotStore((s) => s.privacy);
  const error = useCopilotStore((s) => s.privacyError);
  const notice = useCopilotStore((s) => s.privacyNotice);
  const busy = useCopilotStore((s) => s.privacyBusy);
  const setOffline = useCopilotStore((s) => s.setOfflineMode);
  const setRedact = useCopilotStore((s) => s.setRedactBeforeStorage);
  const openAudit = useCopilotStore((s) => s.openAudit);
  const working = busy !== null && busy !== 'loading';

  return (
    <div className="settings-privacy">
      <Notices notice={notice} error={error} />
      {!privacy ? (
        !error && <p className="empty-state">Loading…</p>
      ) : (
        <>
          <div className="settings-form" role="group" aria-label="Privacy switches">
            <label className="check">
              <input type="checkbox" checked={privacy.settings.offline} disabled={working} onChange={(e) => void setOffline(e.target.checked)} />
              Offline mode
            </label>
            <p className="settings-item-meta">
              Vigil connects only to this machine (Ollama); connectors to other hosts pause until you switch it off. Applies at once.
            </p>
            <label className="check">
              <input type="checkbox" checked={privacy.settings.redactBeforeStorage} disabled={working} onChange={(e) => void setRedact(e.target.checked)} />
              Redact before storage
            </label>
            <p className="settings-item-meta">
              E-mail addresses, phone and card numbers, IBANs, IP addresses, secrets and the requester’s name are replaced by placeholders in a
              closed ticket before anything is learned from it. Saving it reopens the workspace (a few seconds), since the engine reads it when it
              opens{busy === 'redaction' ? ': reopening…' : '.'}
            </p>
            {privacy.settings.redactBeforeStorage !== privacy.redactingBeforeStorage && busy !== 'redaction' && (
              <p className="notice" role="note">
                The running engine {privacy.redactingBeforeStorage ? 'still redacts' : 'does not redact yet'}: it applies when the workspace reopens.
              </p>
            )}
          </div>
          <DocumentationHostsPart privacy={privacy} />
          <NetworkPart privacy={privacy} />
          <DataFolderPart privacy={privacy} />
          <SnapshotsPart privacy={privacy} />
          <div className="privacy-part" role="group" aria-label="Audit log">
            <h3>Audit log</h3>
            <p className="settings-item-meta">
              What each suggestion and LLM call used, refused connections and administrative actions, chained so that an edit shows:{' '}
              <PathText path={privacy.auditFile} />
            </p>
            <button type="button" className="secondary" onClick={openAudit}>
              Open audit log
            </button>
          </div>
        </>
      )}
    </div>
  );
}
