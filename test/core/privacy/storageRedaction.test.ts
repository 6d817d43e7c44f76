import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../../core/formats/schemas';
import { redactTextForStorage, redactTicketForStorage } from '../../../core/privacy/storageRedaction';

const ticket = {
  id: 'imap:CAH7x9@mail.example.com',
  subject: 'Double charge — Jonas Berger',
  status: 'open',
  requester: 'Jonas Berger <jonas.berger@example.de>',
  team: 'Billing',
  tags: ['refund', 'vip:jonas.berger@example.de'],
  createdAt: '2026-11-22T09:00:00Z',
  messages: [
    { id: '<m1@mail.example.com>', author: 'customer', at: '2026-11-22T09:00:00Z', internal: false, from: 'jonas.berger@example.de', text: 'Card 5555 5555 5555 4444 was charged twice. Jonas' },
    { id: 'm2', author: 'analyst', text: 'Refunded, Jonas. Order 2026-1187 is fine.' },
  ],
  crm: { contact: { phone: '+49 30 12345678', note: 'prefers e-mail' } },
} as unknown as Ticket;

describe('redaction before storage of a whole ticket', () => {
  it('redacts every text, fields a connector added included, and keeps ids, status, authors and times', () => {
    const before = JSON.stringify(ticket);
    const { ticket: stored, counts } = redactTicketForStorage(ticket);
    const json = JSON.stringify(stored);
    expect(json).not.toMatch(/Jonas|Berger|jonas\.berger@|5555 5555|12345678/);
    expect(stored).toMatchObject({
      id: 'imap:CAH7x9@mail.example.com',
      status: 'open',
      createdAt: '2026-11-22T09:00:00Z',
      requester: '[NAME] <[EMAIL]>',
      subject: 'Double charge — [NAME]',
      team: 'Billing',
      tags: ['refund', 'vip:[EMAIL]'],
      crm: { contact: { phone: '[PHONE]', note: 'prefers e-mail' } },
    });
    expect(stored.messages[0]).toEqual({ id: '<m1@mail.example.com>', author: 'customer', at: '2026-11-22T09:00:00Z', internal: false, from: '[EMAIL]', text: 'Card [CARD] was charged twice. [NAME]' });
    expect(stored.messages[1]).toEqual({ id: 'm2', author: 'analyst', text: 'Refunded, [NAME]. Order 2026-1187 is fine.' });
    expect(counts).toMatchObject({ card: 1, phone: 1 });
    expect(JSON.stringify(ticket)).toBe(before); // the live ticket is untouched
  });

  it('stores no card number written in full-width digits or split by zero-width spaces', () => {
    const attack = { ...ticket, messages: [{ id: 'm1', author: 'customer', text: 'Cards ５５５５ ５５５５ ５５５５ ４４４４ and 4\u200B111 1111 1111 1111' }] } as unknown as Ticket;
    const { ticket: stored, counts } = redactTicketForStorage(attack);
    expect(stored.messages[0]!.text).toBe('Cards [CARD] and [CARD]');
    expect(counts.card).toBe(2);
  });

  it('removes the names it is given from other text', () => {
    expect(redactTextForStorage('Hi Ana Lopez, call +44 20 7946 0958', ['Ana Lopez', null])).toBe('Hi [NAME], call [PHONE]');
  });
});
