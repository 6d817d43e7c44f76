/**
 * Plain data the app's Settings screen gets from the engine: knowledge packs, the trust list and
 * subscriptions (docs/packs.md), and the embedding models (models/README.md). Like serviceTypes.ts, nothing
 * here holds a function or a class instance, so it crosses IPC unchanged.
 */
import type { ModelCatalog } from '../embed/modelCatalog';
import type { LlmStatus } from '../llm/llmStatus';
import type { ConnectorHealth } from '../watch/watcher';

export type { ModelCatalog, ModelState, ModelView } from '../embed/modelCatalog';

/** An installed pack as the settings list it. */
export interface PackView {
  name: string;
  version: string;
  team: string;
  description: string | null;
  entries: number;
  /** The trust-list name of the key that signed it, and that key's id. */
  signer: string;
  keyId: string;
  installedAt: string;
  /** Why it is left out of search (damaged folder, signer no longer trusted), or null when it is in use. */
  problem: string | null;
}

export interface TrustedKeyView {
  id: string;
  name: string;
  addedAt: string;
}

export interface SubscriptionView {
  folder: string;
  packs: string[];
}

/** Everything the packs section shows, read in one call. */
export interface PacksOverview {
  packs: PackView[];
  trustedKeys: TrustedKeyView[];
  subscriptions: SubscriptionView[];
}

export interface PackInstallReport {
  outcome: 'installed' | 'upgraded' | 'repaired' | 'unchanged';
  name: string;
  version: string;
  previousVersion: string | null;
  entries: number;
  signer: string;
}

export interface TrustKeyReport {
  key: TrustedKeyView;
  /** False when the key was trusted already (under the name it was first given). */
  added: boolean;
}

/** What one "sync now" did in one subscribed folder. */
export interface PackSyncReport {
  folder: string;
  unreachable: string | null;
  installed: { file: string; name: string; version: string; outcome: PackInstallReport['outcome'] }[];
  refused: { file: string; message: string }[];
}

/** The models section: the embedder in use, the models there are, and whether a restart would change it. */
export interface ModelsOverview extends ModelCatalog {
  /** The embedder the running engine uses (null when the engine could not be opened). */
  running: { embedderId: string; dimensions: number } | null;
  /** The data folder is set to another embedder than the running one: restarting the workspace re-indexes. */
  restartNeeded: boolean;
}

export interface UseModelReport {
  choice: string;
  embedderId: string;
  dimensions: number;
  restartNeeded: boolean;
}

/** The local LLM section: the engine's mode and the models Ollama has installed. */
export interface LlmOverview {
  status: LlmStatus;
  /** Ollama's installed models (name, size); null when they could not be listed (`problem` says why). */
  installed: { name: string; sizeBytes: number; parameterSize: string | null }[] | null;
  problem: string | null;
}

/** How far a pull of the local model is, pushed while it runs. */
export interface LlmPullProgress {
  status: string;
  /** completed / total when Ollama says both; null while it prepares. */
  fraction: number | null;
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
