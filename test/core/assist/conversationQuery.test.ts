import { describe, expect, it } from 'vitest';
import { conversationQueries, focusText, namedSubjects } from '../../../core/assist/conversationQuery';
import type { Message, Ticket } from '../../../core/formats/schemas';

function ticket(...turns: Array<[Message['author'], string]>): Ticket {
  return { id: 'T-1', status: 'open', messages: turns.map(([author, text], i) => ({ id: String(i + 1), author, text })) };
}

// The shape of a DSTC11 validation conversation (CDLA-Sharing 1.0): the agent names the place, the user asks about it.
const dialogue = ticket(
  ['customer', 'I need a cheap hotel in the west with free parking.'],
  ['analyst', 'The Cambridge Belfry is cheap and has free parking. Shall I book it?'],
  ['customer', 'Not yet.'],
  ['system', 'Availability checked.'],
  ['analyst', 'Anything else I can do?'],
  ['customer', 'Does it have a good view?'],
);

describe('what is searched after a customer message', () => {
  it('focuses on the message and the analyst turn it answers', () => {
    expect(focusText(dialogue, 5)).toBe('Anything else I can do?\nDoes it have a good view?');
    expect(focusText(dialogue, 0)).toBe('I need a cheap hotel in the west with free parking.');
  });

  it('searches a first message as before, by itself', () => {
    expect(conversationQueries(dialogue, 0)).toEqual([{ text: 'I need a cheap hotel in the west with free parking.', weight: 1 }]);
  });

  it('weighs the focus against the whole conversation, analyst turns included, and the customer’s messages', () => {
    const queries = conversationQueries(dialogue, 5);
    expect(queries.map((q) => q.text)).toEqual([
      'Anything else I can do?\nDoes it have a good view?',
      expect.stringContaining('The Cambridge Belfry is cheap'),
      expect.not.stringContaining('Belfry'),
    ]);
    expect(queries[1]!.text).not.toContain('Availability checked'); // system notes are not the conversation
    expect(queries[0]!.weight).toBeGreaterThan(queries[1]!.weight);
  });

  it('searches with the weights it is given (a bench grids them)', () => {
    const queries = conversationQueries(dialogue, 5, { focus: 0.5, whole: 1, customer: 0, subject: 3 });
    // "Does it have a good view?" has 2 content words of the 3 that get the whole focus.
    expect(queries.map((q) => q.weight)).toEqual([0.5 * (2 / 3), 1, 0]);
  });

  it('gives a message with few words of its own less focus', () => {
    const short = ticket(['customer', 'My VPN drops every few minutes at the hotel.'], ['analyst', 'What is your username?'], ['customer', 'cminh730']);
    const full = conversationQueries(dialogue, 5)[0]!.weight;
    expect(conversationQueries(short, 2)[0]!.weight).toBeLessThan(full);
  });
});

describe('the subject the conversation names', () => {
  // One title per candidate entry: every place has a FAQ and a review among the candidates.
  const titles = ['THE CAMBRIDGE BELFRY', 'CAMBRIDGE GUEST HOUSE', 'CAMBRIDGE LODGE', 'ACORN GUEST HOUSE', 'ALLENBELL GUEST HOUSE', 'HAMILTON LODGE', 'ARBURY LODGE'].flatMap(
    (name) => [name, `${name} (review)`],
  );

  it('is the title named most recently, by the analyst as well as the customer', () => {
    expect(namedSubjects(dialogue, 5, titles)).toEqual(['THE CAMBRIDGE BELFRY']);
    const later = ticket(...dialogue.messages.map((m): [Message['author'], string] => [m.author, m.text]), ['analyst', 'Acorn Guest House is another option.'], ['customer', 'Is it quiet?']);
    expect(namedSubjects(later, 7, titles)).toEqual(['ACORN GUEST HOUSE']);
  });

  it('is not named by words that several titles share', () => {
    const generic = ticket(['customer', 'Is there a guest house or a lodge in Cambridge with a view?'], ['analyst', 'Let me check.'], ['customer', 'Is it quiet?']);
    expect(namedSubjects(generic, 2, titles)).toBeNull();
  });

  it('is not a topic that titles one entry alone, whose word a turn happens to say', () => {
    // The shape of an ABCD dialogue (MIT): guideline articles titled by topic, and the analyst asking for details.
    const topics = ['Return Due to Size (Product Defect)', 'Manage Change Name (Manage Account)', 'Manage Change Phone (Manage Account)', 'Membership FAQ (Storewide Query)'];
    const details = ticket(['customer', 'I need to return an item due to its size.'], ['analyst', 'Sure, may I have your name please?'], ['customer', 'Crystal Minh']);
    expect(namedSubjects(details, 2, topics)).toBeNull();
    // The same title held by several entries names a subject.
    expect(namedSubjects(details, 2, [...topics, 'Return Due to Size (review)'])).toEqual(['Return Due to Size']);
  });

  it('is named by earlier turns only: a name in this message is in its own query already', () => {
    const now = ticket(['customer', 'Is the Acorn Guest House quiet?']);
    expect(namedSubjects(now, 0, titles)).toBeNull();
  });
});
