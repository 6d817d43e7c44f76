import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import type { EntrySummary } from '../../../core/knowledge/knowledgeBrowser';

/** 3,000 entries: mixed kinds, statuses and origins, each changed at its own minute (entry i at minute i). */
const TOTAL = 3000;
const TOPICS = ['printer jams', 'vpn drops', 'password expired', 'invoice copy', 'mailbox full', 'badge reader', 'wifi slow', 'disk full'];

function seedLine(i: number): Record<string, unknown> {
  const topic = TOPICS[i % TOPICS.length] as string;
  const kind = i % 10 === 0 ? 'article' : i % 3 === 0 ? 'case' : 'qa';
  const status = i % 7 === 0 ? 'proposed' : i % 11 === 0 ? 'retired' : 'approved';
  const source = i % 5 === 0 ? { type: 'ticket', ref: `rt-main:${i}` } : i % 13 === 0 ? { type: 'pack', ref: 'network-basics@1.2.0' } : undefined;
  const updatedAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return {
    id: `e-${String(i).padStart(5, '0')}`,
    kind,
    ...(kind === 'article' ? { title: `Article ${i} about ${topic}` } : { question: `Question ${i}: ${topic} again` }),
    body: `Answer ${i}: the usual fix for ${topic}.`,
    tags: [topic.split(' ')[0]],
    status,
    updatedAt,
    ...(source ? { source } : {}),
    ...(source?.type === 'ticket' ? { provenance: { sourceTicketIds: [source.ref], createdAt: updatedAt } } : {}),
  };
}

const lines = Array.from({ length: TOTAL }, (_, i) => seedLine(i));
const expected = (pred: (line: Record<string, unknown>) => boolean) =>
  lines
    .filter(pred)
    .sort((a, b) => String(b['updatedAt']).localeCompare(String(a['updatedAt'])))
    .map((l) => l['id']);

let service: CopilotService;
let dataDir: string;

beforeAll(async () => {
  const work = await tempFolder('vigil-kbrowse-');
  dataDir = join(work, 'data');
  const file = join(work, 'team-kb.jsonl');
  await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  service = await CopilotService.open({ dataDir });
  const report = await service.importEntries(file);
  expect(report).toMatchObject({ imported: TOTAL, issues: [] });
}, 120_000);

afterAll(async () => {
  await service?.close();
});

async function allPages(request: Parameters<CopilotService['knowledge']['listEntries']>[0]): Promise<EntrySummary[]> {
  const items: EntrySummary[] = [];
  for (let offset = 0; ; ) {
    const page = await service.knowledge.listEntries({ ...request, offset });
    items.push(...page.items);
    if (!page.hasMore) return items;
    offset += page.items.length;
  }
}

describe('browsing the knowledge', () => {
  it('pages through every entry newest change first, 50 at a time, with counts per status', async () => {
    const first = await service.knowledge.listEntries({});
    expect(first.order).toBe('recent');
    expect(first.items).toHaveLength(50);
    expect(first.hasMore).toBe(true);
    expect(first.items.map((i) => i.id)).toEqual(expected(() => true).slice(0, 50));
    const byStatus = { approved: 0, proposed: 0, retired: 0 } as Record<string, number>;
    for (const l of lines) byStatus[l['status'] as string]! += 1;
    expect(first.counts).toEqual(byStatus);

    const every = await allPages({});
    expect(every.map((i) => i.id)).toEqual(expected(() => true));
    expect(new Set(every.map((i) => i.id)).size).toBe(TOTAL);
  });

  it('filters by status, kind and origin together, and counts for the kind and origin', async () => {
    const learnedQa = await allPages({ kind: 'qa', origin: 'learned', status: 'approved' });
    const want = expected((l) => l['kind'] === 'qa' && l['status'] === 'approved' && (l['source'] as { type?: string } | undefined)?.type === 'ticket');
    expect(want.length).toBeGreaterThan(100);
    expect(learnedQa.map((i) => i.id)).toEqual(want);
    expect(learnedQa.every((i) => i.kind === 'qa' && i.status === 'approved' && i.origin === 'learned')).toBe(true);

    const articles = await service.knowledge.listEntries({ kind: 'article', origin: 'imported' });
    const importedArticles = lines.filter((l) => l['kind'] === 'article' && !l['source']);
    expect(articles.counts.approved + articles.counts.proposed + articles.counts.retired).toBe(importedArticles.length);
    expect(articles.counts.retired).toBe(importedArticles.filter((l) => l['status'] === 'retired').length);

    const pack = await service.knowledge.listEntries({ origin: 'pack', limit: 5 });
    expect(pack.items.every((i) => i.origin === 'pack' && i.readOnly)).toBe(true);
  });

  it('filters by words with the search, over the statuses asked for', async () => {
    const page = await service.knowledge.listEntries({ text: 'badge reader', status: 'proposed', limit: 20 });
    expect(page.order).toBe('relevance');
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((i) => i.status === 'proposed')).toBe(true);
    expect(page.items[0]?.question ?? page.items[0]?.title).toContain('badge reader');
    const articles = await service.knowledge.listEntries({ text: 'mailbox full', kind: 'article' });
    expect(articles.items.length).toBeGreaterThan(0);
    expect(articles.items.every((i) => i.kind === 'article')).toBe(true);
  });
});

describe('an entry in detail', () => {
  it('shows where a learned entry came from, its feedback and its history', async () => {
    const id = 'e-00010'; // article, learned from rt-main:10
    await service.recordFeedback({ type: 'shown', ticketId: 'rt-main:900', entryIds: [id], actor: 'engine' });
    await service.recordFeedback({ type: 'liked', ticketId: 'rt-main:900', entryIds: [id], actor: 'ana' });
    const detail = await service.knowledge.entryDetail(id);
    expect(detail?.provenance).toMatchObject({ origin: 'learned', tickets: [{ id: 'rt-main:10', connector: 'rt-main' }], importedFrom: null });
    expect(detail?.feedback).toMatchObject({ shown: 1, liked: 1, disliked: 0 });
    expect(detail?.history).toEqual([]);
    expect(detail?.readOnly).toBeNull();

    const imported = await service.knowledge.entryDetail('e-00001');
    expect(imported?.provenance).toMatchObject({ origin: 'imported', importedFrom: 'team-kb.jsonl', tickets: [] });
    expect(imported?.feedback).toBeNull();
    const pack = await service.knowledge.entryDetail('e-00013');
    expect(pack?.provenance.pack).toEqual({ name: 'network-basics', version: '1.2.0' });
    expect(pack?.readOnly).toContain('network-basics 1.2.0 and is read-only');
    expect(await service.knowledge.entryDetail('no-such-entry')).toBeNull();
  });

  it('saves an edit as a new version by the analyst, searchable at once, and lists it first', async () => {
    const id = 'e-00002';
    const detail = await service.knowledge.reviseEntry(id, { question: 'Toner smudges on every printed page', answer: 'Replace the fuser unit; the toner is fine.', tags: ['printer', 'hardware', 'printer'] }, 'ana');
    expect(detail.content).toMatchObject({ question: 'Toner smudges on every printed page', body: 'Replace the fuser unit; the toner is fine.', tags: ['printer', 'hardware'], status: 'approved' });
    expect(detail.history.map((v) => `${v.version}:${v.action}:${v.actor}`)).toEqual(['1:baseline:store', '2:edited:ana']);
    expect(detail.history[0]?.content.question).toBe('Question 2: password expired again');
    const hits = await service.knowledge.searchKnowledge('toner smudges printed page');
    expect(hits[0]?.id).toBe(id);
    expect((await service.knowledge.listEntries({ limit: 1 })).items[0]?.id).toBe(id);
  });

  it('refuses an edit that breaks the entry format, naming the field, and changes nothing', async () => {
    const id = 'e-00004';
    const before = await service.knowledge.entryDetail(id);
    await expect(service.knowledge.reviseEntry(id, { answer: '   ' }, 'ana')).rejects.toThrow(/Entry e-00004 was not changed: answer: must not be empty/);
    await expect(service.knowledge.reviseEntry(id, { tags: ['x'.repeat(61)] }, 'ana')).rejects.toThrow(/tags: .* longer than 60 characters/);
    await expect(service.knowledge.reviseEntry('e-00013', { answer: 'New text' }, 'ana')).rejects.toThrow(/knowledge pack network-basics 1.2.0 and is read-only/);
    expect(await service.knowledge.entryDetail(id)).toEqual(before);
  });

  it('retires an entry out of search, approves it again, and restores an earlier version', async () => {
    const id = 'e-00008'; // qa about printer jams
    const query = 'Question 8: printer jams again';
    expect((await service.knowledge.searchKnowledge(query)).map((h) => h.id)).toContain(id);
    const retired = await service.knowledge.setEntryStatus(id, 'retired', 'ana', 'outdated since the new printers');
    expect(retired.content.status).toBe('retired');
    expect(retired.history.at(-1)).toMatchObject({ action: 'retired', actor: 'ana', note: 'outdated since the new printers' });
    expect((await service.knowledge.searchKnowledge(query)).map((h) => h.id)).not.toContain(id);
    expect((await service.knowledge.listEntries({ status: 'retired', limit: 1 })).items[0]?.id).toBe(id);

    const back = await service.knowledge.setEntryStatus(id, 'approved', 'omar');
    expect(back.content.status).toBe('approved');
    expect(back.provenance.approvedBy).toBe('omar');
    expect((await service.knowledge.searchKnowledge(query)).map((h) => h.id)).toContain(id);

    const edited = await service.knowledge.reviseEntry(id, { answer: 'Open tray 2 and remove the torn sheet.' }, 'ana');
    const beforeEdit = edited.history.at(-2)!;
    await service.learning.restoreEntry(id, beforeEdit.version, 'ana');
    const restored = await service.knowledge.entryDetail(id);
    expect(restored?.content.body).toBe('Answer 8: the usual fix for printer jams.');
    expect(restored?.history.at(-1)).toMatchObject({ action: 'restored', restoredFrom: beforeEdit.version });
  });
});
