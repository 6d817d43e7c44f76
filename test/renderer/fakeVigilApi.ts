/**
 * A scripted `window.vigil` for renderer tests: each method is a vi.fn with a sensible default answer.
 */
import { vi } from 'vitest';
import type {
  DeskEvent,
  ImportReport,
  Insights,
  KnowledgeHit,
  ServiceStatus,
  ShownSuggestion,
  TicketDetail,
  TicketSummary,
  VigilBridge,
} from '../../renderer/src/api/contractTypes';

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
    ...overrides,
  };
}

export const sampleReport: ImportReport = {
  file: '/home/ana/Downloads/kb.jsonl',
  imported: 12,
  issues: [{ file: '/home/ana/Downloads/kb.jsonl', line: 7, field: 'body', message: 'must not be empty' }],
};

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

/** A fake API whose methods resolve to the samples unless a test scripts them otherwise. */
export function fakeVigilApi() {
  const listeners = new Set<(event: DeskEvent) => void>();
  return {
    status: vi.fn<VigilBridge['status']>(async () => sampleStatus),
    searchKnowledge: vi.fn<VigilBridge['searchKnowledge']>(async () => [hit()]),
    importEntries: vi.fn<VigilBridge['importEntries']>(async () => sampleReport),
    listTickets: vi.fn<VigilBridge['listTickets']>(async () => sampleTickets),
    openTicket: vi.fn<VigilBridge['openTicket']>(async () => sampleDetail),
    sendFeedback: vi.fn<VigilBridge['sendFeedback']>(async (request) => ({
      ...sampleSuggestion,
      feedback: [...sampleSuggestion.feedback, request.action],
    })),
    insights: vi.fn<VigilBridge['insights']>(async () => sampleInsights),
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
