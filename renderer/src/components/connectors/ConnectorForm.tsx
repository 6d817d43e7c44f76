/**
 * The "Add connector" / "Edit" form of Settings → Connectors. Its fields come from the kind's settings schema
 * (connectorForms), so each kind shows exactly what connectors.json accepts for it. Secrets are typed into password
 * fields and sent once, to the main process, which keeps them in the system keychain; the form is only ever told
 * whether one is stored ("saved in the keychain"). Mistakes come back per field and are shown under it, naming it.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ConnectorDraft, ConnectorFieldForm, ConnectorFieldValue, ConnectorKindForm, ConnectorSaveResult } from '../../api/contractTypes';
import { errorMessage } from '../../api/errorMessage';
import { useCopilotStore } from '../../store/copilot/CopilotStoreProvider';
import { useHomeShortened } from '../pathText';

/** What a field holds while it is being edited: text (numbers and lists too) or a switch. */
type FormValue = string | boolean;

function toFormValue(field: ConnectorFieldForm, value: ConnectorFieldValue | undefined): FormValue {
  if (field.type === 'boolean') return typeof value === 'boolean' ? value : field.defaultValue === true;
  if (Array.isArray(value)) return value.join('\n');
  if (value === null || value === undefined) return '';
  return String(value);
}

function toDraftValue(field: ConnectorFieldForm, value: FormValue): ConnectorFieldValue {
  if (field.type === 'boolean') return value === true;
  const text = typeof value === 'string' ? value : '';
  if (field.type === 'list') return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  return text.trim() === '' ? null : text.trim();
}

/**
 * Fields that say where a connector connects: a saved secret is only ever sent to the address it was saved for
 * (main refuses it for another one), so changing one of these means typing the secrets again.
 */
function isAddressField(field: ConnectorFieldForm): boolean {
  return field.type === 'url' || field.name === 'host' || field.name === 'port' || field.name === 'tls';
}

export interface ConnectorFormProps {
  mode: 'add' | 'edit';
  /** The connector to edit (mode `edit`). */
  editId?: string;
  /** Called after a successful save or on cancel. */
  onClose(): void;
}

export function ConnectorForm({ mode, editId, onClose }: ConnectorFormProps) {
  const forms = useCopilotStore((s) => s.connectorForms);
  const loadConnectorForms = useCopilotStore((s) => s.loadConnectorForms);
  const connectorForEdit = useCopilotStore((s) => s.connectorForEdit);
  const testConnectorDraft = useCopilotStore((s) => s.testConnectorDraft);
  const saveConnector = useCopilotStore((s) => s.saveConnector);
  const pickConnectorFolder = useCopilotStore((s) => s.pickConnectorFolder);

  const [kind, setKind] = useState<string>(mode === 'add' ? 'folder' : '');
  const [values, setValues] = useState<Record<string, FormValue>>({});
  const [initial, setInitial] = useState<Record<string, FormValue>>({});
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const [secretsStored, setSecretsStored] = useState<Record<string, boolean>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState<'testing' | 'saving' | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    void loadConnectorForms();
  }, [loadConnectorForms]);

  const form: ConnectorKindForm | undefined = forms?.find((k) => k.kind === kind);

  // Editing: the saved settings fill the form once the forms are known.
  useEffect(() => {
    if (mode !== 'edit' || !editId || !forms) return;
    let live = true;
    connectorForEdit(editId)
      .then((view) => {
        if (!live) return;
        const kindForm = forms.find((k) => k.kind === view.kind);
        const filled: Record<string, FormValue> = {};
        for (const field of kindForm?.fields ?? []) if (field.type !== 'secret') filled[field.name] = toFormValue(field, view.values[field.name]);
        filled['id'] = view.id;
        setKind(view.kind);
        setValues(filled);
        setInitial(filled);
        setSecretsStored(view.secretsStored);
      })
      .catch((error: unknown) => live && setLoadError(errorMessage(error)));
    return () => {
      live = false;
    };
  }, [mode, editId, forms, connectorForEdit]);

  const valueOf = (field: ConnectorFieldForm): FormValue => values[field.name] ?? toFormValue(field, undefined);
  const addressChanged =
    mode === 'edit' && (form?.fields ?? []).some((field) => isAddressField(field) && valueOf(field) !== (initial[field.name] ?? toFormValue(field, undefined)));

  const draft = (): ConnectorDraft => {
    const draftValues: Record<string, ConnectorFieldValue> = {};
    for (const field of form?.fields ?? []) {
      if (field.type === 'secret' || field.name === 'id') continue;
      const value = valueOf(field);
      // Editing sends only what changed, so the entry in the file keeps everything else exactly as written.
      if (mode === 'edit' && value === (initial[field.name] ?? toFormValue(field, undefined))) continue;
      if (mode === 'add' && value === '' ) continue;
      draftValues[field.name] = toDraftValue(field, value);
    }
    const typed = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ''));
    return { kind, id: String(values['id'] ?? '').trim(), values: draftValues, secrets: typed };
  };

  const show = (result: ConnectorSaveResult, success: string) => {
    setFieldErrors(result.ok ? {} : result.fieldErrors);
    setOutcome(result.ok ? { ok: true, text: success } : { ok: false, text: result.message });
  };

  const test = async () => {
    setBusy('testing');
    setOutcome(null);
    const d = draft();
    show(await testConnectorDraft({ mode, draft: d }), `${d.id || 'The connector'}: connection and credentials work. Save it to start watching.`);
    setBusy(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('saving');
    setOutcome(null);
    const result = await saveConnector({ mode, draft: draft() });
    setBusy(null);
    if (result.ok) {
      onClose();
      return;
    }
    show(result, '');
  };

  const chooseFolder = async (field: ConnectorFieldForm) => {
    const folder = await pickConnectorFolder();
    if (folder !== null) setValues({ ...values, [field.name]: folder });
  };

  if (loadError) {
    return (
      <p className="notice error" role="alert">
        {loadError}
      </p>
    );
  }
  if (!forms) return <p className="empty-state">Loading the connector kinds…</p>;

  const title = mode === 'add' ? 'Add a connector' : `Edit ${editId ?? ''}`;
  return (
    <form className="connector-form settings-form" aria-label={title} onSubmit={(e) => void save(e)} noValidate>
      <h3>{title}</h3>
      <div className="field">
        <label htmlFor="connector-kind">Kind</label>
        <select
          id="connector-kind"
          value={kind}
          disabled={mode === 'edit'}
          onChange={(event) => {
            setKind(event.target.value);
            setFieldErrors({});
            setOutcome(null);
          }}
        >
          {forms.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      {form?.fields.map((field) => (
        <ConnectorField
          key={`${kind}-${field.name}`}
          field={field}
          value={valueOf(field)}
          error={fieldErrors[field.name] ?? null}
          locked={mode === 'edit' && field.name === 'id'}
          secretStored={secretsStored[field.name] ?? false}
          retype={addressChanged}
          secret={secrets[field.name] ?? ''}
          onChange={(value) => setValues({ ...values, [field.name]: value })}
          onSecret={(value) => setSecrets({ ...secrets, [field.name]: value })}
          onChooseFolder={() => void chooseFolder(field)}
        />
      ))}
      {form && form.fileOnlyFields.length > 0 && (
        <p className="muted">Also set in connectors.json only, and kept as written there: {form.fileOnlyFields.join(', ')}.</p>
      )}
      <div className="settings-actions">
        <button type="button" className="secondary" disabled={busy !== null} onClick={() => void test()}>
          {busy === 'testing' ? 'Testing…' : 'Test connection'}
        </button>
        <button type="submit" disabled={busy !== null}>
          {busy === 'saving' ? 'Saving…' : mode === 'add' ? 'Save connector' : 'Save changes'}
        </button>
        <button type="button" className="secondary" disabled={busy !== null} onClick={onClose}>
          Cancel
        </button>
      </div>
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'notice' : 'notice error'}>
          {outcome.text}
        </p>
      )}
    </form>
  );
}

interface ConnectorFieldProps {
  field: ConnectorFieldForm;
  value: FormValue;
  error: string | null;
  locked: boolean;
  secretStored: boolean;
  /** The address changed: a stored secret must be typed again before it is sent there. */
  retype: boolean;
  secret: string;
  onChange(value: FormValue): void;
  onSecret(value: string): void;
  onChooseFolder(): void;
}

/** A field's help and its error (naming the field), with the ids its control's aria-describedby points at. */
function FieldNotes({ id, field, error }: { id: string; field: ConnectorFieldForm; error: string | null }) {
  return (
    <>
      {field.help && (
        <span className="muted" id={`${id}-help`}>
          {field.help}
        </span>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {field.label}: {error}
        </p>
      )}
    </>
  );
}

/** One field: its label, the control for its type, its help, and its error under it naming it. */
function ConnectorField({ field, value, error, locked, secretStored, retype, secret, onChange, onSecret, onChooseFolder }: ConnectorFieldProps) {
  const id = `connector-field-${field.name}`;
  const described = [field.help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const shortened = useHomeShortened();
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': described, 'aria-required': field.required || undefined };
  const label = `${field.label}${field.required ? '' : ' (optional)'}`;
  const placeholder = field.defaultValue !== null && typeof field.defaultValue !== 'boolean' ? `${String(field.defaultValue)} (default)` : undefined;

  let control;
  if (field.type === 'boolean') {
    return (
      <div className="field">
        <label className="check" htmlFor={id}>
          <input {...common} type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
          {field.label}
        </label>
          <FieldNotes id={id} field={field} error={error} />
      </div>
    );
  } else if (field.type === 'secret') {
    control = (
      <input
        {...common}
        type="password"
        autoComplete="new-password"
        value={secret}
        placeholder={secretStored ? 'Saved in the keychain; type to replace it' : undefined}
        onChange={(event) => onSecret(event.target.value)}
      />
    );
  } else if (field.type === 'choice') {
    control = (
      <select {...common} value={typeof value === 'string' ? value : ''} onChange={(event) => onChange(event.target.value)}>
        {!field.required && <option value="">{field.defaultValue !== null ? `${String(field.defaultValue)} (default)` : '(not set)'}</option>}
        {(field.options ?? []).map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else if (field.type === 'list') {
    control = <textarea {...common} rows={3} value={String(value)} onChange={(event) => onChange(event.target.value)} />;
  } else if (field.type === 'folder') {
    control = (
      <div className="field-row">
        {/* Only the dialog sets it, so it can be written from ~ (the full path on hover) and still saves the folder chosen. */}
        <input {...common} type="text" readOnly value={shortened(String(value))} title={String(value) || undefined} placeholder="No folder chosen yet" />
        <button type="button" className="secondary" onClick={onChooseFolder}>
          Choose folder…
        </button>
      </div>
    );
  } else {
    control = (
      <input
        {...common}
        type={field.type === 'number' ? 'number' : 'text'}
        inputMode={field.type === 'url' ? 'url' : undefined}
        min={field.min ?? undefined}
        max={field.max ?? undefined}
        disabled={locked}
        value={String(value)}
        placeholder={placeholder ?? (field.type === 'url' ? 'https://' : undefined)}
        onChange={(event) => onChange(event.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {control}
      {field.type === 'secret' && secretStored && secret === '' && !retype && <span className="muted">Saved in the keychain.</span>}
      {field.type === 'secret' && secretStored && secret === '' && retype && (
        <span className="notice">
          The address changed: type this again ({field.label}). A saved secret is only ever sent to the address it was saved for.
        </span>
      )}
      <FieldNotes id={id} field={field} error={error} />
    </div>
  );
}
