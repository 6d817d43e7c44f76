import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PromptRedactor } from '../../../core/privacy/promptRedaction';
import { peopleNamesIn } from '../../../core/text/peopleNames';
import type { Ticket } from '../../../core/formats/schemas';
import { thread } from '../../fixtures/tickets';

/** Acronyms of products and protocols: never a person's name, whatever the greeting before them. */
const acronym = fc.stringMatching(/^[A-Z]{2,5}$/);
/** A capitalised noun ("Outlook", "Teams", "Zorvex"). */
const capitalisedNoun = fc.stringMatching(/^[A-Z][a-z]{2,9}$/);
const problem = fc.constantFrom('connection keeps dropping', 'login fails every morning', 'client shows an error after the update', 'is very slow today');
const firstName = fc.constantFrom('Ana', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', "O'Neil", 'Keiko');
const greeting = fc.constantFrom('Hi', 'Hello', 'Hey', 'Dear', 'Thanks', 'Thank you');

const ticketOf = (...texts: string[]): Ticket => thread({ id: 'T-1', status: 'closed' }, ...texts);

describe('the people named in a ticket', () => {
  it('finds the people of a ticket: requester, greetings, sign-offs, introductions', () => {
    const ticket = thread(
      { id: 'T-1', status: 'closed', requester: 'Ana Lopez' },
      'My name is Carla Diaz and my card is blocked.\nThanks,\nCarla',
      'Hi Carla, unblock it under Card settings.',
    );
    expect(peopleNamesIn(ticket).sort()).toEqual(['Ana', 'Carla', 'Diaz', 'Lopez']);
  });

  it('takes no product for a name: "Hi, my VPN connection keeps dropping" names nobody (issue 17)', () => {
    expect(peopleNamesIn(ticketOf('Hi, my VPN connection keeps dropping'))).toEqual([]);
    expect(peopleNamesIn(ticketOf('Hello, SSO login fails since the update'))).toEqual([]);
    expect(peopleNamesIn(ticketOf('Hi Outlook keeps crashing when I open a calendar'))).toEqual([]);
  });

  it('finds a name greeted without punctuation: "Hi Ana thanks" (issue 17)', () => {
    expect(peopleNamesIn(ticketOf('Hi Ana thanks'))).toEqual(['Ana']);
    expect(peopleNamesIn(ticketOf('Hi Ana thank you, that fixed it'))).toEqual(['Ana']);
    expect(peopleNamesIn(ticketOf('Hello Ana Lopez thanks for the quick reply'))).toEqual(['Ana', 'Lopez']);
    expect(peopleNamesIn(ticketOf('Hi Ana Thanks'))).toEqual(['Ana']);
  });

  it('keeps "Outlook" in "Hi Outlook keeps crashing" and still removes Sarah from "Hi Sarah, my laptop won\'t boot" before a prompt', () => {
    const redacted = (text: string): string => {
      const ticket = ticketOf(text);
      return new PromptRedactor(ticket, peopleNamesIn(ticket)).redact(text);
    };
    expect(redacted('Hi Outlook keeps crashing when I open attachments')).toBe('Hi Outlook keeps crashing when I open attachments');
    expect(redacted("Hi Sarah, my laptop won't boot")).toBe("Hi [NAME], my laptop won't boot");
  });

  it('takes no product for a name when a thanks follows it: "Hi, Outlook thanks to the update crashes", "Hi Outlook thanks" with "in Outlook" later', () => {
    expect(peopleNamesIn(ticketOf('Hi, Outlook thanks to the last update crashes when I open attachments'))).toEqual([]);
    expect(peopleNamesIn(ticketOf('Hi Outlook thanks', 'It crashes whenever I open an attachment in Outlook.'))).toEqual([]);
    expect(peopleNamesIn(ticketOf('Hi Teams thank you, my Teams client froze again'))).toEqual([]);
    // "thanks to you" still thanks the person; an "outlook" in lower case says nothing about the capitalised word.
    expect(peopleNamesIn(ticketOf('Hi Sarah thanks to you it works'))).toEqual(['Sarah']);
    expect(peopleNamesIn(ticketOf('Hi Grace thanks', 'The outlook for the fix is good, the grace period ends Monday.'))).toEqual(['Grace']);
  });

  it('takes a greeted word for a product when the ticket says "my …", "the …" or "in …" before it, and keeps greeted people (property)', () => {
    const thing = fc.constantFrom('my', 'the', 'your', 'in', 'our');
    fc.assert(
      fc.property(greeting, capitalisedNoun, firstName, thing, problem, (hi, product, name, before, rest) => {
        fc.pre(product !== name);
        expect(peopleNamesIn(ticketOf(`${hi} ${product} thanks`, `${before} ${product} ${rest}`))).toEqual([]);
        expect(peopleNamesIn(ticketOf(`${hi} ${name} thanks`, `${before} ${product} ${rest}`))).toEqual([name]);
      }),
    );
  });

  it('keeps product acronyms and capitalised nouns after a greeting, with or without a thanks after them (property)', () => {
    fc.assert(
      fc.property(greeting, fc.oneof(acronym, capitalisedNoun), problem, (hi, product, rest) => {
        expect(peopleNamesIn(ticketOf(`${hi}, my ${product} ${rest} thanks`))).toEqual([]);
        expect(peopleNamesIn(ticketOf(`${hi} my ${product} thanks`))).toEqual([]);
      }),
    );
  });

  it('finds a first name greeted with a bare thanks after it (property)', () => {
    fc.assert(
      fc.property(greeting, firstName, fc.constantFrom('thanks', 'thank you', 'cheers'), (hi, name, thanks) => {
        expect(peopleNamesIn(ticketOf(`${hi} ${name} ${thanks}`))).toEqual([name]);
      }),
    );
  });

  it('keeps product acronyms and capitalised nouns after a greeting (property)', () => {
    fc.assert(
      fc.property(greeting, fc.oneof(acronym, capitalisedNoun), problem, (hi, product, rest) => {
        expect(peopleNamesIn(ticketOf(`${hi}, my ${product} ${rest}`))).toEqual([]);
        expect(peopleNamesIn(ticketOf(`${hi} ${product} ${rest}.`))).toEqual([]);
      }),
    );
  });

  it('still finds a real name addressed in a greeting or signing a message (property)', () => {
    fc.assert(
      fc.property(greeting, firstName, fc.oneof(acronym, capitalisedNoun), problem, (hi, name, product, rest) => {
        expect(peopleNamesIn(ticketOf(`my ${product} ${rest}`, `${hi} ${name}, restart the ${product} client.`))).toEqual([name]);
        expect(peopleNamesIn(ticketOf(`${hi},\nmy ${product} ${rest}.\nRegards,\n${name}`))).toEqual([name]);
      }),
    );
  });
});
