/**
 * Plain data of Settings → Connectors as it crosses IPC: the form of each connector kind, what the form sends
 * and gets back. Types only, so the renderer and the preload can use them without the code that reads
 * connectors.json.
 */
import type { ConnectorHealth } from '../connectors/connector';

/** How a field is entered in the form. */
export type ConnectorFieldType = 'text' | 'url' | 'datetime' | 'number' | 'boolean' | 'choice' | 'list' | 'secret' | 'folder';

/** One field of a kind's form, derived from its settings schema. */
export interface ConnectorFieldForm {
  /** The key in connectors.json. */
  name: string;
  label: string;
  type: ConnectorFieldType;
  /** True when the schema has neither a default nor makes it optional. */
  required: boolean;
  /** The schema's default, shown as the placeholder and used when left empty. */
  defaultValue: string | number | boolean | null;
  /** For `choice`: the allowed values. */
  options: string[] | null;
  /** For `number`: the schema's bounds. */
  min: number | null;
  max: number | null;
  help: string | null;
}

/** A kind of connector as the "Add connector" form offers it. */
export interface ConnectorKindForm {
  kind: string;
  label: string;
  fields: ConnectorFieldForm[];
  /** Settings of this kind the form cannot edit (kept as they are in the file). */
  fileOnlyFields: string[];
}

/** A form value: text, a number, a switch or a list of text; null or "" leaves an optional field out. */
export type ConnectorFieldValue = string | number | boolean | string[] | null;

/** What the form sends: the kind, the id, the fields, and only the secrets typed in this time. */
export interface ConnectorDraft {
  kind: string;
  id: string;
  values: Record<string, ConnectorFieldValue>;
  /** New secret values by field name; a field left out keeps the secret already stored for it. */
  secrets: Record<string, string>;
}

export interface SaveConnectorRequest {
  /** `add` refuses an id in use; `edit` changes the connector with that id (the id itself cannot change). */
  mode: 'add' | 'edit';
  draft: ConnectorDraft;
}

/** The outcome of a save or a check of the form: field errors name the field, in words. */
export type ConnectorSaveResult =
  | { ok: true; id: string }
  | { ok: false; message: string; fieldErrors: Record<string, string> };

/** One connector as the edit form shows it: its settings, and for each secret only whether one is stored. */
export interface ConnectorEditView {
  id: string;
  kind: string;
  values: Record<string, ConnectorFieldValue>;
  /** Secret fields: true when the keychain holds a value for it ("saved in the keychain"). */
  secretsStored: Record<string, boolean>;
}

/** What a removal did. */
export interface ConnectorRemoval {
  id: string;
  /** Names of the secrets deleted from the keychain (those no other connector uses). */
  secretsDeleted: string[];
  /** The watcher's state for it (`watch/<id>/`), which is kept: adding the id again resumes where it stopped. */
  syncStateKept: string;
}

/** One connector of `connectors.json` as the Settings screen lists it (no secrets, only their names' use). */
export interface ConnectorView {
  id: string;
  kind: string;
  enabled: boolean;
  writeBack: boolean;
  /** Health while the app watches it; null when it is disabled or watching has not started. */
  health: ConnectorHealth | null;
}

export interface ConnectorsOverview {
  /** The settings file (edited by the admin; docs/connectors.md). */
  file: string;
  connectors: ConnectorView[];
  /** Why the file cannot be used (named file, entry and field), or null. */
  problem: string | null;
}

export type ConnectorTestResult = { id: string; ok: true } | { id: string; ok: false; message: string };
