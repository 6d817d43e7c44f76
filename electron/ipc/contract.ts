/**
 * The one typed contract between Vigil's renderer and its main process (Signal Desktop's pattern): every IPC
 * method is listed once, in `IPC_METHOD_TABLE`, with the type of its response. Everything else is derived from
 * that table: the channel names, the preload's `window.vigil` object, `VigilApi`, and the handler map the main
 * process must fill (`IpcHandlers`). A method's request is its run-time schema in requestSchemas.ts (no schema =
 * the method takes nothing), and its request type is that schema's `z.input`, so a type and its check cannot
 * drift apart. Adding a method is one entry here (plus its schema, if it takes a request) and its handler.
 *
 * This file imports no runtime code on purpose: the sandboxed preload bundles what it imports, and the zod
 * schemas would add ~150 kB to it for nothing, since the main process is where requests are checked. The
 * schemas are reached through `import type` only, which the bundler erases.
 * Responses are the engine's plain data types (core/app/serviceTypes), which survive structured cloning.
 */
import type { z } from 'zod';
import type { ipcRequestSchemaTable } from './requestSchemas';
import type { DeskEvent, ShownSuggestion, TicketDetail, TicketSummary } from '../../core/app/deskTypes';
import type { ReviewItem } from '../../core/learn/reviewQueue';
import type { Insights } from '../../core/app/insights';
import type { GateCalibrationStatus } from '../../core/feedback/gateCalibration';
import type { KnowledgeHit, ServiceStatus } from '../../core/app/serviceTypes';
import type { HelpCenterConnector, ImportSourceDescription, KnowledgeImportResult } from '../../core/app/knowledgeImports';
import type { RuleCentreView, RuleSaveResult, RuleTestView } from '../../core/app/ruleAdmin';
import type { WhatIfStatus } from '../../core/app/whatIf';
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
import type { JoinTeamResult, LeaveTeamResult } from '../../core/team/teamLink';
import type { TeamLinkStatus } from '../../core/team/teamLink';
import type {
  ConnectorEditView,
  ConnectorKindForm,
  ConnectorRemoval,
  ConnectorSaveResult,
  ReplyDraftView,
  SaveConnectorRequest,
  SendReplyResult,
} from '../../core/app/connectorTypes';
import type { EntryDetail, EntryListPage } from '../../core/knowledge/knowledgeBrowser';
import type {
  AuditExportReport,
  AuditPage,
  AuditVerificationView,
  PrivacyOverview,
  RollbackPreview,
  RollbackReport,
} from '../../core/privacy/privacyTypes';

/** Prefix of every Vigil channel, so ours never collide with Electron's or a library's (VS Code's `vscode:`). */
export const IPC_CHANNEL_PREFIX = 'vigil:';

/**
 * Longest search query accepted. 2,000 characters holds a long pasted customer message; anything longer is a
 * paste of a whole thread, which full-text search would only turn into noise.
 */
export const MAX_QUERY_CHARS = 2_000;

/** Most results one search may ask for: one screen of the knowledge view, and a bound on the work per call. */
export const MAX_SEARCH_LIMIT = 50;

/** Longest ticket id accepted from the page; connector-prefixed ids are far shorter. */
export const MAX_TICKET_ID_CHARS = 512;

/** Longest reason for a dislike: a sentence or two. */
export const MAX_REASON_CHARS = 1_000;

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

/** What `saveConnector` answers: the save's outcome and why watching could not restart, if it could not. */
export type SaveConnectorResponse = ConnectorSaveResult & { watchProblem?: string | null };

/** What `removeConnector` answers. */
export type RemoveConnectorResponse = ConnectorRemoval & { watchProblem: string | null };

export type { ConnectorEditView, ConnectorKindForm, ConnectorSaveResult, ReplyDraftView, SaveConnectorRequest, SendReplyResult };

/** Longest reply the reply box keeps or sends (a long answer with pasted steps fits). */
export const MAX_REPLY_CHARS = 20_000;

/** Most suggestions one reply may credit. */
export const MAX_INSERTED_SUGGESTIONS = 50;

/** Longest reason a person may give for a snapshot. */
export const MAX_SNAPSHOT_REASON_CHARS = 200;

/** Most audit records one page may hold. */
export const MAX_AUDIT_PAGE = 200;

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

/** A file or folder the analyst chose to import, described; `sourceId` names it in `importKnowledge` (the path stays in the main process). */
export type ImportSourceView = ImportSourceDescription & { sourceId: string };

export type { HelpCenterConnector, KnowledgeImportResult };

/** The one channel the main process pushes desk events on (new suggestions, changed tickets). */
export const DESK_EVENT_CHANNEL = `${IPC_CHANNEL_PREFIX}deskEvent` as const;

/** Subscriptions the preload adds beside the methods: each returns its unsubscribe function. */
export interface VigilEvents {
  onDeskEvent(listener: (event: DeskEvent) => void): () => void;
}

/** Everything `window.vigil` holds. */
export type VigilBridge = VigilApi & VigilEvents;

/**
 * A method's entry in `IPC_METHOD_TABLE`. Only its type matters (the response the method resolves to); the
 * value is an empty object, so the table costs the preload nothing but the method names.
 */
export interface IpcMethodSpec<Response> {
  /** Never set: carries the response type. */
  readonly response?: Response;
}

/** The table entry of a method that resolves to `Response`. */
function answers<Response>(): IpcMethodSpec<Response> {
  return {};
}

/**
 * Every IPC method, once, in contract order, with what it resolves to. What it takes is its schema in
 * requestSchemas.ts; each method's JSDoc here is what `window.vigil.<method>` shows in the renderer.
 */
export const IPC_METHOD_TABLE = Object.freeze({
  /** Entry counts, embedder and generation mode, for the header. */
  status: answers<ServiceStatus>(),
  /** Searches approved knowledge, best match first. */
  searchKnowledge: answers<KnowledgeHit[]>(),
  /**
   * Asks for a file (entries as JSON Lines or a JSON array, a CSV export, an article) or a folder of articles in
   * the main process's dialog and describes it (a CSV file's columns with a suggested mapping); its path stays in
   * the main process, named by `sourceId`. `null` when the analyst cancels.
   */
  chooseImportSource: answers<ImportSourceView | null>(),
  /**
   * Imports the chosen source as approved knowledge (a CSV file with the analyst's column mapping, checked against
   * its header first); progress arrives as `import-progress` desk events.
   */
  importKnowledge: answers<KnowledgeImportResult>(),
  /** The connected helpdesks whose help center can be imported (Zendesk Guide, Freshdesk Solutions, Zammad). */
  helpCenters: answers<HelpCenterConnector[]>(),
  /** Imports a connected helpdesk's published help-center articles, read-only; progress as `import-progress` events. */
  importHelpCenter: answers<KnowledgeImportResult>(),
  /** The watched tickets, most recently changed first, with their waiting-suggestion badges. */
  listTickets: answers<TicketSummary[]>(),
  /** One ticket's conversation and suggestions; opening it clears its badge. `null` for an unknown ticket. */
  openTicket: answers<TicketDetail | null>(),
  /** Records what the analyst did with a suggestion (liked, disliked with a reason, dismissed, copied...). */
  sendFeedback: answers<ShownSuggestion>(),
  /** Suggestions shown and used, acceptance rate and knowledge growth over the last two weeks. */
  insights: answers<Insights>(),
  /**
   * Insights → "Start over": the gate's recalibration from feedback counts only reactions from now on (the reactions
   * stay in the log); answers what the gate does now.
   */
  resetGateRecalibration: answers<GateCalibrationStatus>(),
  /** Insights → "Recalibrate the gate from our feedback" switched on or off (the team setting); answers what the gate does now. */
  setGateRecalibration: answers<GateCalibrationStatus>(),
  /**
   * Posts a suggestion's text to its ticket at the source as an internal note (the analyst's click only; the
   * connector must allow write-back) and records it as published.
   */
  publishSuggestion: answers<ShownSuggestion>(),
  /** The team's connectors (connectors.json) with their health, or why the file cannot be used. */
  connectorsOverview: answers<ConnectorsOverview>(),
  /** Checks one connector's address and credentials now. */
  testConnector: answers<ConnectorTestResult>(),
  /** Learned entries waiting for an analyst. */
  reviewQueue: answers<ReviewItem[]>(),
  /** Approves, edits or rejects one proposed entry; resolves to the queue that remains. */
  reviewEntry: answers<ReviewItem[]>(),
  /** The analyst's notification, do-not-disturb and shortcut preferences (kept by the main process). */
  getPreferences: answers<PreferencesView>(),
  /**
   * The analyst's home folder, so the app can write the folders under it as `~/…`: shorter, and a screenshot of
   * Settings shared with support or a team does not carry the account's name.
   */
  homeFolder: answers<string>(),
  /** Saves them; do-not-disturb reaches the tray and a changed shortcut is registered at once. */
  setPreferences: answers<PreferencesView>(),
  /** Installed knowledge packs, trusted keys and subscribed folders. */
  packsOverview: answers<PacksOverview>(),
  /** Asks for a `.vpack` file in a dialog and installs it; `null` when the analyst cancels. */
  installPack: answers<PackInstallReport | null>(),
  /** Uninstalls a pack by name. */
  removePack: answers<{ name: string; version: string }>(),
  /** Asks for a public key file in a dialog and trusts it under `name`; `null` when cancelled. */
  trustKey: answers<TrustKeyReport | null>(),
  /** Stops trusting a key; packs it signed stay installed but leave search. */
  untrustKey: answers<TrustedKeyView>(),
  /** Asks for a folder in a dialog and subscribes to the named packs there; `null` when cancelled. */
  subscribePacks: answers<SubscriptionView | null>(),
  /** Drops the subscription to a folder; answers the subscriptions left. */
  unsubscribePacks: answers<SubscriptionView[]>(),
  /** Scans every subscribed folder once and installs newer versions. */
  syncPacks: answers<PackSyncReport[]>(),
  /** The embedder in use and every model the manifests describe, with its state on this machine. */
  modelsOverview: answers<ModelsOverview>(),
  /** Loads a model and, only if that works, makes it the data folder's embedder (as `vigil models use`). */
  useModel: answers<UseModelReport>(),
  /** Closes and reopens the workspace, re-indexing with the chosen embedder; answers the new status. */
  restartWorkspace: answers<ServiceStatus>(),
  /** The local LLM's mode and the models Ollama has installed. */
  llmOverview: answers<LlmOverview>(),
  /** Downloads the configured local model into Ollama (progress arrives as `llm-pull-progress` desk events). */
  pullLlmModel: answers<LlmStatus>(),
  /** Checks the local model now. */
  recheckLlm: answers<LlmStatus>(),
  /** Every connector kind with its settings form (generated from the kind's schema). */
  connectorForms: answers<ConnectorKindForm[]>(),
  /** One connector's settings for the edit form; for secrets only whether one is stored, never the value. */
  connectorForEdit: answers<ConnectorEditView>(),
  /** Checks an unsaved connector's fields, address and credentials; writes nothing. */
  testConnectorDraft: answers<ConnectorSaveResult>(),
  /** Adds or changes a connector (secrets to the keychain) and restarts watching with it. */
  saveConnector: answers<SaveConnectorResponse>(),
  /** Removes a connector and its secrets; its sync state is kept. */
  removeConnector: answers<RemoveConnectorResponse>(),
  /** Asks for a ticket folder in the main process's dialog; `null` when cancelled. */
  pickConnectorFolder: answers<string | null>(),
  /** The ticket's reply draft and whether its source takes notes and replies. */
  replyDraft: answers<ReplyDraftView>(),
  /** Keeps the ticket's reply draft (across ticket switches and restarts). */
  saveReplyDraft: answers<ReplyDraftView>(),
  /** Posts the reply to the ticket's source as an internal note, or sends it to the customer (confirmed). */
  sendReply: answers<SendReplyResult>(),
  /** One page of the knowledge browser: entries by status, kind and origin, newest change first, or matching words. */
  listEntries: answers<EntryListPage>(),
  /** One entry with its provenance, history and feedback counts; `null` when it no longer exists. */
  entryDetail: answers<EntryDetail | null>(),
  /** Saves the analyst's change to an entry as a new version (who: the signed-in user); answers the new detail. */
  editEntry: answers<EntryDetail>(),
  /** Retires an entry or approves it again, as a new version; answers the new detail. */
  setEntryStatus: answers<EntryDetail>(),
  /** Restores an earlier version of an entry, as a new version; answers the new detail. */
  restoreEntryVersion: answers<EntryDetail>(),
  /** Settings → Privacy: the switches, what may leave the machine, the data folder's protection, the snapshots. */
  privacyOverview: answers<PrivacyOverview>(),
  /**
   * Saves privacy switches: offline mode applies to the running egress guard at once; "redact before storage"
   * reopens the workspace, since the engine reads it when it opens; the documentation hosts (whose shared links
   * become article candidates) apply at once to the engine and the egress policy. Answers the new overview.
   */
  setPrivacySettings: answers<PrivacyOverview>(),
  /** Re-applies mode 0700 to the data folder; answers the new overview. */
  repairDataFolder: answers<PrivacyOverview>(),
  /** Tags the store's current state; answers the new overview. */
  tagSnapshot: answers<PrivacyOverview>(),
  /** What rolling back to a snapshot would undo, for the confirmation dialog. */
  rollbackPreview: answers<RollbackPreview>(),
  /** Closes the workspace, rolls the store back to a snapshot (saving the current state first) and reopens it. */
  rollbackSnapshot: answers<RollbackReport>(),
  /** One page of the audit log, newest first. */
  auditPage: answers<AuditPage>(),
  /** Checks the audit log's hash chain (as `vigil audit verify`). */
  verifyAudit: answers<AuditVerificationView>(),
  /** Asks for a file in a save dialog and writes the audit log there (as `vigil audit export`); null when cancelled. */
  exportAudit: answers<AuditExportReport | null>(),
  /** Settings → Team data folder: the folder in use, how it was chosen, and the default. */
  dataFolderOverview: answers<DataFolderChoiceView>(),
  /**
   * Asks for a folder in the main process's dialog, checks it (writable; an existing Vigil data folder, one an
   * admin prepared, or empty; never someone else's files), records it as the analyst's choice and restarts Vigil on
   * it. `null` when the analyst cancels; a refused folder rejects with why.
   */
  chooseDataFolder: answers<DataFolderSwitchResult | null>(),
  /** Goes back to the default data folder (restarting Vigil on it). */
  useDefaultDataFolder: answers<DataFolderSwitchResult>(),
  /** Settings → Rules: the team's interest rules and the packs', with warnings (a webhook egress would refuse). */
  rulesOverview: answers<RuleCentreView>(),
  /** Adds a rule (`originalId` null) or saves a change to one; problems come back field by field, nothing written. */
  saveRule: answers<RuleSaveResult>(),
  /** Enables or disables a rule (a pack's rule becomes a team rule with the change); answers the new list. */
  setRuleEnabled: answers<RuleCentreView>(),
  /** Removes a team rule (a pack's rule it replaced comes back); answers the new list. */
  removeRule: answers<RuleCentreView>(),
  /** Runs a rule as drafted over the desk's recent tickets: which would match and why, and the alerts it would raise. */
  testRule: answers<RuleTestView>(),
  /**
   * Insights → What if: asks for a tickets file or folder in the main process's dialog (or takes the desk's watched
   * queue) and starts the what-if replay in the background; `null` when the analyst cancels the dialog.
   */
  startWhatIf: answers<WhatIfStatus | null>(),
  /** How far the what-if replay is, and its report once done. */
  whatIfStatus: answers<WhatIfStatus>(),
  /** Stops the what-if replay; answers its state once stopped. */
  cancelWhatIf: answers<WhatIfStatus>(),
  /** Asks for a file in a save dialog and writes the last what-if report there as one HTML file; null when cancelled. */
  saveWhatIfReport: answers<{ file: string } | null>(),
  /** Settings → Team and the top bar: the team store and its state (in sync, behind by N, offline since T); null: personal folder. */
  teamOverview: answers<TeamLinkStatus | null>(),
  /** Syncs with the team store now; answers the new state. */
  syncTeam: answers<TeamLinkStatus | null>(),
  /**
   * Creates (`init`) or joins a team store: checks the endpoint against the egress policy and that the store answers
   * with the keys given (then kept in the keychain), saves team.json and restarts the workspace linked to it; with
   * `merge`, shares the personal folder's knowledge once, with provenance.
   */
  joinTeam: answers<JoinTeamResult>(),
  /** Leaves the team store (refused while own writes are unsent, unless forced); the local knowledge stays. */
  leaveTeam: answers<LeaveTeamResult>(),
});

/** The method table's type. */
export type IpcMethodTable = typeof IPC_METHOD_TABLE;
/** Name of one IPC method. */
export type IpcMethod = keyof IpcMethodTable;

/** The request schemas, by method (only the methods that take a request). */
type RequestSchemas = typeof ipcRequestSchemaTable;

/** What the renderer may send to `M`: its schema's input (`undefined` for methods that take nothing). */
export type IpcRequest<M extends IpcMethod> = M extends keyof RequestSchemas ? z.input<RequestSchemas[M]> : undefined;
/** What `M`'s handler receives: the request after its schema checked (and trimmed) it. */
export type IpcParsedRequest<M extends IpcMethod> = M extends keyof RequestSchemas ? z.output<RequestSchemas[M]> : undefined;
/** What a method resolves to. */
export type IpcResponse<M extends IpcMethod> = IpcMethodTable[M] extends IpcMethodSpec<infer Response> ? Response : never;

/** What the renderer may ask of the main process; exposed in the renderer as `window.vigil`. */
export type VigilApi = {
  readonly [M in keyof IpcMethodTable]: M extends keyof RequestSchemas
    ? (request: IpcRequest<M>) => Promise<IpcResponse<M>>
    : () => Promise<IpcResponse<M>>;
};

/** Every IPC method, in contract order. */
export const IPC_METHODS: readonly IpcMethod[] = Object.freeze(Object.keys(IPC_METHOD_TABLE) as IpcMethod[]);

/** The channel a method travels on, e.g. `vigil:status`. */
export function ipcChannel<M extends IpcMethod>(method: M): `${typeof IPC_CHANNEL_PREFIX}${M}` {
  return `${IPC_CHANNEL_PREFIX}${method}`;
}

/** The channel of each method (`vigil:<method>`), derived from the table. */
export const IPC_CHANNELS = Object.freeze(Object.fromEntries(IPC_METHODS.map((m) => [m, ipcChannel(m)]))) as {
  readonly [M in IpcMethod]: `${typeof IPC_CHANNEL_PREFIX}${M}`;
};

/** Request of `searchKnowledge` (the renderer's search box builds it). */
export type SearchKnowledgeRequest = IpcRequest<'searchKnowledge'>;
/** Request of `joinTeam` (Settings → Team's form). */
export type JoinTeamRequest = IpcRequest<'joinTeam'>;
/** Request of `sendReply`. A public reply must say the analyst confirmed it (`confirmed: true`). */
export type SendReplyRequest = IpcRequest<'sendReply'>;
