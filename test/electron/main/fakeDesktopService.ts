/** The engine as the main process sees it (DesktopService), every method a vi.fn, for handler and host tests. */
import { vi } from 'vitest';
import type { CsvMapping, ImportProgressListener, KnowledgeImportResult } from '../../../core/app/knowledgeImports';
import type { GateCalibrationStatus } from '../../../core/feedback/gateCalibration';
import { RECALIBRATED_GATE } from '../../fixtures/gateStatus';
import type { DesktopService } from '../../../electron/main/serviceHost';

const emptyOverview = { packs: [], trustedKeys: [], subscriptions: [] };
const llmStatus = { mode: 'retrieval-only' as const, reason: 'No local model is configured.', modelId: null, checkedAt: null, nextCheckAt: null };

/**
 * The desk and the services beside it (tickets, feedback, insights, review, knowledge browsing, connectors and the
 * reply box, watching), answering empty data.
 */
export function fakeDeskMethods() {
  return {
    desk: {
      listTickets: vi.fn(() => []),
      openTicket: vi.fn(async () => null),
      feedback: vi.fn(),
    },
    insights: vi.fn(),
    ...fakeGateMethods(),
    rules: fakeRuleMethods(),
    whatIf: fakeWhatIfMethods(),
    learning: {
      reviewQueue: vi.fn(async () => []),
      reviewEntry: vi.fn(async () => []),
    },
    ...fakeConnectorMethods(),
    imports: fakeImportMethods(),
    knowledge: {
      searchKnowledge: vi.fn(async () => []),
      listEntries: vi.fn(async (_request: unknown) => ({ items: [], offset: 0, hasMore: false, order: 'recent' as const, counts: { proposed: 0, approved: 0, retired: 0 } })),
      entryDetail: vi.fn(async (_id: string) => null),
      reviseEntry: vi.fn(),
      setEntryStatus: vi.fn(),
      restoreEntryVersion: vi.fn(),
    },
  } satisfies Partial<DesktopService>;
}

/**
 * Insights' gate controls: a team whose gate was recalibrated from 40 reactions; the switch turns it off or on and
 * "Start over" counts from zero, as the workspace does.
 */
export function fakeGateMethods() {
  const recalibrated = RECALIBRATED_GATE;
  const counting = (reactions: number): GateCalibrationStatus => ({ ...recalibrated, state: 'default', reactions, used: 0, rejected: 0, threshold: 0.5, shift: 0, summary: `using the default gate (${reactions} of 30 reactions needed)` });
  let gate = recalibrated;
  return {
    resetGateRecalibration: vi.fn(async () => (gate = gate.state === 'off' ? gate : counting(0))),
    setGateRecalibration: vi.fn(async (enabled: boolean) =>
      (gate = enabled
        ? gate.state === 'off'
          ? recalibrated
          : gate
        : { ...recalibrated, state: 'off', threshold: 0.5, shift: 0, summary: 'gate recalibration is off for this team: using the default gate (threshold 0.5)' }),
    ),
  };
}

/** The Import screen's service: a CSV file described with its columns, imports answering `result`. */
export function fakeImportMethods(result?: KnowledgeImportResult) {
  const answer = (source: string): KnowledgeImportResult => result ?? { source, imported: 0, skipped: 0, reasons: [], issues: [] };
  return {
    describe: vi.fn(async (path: string) => ({ name: path.split('/').pop() ?? path, format: 'csv' as const, columns: ['Question', 'Answer'], suggestedMapping: { question: 'Question', body: 'Answer' } })),
    importPath: vi.fn(async (path: string, _mapping: CsvMapping = {}, _onProgress?: ImportProgressListener) => answer(path.split('/').pop() ?? path)),
    helpCenters: vi.fn(async () => [{ id: 'zd', kind: 'zendesk' as const, vendor: 'Zendesk Guide', baseUrl: 'https://acme.zendesk.com' }]),
    importHelpCenter: vi.fn(async (id: string, _secrets: unknown, _onProgress?: ImportProgressListener) => answer(`Zendesk Guide (${id})`)),
  };
}

const emptyRules = { rules: [], problem: null };
const idleWhatIf = { state: 'idle' as const, source: null, done: 0, total: null, error: null, report: null };

/** Settings → Rules (the workspace's rule admin), answering an empty list. */
export function fakeRuleMethods() {
  return {
    view: vi.fn(async () => emptyRules),
    save: vi.fn(async (_draft: unknown, _originalId: string | null) => ({ ok: false as const, issues: [] })),
    setEnabled: vi.fn(async (_id: string, _enabled: boolean) => emptyRules),
    remove: vi.fn(async (_id: string) => emptyRules),
    test: vi.fn(async (_draft: unknown) => ({ ok: false as const, issues: [] })),
  };
}

/** Insights → What if (the workspace's what-if runs), idle. */
export function fakeWhatIfMethods() {
  return {
    start: vi.fn(async (source: { kind: 'file' | 'folder'; path: string } | { kind: 'desk' }) => ({ ...idleWhatIf, state: 'running' as const, source: source.kind })),
    status: vi.fn(() => idleWhatIf),
    cancel: vi.fn(async () => ({ ...idleWhatIf, state: 'cancelled' as const })),
    saveReport: vi.fn(async (file: string) => ({ file })),
  };
}

/** The engine's own methods the handlers call (status, the re-index wait). */
export function fakeEngineMethods() {
  return {
    status: vi.fn(),
    waitForReindex: vi.fn(async () => null),
  };
}

/** Beside the desk methods a test lists itself: the Settings screen's pack and LLM methods, answering empty data. */
export function fakePackMethods() {
  return {
    packs: {
      overview: vi.fn(async () => emptyOverview),
      install: vi.fn(async (_file: string) => ({ outcome: 'installed' as const, name: 'p', version: '1.0.0', previousVersion: null, entries: 0, signer: 's' })),
      remove: vi.fn(async (name: string) => ({ name, version: '1.0.0' })),
      trustKeyFile: vi.fn(async (_file: string, name: string) => ({ key: { id: '0123456789abcdef', name, addedAt: '2026-11-22T00:00:00Z' }, added: true })),
      untrustKey: vi.fn(async (id: string) => ({ id, name: 'k', addedAt: '2026-11-22T00:00:00Z' })),
      subscribe: vi.fn(async (folder: string, packs: readonly string[]) => ({ folder, packs: [...packs] })),
      unsubscribe: vi.fn(async (_folder: string) => undefined),
      sync: vi.fn(async () => []),
    },
    llm: {
      overview: vi.fn(async () => ({ status: llmStatus, installed: null, problem: 'No local model is configured.' })),
      pull: vi.fn(async (_onProgress: (progress: { status: string; completed: number | null; total: number | null; fraction: number | null }) => void) => llmStatus),
      recheck: vi.fn(async () => llmStatus),
    },
  } satisfies Partial<DesktopService>;
}

const draftView = (ticketId: string) => ({ ticketId, text: '', insertedSuggestionIds: [], updatedAt: null, canPostNote: false, canSendReply: false, writeProblem: 'not watched' });

/** Settings → Connectors and the reply box, answering empty data. */
export function fakeConnectorMethods() {
  return {
    connectors: {
      overview: vi.fn(async () => ({ file: 'connectors.json', connectors: [], problem: null })),
      test: vi.fn(async (id: string) => ({ id, ok: true as const })),
      forms: vi.fn(() => []),
      forEdit: vi.fn(async (id: string, _secrets: unknown) => ({ id, kind: 'folder', values: {}, secretsStored: {} })),
      testDraft: vi.fn(async (request: { draft: { id: string } }, _secrets: unknown) => ({ ok: true as const, id: request.draft.id })),
      save: vi.fn(async (request: { draft: { id: string } }, _secrets: unknown) => ({ ok: true as const, id: request.draft.id, watchProblem: null })),
      remove: vi.fn(async (id: string, _secrets: unknown) => ({ id, secretsDeleted: [], syncStateKept: `/data/watch/${id}`, watchProblem: null })),
      startWatching: vi.fn(async () => []),
    },
    replies: {
      draft: vi.fn(async (ticketId: string) => draftView(ticketId)),
      saveDraft: vi.fn(async (ticketId: string, text: string, inserted: readonly string[]) => ({ ...draftView(ticketId), text, insertedSuggestionIds: [...inserted] })),
      send: vi.fn(async (ticketId: string, text: string, visibility: 'note' | 'public') => ({ sent: { ticketId, text, visibility, suggestionIds: [], at: '2026-11-22T10:00:00Z' }, suggestions: [] })),
      publishSuggestion: vi.fn(),
    },
  } satisfies Partial<DesktopService>;
}

/** The Privacy section's and audit view's methods, answering an empty, online, private folder. */
export function fakePrivacyMethods() {
  const overview = {
    settings: { offline: false, redactBeforeStorage: false, documentationHosts: [] as string[] },
    redactingBeforeStorage: false,
    network: { offline: false, allowedHosts: [], pausedConnectors: [], refusals: { total: 0, recent: [] } },
    dataFolder: { path: '/data', mode: '0700', private: true, warning: null },
    snapshots: [],
    auditFile: '/data/audit/audit-log.jsonl',
  };
  return {
    privacy: {
      overview: vi.fn(async (_egress: { offline: boolean; allowedHosts: readonly string[] }) => overview),
      setSettings: vi.fn(async (change: { offline?: boolean; redactBeforeStorage?: boolean; documentationHosts?: string[] }) => ({ ...overview.settings, ...change })),
      repairDataFolder: vi.fn(async () => overview.dataFolder),
      tagSnapshot: vi.fn(async (name: string, reason: string) => ({ name, reason, createdAt: '2026-11-22T00:00:00Z', automatic: false, tables: 1 })),
      rollbackPreview: vi.fn(async (name: string) => ({ snapshot: { name, reason: '', createdAt: '2026-11-22T00:00:00Z', automatic: false, tables: 1 }, entriesAddedSince: 0, newerSnapshots: 0 })),
      auditPage: vi.fn(async (_options: unknown) => ({ records: [], next: null, unreadable: 0 })),
      verifyAudit: vi.fn(async () => ({ ok: true, records: 0, problems: [], firstBrokenLine: null })),
      exportAudit: vi.fn(async (file: string, options: { format: 'jsonl' | 'csv'; type?: string }) => ({ file, exported: 0, format: options.format })),
      redactsBeforeStorage: vi.fn(() => false),
    },
  } satisfies Partial<DesktopService>;
}

/** A whole DesktopService of fakes (engine, desk, packs, connectors, privacy), as the handler tests hand the host. */
export function fakeDesktopService() {
  return {
    service: fakeEngineMethods(),
    ...fakeDeskMethods(),
    ...fakePackMethods(),
    ...fakeConnectorMethods(),
    ...fakePrivacyMethods(),
    close: vi.fn(async () => undefined),
  } satisfies DesktopService;
}
