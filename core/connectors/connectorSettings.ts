/**
 * Adding, editing and removing connectors from the app's Settings screen, in `<data folder>/connectors.json`
 * (core/connectors/registry.ts reads it). The form for each kind is generated from the kind's own zod schema, so
 * a field added to a connector appears in the app without a second list to keep in step.
 *
 * What is kept safe:
 * - The file is edited in place: only the bytes of the entry being added, changed or removed are rewritten, so an
 *   admin's formatting, the other connectors and any fields Vigil does not know survive byte for byte (where each
 *   entry is comes from the one parse of the file, registry.ts `readConnectorsDocument`). It is replaced
 *   atomically (write, fsync, rename).
 * - A file that cannot be read (bad JSON, a wrong field in any entry) is never overwritten: the error names the
 *   line or the entry and field, and the admin fixes it in a text editor first.
 * - Credentials go to the secret store (the OS keychain in the app) under a name, and the file holds only
 *   `{"secret": "NAME"}`, as for `vigil secrets set`. Secret values are never read back out for the screen: it is
 *   told only whether one is stored.
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { writeFileAtomic } from '../formats/durableFile';
import { HTTP_CONNECTORS } from './httpConnectors';
import { parseConnectorsText } from './connectorsFile';
import {
  CONNECTORS_FILE,
  ConnectorConfigError,
  connectorKind,
  connectorKinds,
  connectorOrigin,
  parseConnectorsConfig,
  readConnectorsDocument,
  type ConnectorConfig,
  type ConnectorsDocument,
} from './registry';
import { SECRET_NAME_PATTERN, type SecretStore } from '../secrets/secretStore';
import type {
  ConnectorDraft,
  ConnectorEditView,
  ConnectorFieldForm,
  ConnectorFieldType,
  ConnectorFieldValue,
  ConnectorKindForm,
  ConnectorRemoval,
  ConnectorSaveResult,
  SaveConnectorRequest,
} from './connectorTypes';

const KIND_LABELS: Record<string, string> = {
  folder: 'Folder of ticket files',
  imap: 'Mailbox (IMAP)',
  ...Object.fromEntries(Object.entries(HTTP_CONNECTORS).map(([name, entry]) => [name, entry.label])),
};

/** Labels and one-line help for the settings every kind shares or several use. */
const FIELD_TEXT: Record<string, { label: string; help?: string }> = {
  id: { label: 'Connector id', help: 'Letters, digits, "-" and "_"; the prefix of its ticket ids (rt-main:1042). Cannot be changed later.' },
  enabled: { label: 'Watch this connector' },
  pollSeconds: { label: 'Seconds between checks', help: 'Once caught up; each kind has its own default.' },
  writeBack: { label: 'May post notes and replies', help: 'Only ever when an analyst clicks; replies to customers ask for confirmation.' },
  path: { label: 'Ticket folder', help: 'A folder of *.json / *.jsonl ticket files; relative paths are inside the data folder.' },
  pageSize: { label: 'Tickets per page' },
  host: { label: 'IMAP server' },
  port: { label: 'Port', help: '993 for implicit TLS, 143 otherwise, when left empty.' },
  tls: { label: 'TLS' },
  user: { label: 'User name' },
  password: { label: 'Password', help: 'Saved in the system keychain, never in connectors.json.' },
  mailbox: { label: 'Mailbox' },
  supportAddresses: { label: 'Support addresses', help: 'One per line: help@example.com or @example.com.' },
  draftsMailbox: { label: 'Drafts mailbox' },
  baseUrl: { label: 'Address (https://…)' },
  token: { label: 'API token', help: 'Saved in the system keychain, never in connectors.json.' },
  email: { label: 'Account e-mail' },
  queue: { label: 'Queue', help: 'Only this queue; every queue the token can see when empty.' },
  startAt: { label: 'First sync from', help: 'ISO 8601 time; 30 days back when empty.' },
  timezone: { label: 'RT time zone' },
  projectKey: { label: 'Project key', help: 'Such as HELP.' },
};

type AnyZod = z.ZodType & { def: { type: string; innerType?: AnyZod; defaultValue?: unknown; format?: string; element?: AnyZod; shape?: unknown } };

/** The field's schema without optional/default wrappers, whether it may be left out, and its default. */
function unwrap(schema: AnyZod): { inner: AnyZod; optional: boolean; defaultValue: unknown } {
  let inner = schema;
  let optional = false;
  let defaultValue: unknown = undefined;
  while (inner.def.type === 'optional' || inner.def.type === 'default') {
    optional = true;
    if (inner.def.type === 'default') defaultValue = inner.def.defaultValue;
    inner = inner.def.innerType!;
  }
  return { inner, optional, defaultValue };
}

function isSecretRef(schema: AnyZod): boolean {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return schema.def.type === 'object' && shape !== undefined && Object.keys(shape).length === 1 && 'secret' in shape;
}

/** The form field a schema field becomes, or null when the form cannot edit it (kept as it is in the file). */
function fieldForm(kind: string, name: string, schema: AnyZod): ConnectorFieldForm | null {
  const { inner, optional, defaultValue } = unwrap(schema);
  let type: ConnectorFieldType;
  let options: string[] | null = null;
  let min: number | null = null;
  let max: number | null = null;
  if (isSecretRef(inner)) type = 'secret';
  else if (inner.def.type === 'boolean') type = 'boolean';
  else if (inner.def.type === 'number') {
    type = 'number';
    const bounds = inner as unknown as { minValue: number | null; maxValue: number | null };
    min = Number.isFinite(bounds.minValue) ? bounds.minValue : null;
    max = Number.isFinite(bounds.maxValue) ? bounds.maxValue : null;
  } else if (inner.def.type === 'enum') {
    type = 'choice';
    options = [...(inner as unknown as { options: string[] }).options];
  } else if (inner.def.type === 'array' && inner.def.element?.def.type === 'string') type = 'list';
  else if (inner.def.type === 'string') {
    type = inner.def.format === 'url' ? 'url' : inner.def.format === 'datetime' ? 'datetime' : kind === 'folder' && name === 'path' ? 'folder' : 'text';
  } else return null;
  const text = FIELD_TEXT[name];
  const plain = typeof defaultValue === 'string' || typeof defaultValue === 'number' || typeof defaultValue === 'boolean';
  return {
    name,
    label: text?.label ?? name,
    type,
    required: !optional,
    defaultValue: plain ? (defaultValue as string | number | boolean) : null,
    options,
    min,
    max,
    help: text?.help ?? null,
  };
}

/** Every registered kind with its form, in the registry's order. */
export function describeConnectorKinds(): ConnectorKindForm[] {
  return connectorKinds().map((kind) => {
    const schema = connectorKind(kind)!.schema as unknown as { shape: Record<string, AnyZod> };
    const fields: ConnectorFieldForm[] = [];
    const fileOnlyFields: string[] = [];
    for (const [name, field] of Object.entries(schema.shape)) {
      if (name === 'kind') continue;
      const form = fieldForm(kind, name, field);
      if (form) fields.push(form);
      else fileOnlyFields.push(name);
    }
    return { kind, label: KIND_LABELS[kind] ?? kind, fields, fileOnlyFields };
  });
}

function kindForm(kind: string): ConnectorKindForm | undefined {
  return describeConnectorKinds().find((k) => k.kind === kind);
}

// ── The file as text ─────────────────────────────────────────────────────────────────────────────────────────

/** The indentation of the line `position` is on. */
function indentAt(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** An entry as JSON in the style of the one it replaces: one line stays one line, else indented like it. */
function entryJson(entry: Record<string, unknown>, multiline: boolean, indent: string): string {
  if (!multiline) return oneLine(entry);
  return JSON.stringify(entry, null, 2).split('\n').join(`\n${indent}`);
}

/** JSON on one line with a space after each ":" and ",", as docs/connectors.md writes entries. */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

// ── Reading and writing ───────────────────────────────────────────────────────────────────────────────────────

/** Reads and validates the file; a mistake is refused (naming line, entry or field) rather than let it be edited. */
async function readDocument(dataDir: string): Promise<ConnectorsDocument> {
  try {
    return await readConnectorsDocument(dataDir);
  } catch (error) {
    if (!(error instanceof ConnectorConfigError) || error.message.startsWith('Cannot read ')) throw error;
    throw new ConnectorConfigError(
      `${error.message}. Vigil will not change ${CONNECTORS_FILE} while it has a mistake, so nothing in it is lost: fix it in a text editor, then try again.`,
    );
  }
}

/** Writes `text` after checking it parses, validates and leaves every other connector exactly as it was. */
async function writeDocument(doc: ConnectorsDocument, text: string, changedId: string): Promise<void> {
  const parsed = parseConnectorsConfig(parseConnectorsText(text, doc.file).value, doc.file);
  const before = doc.configs.filter((c) => c.id !== changedId);
  const after = parsed.filter((c) => c.id !== changedId);
  if (!isDeepStrictEqual(before, after)) {
    throw new Error(`Vigil did not save ${doc.file}: the change would have touched other connectors. Edit the file by hand, and report this.`);
  }
  await writeFileAtomic(doc.file, text);
}

/** One edit of the file at a time per data folder, so two quick saves never lose one another. */
const queues = new Map<string, Promise<unknown>>();
function serialized<T>(dataDir: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(dataDir) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  queues.set(dataDir, next);
  return next;
}

function secretNamesIn(entry: Record<string, unknown>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [field, value] of Object.entries(entry)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { secret?: unknown }).secret === 'string') {
      names.set(field, (value as { secret: string }).secret);
    }
  }
  return names;
}

/** The form's view of one connector: its settings and which secrets are stored (never their values). */
export async function readConnectorForEdit(dataDir: string, id: string, secrets: SecretStore): Promise<ConnectorEditView> {
  const doc = await readDocument(dataDir);
  const index = doc.configs.findIndex((c) => c.id === id);
  if (index < 0) throw new ConnectorConfigError(`There is no connector "${id}" in ${doc.file}; reload the list.`);
  const raw = doc.raw[index]!;
  const kind = String(raw['kind']);
  const form = kindForm(kind);
  const stored = new Set(await secrets.list());
  const values: Record<string, ConnectorFieldValue> = {};
  const secretsStored: Record<string, boolean> = {};
  for (const field of form?.fields ?? []) {
    const value = raw[field.name];
    if (field.type === 'secret') {
      const name = secretNamesIn(raw).get(field.name);
      secretsStored[field.name] = name !== undefined && stored.has(name);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[field.name] = value;
    else if (Array.isArray(value)) values[field.name] = value.map(String);
  }
  return { id, kind, values, secretsStored };
}

interface PreparedEntry {
  entry: Record<string, unknown>;
  /** Secret values to store, by secret name. */
  store: Map<string, string>;
}

/**
 * Turns the form into the entry to write (starting from the entry as written, when editing, so fields the form
 * does not show survive), checks it with the kind's schema, and says per field what is wrong.
 */
function prepareEntry(
  draft: ConnectorDraft,
  mode: 'add' | 'edit',
  doc: ConnectorsDocument,
): { ok: true; prepared: PreparedEntry } | { ok: false; message: string; fieldErrors: Record<string, string> } {
  const form = kindForm(draft.kind);
  const kind = connectorKind(draft.kind);
  if (!form || !kind) {
    return { ok: false, message: `There is no connector kind "${draft.kind}"; choose one of ${connectorKinds().join(', ')}.`, fieldErrors: { kind: 'unknown kind' } };
  }
  const fieldErrors: Record<string, string> = {};
  const index = doc.configs.findIndex((c) => c.id === draft.id);
  if (mode === 'add' && index >= 0) fieldErrors['id'] = `"${draft.id}" is already used by another connector; ids must be unique`;
  if (mode === 'edit' && index < 0) {
    return { ok: false, message: `There is no connector "${draft.id}" in ${doc.file} to change; reload the list.`, fieldErrors: {} };
  }
  const existing = mode === 'edit' ? { ...doc.raw[index]! } : {};
  if (mode === 'edit' && existing['kind'] !== draft.kind) {
    return { ok: false, message: `"${draft.id}" is a ${String(existing['kind'])} connector; its kind cannot be changed. Remove it and add a new one.`, fieldErrors: { kind: 'cannot be changed' } };
  }
  const entry: Record<string, unknown> = mode === 'edit' ? existing : { id: draft.id, kind: draft.kind };
  const otherSecretNames = new Set(doc.raw.filter((_, i) => i !== index).flatMap((r) => [...secretNamesIn(r).values()]));
  const store = new Map<string, string>();
  for (const field of form.fields) {
    if (field.name === 'id') continue;
    if (field.type === 'secret') {
      const typed = draft.secrets[field.name];
      const current = secretNamesIn(entry).get(field.name);
      if (typed !== undefined && typed !== '') {
        let name = current ?? `${draft.id}.${field.name}`;
        for (let n = 2; !current && otherSecretNames.has(name); n++) name = `${draft.id}.${field.name}-${n}`;
        if (!SECRET_NAME_PATTERN.test(name)) {
          fieldErrors[field.name] = `cannot be stored under the name "${name}"`;
          continue;
        }
        store.set(name, typed);
        entry[field.name] = { secret: name };
      } else if (!current && field.required) {
        fieldErrors[field.name] = `is required: type it here; it is saved in the system keychain, never in ${CONNECTORS_FILE}`;
      }
      continue;
    }
    if (!(field.name in draft.values)) continue;
    const value = draft.values[field.name];
    const empty = value === null || value === '' || (Array.isArray(value) && value.length === 0);
    if (empty) {
      delete entry[field.name];
      continue;
    }
    if (field.type === 'number' && typeof value === 'string') {
      const number = Number(value.trim());
      if (value.trim() === '' || !Number.isFinite(number)) {
        fieldErrors[field.name] = 'must be a number';
        continue;
      }
      entry[field.name] = number;
    } else if (typeof value === 'string') entry[field.name] = value.trim();
    else entry[field.name] = value;
    // A default the admin did not write stays unwritten, so the file says only what was chosen.
    if (mode === 'add' && field.defaultValue !== null && entry[field.name] === field.defaultValue) delete entry[field.name];
  }
  const checked = kind.schema.safeParse(entry);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = String(issue.path[0] ?? 'id');
      fieldErrors[field] ??= plainIssue(issue, form.fields.find((f) => f.name === field));
    }
  } else if (mode === 'edit') {
    // A stored secret goes only to the origin it was saved with: an address changed by the page (or a slip of the
    // admin's) must never carry the saved token or password to another server, in a test or once saved.
    const saved = connectorOrigin(doc.configs[index]!);
    const next = kind.origin(checked.data);
    if (saved !== next) {
      for (const field of form.fields) {
        const ref = field.type === 'secret' ? secretNamesIn(entry).get(field.name) : undefined;
        // Only secrets kept from the store need typing again; one typed now was typed for the new address.
        if (ref === undefined || store.has(ref)) continue;
        fieldErrors[field.name] =
          `type it again: the address changed from ${saved ?? 'none'} to ${next ?? 'none'}, and a saved secret is only ever sent to the address it was saved for`;
      }
    }
  }
  if (Object.keys(fieldErrors).length > 0) {
    // In the form's order, so the message reads top to bottom like the form.
    const order = (name: string) => {
      const i = form.fields.findIndex((f) => f.name === name);
      return i < 0 ? form.fields.length : i;
    };
    const list = Object.entries(fieldErrors)
      .sort(([a], [b]) => order(a) - order(b))
      .map(([field, message]) => `${form.fields.find((f) => f.name === field)?.label ?? field}: ${message}`);
    return { ok: false, message: `The connector was not saved. ${list.join('; ')}.`, fieldErrors };
  }
  return { ok: true, prepared: { entry, store } };
}

/** zod's wording for the common cases, in the words of the form. */
function plainIssue(issue: z.core.$ZodIssue, field: ConnectorFieldForm | undefined): string {
  if (field?.type === 'url' && issue.code === 'invalid_format') return 'must be a web address such as https://helpdesk.example.com';
  if (field?.type === 'datetime' && issue.code === 'invalid_format') return 'must be an ISO 8601 time such as 2026-11-01T00:00:00Z';
  if (issue.code === 'too_big' && field?.type === 'number') return `must be at most ${String(issue.maximum)}`;
  if (issue.code === 'too_small' && field?.type === 'number') return `must be at least ${String(issue.minimum)}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return issue.message;
}

/** The new text of the file with `entry` added at the end of the list or put in place of entry `index`. */
function textWithEntry(doc: ConnectorsDocument, entry: Record<string, unknown>, index: number): string {
  if (doc.text === null) return `${JSON.stringify({ format: 1, connectors: [entry] }, null, 2)}\n`;
  const layout = doc.layout;
  if (!layout) throw new ConnectorConfigError(`${doc.file} has no "connectors" list Vigil can add to; fix it in a text editor.`);
  const text = doc.text;
  if (index >= 0) {
    const span = layout.entries[index]!;
    const old = text.slice(span.start, span.end);
    return text.slice(0, span.start) + entryJson(entry, old.includes('\n'), indentAt(text, span.start)) + text.slice(span.end);
  }
  const last = layout.entries.at(-1);
  if (!last) {
    const base = indentAt(text, layout.open);
    const inner = `${base}  `;
    return `${text.slice(0, layout.open + 1)}\n${inner}${entryJson(entry, true, inner)}\n${base}${text.slice(layout.close)}`;
  }
  const between = text.slice(layout.open + 1, layout.entries[0]!.start);
  if (between.includes('\n')) {
    const indent = indentAt(text, last.start);
    const multiline = text.slice(last.start, last.end).includes('\n');
    return `${text.slice(0, last.end)},\n${indent}${entryJson(entry, multiline, indent)}${text.slice(last.end)}`;
  }
  return `${text.slice(0, last.end)}, ${entryJson(entry, false, '')}${text.slice(last.end)}`;
}

/** Checks the form without saving: the entry it would write, or what is wrong with each field. */
export async function checkConnectorDraft(
  dataDir: string,
  request: SaveConnectorRequest,
): Promise<{ ok: true; config: ConnectorConfig; secrets: Map<string, string> } | { ok: false; message: string; fieldErrors: Record<string, string> }> {
  const doc = await readDocument(dataDir);
  const prepared = prepareEntry(request.draft, request.mode, doc);
  if (!prepared.ok) return prepared;
  const [config] = parseConnectorsConfig({ connectors: [prepared.prepared.entry] }, doc.file);
  return { ok: true, config: config!, secrets: prepared.prepared.store };
}

/**
 * Adds or changes a connector: stores the secrets typed in, then writes the file with only that entry changed.
 * A mistake in the form comes back per field; a file that cannot be read is refused, unchanged.
 */
export function saveConnectorSettings(dataDir: string, request: SaveConnectorRequest, secrets: SecretStore): Promise<ConnectorSaveResult> {
  return serialized(dataDir, async () => {
    const doc = await readDocument(dataDir);
    const prepared = prepareEntry(request.draft, request.mode, doc);
    if (!prepared.ok) return prepared;
    const { entry, store } = prepared.prepared;
    const index = doc.configs.findIndex((c) => c.id === request.draft.id);
    const text = textWithEntry(doc, entry, request.mode === 'edit' ? index : -1);
    const existed = new Set(await secrets.list());
    for (const [name, value] of store) await secrets.set(name, value);
    try {
      await writeDocument(doc, text, request.draft.id);
    } catch (error) {
      // A secret stored only for this failed save would be an orphan in the keychain.
      for (const name of store.keys()) if (!existed.has(name)) await secrets.delete(name).catch(() => false);
      throw error;
    }
    return { ok: true, id: request.draft.id };
  });
}

/**
 * Removes a connector from the file (the others untouched) and deletes from the secret store the secrets it
 * referred to that no other connector uses. Its sync state in `watch/<id>/` is kept.
 */
export function removeConnectorSettings(dataDir: string, id: string, secrets: SecretStore): Promise<ConnectorRemoval> {
  return serialized(dataDir, async () => {
    const doc = await readDocument(dataDir);
    const index = doc.configs.findIndex((c) => c.id === id);
    if (index < 0 || doc.text === null) throw new ConnectorConfigError(`There is no connector "${id}" in ${doc.file}; reload the list.`);
    const layout = doc.layout!;
    const text = doc.text;
    const span = layout.entries[index]!;
    const next = layout.entries[index + 1];
    const previous = layout.entries[index - 1];
    const updated = next
      ? text.slice(0, span.start) + text.slice(next.start)
      : previous
        ? text.slice(0, previous.end) + text.slice(span.end)
        : text.slice(0, layout.open + 1) + text.slice(layout.close);
    await writeDocument(doc, updated, id);
    const stillUsed = new Set(doc.raw.filter((_, i) => i !== index).flatMap((r) => [...secretNamesIn(r).values()]));
    const secretsDeleted: string[] = [];
    for (const name of secretNamesIn(doc.raw[index]!).values()) {
      if (stillUsed.has(name)) continue;
      if (await secrets.delete(name)) secretsDeleted.push(name);
    }
    return { id, secretsDeleted, syncStateKept: join(dataDir, 'watch', id) };
  });
}
