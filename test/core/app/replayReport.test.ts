import { describe, expect, it } from 'vitest';
import { emptyReplaySummary, type ReplaySummary, type ReplayTicketRecord } from '../../../core/app/replay';
import { HELP_BINS, renderReport, reportData } from '../../../core/app/replayReport';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const MIN = 60_000;

function record(id: string, over: Partial<ReplayTicketRecord>): ReplayTicketRecord {
  return {
    ticketId: id,
    firstAt: T0,
    firstHelpAt: null,
    analystFirstReplyAt: null,
    customerMessages: 1,
    spoke: 0,
    compared: 0,
    sameAsAnalyst: 0,
    learned: 0,
    entriesAfter: 0,
    reviewed: { kept: 0, modified: 0, retired: 0 },
    ...over,
  };
}

function summary(perTicket: ReplayTicketRecord[]): ReplaySummary {
  return {
    ...emptyReplaySummary({ mode: 'retrieval-only', reason: 'none' } as ReplaySummary['llm']),
    tickets: perTicket.length,
    customerMessages: perTicket.reduce((n, r) => n + r.customerMessages, 0),
    entriesLearned: 3,
    review: {
      tickets: 1,
      kept: 0,
      pending: 0,
      modified: 1,
      retired: 0,
      verdicts: [{ entryId: 'kb-<b>', action: 'modify', reason: 'the analyst dismissed it </script><img src=x>', judge: 'rules', ticketId: 'T-1', citedEntryId: 'kb-<b>' }],
      laterCitingModified: { shown: 0, sameAsAnalyst: 0 },
    },
    answers: { compared: 2, sameAsAnalyst: 1 },
    perTicket,
  };
}

describe('the what-if report', () => {
  it('counts how soon the copilot helped against the analyst’s first reply, per ticket', () => {
    const data = reportData(
      summary([
        record('T-1', { firstHelpAt: T0, analystFirstReplyAt: T0 + 7 * MIN, spoke: 1, compared: 1, sameAsAnalyst: 1, learned: 2, entriesAfter: 2 }),
        record('T-2', { firstHelpAt: T0 + 20 * MIN, analystFirstReplyAt: T0 + 90 * MIN, spoke: 1, compared: 1 }),
        record('T-3', { analystFirstReplyAt: T0 + 3 * MIN }),
        record('T-4', { firstAt: null }),
      ]),
      '/queues/march.jsonl',
    );
    expect(HELP_BINS).toEqual(['at once', '< 5 min', '5–15 min', '15–60 min', '≥ 1 h', 'never']);
    expect(data.firstHelp).toEqual({ copilot: [1, 0, 0, 1, 0, 1], analyst: [0, 1, 1, 0, 1, 0] });
    expect(data.totals).toMatchObject({ tickets: 4, ticketsHelped: 2, spoke: 2, compared: 2, sameAsAnalyst: 1, medianFirstHelpMin: 0, medianAnalystReplyMin: 7 });
    expect(data.ticketsFile).toBe('march.jsonl');
    expect(data.periods.map((p) => p.tickets)).toEqual([1, 1, 1, 1]);
  });

  it('keeps ticket text from breaking out of the page, and loads nothing from elsewhere', () => {
    const html = renderReport(reportData(summary([record('T-1', {})]), 'q.jsonl'), '/* chart library */');
    expect(html).not.toContain('</script><img');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x&gt;');
    expect(html).toContain(`content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/(src|href)=["']?https?:/i);
  });
});
