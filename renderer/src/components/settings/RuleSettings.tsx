/**
 * Settings → Rules, the rule centre: the team's interest rules and those shipped in packs, each enabled or disabled
 * here; a form to add or edit one (what it watches for, its examples, how quiet it stays after an alert, where else
 * its alerts go), a test of the draft on the desk's recent tickets, and each problem shown beside its field. The
 * rules are checked and stored by the main process, in the same file `vigil rules` edits.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { RuleIssue, RuleTestView, RuleView } from '../../api/contractTypes';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { ErrorAlert, Notices } from '../Notices';
import { draftOfForm, EMPTY_RULE_FORM, fieldOfIssue, formOfRule, issueText, type RuleForm } from './ruleForm';

/** How a rule matches, in a few words for the list. */
function matchWords(rule: RuleView): string {
  const m = rule.match;
  if (m.type === 'regex') return `pattern /${m.pattern}/`;
  if (m.type === 'semantic') return `by meaning (${m.examples.length} example${m.examples.length === 1 ? '' : 's'}, ${m.negativeExamples.length} negative)`;
  return `similar reports (similarity ≥ ${m.threshold})`;
}

function targetWords(rule: RuleView): string {
  const extra = rule.deliver.map((d) => (d.type === 'note' ? 'internal note' : `webhook ${new URL(d.url).hostname}`));
  return ['desktop', ...extra].join(', ');
}

function quietWords(rule: RuleView): string {
  if (rule.suppress.minutes === 0) return 'never quiet';
  return `quiet ${rule.suppress.minutes} min per ${rule.suppress.per === 'ticket' ? 'ticket' : 'rule (all tickets)'}`;
}

/** One field of the form with its label, help and its problems (named by the field, linked for screen readers). */
function Field({ id, label, help, issues, children }: { id: string; label: string; help?: string; issues: string[]; children: (described: string | undefined, invalid: boolean) => ReactNode }) {
  const described = [help ? `${id}-help` : null, issues.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(described, issues.length > 0)}
      {help && (
        <small className="settings-item-meta" id={`${id}-help`}>
          {help}
        </small>
      )}
      {issues.length > 0 && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {issues.join('; ')}
        </p>
      )}
    </div>
  );
}

function TestResults({ view }: { view: RuleTestView & { ok: true } }) {
  const { result, subjects, recentLimit } = view;
  const byTicket = new Map<string, typeof result.matches>();
  for (const m of result.matches) byTicket.set(m.ticketId, [...(byTicket.get(m.ticketId) ?? []), m]);
  const alerted = new Set(result.alerts.map((a) => a.ticketId));
  if (result.tickets === 0) {
    return (
      <p className="notice" role="status">
        The desk has not watched any tickets yet, so there is nothing to test on. Once connectors bring tickets in, the test runs on the last {recentLimit}.
      </p>
    );
  }
  return (
    <section className="rule-test" aria-label="Test on recent tickets">
      <p role="status">
        Matches {result.matches.length} of {result.customerMessages} customer messages, on {byTicket.size} of the {result.tickets} most recent tickets; as configured
        it would raise {result.alerts.length} alert{result.alerts.length === 1 ? '' : 's'}.
      </p>
      {byTicket.size > 0 && (
        <ul className="settings-list rule-test-tickets">
          {[...byTicket].map(([ticketId, matches]) => (
            <li key={ticketId}>
              <strong>{ticketId}</strong>
              {subjects[ticketId] ? ` — ${subjects[ticketId]}` : ''}
              {alerted.has(ticketId) ? <span className="badge">would alert</span> : <span className="muted"> (matched; no alert: minimum tickets or quiet time)</span>}
              <ul>
                {matches.map((m) => (
                  <li key={m.messageId}>
                    <q>{m.text.length > 160 ? `${m.text.slice(0, 159)}…` : m.text}</q>
                    <div className="settings-item-meta">Why: {m.why}</div>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The add/edit form. `original`: the rule being edited, or null for a new one. */
function RuleEditor({ original, onClose }: { original: RuleView | null; onClose: () => void }) {
  const saveRule = useCopilotStore((s) => s.saveRule);
  const testRule = useCopilotStore((s) => s.testRule);
  const [form, setForm] = useState<RuleForm>(original ? formOfRule(original) : EMPTY_RULE_FORM);
  const [issues, setIssues] = useState<RuleIssue[]>(original?.warnings ?? []);
  const [busy, setBusy] = useState<'saving' | 'testing' | null>(null);
  const [test, setTest] = useState<(RuleTestView & { ok: true }) | null>(null);
  const base = useId();
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const issuesOf = (key: keyof RuleForm): string[] => issues.filter((i) => fieldOfIssue(i, form) === key).map((i) => issueText(i, form));
  const unplaced = issues.filter((i) => fieldOfIssue(i, form) === null).map((i) => `${i.field}: ${i.message}`);
  const text = (key: 'id' | 'name' | 'pattern' | 'flags' | 'threshold' | 'lookbackMinutes' | 'minTickets' | 'suppressMinutes', label: string, help?: string, disabled = false) => (
    <Field id={`${base}-${key}`} label={label} {...(help ? { help } : {})} issues={issuesOf(key)}>
      {(described, invalid) => (
        <input
          id={`${base}-${key}`}
          type="text"
          value={form[key]}
          disabled={disabled}
          aria-invalid={invalid || undefined}
          aria-describedby={described}
          onChange={(e) => set(key, e.target.value)}
        />
      )}
    </Field>
  );
  const area = (key: 'description' | 'examples' | 'negativeExamples' | 'webhooks', label: string, help: string) => (
    <Field id={`${base}-${key}`} label={label} help={help} issues={issuesOf(key)}>
      {(described, invalid) => (
        <textarea id={`${base}-${key}`} rows={3} value={form[key]} aria-invalid={invalid || undefined} aria-describedby={described} onChange={(e) => set(key, e.target.value)} />
      )}
    </Field>
  );

  const save = async () => {
    setBusy('saving');
    const result = await saveRule(draftOfForm(form), original ? original.id : null);
    setBusy(null);
    if (!result) return;
    if (result.ok) onClose();
    else setIssues(result.issues);
  };
  const runTest = async () => {
    setBusy('testing');
    setTest(null);
    const result = await testRule(draftOfForm(form));
    setBusy(null);
    if (!result) return;
    if (result.ok) {
      setIssues([]);
      setTest(result);
    } else setIssues(result.issues);
  };

  return (
    <form
      className="settings-form rule-editor"
      aria-label={original ? `Edit rule ${original.id}` : 'New rule'}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>{original ? `Edit rule ${original.id}` : 'New rule'}</h3>
      {original && original.source !== 'team' && (
        <p className="settings-item-meta">This rule comes from {original.source}; saving keeps your version as a team rule in its place (removing that brings the pack’s back).</p>
      )}
      {text('id', 'Id', 'Lower-case letters, digits and dashes; it cannot change later.', original !== null)}
      {text('name', 'Name', 'What the alert is called on the desk.')}
      <fieldset>
        <legend>What it watches for</legend>
        <Field id={`${base}-kind`} label="Kind" issues={issuesOf('kind')}>
          {(described) => (
            <select id={`${base}-kind`} value={form.kind} aria-describedby={described} onChange={(e) => set('kind', e.target.value as RuleForm['kind'])}>
              <option value="semantic">By meaning (description and examples)</option>
              <option value="regex">Pattern (regular expression)</option>
              <option value="similar_reports">Similar reports from several tickets</option>
            </select>
          )}
        </Field>
        {form.kind === 'regex' && (
          <>
            {text('pattern', 'Pattern', 'A regular expression, matched against each customer message.')}
            {text('flags', 'Flags', 'i: ignore case; m, s, u as in JavaScript.')}
          </>
        )}
        {form.kind === 'semantic' && (
          <>
            {area('description', 'Description', 'What the rule is about, in words: the local model judges by it when one runs.')}
            {area('examples', 'Examples that match', 'One customer message per line.')}
            {area('negativeExamples', 'Examples that must not match', 'One per line: messages that look alike but are not what the rule is about.')}
          </>
        )}
        {form.kind !== 'regex' && text('threshold', 'Similarity threshold', 'From −1 to 1; without a local model, a message this close to an example matches.')}
      </fieldset>
      <fieldset>
        <legend>When it alerts</legend>
        <div className="field-row">
          <label htmlFor={`${base}-priority`}>Priority</label>
          <select id={`${base}-priority`} value={form.priority} onChange={(e) => set('priority', e.target.value as RuleForm['priority'])}>
            <option value="P0">P0</option>
            <option value="P1">P1</option>
            <option value="P2">P2</option>
          </select>
          <label htmlFor={`${base}-mode`}>Mode</label>
          <select id={`${base}-mode`} value={form.mode} onChange={(e) => set('mode', e.target.value as RuleForm['mode'])}>
            <option value="detect">Alert (detect)</option>
            <option value="filter">Silence the message for every rule (filter)</option>
          </select>
        </div>
        {text('minTickets', 'Tickets needed', 'Distinct tickets that must match within the look-back window.')}
        {text('lookbackMinutes', 'Look-back window (minutes)')}
        <Field id={`${base}-suppressPer`} label="After an alert, stay quiet" issues={issuesOf('suppressPer')}>
          {(described) => (
            <select id={`${base}-suppressPer`} value={form.suppressPer} aria-describedby={described} onChange={(e) => set('suppressPer', e.target.value as RuleForm['suppressPer'])}>
              <option value="ticket">on that ticket</option>
              <option value="rule">on every ticket</option>
            </select>
          )}
        </Field>
        {text('suppressMinutes', 'Quiet time (minutes)', 'Vigil’s default is 360 (6 hours) per ticket; 0 never stays quiet.')}
      </fieldset>
      <fieldset>
        <legend>Where alerts go</legend>
        <label className="check">
          <input type="checkbox" checked disabled /> This desktop (always)
        </label>
        <label className="check">
          <input type="checkbox" checked={form.note} aria-describedby={issuesOf('note').length ? `${base}-note-error` : undefined} onChange={(e) => set('note', e.target.checked)} /> An internal
          note on the ticket in the helpdesk (where the connector allows write-back)
        </label>
        {issuesOf('note').length > 0 && (
          <p className="field-error" id={`${base}-note-error`} role="alert">
            {issuesOf('note').join('; ')}
          </p>
        )}
        {area('webhooks', 'Webhooks', 'One http(s) URL per line; only hosts on the egress allow-list (loopback and configured connectors’ hosts) are reached.')}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
      </label>
      {unplaced.length > 0 && <ErrorAlert error={unplaced.join('; ')} />}
      <div className="settings-actions">
        <button type="submit" disabled={busy !== null}>
          {busy === 'saving' ? 'Saving…' : 'Save rule'}
        </button>
        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void runTest()}>
          {busy === 'testing' ? 'Testing…' : 'Test on recent tickets'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
      {test && <TestResults view={test} />}
    </form>
  );
}

export function RuleSettings() {
  const view = useCopilotStore((s) => s.rules);
  const error = useCopilotStore((s) => s.rulesError);
  const notice = useCopilotStore((s) => s.rulesNotice);
  const busyId = useCopilotStore((s) => s.rulesBusyId);
  const load = useCopilotStore((s) => s.loadRules);
  const setEnabled = useCopilotStore((s) => s.setRuleEnabled);
  const remove = useCopilotStore((s) => s.removeRule);
  const [editing, setEditing] = useState<RuleView | 'new' | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div>
      <p className="settings-item-meta">
        Interest rules watch every customer message and raise an alert on the desk (and, if you choose, as a helpdesk note or a webhook). They are stored in the
        team’s data folder (rules/rules.json), the same rules <code>vigil rules</code> edits.
      </p>
      {view?.problem && <ErrorAlert error={view.problem} />}
      {!view && !error && <p className="empty-state">Loading…</p>}
      {view && view.rules.length > 0 && (
        <ul className="settings-list" aria-label="Interest rules">
          {view.rules.map((rule) => (
            <li key={rule.id} className="settings-item rule-item" aria-label={`Rule ${rule.name}`}>
              <div>
                <strong>{rule.name}</strong> <span className="muted">({rule.id})</span> <span className="badge">{rule.priority}</span>
                {rule.mode === 'filter' && <span className="badge">filter</span>}
                {!rule.enabled && <span className="badge">disabled</span>}
              </div>
              <div className="settings-item-meta">
                {matchWords(rule)}; {quietWords(rule)}; alerts to {targetWords(rule)}; from {rule.source}
              </div>
              {rule.warnings.map((w) => (
                <p key={w.field} className="notice error" role="alert">
                  {w.message}
                </p>
              ))}
              <div className="settings-actions">
                <button
                  type="button"
                  className="secondary"
                  aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${rule.name}`}
                  disabled={busyId !== null}
                  onClick={() => void setEnabled(rule.id, !rule.enabled)}
                >
                  {rule.enabled ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className="secondary" aria-label={`Edit ${rule.name}`} onClick={() => setEditing(rule)}>
                  Edit
                </button>
                {rule.source === 'team' && (
                  <button type="button" className="secondary" aria-label={`Remove ${rule.name}`} disabled={busyId !== null} onClick={() => void remove(rule.id)}>
                    Remove
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {view && view.rules.length === 0 && !view.problem && <p className="empty-state">No rules yet.</p>}
      {editing === null ? (
        <div className="settings-actions">
          <button type="button" onClick={() => setEditing('new')} disabled={!view || view.problem !== null}>
            Add a rule
          </button>
        </div>
      ) : (
        <RuleEditor key={editing === 'new' ? 'new' : editing.id} original={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      )}
      <Notices notice={notice} error={error} />
    </div>
  );
}
