import { describe, expect, it } from 'vitest';
import type { AuditRecordView } from '../../../../../../renderer/src/api/contractTypes';
import { describeAuditRow, redactionText, rollbackConsequences, valueText, whenText } from '../../../../../../renderer/src/store/copilot/slices/privacy/selectors';

const record = (over: Partial<AuditRecordView>): AuditRecordView => ({ offset: 0, seq: 1, at: '2026-11-22T10:00:00Z', type: 'admin', hash: null, fields: {}, known: true, ...over });

describe('the audit view’s words', () => {
  it('describes a record of a kind it does not know by its name and every field', () => {
    const row = describeAuditRow(record({ type: 'pack_verified', known: false, fields: { pack: 'network-basics', version: '1.2.0', entries: 42, signers: ['a', 'b'], meta: { ok: true } } }));
    expect(row.title).toBe('pack verified (a kind this version does not describe)');
    expect(row.details).toEqual([
      { label: 'pack', value: 'network-basics' },
      { label: 'version', value: '1.2.0' },
      { label: 'entries', value: '42' },
      { label: 'signers', value: 'a, b' },
      { label: 'meta', value: 'ok=true' },
    ]);
  });

  it('says what an LLM call used, without its prompt', () => {
    const row = describeAuditRow(
      record({
        type: 'llm_call',
        fields: { purpose: 'draft', model: 'llama3.2:3b', ticketId: 'T-9', entryIds: ['kb-1'], redactions: { email: 1 }, promptChars: 1800, responseChars: 240, outcome: 'ok', durationMs: 419.6, error: null },
      }),
    );
    expect(row.title).toBe('LLM call for draft: ok');
    expect(row.details).toEqual([
      { label: 'Model', value: 'llama3.2:3b' },
      { label: 'Ticket', value: 'T-9' },
      { label: 'Entries', value: 'kb-1' },
      { label: 'Redacted', value: 'email 1' },
      { label: 'Prompt', value: '1800 characters' },
      { label: 'Answer', value: '240 characters' },
      { label: 'Took', value: '420 ms' },
    ]);
  });

  it('falls back to the fields when a known kind has an unexpected shape', () => {
    const row = describeAuditRow(record({ type: 'suggestion', known: false, fields: { ticketId: 'T-1', extra: 'x' } }));
    expect(row.title).toBe('suggestion (a kind this version does not describe)');
    expect(row.details.map((d) => d.label)).toEqual(['ticketId', 'extra']);
  });

  it('shows redaction counts that are not zero, and cuts long values', () => {
    expect(redactionText({ email: 2, phone: 0, name: 1 })).toBe('email 2, name 1');
    expect(redactionText({ email: 0 })).toBe('none');
    expect(valueText('x'.repeat(500))).toHaveLength(160);
    expect(valueText([])).toBe('none');
    expect(valueText(null)).toBe('—');
  });

  it('says when, and what a rollback undoes', () => {
    expect(whenText('2026-11-22T08:00:00.000Z', Date.parse('2026-11-22T10:00:00Z'))).toBe('2026-11-22 08:00:00 UTC (2 h ago)');
    const lines = rollbackConsequences({ snapshot: { name: 's', reason: '', createdAt: '2026-11-22T08:00:00Z', automatic: false, tables: 1 }, entriesAddedSince: 1, newerSnapshots: 2 });
    expect(lines).toContain('1 entry learned or imported since then will be gone, and approvals, edits and retirements made since are undone.');
    expect(lines).toContain('2 newer snapshots stay available.');
    expect(lines.at(-1)).toContain('before-rollback-');
  });
});
