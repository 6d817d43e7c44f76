/**
 * The one typed contract between Vigil's renderer and its main process (Signal Desktop's pattern): every IPC
 * method is named here once, with its channel and the types of its request and response. The preload API
 * (`satisfies VigilApi`), the main-process handlers (`IpcHandlers`) and the run-time request schemas
 * (requestSchemas.ts, `satisfies` a schema per method) are all typed from it, so a method cannot exist on one
 * side only.
 *
 * This file imports no runtime code on purpose: the sandboxed preload bundles what it imports, and the zod
 * schemas would add ~150 kB to it for nothing, since the main process is where requests are checked.
 * Responses are the engine's plain data types (core/app/serviceTypes), which survive structured cloning.
 */
import type { DeskEvent, FeedbackRequest, ReviewRequest, ShownSuggestion, TicketDetail, TicketSummary } from '../../core/app/deskTypes';
import type { ReviewItem } from '../../core/learn/reviewQueue';
import type { Insights } from '../../core/app/insights';
import type { ImportReport, KnowledgeHit, ServiceStatus } from '../../core/app/serviceTypes';
import type { LlmStatus } from '../../core/llm/llmStatus';
import type {
  ConnectorsOverview,
  ConnectorTestResult,
  LlmOverview,
  ModelsOverview,
  PackInstallReport,
  PacksOverview,
  PackSyncReport,
  SubscriptionView,
  TrustedKeyView,
  TrustKeyReport,
  UseModelReport,
} from '../../core/app/settingsTypes';
import type { UiPreferences } from '../main/uiPreferences';
import type {
  ConnectorEditView,
  ConnectorKindForm,
  ConnectorRemoval,
  ConnectorSaveResult,
  ReplyDraftView,
  ReplyVisibility,
  SaveConnectorRequest,
  SendReplyResult,
} from '../../core/app/connectorTypes';
import type { EntryDetail, EntryListPage, EntryListRequest, EntryPatch } from '../../core/app/knowledgeBrowser';
import type {
  AuditExportReport,
  AuditPage,
  AuditVerificationView,
  PrivacyOverview,
  RollbackPreview,
  RollbackReport,
} from '../../core/app/privacyTypes';

/** Prefix of every Vigil channel, so ours never collide with Electron's or a library's (VS Code's `vscode:`). */
export const IPC_CHANNEL_PREFIX = 'vigil:';

/**
 * Longest search query accepted. 2,000 characters holds a long pasted customer message; anything longer is a
 * paste of a whole thread, which full-text search would only turn into noise.
 */
export const MAX_QUERY_CHARS = 2_000;

/** Most results one search may ask for: one screen of the knowledge view, and a bound on the work per call. */
export const MAX_SEARCH_LIMIT = 50;

/** Request of `searchKnowledge`. */
export interface SearchKnowledgeRequest {
  /** 1 to `MAX_QUERY_CHARS` characters after trimming. */
  query: string;
  /** 1 to `MAX_SEARCH_LIMIT`; the engine's default (10) when left out. */
  limit?: number;
}

/** Longest ticket id accepted from the page; connector-prefixed ids are far shorter. */
export const MAX_TICKET_ID_CHARS = 512;

/** Longest reason for a dislike: a sentence or two. */
export const MAX_REASON_CHARS = 1_000;

/** Request of `testConnector`. */
export interface TestConnectorRequest {
  id: string;
}

/** Request of `publishSuggestion`. */
export interface PublishSuggestionRequest {
  ticketId: string;
  suggestionId: string;
}

/** Request of `openTicket`. */
export interface OpenTicketRequest {
  ticketId: string;
}

/** Longest name for a trusted key ("Network team packs"). */
export const MAX_KEY_NAME_CHARS = 200;

/** Most pack names one subscription may list at once. */
export const MAX_SUBSCRIBED_PACKS = 50;

/** The analyst's preferences with the state of the global shortcut they chose. */
export interface PreferencesView {
  preferences: UiPreferences;
  /**
   * Why the chosen global shortcut is not working (another application owns it, not a valid key combination),
   * in words naming the field; null when it works or is switched off.
   */
  shortcutProblem: string | null;
}

/** Request of `removePack`. */
export interface RemovePackRequest {
  name: string;
}

/** Request of `trustKey`: the name to trust the key under; the key file is chosen in the main process's dialog. */
export interface TrustKeyRequest {
  name: string;
}

/** Request of `untrustKey`: the key's id as `packsOverview` lists it. */
export interface UntrustKeyRequest {
  id: string;
}

/** Request of `subscribePacks`: the pack names to take; the folder is chosen in the main process's dialog. */
export interface SubscribePacksRequest {
  packs: string[];
}

/** Request of `unsubscribePacks`: one of the folders `packsOverview` lists. */
export interface UnsubscribePacksRequest {
  folder: string;
}

/** Request of `useModel`: `builtin` or a manifest id as `modelsOverview` lists it. */
export interface UseModelRequest {
  id: string;
}

/** Request of `connectorForEdit` and `removeConnector`: a connector id as `connectorsOverview` lists it. */
export interface ConnectorIdRequest {
  id: string;
}

/** What `saveConnector` answers: the save's outcome and why watching could not restart, if it could not. */
export type SaveConnectorResponse = ConnectorSaveResult & { watchProblem?: string | null };

/** What `removeConnector` answers. */
export type RemoveConnectorResponse = ConnectorRemoval & { watchProblem: string | null };

/** Longest reply the reply box keeps or sends (a long answer with pasted steps fits). */
export const MAX_REPLY_CHARS = 20_000;

/** Most suggestions one reply may credit. */
export const MAX_INSERTED_SUGGESTIONS = 50;

/** Request of `replyDraft`. */
export interface ReplyDraftRequest {
  ticketId: string;
}

/** Request of `saveReplyDraft`: the whole text of the box and the suggestions inserted into it. */
export interface SaveReplyDraftRequest {
  ticketId: string;
  text: string;
  insertedSuggestionIds: string[];
}

/**
 * Request of `sendReply`. A public reply reaches the customer and cannot be taken back: the page must say the
 * analyst confirmed it (`confirmed: true`), which the main process checks.
 */
export interface SendReplyRequest {
  ticketId: string;
  text: string;
  visibility: ReplyVisibility;
  confirmed?: boolean;
}

export type { ConnectorEditView, ConnectorKindForm, ConnectorSaveResult, ReplyDraftView, SaveConnectorRequest, SendReplyResult };

/** Request of `listEntries`: filters (absent = any), the text filter and the page; see `EntryListRequest`. */
export type ListEntriesRequest = EntryListRequest;

/** Request of `entryDetail`. */
export interface EntryDetailRequest {
  entryId: string;
}

/** Request of `editEntry`: the changed fields of one entry (absent fields stay). */
export interface EditEntryRequest {
  entryId: string;
  patch: EntryPatch;
}

/** Request of `setEntryStatus`: retire an entry (reversible) or approve it again. */
export interface SetEntryStatusRequest {
  entryId: string;
  status: 'approved' | 'retired';
  /** Why, for the history ("outdated since the new printers"). */
  reason?: string;
}

/** Request of `restoreEntryVersion`: makes an earlier version of an entry current again. */
export interface RestoreEntryVersionRequest {
  entryId: string;
  version: number;
}

/** Request of `setPrivacySettings`: the switches to change (the others keep their value). */
export interface PrivacySettingsRequest {
  offline?: boolean;
  redactBeforeStorage?: boolean;
}

/** Longest reason a person may give for a snapshot. */
export const MAX_SNAPSHOT_REASON_CHARS = 200;

/** Request of `tagSnapshot`. */
export interface TagSnapshotRequest {
  /** Letters, digits, ".", "_" and "-", up to 64, starting with a letter or digit. */
  name: string;
  reason?: string;
}

/** Request of `rollbackPreview` and `rollbackSnapshot`: a snapshot's name as `privacyOverview` lists it. */
export interface SnapshotNameRequest {
  name: string;
}

/** Most audit records one page may hold. */
export const MAX_AUDIT_PAGE = 200;

/** Request of `auditPage`. */
export interface AuditPageRequest {
  /** The previous page's `next`; the newest records when absent or null. */
  before?: number | null;
  /** 1 to `MAX_AUDIT_PAGE`; 50 when left out. */
  limit?: number;
  /** Only this record type (`suggestion`, `llm_call`, `egress_denied`, `admin`, or any newer kind's name). */
  type?: string;
}

/** Request of `exportAudit`: the format, and optionally one record type; the file is chosen in a save dialog. */
export interface ExportAuditRequest {
  format: 'jsonl' | 'csv';
  type?: string;
}

/**
 * Settings → Team data folder: which folder the workspace uses and how it was chosen. The choice is the
 * analyst's own preference, kept by the main process in the per-user application folder (never in a data folder).
 */
export interface DataFolderChoiceView {
  /** The folder this run of Vigil opened. */
  inUse: string;
  /**
   * How it was chosen: the default, the analyst's choice, or the `VIGIL_DATA_DIR` environment variable (which wins
   * over both and cannot be changed from the app).
   */
  source: 'default' | 'chosen' | 'environment';
  /** The default folder, which "Use the default folder" goes back to. */
  defaultDir: string;
  /** The folder Vigil opens at its next start when that differs from `inUse` (a switch waiting for a restart); else null. */
  next: string | null;
  /**
   * What stands in the way, in words naming the folder or file and what to do (the chosen folder is not there, the
   * preference file is damaged, `VIGIL_DATA_DIR` decides); null when all is well.
   */
  problem: string | null;
}

/** What `chooseDataFolder` and `useDefaultDataFolder` answer. */
export interface DataFolderSwitchResult {
  view: DataFolderChoiceView;
  /**
   * What the folder held: an existing Vigil data folder (opened as it is), one an admin prepared (settings or
   * connectors only), an empty folder (initialised), or the default folder.
   */
  found: 'existing' | 'prepared' | 'empty' | 'default' | 'in-use';
  /** True when Vigil is restarting to open it: the old workspace is closed cleanly first, then the app starts again. */
  restarting: boolean;
  /** One or two sentences for the analyst. */
  message: string;
}

/** What the renderer may ask of the main process; exposed in the renderer as `window.vigil`. */
export interface VigilApi {
  /** Entry counts, embedder and generation mode, for the header. */
  status(): Promise<ServiceStatus>;
  /** Searches approved knowledge, best match first. */
  searchKnowledge(request: SearchKnowledgeRequest): Promise<KnowledgeHit[]>;
  /** Asks the analyst for a `.jsonl` file of entries and imports it; `null` when they cancel the dialog. */
  importEntries(): Promise<ImportReport | null>;
  /** The watched tickets, most recently changed first, with their waiting-suggestion badges. */
  listTickets(): Promise<TicketSummary[]>;
  /** One ticket's conversation and suggestions; opening it clears its badge. `null` for an unknown ticket. */
  openTicket(request: OpenTicketRequest): Promise<TicketDetail | null>;
  /** Records what the analyst did with a suggestion (liked, disliked with a reason, dismissed, copied...). */
  sendFeedback(request: FeedbackRequest): Promise<ShownSuggestion>;
  /** Suggestions shown and used, acceptance rate and knowledge growth over the last two weeks. */
  insights(): Promise<Insights>;
  /**
   * Posts a suggestion's text to its ticket at the source as an internal note (the analyst's click only; the
   * connector must allow write-back) and records it as published.
   */
  publishSuggestion(request: PublishSuggestionRequest): Promise<ShownSuggestion>;
  /** The team's connectors (connectors.json) with their health, or why the file cannot be used. */
  connectorsOverview(): Promise<ConnectorsOverview>;
  /** Checks one connector's address and credentials now. */
  testConnector(request: TestConnectorRequest): Promise<ConnectorTestResult>;
  /** Learned entries waiting for an analyst. */
  reviewQueue(): Promise<ReviewItem[]>;
  /** Approves, edits or rejects one proposed entry; resolves to the queue that remains. */
  reviewEntry(request: ReviewRequest): Promise<ReviewItem[]>;
  /** The analyst's notification, do-not-disturb and shortcut preferences (kept by the main process). */
  getPreferences(): Promise<PreferencesView>;
  /** Saves them; do-not-disturb reaches the tray and a changed shortcut is registered at once. */
  setPreferences(request: UiPreferences): Promise<PreferencesView>;
  /** Installed knowledge packs, trusted keys and subscribed folders. */
  packsOverview(): Promise<PacksOverview>;
  /** Asks for a `.vpack` file in a dialog and installs it; `null` when the analyst cancels. */
  installPack(): Promise<PackInstallReport | null>;
  /** Uninstalls a pack by name. */
  removePack(request: RemovePackRequest): Promise<{ name: string; version: string }>;
  /** Asks for a public key file in a dialog and trusts it under `name`; `null` when cancelled. */
  trustKey(request: TrustKeyRequest): Promise<TrustKeyReport | null>;
  /** Stops trusting a key; packs it signed stay installed but leave search. */
  untrustKey(request: UntrustKeyRequest): Promise<TrustedKeyView>;
  /** Asks for a folder in a dialog and subscribes to the named packs there; `null` when cancelled. */
  subscribePacks(request: SubscribePacksRequest): Promise<SubscriptionView | null>;
  /** Drops the subscription to a folder; answers the subscriptions left. */
  unsubscribePacks(request: UnsubscribePacksRequest): Promise<SubscriptionView[]>;
  /** Scans every subscribed folder once and installs newer versions. */
  syncPacks(): Promise<PackSyncReport[]>;
  /** The embedder in use and every model the manifests describe, with its state on this machine. */
  modelsOverview(): Promise<ModelsOverview>;
  /** Loads a model and, only if that works, makes it the data folder's embedder (as `vigil models use`). */
  useModel(request: UseModelRequest): Promise<UseModelReport>;
  /** Closes and reopens the workspace, re-indexing with the chosen embedder; answers the new status. */
  restartWorkspace(): Promise<ServiceStatus>;
  /** The local LLM's mode and the models Ollama has installed. */
  llmOverview(): Promise<LlmOverview>;
  /** Downloads the configured local model into Ollama (progress arrives as `llm-pull-progress` desk events). */
  pullLlmModel(): Promise<LlmStatus>;
  /** Checks the local model now. */
  recheckLlm(): Promise<LlmStatus>;
  /** Every connector kind with its settings form (generated from the kind's schema). */
  connectorForms(): Promise<ConnectorKindForm[]>;
  /** One connector's settings for the edit form; for secrets only whether one is stored, never the value. */
  connectorForEdit(request: ConnectorIdRequest): Promise<ConnectorEditView>;
  /** Checks an unsaved connector's fields, address and credentials; writes nothing. */
  testConnectorDraft(request: SaveConnectorRequest): Promise<ConnectorSaveResult>;
  /** Adds or changes a connector (secrets to the keychain) and restarts watching with it. */
  saveConnector(request: SaveConnectorRequest): Promise<SaveConnectorResponse>;
  /** Removes a connector and its secrets; its sync state is kept. */
  removeConnector(request: ConnectorIdRequest): Promise<RemoveConnectorResponse>;
  /** Asks for a ticket folder in the main process's dialog; `null` when cancelled. */
  pickConnectorFolder(): Promise<string | null>;
  /** The ticket's reply draft and whether its source takes notes and replies. */
  replyDraft(request: ReplyDraftRequest): Promise<ReplyDraftView>;
  /** Keeps the ticket's reply draft (across ticket switches and restarts). */
  saveReplyDraft(request: SaveReplyDraftRequest): Promise<ReplyDraftView>;
  /** Posts the reply to the ticket's source as an internal note, or sends it to the customer (confirmed). */
  sendReply(request: SendReplyRequest): Promise<SendReplyResult>;
  /** One page of the knowledge browser: entries by status, kind and origin, newest change first, or matching words. */
  listEntries(request: ListEntriesRequest): Promise<EntryListPage>;
  /** One entry with its provenance, history and feedback counts; `null` when it no longer exists. */
  entryDetail(request: EntryDetailRequest): Promise<EntryDetail | null>;
  /** Saves the analyst's change to an entry as a new version (who: the signed-in user); answers the new detail. */
  editEntry(request: EditEntryRequest): Promise<EntryDetail>;
  /** Retires an entry or approves it again, as a new version; answers the new detail. */
  setEntryStatus(request: SetEntryStatusRequest): Promise<EntryDetail>;
  /** Restores an earlier version of an entry, as a new version; answers the new detail. */
  restoreEntryVersion(request: RestoreEntryVersionRequest): Promise<EntryDetail>;
  /** Settings → Privacy: the switches, what may leave the machine, the data folder's protection, the snapshots. */
  privacyOverview(): Promise<PrivacyOverview>;
  /**
   * Saves privacy switches: offline mode applies to the running egress guard at once; "redact before storage"
   * reopens the workspace, since the engine reads it when it opens. Answers the new overview.
   */
  setPrivacySettings(request: PrivacySettingsRequest): Promise<PrivacyOverview>;
  /** Re-applies mode 0700 to the data folder; answers the new overview. */
  repairDataFolder(): Promise<PrivacyOverview>;
  /** Tags the store's current state; answers the new overview. */
  tagSnapshot(request: TagSnapshotRequest): Promise<PrivacyOverview>;
  /** What rolling back to a snapshot would undo, for the confirmation dialog. */
  rollbackPreview(request: SnapshotNameRequest): Promise<RollbackPreview>;
  /** Closes the workspace, rolls the store back to a snapshot (saving the current state first) and reopens it. */
  rollbackSnapshot(request: SnapshotNameRequest): Promise<RollbackReport>;
  /** One page of the audit log, newest first. */
  auditPage(request: AuditPageRequest): Promise<AuditPage>;
  /** Checks the audit log's hash chain (as `vigil audit verify`). */
  verifyAudit(): Promise<AuditVerificationView>;
  /** Asks for a file in a save dialog and writes the audit log there (as `vigil audit export`); null when cancelled. */
  exportAudit(request: ExportAuditRequest): Promise<AuditExportReport | null>;
  /** Settings → Team data folder: the folder in use, how it was chosen, and the default. */
  dataFolderOverview(): Promise<DataFolderChoiceView>;
  /**
   * Asks for a folder in the main process's dialog, checks it (writable; an existing Vigil data folder, one an
   * admin prepared, or empty; never someone else's files), records it as the analyst's choice and restarts Vigil on
   * it. `null` when the analyst cancels; a refused folder rejects with why.
   */
  chooseDataFolder(): Promise<DataFolderSwitchResult | null>;
  /** Goes back to the default data folder (restarting Vigil on it). */
  useDefaultDataFolder(): Promise<DataFolderSwitchResult>;
}

/** The one channel the main process pushes desk events on (new suggestions, changed tickets). */
export const DESK_EVENT_CHANNEL = `${IPC_CHANNEL_PREFIX}deskEvent` as const;

/** Subscriptions the preload adds beside the methods: each returns its unsubscribe function. */
export interface VigilEvents {
  onDeskEvent(listener: (event: DeskEvent) => void): () => void;
}

/** Everything `window.vigil` holds. */
export type VigilBridge = VigilApi & VigilEvents;

/** Name of one IPC method. */
export type IpcMethod = keyof VigilApi;
/** The request a method takes (`undefined` for methods without one). */
export type IpcRequest<M extends IpcMethod> = Parameters<VigilApi[M]>[0];
/** What a method resolves to. */
export type IpcResponse<M extends IpcMethod> = Awaited<ReturnType<VigilApi[M]>>;

/**
 * The channel of each method, spelled out so it can be searched for in logs. The type demands exactly one
 * entry per method, named `vigil:<method>`.
 */
export const IPC_CHANNELS = Object.freeze({
  status: 'vigil:status',
  searchKnowledge: 'vigil:searchKnowledge',
  importEntries: 'vigil:importEntries',
  listTickets: 'vigil:listTickets',
  openTicket: 'vigil:openTicket',
  sendFeedback: 'vigil:sendFeedback',
  insights: 'vigil:insights',
  publishSuggestion: 'vigil:publishSuggestion',
  connectorsOverview: 'vigil:connectorsOverview',
  testConnector: 'vigil:testConnector',
  reviewQueue: 'vigil:reviewQueue',
  reviewEntry: 'vigil:reviewEntry',
  getPreferences: 'vigil:getPreferences',
  setPreferences: 'vigil:setPreferences',
  packsOverview: 'vigil:packsOverview',
  installPack: 'vigil:installPack',
  removePack: 'vigil:removePack',
  trustKey: 'vigil:trustKey',
  untrustKey: 'vigil:untrustKey',
  subscribePacks: 'vigil:subscribePacks',
  unsubscribePacks: 'vigil:unsubscribePacks',
  syncPacks: 'vigil:syncPacks',
  modelsOverview: 'vigil:modelsOverview',
  useModel: 'vigil:useModel',
  restartWorkspace: 'vigil:restartWorkspace',
  llmOverview: 'vigil:llmOverview',
  pullLlmModel: 'vigil:pullLlmModel',
  recheckLlm: 'vigil:recheckLlm',
  connectorForms: 'vigil:connectorForms',
  connectorForEdit: 'vigil:connectorForEdit',
  testConnectorDraft: 'vigil:testConnectorDraft',
  saveConnector: 'vigil:saveConnector',
  removeConnector: 'vigil:removeConnector',
  pickConnectorFolder: 'vigil:pickConnectorFolder',
  replyDraft: 'vigil:replyDraft',
  saveReplyDraft: 'vigil:saveReplyDraft',
  sendReply: 'vigil:sendReply',
  listEntries: 'vigil:listEntries',
  entryDetail: 'vigil:entryDetail',
  editEntry: 'vigil:editEntry',
  setEntryStatus: 'vigil:setEntryStatus',
  restoreEntryVersion: 'vigil:restoreEntryVersion',
  privacyOverview: 'vigil:privacyOverview',
  setPrivacySettings: 'vigil:setPrivacySettings',
  repairDataFolder: 'vigil:repairDataFolder',
  tagSnapshot: 'vigil:tagSnapshot',
  rollbackPreview: 'vigil:rollbackPreview',
  rollbackSnapshot: 'vigil:rollbackSnapshot',
  auditPage: 'vigil:auditPage',
  verifyAudit: 'vigil:verifyAudit',
  exportAudit: 'vigil:exportAudit',
  dataFolderOverview: 'vigil:dataFolderOverview',
  chooseDataFolder: 'vigil:chooseDataFolder',
  useDefaultDataFolder: 'vigil:useDefaultDataFolder',
} as const satisfies { readonly [M in IpcMethod]: `${typeof IPC_CHANNEL_PREFIX}${M}` });

/** Every IPC method, in contract order. */
export const IPC_METHODS: readonly IpcMethod[] = Object.freeze(Object.keys(IPC_CHANNELS) as IpcMethod[]);

/** The channel a method travels on, e.g. `vigil:status`. */
export function ipcChannel<M extends IpcMethod>(method: M): (typeof IPC_CHANNELS)[M] {
  return IPC_CHANNELS[method];
}
