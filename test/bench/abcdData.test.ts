import { expect, it } from 'vitest';
import { EntrySchema, TicketSchema } from '../../core/formats/schemas';
import { abcdArticles, abcdTickets } from './abcdData';
import { describeWithData } from '../support/publicData';

describeWithData(['abcd'], 'ABCD conversion', () => {
  it('makes one valid article per subflow, with unique ids and the steps in order', () => {
    const articles = abcdArticles();
    expect(articles).toHaveLength(55);
    expect(new Set(articles.map((a) => a.id)).size).toBe(55);
    articles.forEach((a) => EntrySchema.parse(a));
    const refund = articles.find((a) => a.id === 'abcd-refund-status');
    expect(refund?.title).toMatch(/^Refund Status \(Product Defect/);
    expect(refund?.body).toMatch(/^1\. /m);
  });

  it('turns the sample dialogues into closed tickets with customer, analyst and system messages', () => {
    const tickets = abcdTickets();
    expect(tickets.map((t) => t.id)).toEqual(['abcd-3592', 'abcd-9489', 'abcd-3695']);
    tickets.forEach((t) => TicketSchema.parse(t));
    expect(new Set(tickets.flatMap((t) => t.messages.map((m) => m.author)))).toEqual(new Set(['customer', 'analyst', 'system']));
  });
});
