/**
 * A scripted `window.vigil` for renderer tests: each method is a vi.fn with a sensible default answer.
 */
import { vi } from 'vitest';
import type { ImportReport, KnowledgeHit, ServiceStatus, VigilApi } from '../../renderer/src/api/contractTypes';

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

/** A fake API whose methods resolve to the samples unless a test scripts them otherwise. */
export function fakeVigilApi() {
  return {
    status: vi.fn<VigilApi['status']>(async () => sampleStatus),
    searchKnowledge: vi.fn<VigilApi['searchKnowledge']>(async () => [hit()]),
    importEntries: vi.fn<VigilApi['importEntries']>(async () => sampleReport),
  } satisfies VigilApi;
}
