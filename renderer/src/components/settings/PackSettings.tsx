/**
 * Knowledge packs (docs/packs.md), the same as `vigil pack …`: installed packs with their signer and any
 * problem, install from a file, remove (after a confirm step), the trusted keys, and subscribed folders with
 * "Sync now". Files and folders are chosen in the main process's dialogs; the page only sends names.
 */
import { useId, useState, type FormEvent } from 'react';
import type { PackView } from '../../api/contractTypes';
import { describeSync } from '../../store/copilot/slices/settings/selectors';
import { ConfirmAction } from '../ConfirmAction';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';

function PackItem({ pack }: { pack: PackView }) {
  const removePack = useCopilotStore((s) => s.removePack);
  const busy = useCopilotStore((s) => s.packsBusy);
  const headingId = useId();
  return (
    <li className="settings-item" aria-labelledby={headingId}>
      <div className="settings-item-main">
        <h4 id={headingId} className="settings-item-title">
          {pack.name} <span className="muted">{pack.version}</span>
        </h4>
        <p className="settings-item-meta">
          {pack.entries} {pack.entries === 1 ? 'entry' : 'entries'} · team {pack.team} · signed by {pack.signer} ({pack.keyId})
        </p>
        {pack.description && <p className="settings-item-meta">{pack.description}</p>}
        {pack.problem && <p className="notice error">Not in use: {pack.problem}</p>}
      </div>
      <ConfirmAction
        label="Remove…"
        ariaLabel={`Remove ${pack.name}`}
        question={`Remove ${pack.name} ${pack.version}? Its entries leave search.`}
        confirmLabel="Yes, remove"
        groupLabel={`Confirm removing ${pack.name}`}
        confirmDisabled={busy !== null && busy !== 'loading'}
        onConfirm={() => void removePack(pack.name)}
      />
    </li>
  );
}

export function PackSettings() {
  const packs = useCopilotStore((s) => s.packs);
  const error = useCopilotStore((s) => s.packsError);
  const notice = useCopilotStore((s) => s.packsNotice);
  const busy = useCopilotStore((s) => s.packsBusy);
  const syncReports = useCopilotStore((s) => s.syncReports);
  const installPack = useCopilotStore((s) => s.installPack);
  const trustKey = useCopilotStore((s) => s.trustKey);
  const untrustKey = useCopilotStore((s) => s.untrustKey);
  const subscribePacks = useCopilotStore((s) => s.subscribePacks);
  const unsubscribePacks = useCopilotStore((s) => s.unsubscribePacks);
  const syncPacks = useCopilotStore((s) => s.syncPacks);
  const [keyName, setKeyName] = useState('');
  const [packNames, setPackNames] = useState('');
  const id = useId();
  const working = busy !== null && busy !== 'loading';

  const onTrust = (event: FormEvent) => {
    event.preventDefault();
    void trustKey(keyName.trim()).then(() => setKeyName(''));
  };
  const onSubscribe = (event: FormEvent) => {
    event.preventDefault();
    const names = packNames
      .split(/[\s,]+/)
      .map((n) => n.trim())
      .filter((n) => n !== '');
    void subscribePacks(names);
  };

  return (
    <div className="settings-packs">
      <div className="settings-actions">
        <button type="button" disabled={working} onClick={() => void installPack()}>
          {busy === 'installing' ? 'Installing…' : 'Install a pack…'}
        </button>
      </div>
      <p className="settings-notice" role="status">
        {notice ?? ''}
      </p>
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}

      <h3>Installed packs</h3>
      {!packs ? (
        <p className="empty-state">Loading…</p>
      ) : packs.packs.length === 0 ? (
        <p className="empty-state">No packs installed. Trust the publisher's key below, then install their pack file.</p>
      ) : (
        <ul className="settings-list" aria-label="Installed packs">
          {packs.packs.map((pack) => (
            <PackItem key={pack.name} pack={pack} />
          ))}
        </ul>
      )}

      <h3>Trusted signing keys</h3>
      {packs && packs.trustedKeys.length === 0 && <p className="empty-state">No keys are trusted: every pack would be refused.</p>}
      {packs && packs.trustedKeys.length > 0 && (
        <ul className="settings-list" aria-label="Trusted signing keys">
          {packs.trustedKeys.map((key) => (
            <li key={key.id} className="settings-item">
              <div className="settings-item-main">
                <span className="settings-item-title">{key.name}</span>
                <p className="settings-item-meta">
                  key {key.id} · trusted since {key.addedAt.slice(0, 10)}
                </p>
              </div>
              <button type="button" className="secondary" disabled={working} aria-label={`Stop trusting ${key.name}`} onClick={() => void untrustKey(key.id)}>
                Stop trusting
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="field-row" aria-label="Trust a signing key" onSubmit={onTrust}>
        <label htmlFor={`${id}-key-name`}>Whose key is it?</label>
        <input id={`${id}-key-name`} type="text" placeholder="Network team packs" value={keyName} onChange={(e) => setKeyName(e.target.value)} />
        <button type="submit" disabled={working}>
          {busy === 'trusting' ? 'Trusting…' : 'Choose key file…'}
        </button>
      </form>

      <h3>Subscribed folders</h3>
      {packs && packs.subscriptions.length === 0 && <p className="empty-state">No folders subscribed. New pack versions put in a subscribed folder are installed by themselves.</p>}
      {packs && packs.subscriptions.length > 0 && (
        <ul className="settings-list" aria-label="Subscribed folders">
          {packs.subscriptions.map((s) => (
            <li key={s.folder} className="settings-item">
              <div className="settings-item-main">
                <span className="settings-item-title path">{s.folder}</span>
                <p className="settings-item-meta">{s.packs.join(', ')}</p>
              </div>
              <button type="button" className="secondary" disabled={working} aria-label={`Unsubscribe from ${s.folder}`} onClick={() => void unsubscribePacks(s.folder)}>
                Unsubscribe
              </button>
            </li>
          ))}
        </ul>
      )}
      <form className="field-row" aria-label="Subscribe to a folder" onSubmit={onSubscribe}>
        <label htmlFor={`${id}-pack-names`}>Pack names to take</label>
        <input id={`${id}-pack-names`} type="text" placeholder="network-basics, hr-policies" value={packNames} onChange={(e) => setPackNames(e.target.value)} />
        <button type="submit" disabled={working}>
          {busy === 'subscribing' ? 'Subscribing…' : 'Choose folder…'}
        </button>
      </form>
      <div className="settings-actions">
        <button type="button" className="secondary" disabled={working} onClick={() => void syncPacks()}>
          {busy === 'syncing' ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
      {syncReports && (
        <ul className="sync-report" aria-label="Last sync">
          {describeSync(syncReports).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
