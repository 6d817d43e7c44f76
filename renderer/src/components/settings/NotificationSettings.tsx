/**
 * Notifications: when Vigil may interrupt with a native notification, do-not-disturb (with an optional end),
 * which suggestion kinds notify, the cool-down, and the global shortcut. Kept by the main process; edited
 * here as a draft and saved in one go, so a half-typed shortcut is never registered.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { SuggestionKind, UiPreferences } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';

const KIND_LABELS: Record<SuggestionKind, string> = {
  answer: 'Suggested answers',
  similar_case: 'Similar resolved cases',
  article: 'Relevant articles',
  next_step: 'Next steps',
  followup: 'Follow-ups due',
  alert: 'Alerts',
};

/** Do-not-disturb ends: never (until switched off), or after a while. */
const DND_ENDS: Array<{ value: string; label: string; hours: number | null }> = [
  { value: 'off', label: 'until I turn it off', hours: null },
  { value: '1', label: 'for 1 hour', hours: 1 },
  { value: '2', label: 'for 2 hours', hours: 2 },
  { value: '4', label: 'for 4 hours', hours: 4 },
  { value: '8', label: 'for 8 hours', hours: 8 },
];

function endsAt(iso: string): string {
  return new Date(iso).toLocaleString('en', { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

export function NotificationSettings() {
  const view = useCopilotStore((s) => s.preferences);
  const error = useCopilotStore((s) => s.preferencesError);
  const notice = useCopilotStore((s) => s.preferencesNotice);
  const saving = useCopilotStore((s) => s.savingPreferences);
  const save = useCopilotStore((s) => s.savePreferences);
  const [draft, setDraft] = useState<UiPreferences | null>(null);
  const [cooldown, setCooldown] = useState('');
  const [dndEnd, setDndEnd] = useState('keep');
  const id = useId();

  useEffect(() => {
    if (!view) return;
    setDraft(view.preferences);
    setCooldown(String(view.preferences.notifications.cooldownMinutes));
    setDndEnd('keep');
  }, [view]);

  if (!draft) {
    return error ? (
      <p className="notice error" role="alert">
        {error}
      </p>
    ) : (
      <p className="empty-state">Loading your notification settings…</p>
    );
  }
  const n = draft.notifications;
  const patch = (next: Partial<UiPreferences['notifications']>) => setDraft({ ...draft, notifications: { ...n, ...next } });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const hours = DND_ENDS.find((d) => d.value === dndEnd)?.hours;
    const dndUntil = !n.doNotDisturb ? null : dndEnd === 'keep' ? n.dndUntil : hours ? new Date(Date.now() + hours * 3_600_000).toISOString() : null;
    // An unreadable number goes as NaN: the main process refuses it with a message naming the field.
    const minutes = cooldown.trim() === '' ? Number.NaN : Number(cooldown);
    void save({ ...draft, notifications: { ...n, dndUntil, cooldownMinutes: minutes } });
  };

  return (
    <form className="settings-form" aria-label="Notification settings" onSubmit={onSubmit}>
      <label className="check">
        <input type="checkbox" checked={n.enabled} onChange={(e) => patch({ enabled: e.target.checked })} />
        Show notifications when help arrives for a ticket I am not looking at
      </label>
      <div className="field-row">
        <label className="check">
          <input type="checkbox" checked={n.doNotDisturb} onChange={(e) => patch({ doNotDisturb: e.target.checked })} />
          Do not disturb
        </label>
        {n.doNotDisturb && (
          <>
            <label htmlFor={`${id}-dnd`} className="visually-hidden">
              Do not disturb ends
            </label>
            <select id={`${id}-dnd`} value={dndEnd} onChange={(e) => setDndEnd(e.target.value)}>
              <option value="keep">{n.dndUntil ? `until ${endsAt(n.dndUntil)}` : 'until I turn it off'}</option>
              {DND_ENDS.filter((d) => d.hours !== null || n.dndUntil !== null).map((d) => (
                <option key={d.value} value={d.value}>
                  {d.label}
                </option>
              ))}
            </select>
          </>
        )}
      </div>
      <fieldset>
        <legend>Notify me about</legend>
        {(Object.keys(KIND_LABELS) as SuggestionKind[]).map((kind) => (
          <label key={kind} className="check">
            <input type="checkbox" checked={n.kinds[kind]} onChange={(e) => patch({ kinds: { ...n.kinds, [kind]: e.target.checked } })} />
            {KIND_LABELS[kind]}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-cooldown`}>Minutes before the same ticket may notify again</label>
        <input id={`${id}-cooldown`} type="number" min={0} max={1440} step={1} value={cooldown} onChange={(e) => setCooldown(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-shortcut`}>Shortcut that brings Vigil forward (empty to switch it off)</label>
        <input
          id={`${id}-shortcut`}
          type="text"
          spellCheck={false}
          placeholder="CommandOrControl+Shift+Space"
          value={draft.showShortcut}
          onChange={(e) => setDraft({ ...draft, showShortcut: e.target.value })}
        />
      </div>
      <div className="settings-actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save notification settings'}
        </button>
      </div>
      {view?.shortcutProblem && (
        <p className="notice error" role="alert">
          {view.shortcutProblem}
        </p>
      )}
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      <p className="settings-notice" role="status">
        {notice ?? ''}
      </p>
    </form>
  );
}
