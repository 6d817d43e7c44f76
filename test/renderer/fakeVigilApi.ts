/**
 * A scripted `window.vigil` for renderer tests: each method is a vi.fn with a sensible default answer.
 */
import { vi } from 'vitest';
import type {
  DeskEvent,
  HelpCenterConnector,
  ImportSourceView,
  KnowledgeImportResult,
  ConnectorsOverview,
  Insights,
  ReviewItem,
  KnowledgeHit,
  LlmOverview,
  ModelsOverview,
  PacksOverview,
  PreferencesView,
  ServiceStatus,
  ShownSuggestion,
  TicketDetail,
  TicketSummary,
  VigilBridge,
  ConnectorKindForm,
  ReplyDraftView,
  PrivacyOverview,
  AuditRecordView,
} from '../../renderer/src/api/contractTypes';
import type { EntryDetail, EntryListPage, EntrySummary } from '../../renderer/src/api/contractTypes';
import type { DataFolderChoiceView, TeamLinkStatus } from '../../renderer/src/api/contractTypes';
import type { RuleCentreView, RuleView, WhatIfStatus } from '../../renderer/src/api/contractTypes';
import type { GateCalibrationStatus } from '../../renderer/src/api/contractTypes';
import { RECALIBRATED_GATE } from '../fixtures/gateStatus';

export const sampleStatus: ServiceStatus = {
  dataDir: '/home/ana/.config/Vigil Desktop/teams/default',
  embedderId: 'hashed-384',
  dimensions: 384,
  entries: 1234,
  byStatus: { proposed: 2, approved: 1230, retired: 2 },
  lastWriteError: null,
  llm: { mode: 'retrieval-only', reason: 'No local LLM is configured yet; suggestions come from retrieval alone.' },
};

export function hit(overrides: Partial<KnowledgeHit> = {}): KnowledgeHit {
  return {
    id: 'kb-1',
    kind: 'qa',
    status: 'approved',
    title: null,
    question: 'VPN disconnects after the laptop wakes from sleep',
    body: 'Turn off "Allow the computer to turn off this device to save power" for the Wi-Fi adapter, then reconnect.',
    sourceTicketId: 'T-4821',
    score: 0.8271,
    relevance: 0.0328,
    ...overrides,
  };
}

/** A CSV export chosen in the import dialog, with the mapping its header suggests. */
export const sampleCsvSource: ImportSourceView = {
  sourceId: 'src-0123456789abcdef',
  name: 'faq.csv',
  format: 'csv',
  columns: ['Question', 'Answer', 'Labels', 'Owner'],
  suggestedMapping: { question: 'Question', body: 'Answer', tags: 'Labels' },
};

/** What an import of it did: 12 entries, 3 lines skipped for two reasons. */
export const sampleImportResult: KnowledgeImportResult = {
  source: 'faq.csv',
  imported: 12,
  skipped: 3,
  reasons: [
    { reason: 'body: is missing', count: 2 },
    { reason: '4 cells, but the header has 5 columns', count: 1 },
  ],
  issues: [
    { file: '/home/ana/Downloads/faq.csv', line: 7, field: 'body', message: 'is missing (expected string)' },
    { file: '/home/ana/Downloads/faq.csv', line: 9, field: 'body', message: 'is missing (expected string)' },
    { file: '/home/ana/Downloads/faq.csv', line: 12, field: '(line)', message: '4 cells, but the header has 5 columns' },
  ],
};

export const sampleHelpCenters: HelpCenterConnector[] = [{ id: 'zd', kind: 'zendesk', vendor: 'Zendesk Guide', baseUrl: 'https://acme.zendesk.com' }];

export const sampleTickets: TicketSummary[] = [
  {
    id: 'rt:4821',
    subject: 'VPN drops after sleep',
    status: 'open',
    requester: 'Dana Smith',
    updatedAt: '2026-11-22T09:55:00Z',
    preview: 'Every time my laptop wakes up the VPN is gone and I have to restart it.',
    waiting: 1,
  },
  {
    id: 'rt:4822',
    subject: 'Invoice copy',
    status: 'pending',
    requester: null,
    updatedAt: '2026-11-22T09:40:00Z',
    preview: 'Could you send me the invoice for October again?',
    waiting: 0,
  },
];

export const sampleSuggestion: ShownSuggestion = {
  id: 'rt:4821:m1:answer',
  shownAt: '2026-11-22T09:55:01Z',
  suggestion: {
    ticketId: 'rt:4821',
    afterMessageId: 'm1',
    shown: true,
    reason: 'answerable',
    kind: 'answer',
    text: 'Turn off power saving for the Wi-Fi adapter, then reconnect the VPN.',
    confidence: 0.82,
    citations: [{ entryId: 'qa-T-4100', kind: 'qa', sourceTicketId: 'T-4100', score: 0.83 }],
    latencyMs: 14,
  },
  citations: [
    {
      entryId: 'qa-T-4100',
      kind: 'qa',
      sourceTicketId: 'T-4100',
      score: 0.83,
      title: 'VPN disconnects after the laptop wakes from sleep',
      excerpt: 'Turn off "Allow the computer to turn off this device to save power" for the Wi-Fi adapter.',
      available: true,
      source: true,
    },
  ],
  feedback: [],
};

export const sampleDetail: TicketDetail = {
  ticket: {
    id: 'rt:4821',
    subject: 'VPN drops after sleep',
    status: 'open',
    requester: 'Dana Smith',
    messages: [
      { id: 'm1', author: 'customer', text: 'Every time my laptop wakes up the VPN is gone and I have to restart it.', at: '2026-11-22T09:55:00Z' },
    ],
  },
  suggestions: [sampleSuggestion],
};

export const sampleConnectors: ConnectorsOverview = {
  file: '/home/ana/.config/Vigil Desktop/teams/default/connectors.json',
  connectors: [
    {
      id: 'rt',
      kind: 'rt',
      enabled: true,
      writeBack: true,
      health: {
        id: 'rt', kind: 'rt', state: 'retrying', lastSyncAt: '2026-11-22T09:50:00Z', lastEventAt: null, lagMs: 600_000, backlog: 12,
        delivered: 40, duplicatesDropped: 0, invalidDropped: 0, consecutiveFailures: 2,
        lastError: 'Request Tracker refused the token (HTTP 401): check it with `vigil secrets set rt-token`. Retrying in 30 s (attempt 3).',
        lastErrorAt: '2026-11-22T10:00:00Z', issues: [], issuesTotal: 0, nextAttemptAt: '2026-11-22T10:00:30Z',
      },
    },
    { id: 'mail', kind: 'imap', enabled: false, writeBack: false, health: null },
  ],
  problem: null,
};

export const sampleReview: ReviewItem[] = [
  {
    id: 'qa-rt:4790',
    kind: 'qa',
    title: null,
    question: 'The VPN drops every few minutes on hotel wifi',
    answer: 'Set the VPN client MTU to 1380 and reconnect.',
    confidence: 0.74,
    sourceTicketIds: ['rt:4790'],
    createdAt: '2026-11-22T09:00:00Z',
    reason: null,
    conflictsWith: null,
  },
  {
    id: 'qa-rt:4791',
    kind: 'qa',
    title: null,
    question: 'Two-factor codes do not arrive',
    answer: 'Resync the phone clock in the authenticator app.',
    confidence: 0.61,
    sourceTicketIds: ['rt:4791'],
    createdAt: '2026-11-22T09:10:00Z',
    reason: 'conflict',
    conflictsWith: 'kb-2fa',
  },
];

export const sampleInsights: Insights = {
  suggestions: [
    { day: '2026-11-20', shown: 4, used: 2, rejected: 1 },
    { day: '2026-11-21', shown: 0, used: 0, rejected: 0 },
    { day: '2026-11-22', shown: 6, used: 4, rejected: 1 },
  ],
  totals: { shown: 10, used: 6, rejected: 2, acceptanceRate: 0.75 },
  knowledge: [
    { day: '2026-11-20', count: 3, total: 1203 },
    { day: '2026-11-21', count: 0, total: 1203 },
    { day: '2026-11-22', count: 31, total: 1234 },
  ],
};

/** A team whose gate was recalibrated from its reactions (Insights' sentence and its controls). */
export const sampleGate: GateCalibrationStatus = RECALIBRATED_GATE;

export const samplePreferences: PreferencesView = {
  preferences: {
    notifications: {
      enabled: true,
      doNotDisturb: false,
      dndUntil: null,
      kinds: { answer: true, similar_case: false, article: false, next_step: false, followup: true, alert: true },
      cooldownMinutes: 10,
    },
    showShortcut: 'CommandOrControl+Shift+Space',
  },
  shortcutProblem: null,
};

export const samplePacks: PacksOverview = {
  packs: [
    {
      name: 'network-basics',
      version: '1.2.0',
      team: 'network',
      description: 'VPN, Wi-Fi and DNS answers',
      entries: 42,
      signer: 'Network team',
      keyId: '3f2a9c1d0b7e6a55',
      installedAt: '2026-11-20T08:00:00Z',
      problem: null,
    },
    {
      name: 'hr-policies',
      version: '0.3.1',
      team: 'hr',
      description: null,
      entries: 7,
      signer: 'HR',
      keyId: 'aa11bb22cc33dd44',
      installedAt: '2026-11-19T08:00:00Z',
      problem: 'its folder /data/packs/hr-policies@0.3.1.1a2b3c4d is missing or incomplete; install the pack again',
    },
  ],
  trustedKeys: [{ id: '3f2a9c1d0b7e6a55', name: 'Network team', addedAt: '2026-11-18T08:00:00Z' }],
  subscriptions: [{ folder: '/mnt/share/packs', packs: ['network-basics'] }],
};

export const sampleModels: ModelsOverview = {
  modelsDir: '/home/ana/.config/Vigil Desktop/models',
  choice: 'builtin',
  running: { embedderId: 'builtin-hash-v1:512:0.3:0.5:0.4:3-5', dimensions: 512 },
  restartNeeded: false,
  problems: [],
  models: [
    { id: 'builtin', name: 'Built-in embedder (no model files)', backend: 'builtin', dimensions: 512, licence: 'MIT', state: 'ready', reason: null, chosen: true },
    { id: 'all-minilm-l6-v2', name: 'sentence-transformers/all-MiniLM-L6-v2', backend: 'transformers', dimensions: 384, licence: 'Apache-2.0', state: 'pinned', reason: null, chosen: false },
    {
      id: 'bge-small-en-v1.5',
      name: 'BAAI/bge-small-en-v1.5',
      backend: 'transformers',
      dimensions: 384,
      licence: 'MIT',
      state: 'missing',
      reason: 'Model bge-small-en-v1.5 is not installed: none of its files is in /models/bge-small-en-v1.5. Copy them there.',
      chosen: false,
    },
  ],
};

export const sampleLlm: LlmOverview = {
  status: {
    mode: 'retrieval-only',
    reason: 'Ollama has no model llama3.2; pull it from Settings, or keep working in retrieval-only mode.',
    modelId: 'ollama:llama3.2',
    checkedAt: '2026-11-22T09:00:00Z',
    nextCheckAt: null,
  },
  installed: [{ name: 'nomic-embed-text:latest', sizeBytes: 274_000_000, parameterSize: '137M' }],
  problem: null,
};

const field = (f: Partial<ConnectorKindForm['fields'][number]> & Pick<ConnectorKindForm['fields'][number], 'name' | 'label' | 'type'>) => ({
  required: false,
  defaultValue: null,
  options: null,
  min: null,
  max: null,
  help: null,
  ...f,
});

/** Two kinds as core/app/connectorConfig.ts describes them (its tests check the real derivation). */
export const sampleConnectorForms: ConnectorKindForm[] = [
  {
    kind: 'folder',
    label: 'Folder of ticket files',
    fileOnlyFields: [],
    fields: [
      field({ name: 'id', label: 'Connector id', type: 'text', required: true, help: 'Letters, digits, "-" and "_".' }),
      field({ name: 'enabled', label: 'Watch this connector', type: 'boolean', defaultValue: true }),
      field({ name: 'pollSeconds', label: 'Seconds between checks', type: 'number', min: 1, max: 86_400 }),
      field({ name: 'writeBack', label: 'May post notes and replies', type: 'boolean', defaultValue: false }),
      field({ name: 'path', label: 'Ticket folder', type: 'folder', required: true }),
    ],
  },
  {
    kind: 'rt',
    label: 'Request Tracker 5',
    fileOnlyFields: [],
    fields: [
      field({ name: 'id', label: 'Connector id', type: 'text', required: true }),
      field({ name: 'enabled', label: 'Watch this connector', type: 'boolean', defaultValue: true }),
      field({ name: 'writeBack', label: 'May post notes and replies', type: 'boolean', defaultValue: false }),
      field({ name: 'baseUrl', label: 'Address (https://…)', type: 'url', required: true }),
      field({ name: 'queue', label: 'Queue', type: 'text' }),
      field({ name: 'pageSize', label: 'Tickets per page', type: 'number', defaultValue: 50, min: 1, max: 100 }),
      field({ name: 'token', label: 'API token', type: 'secret', required: true, help: 'Saved in the system keychain, never in connectors.json.' }),
    ],
  },
];

export function sampleDraft(overrides: Partial<ReplyDraftView> = {}): ReplyDraftView {
  return { ticketId: 'rt:4821', text: '', insertedSuggestionIds: [], updatedAt: null, canPostNote: true, canSendReply: true, writeProblem: null, ...overrides };
}

export function entrySummary(overrides: Partial<EntrySummary> = {}): EntrySummary {
  return {
    id: 'qa-rt:4100',
    kind: 'qa',
    status: 'approved',
    title: null,
    question: 'VPN disconnects after the laptop wakes from sleep',
    excerpt: 'Turn off power saving for the Wi-Fi adapter, then reconnect.',
    tags: ['vpn'],
    origin: 'learned',
    updatedAt: '2026-11-21T16:00:00Z',
    readOnly: false,
    ...overrides,
  };
}

export const sampleEntries: EntryListPage = {
  items: [
    entrySummary(),
    entrySummary({ id: 'kb-printer', kind: 'article', title: 'Printer jams on tray 2', question: null, excerpt: 'Open tray 2 and remove the torn sheet.', origin: 'imported', tags: [], updatedAt: null }),
    entrySummary({ id: 'kb-dns', kind: 'article', title: 'Flush the DNS cache', question: null, excerpt: 'Run ipconfig /flushdns.', origin: 'pack', readOnly: true }),
  ],
  offset: 0,
  hasMore: true,
  order: 'recent',
  counts: { approved: 1230, proposed: 2, retired: 2 },
};

export const sampleEntryDetail: EntryDetail = {
  id: 'qa-rt:4100',
  kind: 'qa',
  content: {
    title: null,
    question: 'VPN disconnects after the laptop wakes from sleep',
    body: 'Turn off power saving for the Wi-Fi adapter, then reconnect.',
    tags: ['vpn'],
    status: 'approved',
  },
  provenance: {
    origin: 'learned',
    tickets: [{ id: 'rt:4100', connector: 'rt' }],
    importedFrom: null,
    pack: null,
    createdAt: '2026-11-20T10:00:00Z',
    updatedAt: '2026-11-21T16:00:00Z',
    approvedBy: 'maria',
    approvedAt: '2026-11-20T11:00:00Z',
  },
  history: [
    {
      version: 1,
      at: '2026-11-20T10:00:00Z',
      action: 'created',
      actor: 'learn',
      note: null,
      restoredFrom: null,
      content: { title: null, question: 'VPN drops after sleep', body: 'Restart the VPN client.', tags: [], status: 'proposed' },
    },
    {
      version: 2,
      at: '2026-11-20T11:00:00Z',
      action: 'edited',
      actor: 'maria',
      note: 'edited in the knowledge browser',
      restoredFrom: null,
      content: { title: null, question: 'VPN disconnects after the laptop wakes from sleep', body: 'Turn off power saving for the Wi-Fi adapter, then reconnect.', tags: ['vpn'], status: 'approved' },
    },
  ],
  feedback: { shown: 7, copied: 1, inserted: 2, published: 0, liked: 3, disliked: 1, dismissed: 1, dislikeReasons: ['outdated'], lastEventAt: '2026-11-21T15:00:00Z' },
  readOnly: null,
};

export const samplePrivacy: PrivacyOverview = {
  settings: { offline: false, redactBeforeStorage: false, documentationHosts: [] },
  redactingBeforeStorage: false,
  network: {
    offline: false,
    allowedHosts: [{ host: 'rt.example.com', connectors: ['rt'], documentation: false }],
    pausedConnectors: [],
    refusals: {
      total: 3,
      recent: [{ seq: 41, at: '2026-11-22T09:58:00Z', host: 'telemetry.example.net', via: 'fetch', reason: 'Blocked a connection to telemetry.example.net: it is not the host of a configured connector' }],
    },
  },
  dataFolder: { path: '/home/ana/.config/Vigil Desktop/teams/default', mode: '0700', private: true, warning: null },
  snapshots: [
    { name: 'before-cleanup', reason: 'before removing old VPN answers', createdAt: '2026-11-21T16:00:00Z', automatic: false, tables: 1 },
    { name: 'before-rollback-x-20261120T100000Z', reason: 'automatic, before rolling back to x', createdAt: '2026-11-20T10:00:00Z', automatic: true, tables: 1 },
  ],
  auditFile: '/home/ana/.config/Vigil Desktop/teams/default/audit/audit-log.jsonl',
};

const counts = { email: 1, phone: 0, card: 0, iban: 0, ip: 0, secret: 0, name: 2 };

export const sampleAuditRecords: AuditRecordView[] = [
  { offset: 900, seq: 44, at: '2026-11-22T10:00:00Z', type: 'future_kind', hash: 'f'.repeat(64), fields: { widget: 'w-1', count: 3 }, known: false },
  {
    offset: 600, seq: 43, at: '2026-11-22T09:59:00Z', type: 'llm_call', hash: 'e'.repeat(64), known: true,
    fields: { purpose: 'draft', model: 'llama3.2:3b', ticketId: 'rt:4821', entryIds: ['qa-T-4100'], redactions: counts, promptChars: 1800, outcome: 'ok', durationMs: 420, error: null },
  },
  {
    offset: 300, seq: 42, at: '2026-11-22T09:58:30Z', type: 'suggestion', hash: 'd'.repeat(64), known: true,
    fields: { ticketId: 'rt:4821', afterMessageId: 'm1', shown: true, reason: 'answerable', kind: 'answer', confidence: 0.82, entryIds: ['qa-T-4100', 'kb-vpn'], model: null, redactions: counts },
  },
  { offset: 0, seq: 41, at: '2026-11-22T09:58:00Z', type: 'admin', hash: 'c'.repeat(64), known: true, fields: { action: 'store_tag', detail: { name: 'before-cleanup', reason: '', tables: 1 } } },
];

/** A fake API whose methods resolve to the samples unless a test scripts them otherwise. */
export function fakeVigilApi() {
  const listeners = new Set<(event: DeskEvent) => void>();
  return {
    status: vi.fn<VigilBridge['status']>(async () => sampleStatus),
    searchKnowledge: vi.fn<VigilBridge['searchKnowledge']>(async () => [hit()]),
    chooseImportSource: vi.fn<VigilBridge['chooseImportSource']>(async () => sampleCsvSource),
    importKnowledge: vi.fn<VigilBridge['importKnowledge']>(async () => sampleImportResult),
    helpCenters: vi.fn<VigilBridge['helpCenters']>(async () => sampleHelpCenters),
    importHelpCenter: vi.fn<VigilBridge['importHelpCenter']>(async ({ connectorId }) => ({ source: `Zendesk Guide (${connectorId})`, imported: 40, skipped: 0, reasons: [], issues: [] })),
    listTickets: vi.fn<VigilBridge['listTickets']>(async () => sampleTickets),
    openTicket: vi.fn<VigilBridge['openTicket']>(async () => sampleDetail),
    sendFeedback: vi.fn<VigilBridge['sendFeedback']>(async (request) => ({
      ...sampleSuggestion,
      feedback: [...sampleSuggestion.feedback, request.action],
    })),
    insights: vi.fn<VigilBridge['insights']>(async () => sampleInsights),
    resetGateRecalibration: vi.fn<VigilBridge['resetGateRecalibration']>(async () => ({ ...sampleGate, state: 'default', reactions: 0, used: 0, rejected: 0, threshold: 0.5, shift: 0, summary: 'using the default gate (0 of 30 reactions needed)' })),
    setGateRecalibration: vi.fn<VigilBridge['setGateRecalibration']>(async ({ enabled }) =>
      enabled ? sampleGate : { ...sampleGate, state: 'off', threshold: 0.5, shift: 0, summary: 'gate recalibration is off for this team: using the default gate (threshold 0.5)' },
    ),
    publishSuggestion: vi.fn<VigilBridge['publishSuggestion']>(async () => ({ ...sampleSuggestion, feedback: ['published'] })),
    connectorsOverview: vi.fn<VigilBridge['connectorsOverview']>(async () => sampleConnectors),
    testConnector: vi.fn<VigilBridge['testConnector']>(async ({ id }) => ({ id, ok: true })),
    reviewQueue: vi.fn<VigilBridge['reviewQueue']>(async () => sampleReview),
    reviewEntry: vi.fn<VigilBridge['reviewEntry']>(async (request) => sampleReview.filter((item) => item.id !== request.entryId)),
    getPreferences: vi.fn<VigilBridge['getPreferences']>(async () => samplePreferences),
    // Another account's home than the samples' (/home/ana), so they show in full unless a test gives the home.
    homeFolder: vi.fn<VigilBridge['homeFolder']>(async () => '/home/admin'),
    setPreferences: vi.fn<VigilBridge['setPreferences']>(async (preferences) => ({ preferences, shortcutProblem: null })),
    packsOverview: vi.fn<VigilBridge['packsOverview']>(async () => samplePacks),
    installPack: vi.fn<VigilBridge['installPack']>(async () => ({
      outcome: 'installed',
      name: 'dns-extra',
      version: '1.0.0',
      previousVersion: null,
      entries: 3,
      signer: 'Network team',
    })),
    removePack: vi.fn<VigilBridge['removePack']>(async ({ name }) => ({ name, version: '1.2.0' })),
    trustKey: vi.fn<VigilBridge['trustKey']>(async ({ name }) => ({ key: { id: '0011223344556677', name, addedAt: '2026-11-22T10:00:00Z' }, added: true })),
    untrustKey: vi.fn<VigilBridge['untrustKey']>(async ({ id }) => ({ id, name: 'Network team', addedAt: '2026-11-18T08:00:00Z' })),
    subscribePacks: vi.fn<VigilBridge['subscribePacks']>(async ({ packs }) => ({ folder: '/media/usb', packs })),
    unsubscribePacks: vi.fn<VigilBridge['unsubscribePacks']>(async () => []),
    syncPacks: vi.fn<VigilBridge['syncPacks']>(async () => [
      { folder: '/mnt/share/packs', unreachable: null, installed: [{ file: '/mnt/share/packs/network-basics-1.3.0.vpack', name: 'network-basics', version: '1.3.0', outcome: 'upgraded' }], refused: [] },
    ]),
    modelsOverview: vi.fn<VigilBridge['modelsOverview']>(async () => sampleModels),
    useModel: vi.fn<VigilBridge['useModel']>(async ({ id }) => ({ choice: id, embedderId: `${id}@0123abcd`, dimensions: 384, restartNeeded: true })),
    llmOverview: vi.fn<VigilBridge['llmOverview']>(async () => sampleLlm),
    pullLlmModel: vi.fn<VigilBridge['pullLlmModel']>(async () => ({ ...sampleLlm.status, mode: 'llm', reason: 'Drafting with llama3.2.' })),
    recheckLlm: vi.fn<VigilBridge['recheckLlm']>(async () => sampleLlm.status),
    listEntries: vi.fn<VigilBridge['listEntries']>(async () => sampleEntries),
    entryDetail: vi.fn<VigilBridge['entryDetail']>(async ({ entryId }) => (entryId === sampleEntryDetail.id ? sampleEntryDetail : null)),
    editEntry: vi.fn<VigilBridge['editEntry']>(async ({ patch }) => ({
      ...sampleEntryDetail,
      content: {
        ...sampleEntryDetail.content,
        ...(patch.question !== undefined ? { question: patch.question } : {}),
        ...(patch.answer !== undefined ? { body: patch.answer } : {}),
        ...(patch.tags !== undefined ? { tags: patch.tags } : {}),
      },
    })),
    setEntryStatus: vi.fn<VigilBridge['setEntryStatus']>(async ({ status }) => ({ ...sampleEntryDetail, content: { ...sampleEntryDetail.content, status } })),
    restoreEntryVersion: vi.fn<VigilBridge['restoreEntryVersion']>(async () => sampleEntryDetail),
    restartWorkspace: vi.fn<VigilBridge['restartWorkspace']>(async () => ({ ...sampleStatus, embedderId: 'all-minilm-l6-v2@0123abcd', dimensions: 384 })),
    connectorForms: vi.fn<VigilBridge['connectorForms']>(async () => sampleConnectorForms),
    connectorForEdit: vi.fn<VigilBridge['connectorForEdit']>(async ({ id }) => ({
      id,
      kind: 'rt',
      values: { id, enabled: true, writeBack: true, baseUrl: 'https://rt.example.com' },
      secretsStored: { token: true },
    })),
    testConnectorDraft: vi.fn<VigilBridge['testConnectorDraft']>(async ({ draft }) => ({ ok: true, id: draft.id })),
    saveConnector: vi.fn<VigilBridge['saveConnector']>(async ({ draft }) => ({ ok: true, id: draft.id, watchProblem: null })),
    removeConnector: vi.fn<VigilBridge['removeConnector']>(async ({ id }) => ({ id, secretsDeleted: [`${id}.token`], syncStateKept: `/data/watch/${id}`, watchProblem: null })),
    pickConnectorFolder: vi.fn<VigilBridge['pickConnectorFolder']>(async () => '/home/ana/tickets'),
    replyDraft: vi.fn<VigilBridge['replyDraft']>(async ({ ticketId }) => sampleDraft({ ticketId })),
    saveReplyDraft: vi.fn<VigilBridge['saveReplyDraft']>(async ({ ticketId, text, insertedSuggestionIds }) => sampleDraft({ ticketId, text, insertedSuggestionIds })),
    sendReply: vi.fn<VigilBridge['sendReply']>(async ({ ticketId, text, visibility }) => ({
      sent: { ticketId, text, visibility, suggestionIds: [sampleSuggestion.id], at: '2026-11-22T10:00:00Z' },
      suggestions: [{ ...sampleSuggestion, feedback: ['inserted', 'published'] }],
    })),
    privacyOverview: vi.fn<VigilBridge['privacyOverview']>(async () => samplePrivacy),
    setPrivacySettings: vi.fn<VigilBridge['setPrivacySettings']>(async (change) => {
      const settings = { ...samplePrivacy.settings, ...change };
      return {
        ...samplePrivacy,
        settings,
        redactingBeforeStorage: settings.redactBeforeStorage,
        network: settings.offline
          ? { ...samplePrivacy.network, offline: true, allowedHosts: [], pausedConnectors: [{ id: 'rt', hosts: ['rt.example.com'] }] }
          : samplePrivacy.network,
      };
    }),
    repairDataFolder: vi.fn<VigilBridge['repairDataFolder']>(async () => samplePrivacy),
    tagSnapshot: vi.fn<VigilBridge['tagSnapshot']>(async ({ name, reason }) => ({
      ...samplePrivacy,
      snapshots: [{ name, reason: reason ?? '', createdAt: '2026-11-22T10:05:00Z', automatic: false, tables: 1 }, ...samplePrivacy.snapshots],
    })),
    rollbackPreview: vi.fn<VigilBridge['rollbackPreview']>(async ({ name }) => ({
      snapshot: samplePrivacy.snapshots.find((s) => s.name === name) ?? samplePrivacy.snapshots[0]!,
      entriesAddedSince: 12,
      newerSnapshots: 0,
    })),
    rollbackSnapshot: vi.fn<VigilBridge['rollbackSnapshot']>(async ({ name }) => ({
      restored: samplePrivacy.snapshots.find((s) => s.name === name) ?? samplePrivacy.snapshots[0]!,
      safety: { name: `before-rollback-${name}-20261122T100600Z`, reason: `automatic, before rolling back to ${name}`, createdAt: '2026-11-22T10:06:00Z', automatic: true, tables: 1 },
    })),
    auditPage: vi.fn<VigilBridge['auditPage']>(async ({ before, limit, type }) => {
      const matching = sampleAuditRecords.filter((r) => (!type || r.type === type) && (before === undefined || before === null || r.offset < before));
      const records = matching.slice(0, limit ?? 50);
      const last = records.at(-1);
      return { records, next: records.length < matching.length && last ? last.offset : null, unreadable: 0 };
    }),
    verifyAudit: vi.fn<VigilBridge['verifyAudit']>(async () => ({ ok: true, records: 44, problems: [], firstBrokenLine: null })),
    exportAudit: vi.fn<VigilBridge['exportAudit']>(async ({ format }) => ({ file: `/home/ana/audit.${format}`, exported: 44, format })),
    dataFolderOverview: vi.fn<VigilBridge['dataFolderOverview']>(async () => sampleDataFolder),
    // The dialog is cancelled unless a test scripts a folder.
    chooseDataFolder: vi.fn<VigilBridge['chooseDataFolder']>(async () => null),
    useDefaultDataFolder: vi.fn<VigilBridge['useDefaultDataFolder']>(async () => ({
      view: { ...sampleDataFolder, next: null },
      found: 'in-use' as const,
      restarting: false,
      message: `${sampleDataFolder.defaultDir} is already the team’s data folder.`,
    })),
    rulesOverview: vi.fn<VigilBridge['rulesOverview']>(async () => sampleRules),
    // Saves as the main process would when the draft is valid; tests script refusals.
    saveRule: vi.fn<VigilBridge['saveRule']>(async ({ rule }) => {
      const saved = { ...sampleRules.rules[0]!, ...(rule as Partial<RuleView>), source: 'team', warnings: [] } as RuleView;
      return { ok: true as const, rule: saved, view: { ...sampleRules, rules: [...sampleRules.rules.filter((r) => r.id !== saved.id), saved] } };
    }),
    setRuleEnabled: vi.fn<VigilBridge['setRuleEnabled']>(async ({ id, enabled }) => ({ ...sampleRules, rules: sampleRules.rules.map((r) => (r.id === id ? { ...r, enabled } : r)) })),
    removeRule: vi.fn<VigilBridge['removeRule']>(async ({ id }) => ({ ...sampleRules, rules: sampleRules.rules.filter((r) => r.id !== id) })),
    testRule: vi.fn<VigilBridge['testRule']>(async () => ({
      ok: true as const,
      result: { ruleId: 'draft', tickets: 0, customerMessages: 0, matches: [], alerts: [] },
      subjects: {},
      recentLimit: 200,
    })),
    whatIfStatus: vi.fn<VigilBridge['whatIfStatus']>(async () => idleWhatIf),
    // The dialog is cancelled unless a test scripts a run.
    startWhatIf: vi.fn<VigilBridge['startWhatIf']>(async () => null),
    cancelWhatIf: vi.fn<VigilBridge['cancelWhatIf']>(async () => idleWhatIf),
    saveWhatIfReport: vi.fn<VigilBridge['saveWhatIfReport']>(async () => null),
    // A personal data folder unless a test scripts a team store.
    teamOverview: vi.fn<VigilBridge['teamOverview']>(async () => null),
    syncTeam: vi.fn<VigilBridge['syncTeam']>(async () => null),
    joinTeam: vi.fn<VigilBridge['joinTeam']>(async (request) => ({ team: { ...sampleTeam, uri: request.uri, analyst: request.analyst }, merged: request.merge ? 12 : null })),
    leaveTeam: vi.fn<VigilBridge['leaveTeam']>(async () => ({ left: sampleTeam.uri, unsent: 0 })),
    onDeskEvent: vi.fn<VigilBridge['onDeskEvent']>((listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    }),
    /** Not part of the API: pushes an event as the main process would. */
    push(event: DeskEvent): void {
      for (const listener of listeners) listener(event);
    },
  } satisfies VigilBridge & { push(event: DeskEvent): void };
}

/** Settings → Team: a team store on object storage, in sync. */
export const sampleTeam: TeamLinkStatus = {
  uri: 's3://support-team/emea',
  analyst: 'Ana Diaz',
  endpoint: 's3.example.internal:9000',
  state: 'in-sync',
  behindBy: 0,
  pending: 0,
  offlineSince: null,
  lastSyncAt: '2026-11-22T10:00:00.000Z',
  lastError: null,
};

/** Settings → Team data folder: the default folder in use. */
export const sampleDataFolder: DataFolderChoiceView = {
  inUse: '/home/ana/.config/Vigil Desktop/teams/default',
  source: 'default',
  defaultDir: '/home/ana/.config/Vigil Desktop/teams/default',
  next: null,
  problem: null,
};

/** Insights → What if before any run. */
export const idleWhatIf: WhatIfStatus = { state: 'idle', source: null, done: 0, total: null, error: null, report: null };

/** Settings → Rules: one team rule by pattern, one pack rule by meaning with a webhook the egress policy refuses. */
export const sampleRules: RuleCentreView = {
  problem: null,
  rules: [
    {
      id: 'outage',
      name: 'Outage reports',
      enabled: true,
      priority: 'P0',
      mode: 'detect',
      match: { type: 'regex', pattern: 'outage|down for everyone', flags: 'i' },
      lookbackMinutes: 0,
      minTickets: 1,
      suppress: { per: 'ticket', minutes: 360 },
      deliver: [{ type: 'note' }],
      source: 'team',
      warnings: [],
    },
    {
      id: 'angry-customer',
      name: 'Angry customer',
      enabled: false,
      priority: 'P1',
      mode: 'detect',
      match: { type: 'semantic', description: 'The customer is upset or threatens to leave', examples: ['This is unacceptable', 'I want to cancel my contract'], negativeExamples: ['Thanks, that fixed it'], threshold: 0.3 },
      lookbackMinutes: 0,
      minTickets: 1,
      suppress: { per: 'rule', minutes: 60 },
      deliver: [{ type: 'webhook', url: 'https://hooks.example.com/vigil' }],
      source: 'pack support-basics 1.2.0',
      warnings: [{ field: 'deliver.0.url', message: 'alerts to hooks.example.com will be refused: it is not the host of a configured connector. Only loopback and the hosts of configured connectors are allowed (Settings → Privacy).' }],
    },
  ],
};
