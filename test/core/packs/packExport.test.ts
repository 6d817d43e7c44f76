import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../core/formats/schemas';
import { exportPack } from '../../../core/packs/packExport';
import { checkPack } from '../../../core/packs/packFormat';
import { redactText } from '../../../core/packs/packRedaction';
import { newKey } from './packFixtures';

const TEAM: Entry[] = [
  {
    id: 'qa-T-9',
    kind: 'qa',
    question: 'Customer jane.doe@example.com cannot log in from 10.20.30.40',
    body: 'Called her back on +44 20 7946 0958; the card 4111 1111 1111 1111 was blocked. Refund to IBAN GB82 WEST 1234 5698 7654 32 sent.',
    tags: ['login'],
    updatedAt: '2026-03-05T00:00:00Z',
    status: 'approved',
    provenance: { sourceTicketIds: ['T-9'], createdAt: '2026-03-05T00:00:00Z', approvedBy: 'alice' },
  },
  { id: 'kb-vpn', kind: 'article', title: 'VPN 2.4.1 client', body: 'Since 2026-02-01 the client needs version 2.4.1; call 555-0100 for the desk.', tags: ['vpn'], updatedAt: '2026-02-01T00:00:00Z', status: 'approved' },
  { id: 'kb-old', kind: 'article', body: 'Retired advice about Acme Corp.', tags: ['vpn'], status: 'retired', updatedAt: '2026-01-01T00:00:00Z' },
  { id: 'kb-draft', kind: 'article', body: 'Proposed only.', tags: ['vpn'], status: 'proposed', updatedAt: '2026-03-01T00:00:00Z' },
];

describe('exporting team knowledge as a pack', () => {
  it('takes approved entries only, drops review data, redacts personal data and signs the pack', async () => {
    const key = newKey();
    const result = await exportPack(TEAM, { name: 'helpdesk', version: '1.0.0', team: 'desk', privateKey: key.privateKey });
    expect(result).toMatchObject({ considered: 4, selected: 2 });
    const pack = checkPack(result.bytes, 'helpdesk.vpack');
    expect(pack.entries.map((e) => e.entry.id)).toEqual(['kb-vpn', 'qa-T-9']);
    const qa = pack.entries[1]!.entry;
    expect(qa).not.toHaveProperty('status');
    expect(qa).not.toHaveProperty('provenance');
    expect(qa.question).toBe('Customer [email] cannot log in from [ip]');
    expect(qa.body).toBe('Called her back on [phone]; the card [card] was blocked. Refund to IBAN [iban] sent.');
    // Dates, versions and short numbers are not personal data.
    expect(pack.entries[0]!.entry.body).toBe('Since 2026-02-01 the client needs version 2.4.1; call 555-0100 for the desk.');
    expect(result.redacted).toEqual([{ id: 'qa-T-9', counts: { email: 1, ip: 1, phone: 1, card: 1, iban: 1 } }]);
  });

  it('filters by tag, status and date, and redacts listed terms', async () => {
    const result = await exportPack(TEAM, {
      name: 'vpn',
      version: '1.0.0',
      team: 'desk',
      filters: { tags: ['vpn'], statuses: ['approved', 'retired'], since: '2026-01-01', until: '2026-02-15' },
      redactTerms: ['Acme Corp'],
    });
    const pack = checkPack(result.bytes, 'vpn.vpack', { allowUnsigned: true });
    expect(pack.entries.map((e) => e.entry.id)).toEqual(['kb-old', 'kb-vpn']);
    expect(pack.entries[0]!.entry.body).toBe('Retired advice about [redacted].');
    await expect(exportPack(TEAM, { name: 'x', version: '1.0.0', team: 't', filters: { since: 'yesterday' } })).rejects.toThrow(/--since: "yesterday" is not a date/);
  });

  it('can leave the text as it is when the admin turns redaction off', async () => {
    const result = await exportPack(TEAM.slice(0, 1), { name: 'raw', version: '1.0.0', team: 't', redact: false });
    expect(checkPack(result.bytes, 'raw.vpack', { allowUnsigned: true }).entries[0]!.entry.question).toContain('jane.doe@example.com');
    expect(result.redacted).toEqual([]);
  });

  it('gives the same bytes for the same knowledge, whatever order it is read in', async () => {
    const options = { name: 'same', version: '1.0.0', team: 't', created: '2026-03-01T00:00:00Z' };
    const a = await exportPack(TEAM, options);
    const b = await exportPack([...TEAM].reverse(), options);
    expect(a.bytes.equals(b.bytes)).toBe(true);
  });

  it('leaves card-like numbers that fail the Luhn check alone', () => {
    expect(redactText('order 4111 1111 1111 1112 shipped')).toBe('order 4111 1111 1111 1112 shipped');
  });

  it('refuses to make a pack larger than an install accepts', async () => {
    await expect(exportPack(TEAM, { name: 'big', version: '1.0.0', team: 't', maxBytes: 500 })).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/^Pack big 1\.0\.0 would be \d+ bytes \(2 entries\), more than the 500 an install accepts\. Split it/),
    });
  });
});
