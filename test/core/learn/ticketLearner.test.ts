import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../../core/formats/schemas';
import { learnFromTicket, resolutionOf } from '../../../core/learn/ticketLearner';

const ticket: Ticket = {
  id: 'T-77',
  subject: 'Card declined abroad',
  status: 'solved',
  tags: ['cards'],
  messages: [
    { id: '1', author: 'customer', text: 'Hi,\nmy card 4111 was declined in Spain, order 99887766.\nThanks,\nAna' },
    { id: '2', author: 'analyst', text: 'Thanks Ana, checking.' },
    { id: '3', author: 'analyst', text: 'Travel mode was off. Turn on travel mode in the app under Card settings, then retry.' },
    { id: '4', author: 'customer', text: 'It works now, thanks!' },
  ],
};

describe('learning from a closed ticket', () => {
  it('keeps the case and a Q&A of problem and resolution, with provenance and no identifiers', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    const { entries, skippedQa } = learnFromTicket(ticket, 'auto', now);
    expect(skippedQa).toBeNull();
    const [kase, qa] = entries;
    expect(kase).toMatchObject({ id: 'case-T-77', kind: 'case', status: 'approved', source: { type: 'ticket', ref: 'T-77' } });
    expect(qa).toMatchObject({ id: 'qa-T-77', kind: 'qa', body: 'Travel mode was off. Turn on travel mode in the app under Card settings, then retry.' });
    expect(qa?.question).toMatch(/declined in Spain/);
    expect(qa?.question).not.toMatch(/99887766|Ana|Thanks/);
    expect(qa?.provenance).toEqual({ sourceTicketIds: ['T-77'], createdAt: now.toISOString(), approvedBy: 'policy:auto', approvedAt: now.toISOString() });
  });

  it('prefers the closing note over the last analyst message', () => {
    expect(resolutionOf({ ...ticket, resolution: 'Enabled travel mode.' })).toBe('Enabled travel mode.');
  });

  it('proposes instead of approving under the review policy', () => {
    const { entries } = learnFromTicket(ticket, 'review');
    expect(entries.every((e) => e.status === 'proposed' && e.provenance.approvedBy === null)).toBe(true);
  });

  it('learns no Q&A from a promise or from a ticket without an answer', () => {
    const promise = learnFromTicket({ ...ticket, resolution: "We'll look into it and get back to you." }, 'auto');
    expect(promise.entries.map((e) => e.kind)).toEqual(['case']);
    expect(promise.skippedQa).toMatch(/promises/);
    const unanswered = learnFromTicket({ ...ticket, messages: [ticket.messages[0]!] }, 'auto');
    expect(unanswered.entries.map((e) => e.kind)).toEqual(['case']);
    expect(unanswered.skippedQa).toMatch(/no resolution/);
  });
});
