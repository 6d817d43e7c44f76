import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../../core/formats/schemas';
import { extractWithRules } from '../../../core/learn/ruleExtractor';
import { thread } from '../../fixtures/tickets';

const printer = thread(
  { id: 'T-300', subject: 'Printer offline', status: 'solved', requester: 'Ben Ortiz' },
  'Hello,\nthe office printer shows offline since 2026-03-02 on my laptop.\nRegards,\nBen',
  'Which laptop model do you use?',
  'A ThinkPad T14.',
  'Hi Ben, remove the printer under Settings > Printers, then add it again by its IP address. Let me know if it helps!',
  'That worked. Also, how do I print double-sided by default?',
  'Open Printing preferences, choose the Layout tab and set Print on both sides as the default.',
  'Perfect, thanks!',
);

describe('the rule-based extractor', () => {
  it('learns the problem with its resolution, clean of names, dates and pleasantries', () => {
    const { candidates } = extractWithRules({ ...printer, messages: printer.messages.slice(0, 5) });
    expect(candidates).toHaveLength(1);
    const [main] = candidates;
    expect(main?.question).toMatch(/printer shows offline/);
    expect(main?.question).not.toMatch(/Ben|2026|Regards|Hello/);
    // The customer's reply to the analyst's question is a detail, not the problem.
    expect(main?.question).not.toMatch(/ThinkPad/);
    expect(main?.answer).toBe('Remove the printer under Settings > Printers, then add it again by its IP address.');
    // The customer confirmed it worked afterwards.
    expect(main?.confidence).toBeCloseTo(0.7);
    expect(main).toMatchObject({ sourceTicketId: 'T-300', origin: 'rules', askedInMessageId: '1' });
  });

  it('learns a later question no suggestion answered, with the analyst reply that answered it: one problem per entry', () => {
    const { candidates } = extractWithRules(printer);
    expect(candidates.map((c) => c.askedInMessageId)).toEqual(['1', '5']);
    const later = candidates[1];
    expect(later?.question).toMatch(/print double-sided by default/);
    expect(later?.answer).toMatch(/^Open Printing preferences, choose the Layout tab/);
    // Each problem keeps its own answer: the first one the reply before the new question.
    expect(candidates[0]?.answer).toMatch(/^Remove the printer under Settings/);
    const withNote = extractWithRules({ ...printer, resolution: 'Removed and re-added the printer by its IP address.' });
    expect(withNote.candidates.map((c) => c.answer)).toEqual([
      'Removed and re-added the printer by its IP address.',
      'Open Printing preferences, choose the Layout tab and set Print on both sides as the default.',
    ]);
  });

  it('skips questions a suggestion already answered (the analyst used it)', () => {
    const { candidates } = extractWithRules(printer, { answeredBySuggestion: new Set(['5']) });
    expect(candidates.map((c) => c.askedInMessageId)).toEqual(['1']);
    const none = extractWithRules(printer, { answeredBySuggestion: new Set(['1', '5']) });
    expect(none.candidates).toEqual([]);
    expect(none.skipped).toMatch(/suggestion already answered/);
  });

  it('falls back from a terse closing note to the analyst reply, but never from a promise', () => {
    const terse = extractWithRules({ ...printer, messages: printer.messages.slice(0, 4), resolution: 'Fixed.' });
    expect(terse.candidates[0]?.answer).toMatch(/^Remove the printer/);
    const promise = extractWithRules({ ...printer, messages: printer.messages.slice(0, 4), resolution: "We'll look into it." });
    expect(promise.candidates).toEqual([]);
    expect(promise.skipped).toMatch(/promises, hedges or hands off/);
    expect(promise.rejected[0]?.issues.map((i) => i.problem)).toContain('non_answer');
  });

  it('keeps product names in learned text: "Hi, my VPN connection keeps dropping" stays about the VPN (issue 17)', () => {
    const ticket = thread(
      { id: 'T-17', subject: 'Drops every few minutes', status: 'solved' },
      'Hi, my VPN connection keeps dropping every few minutes.\nThanks,\nAna',
      'Hi Ana, lower the tunnel MTU to 1380 in the VPN client settings, then reconnect.',
    );
    const [entry] = extractWithRules(ticket).candidates;
    expect(entry?.question).toBe('Drops every few minutes my VPN connection keeps dropping every few minutes.');
    expect(entry?.answer).toBe('Lower the tunnel MTU to 1380 in the VPN client settings, then reconnect.');
  });

  it('keeps acronyms and capitalised product nouns after "Hi, my", and removes the names of greetings and signatures (property)', () => {
    const product = fc.oneof(fc.stringMatching(/^[A-Z]{2,5}$/), fc.constantFrom('Outlook', 'Teams', 'Zoom', 'Jira', 'Slack', 'Okta', 'Windows'));
    const name = fc.constantFrom('Ana', 'Ben', 'Carla', 'Elena', 'Farid', 'Keiko');
    fc.assert(
      fc.property(product, name, (p, n) => {
        const ticket: Ticket = {
          id: 'T-1',
          status: 'solved',
          messages: [
            { id: '1', author: 'customer', text: `Hi, my ${p} login fails with an error every morning.\nRegards,\n${n}` },
            { id: '2', author: 'analyst', text: `Hi ${n}, clear the ${p} token cache under Settings, then sign in again.` },
          ],
        };
        const [entry] = extractWithRules(ticket).candidates;
        expect(entry?.question).toBe(`My ${p} login fails with an error every morning.`);
        expect(entry?.answer).toBe(`Clear the ${p} token cache under Settings, then sign in again.`);
      }),
    );
  });

  it('learns an analyst reply that answers and then offers more as the resolution, without the offer', () => {
    const ticket = thread(
      { id: 'T-18', status: 'solved' },
      'Outlook asks for my password again every hour.',
      'Which Outlook version do you use?',
      'The new Outlook for Windows.',
      'Remove the saved credentials in Credential Manager, then sign in again. Did that help? Anything else I can do?',
    );
    const [entry] = extractWithRules(ticket).candidates;
    expect(entry?.answer).toBe('Remove the saved credentials in Credential Manager, then sign in again.');
    expect(entry?.path).toEqual([
      { author: 'analyst', text: 'Which Outlook version do you use?' },
      { author: 'customer', text: 'The new Outlook for Windows.' },
    ]);
  });
});
