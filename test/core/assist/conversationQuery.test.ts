import { describe, expect, it } from 'vitest';
import { CONVERSATION_WEIGHTS, conversationQueries, focusText, namedSubjects, searchConversation } from '../../../core/assist/conversationQuery';
import type { KnowledgeSource, SourceHit } from '../../../core/assist/knowledgeSource';
import type { Message, Ticket } from '../../../core/formats/schemas';
import { stored } from '../../fixtures/storeEntries';

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

describe('a conversation that names no subject', () => {
  // The shape of an ABCD dialogue (MIT): the customer states the problem, the analyst asks for details, the customer
  // gives them. Guideline articles are titled by topic, one entry each, so no subject is named.
  const service = ticket(
    ['customer', 'I want to return a shirt, it is the wrong size.'],
    ['analyst', 'Sure, may I have your full name and account id?'],
    ['customer', 'Crystal Minh, account id 0451 for that order'],
  );
  const sizeReturn = stored({ id: 'return-size', kind: 'article', title: 'Return Due to Size (Product Defect)', body: 'Check the order, offer a refund or an exchange.' });
  const changeName = stored({ id: 'change-name', kind: 'article', title: 'Manage Change Name (Manage Account)', body: 'Ask for the full name and the account id.' });
  const others = (from: string): SourceHit['entry'][] => Array.from({ length: 8 }, (_, i) => stored({ id: `${from}-${i}`, kind: 'article', title: `Other topic ${from} ${i}`, body: 'Something else.' }));
  const [focusOthers, wholeOthers] = [others('focus'), others('whole')];
  const hit = (entry: SourceHit['entry']): SourceHit => ({ entry, similarity: 0.5, fused: 0.5, textRank: 0, vectorRank: 0 });
  // The details turn (with the analyst's question) matches the account article best; the customer's own words and
  // the whole conversation match the return, with the account article a few places down.
  const source: KnowledgeSource = {
    name: 'team',
    search: async (query) => {
      if (!query.includes('wrong size')) return [changeName, ...focusOthers, sizeReturn].map(hit); // the focus
      return [sizeReturn, ...wholeOthers.slice(0, 3), changeName, ...wholeOthers.slice(3)].map(hit); // whole, customer's
    },
  };

  it('keeps the customer’s problem first when the message only answers a question for details', async () => {
    const found = await searchConversation([source], service, 2, 5);
    expect(found.subjects).toEqual([]);
    expect(found.hits[0]?.entry.id).toBe('return-size');
    // With the weights of a conversation that names a subject, this message's focus would win.
    const asIfNamed = { ...CONVERSATION_WEIGHTS, unnamed: { focus: CONVERSATION_WEIGHTS.focus, whole: CONVERSATION_WEIGHTS.whole, customer: CONVERSATION_WEIGHTS.customer } };
    expect((await searchConversation([source], service, 2, 5, asIfNamed)).hits[0]?.entry.id).toBe('change-name');
  });
});
