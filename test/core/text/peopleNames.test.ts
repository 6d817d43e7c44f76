import { describe, expect, it } from 'vitest';
import { peopleNamesIn } from '../../../core/text/peopleNames';
import type { Ticket } from '../../../core/formats/schemas';

describe('the people named in a ticket', () => {
  it('finds the people of a ticket: requester, greetings, sign-offs, introductions', () => {
    const ticket: Ticket = {
      id: 'T-1',
      status: 'closed',
      requester: 'Ana Lopez',
      messages: [
        { id: '1', author: 'customer', text: 'My name is Carla Diaz and my card is blocked.\nThanks,\nCarla' },
        { id: '2', author: 'analyst', text: 'Hi Carla, unblock it under Card settings.' },
      ],
    };
    expect(peopleNamesIn(ticket).sort()).toEqual(['Ana', 'Carla', 'Diaz', 'Lopez']);
  });
});
