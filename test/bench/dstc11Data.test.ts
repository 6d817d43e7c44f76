import { expect, it } from 'vitest';
import { EntrySchema, TicketSchema } from '../../core/formats/schemas';
import { dstc11Conversations, dstc11Entries, dstc11EntityOf } from './dstc11Data';
import { describeWithData } from '../support/publicData';

describeWithData(['dstc11'], 'DSTC11 conversion', () => {
  it('makes every FAQ and review sentence a valid entry of its entity, with unique ids', () => {
    const entries = dstc11Entries();
    expect(entries).toHaveLength(2869 + 8013);
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    entries.slice(0, 50).forEach((e) => EntrySchema.parse(e));
    expect(dstc11EntityOf('dstc-hotel-20-review-9-4')).toBe('hotel-20');
  });

  it('splits the conversations by opening turn, so that no opening is in both halves, and labels point at entries', () => {
    const conversations = dstc11Conversations();
    expect(conversations).toHaveLength(4173);
    conversations.slice(0, 50).forEach((c) => TicketSchema.parse(c.ticket));
    const partOf = new Map<string, string>();
    for (const c of conversations) {
      const opening = c.ticket.messages[0]!.text.trim().toLowerCase();
      expect(partOf.get(opening) ?? c.part).toBe(c.part);
      partOf.set(opening, c.part);
    }
    const fit = conversations.filter((c) => c.part === 'fit').length;
    expect(fit / conversations.length).toBeGreaterThan(0.4);
    expect(fit / conversations.length).toBeLessThan(0.6);
    const ids = new Set(dstc11Entries().map((e) => e.id));
    for (const c of conversations.filter((x) => x.target)) expect(c.snippets.every((id) => ids.has(id))).toBe(true);
  });
});
