/**
 * The one place the renderer reaches across the process boundary, and only for types: the IPC contract and
 * the engine's plain data. ESLint refuses a value import from core/ or electron/ anywhere in renderer/.
 */
export type {
  CitationView,
  DeskEvent,
  FeedbackAction,
  FeedbackRequest,
  ShownSuggestion,
  TicketDetail,
  TicketSummary,
} from '../../../core/app/deskTypes';
export type { Insights } from '../../../core/app/insights';
export type { GateCalibrationStatus } from '../../../core/feedback/gateCalibration';
export type { ConnectorsOverview, ConnectorTestResult, ConnectorView } from '../../../core/app/settingsTypes';
export type { ReviewRequest } from '../../../core/app/deskTypes';
export type { ReviewItem } from '../../../core/learn/reviewQueue';
export type { ImportReport, KnowledgeHit, ServiceStatus } from '../../../core/app/serviceTypes';
export type { Message, SuggestionKind, Ticket, TicketStatus } from '../../../core/formats/schemas';
export type {
  LlmOverview,
  LlmPullProgress,
  ModelsOverview,
  ModelState,
  ModelView,
  PackInstallReport,
  PacksOverview,
  PackSyncReport,
  PackView,
  SubscriptionView,
  TrustedKeyView,
  TrustKeyReport,
  UseModelReport,
} from '../../../core/app/settingsTypes';
export type {
  HelpCenterConnector,
  ImportSourceView,
  KnowledgeImportResult,
  PreferencesView,
  SearchKnowledgeRequest,
  VigilApi,
  VigilBridge,
} from '../../../electron/ipc/contract';
export type { CsvField, CsvMapping } from '../../../core/app/knowledgeImports';
export type { SkipReason } from '../../../core/formats/lineIssue';
export type { UiPreferences } from '../../../electron/main/uiPreferences';
export type { LlmStatus } from '../../../core/llm/llmStatus';
export type {
  ConnectorDraft,
  ConnectorEditView,
  ConnectorFieldForm,
  ConnectorFieldValue,
  ConnectorKindForm,
  ConnectorRemoval,
  ConnectorSaveResult,
  SaveConnectorRequest,
  ReplyDraftView,
  ReplyVisibility,
  SendReplyResult,
  SentReply,
} from '../../../core/app/connectorTypes';
export type { RemoveConnectorResponse, SaveConnectorResponse, SendReplyRequest } from '../../../electron/ipc/contract';
export type { EntryContent, EntryDetail, EntryListPage, EntryListRequest, EntryOrigin, EntryPatch, EntryProvenanceView, EntrySummary, EntryVersionView } from '../../../core/knowledge/knowledgeBrowser';
export type {
  AllowedHostView,
  AuditExportReport,
  AuditPage,
  AuditRecordView,
  AuditValue,
  AuditVerificationView,
  DataFolderView,
  EgressRefusalView,
  NetworkView,
  PrivacyOverview,
  PrivacySettings,
  RollbackPreview,
  RollbackReport,
  SnapshotView,
} from '../../../core/privacy/privacyTypes';
export type { DataFolderChoiceView, DataFolderSwitchResult } from '../../../electron/ipc/contract';
export type { RuleCentreView, RuleIssue, RuleSaveResult, RuleTestView, RuleView } from '../../../core/app/ruleAdmin';
export type { RuleSpec, RuleSpecInput, RuleDelivery } from '../../../core/formats/ruleSpec';
export type { WhatIfReport, WhatIfStatus } from '../../../core/app/whatIf';
export type { ReportChart, ReportData, ReportTile } from '../../../core/app/replayReport';
export type { TeamLinkStatus } from '../../../core/team/teamLink';
export type { LeaveTeamResult } from '../../../core/team/teamLink';
export type { JoinTeamRequest } from '../../../electron/ipc/contract';
