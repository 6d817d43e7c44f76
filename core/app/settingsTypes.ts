/**
 * Plain data the app's Settings screen gets from the engine: the embedding models (models/README.md), with
 * the local LLM's (core/llm/llmAdmin.ts), the packs' (core/packs/packViews.ts) and the connectors' (core/connectors/connectorTypes.ts)
 * re-exported. Like serviceTypes.ts, nothing here holds a function or a class instance, so it crosses IPC unchanged.
 */
import type { ModelCatalog } from '../embed/modelCatalog';

export type { ModelCatalog, ModelState, ModelView } from '../embed/modelCatalog';
export type { PackView, TrustedKeyView, SubscriptionView, PacksOverview, PackInstallReport, TrustKeyReport, PackSyncReport } from '../packs/packViews';
export type { LlmOverview, LlmPullProgress } from '../llm/llmAdmin';
export type { ConnectorView, ConnectorsOverview, ConnectorTestResult } from '../connectors/connectorTypes';

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
