/** Small closed tickets for the learning-loop tests. */
import type { Ticket } from '../../../core/formats/schemas';

/** A closed ticket: one customer message, the analyst's answer, an optional closing note. */
export function closedTicket(id: string, problem: string, answer: string, extra: Partial<Ticket> = {}): Ticket {
  return {
    id,
    status: 'solved',
    messages: [
      { id: '1', author: 'customer', text: problem },
      { id: '2', author: 'analyst', text: answer },
    ],
    ...extra,
  };
}

export const TRAVEL_ANSWER = 'Turn on travel mode in the app under Card settings, then retry the payment.';
