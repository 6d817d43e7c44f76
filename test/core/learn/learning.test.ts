import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import type { Ticket } from '../../../core/formats/schemas';
import { firstQuestionId } from '../../../core/learn/learning';

const open: CopilotService[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const ANSWER = 'Open the VPN client settings and tick Connect at startup, then sign in again.';

async function service(): Promise<{ s: CopilotService; advance: (minutes: number) => void }> {
  let now = Date.parse('2026-03-01T09:00:00Z');
  const s = await CopilotService.open({ dataDir: await tempFolder('vigil-during-'), clock: () => new Date(now) });
  open.push(s);
  return { s, advance: (minutes) => (now += minutes * 60_000) };
}

function conversation(...messages: Array<[Ticket['messages'][number]['author'], string]>): Ticket {
  return { id: 'T-1', status: 'open', messages: messages.map(([author, text], i) => ({ id: `m${i + 1}`, author, text })) };
}

describe('learning during the ticket', () => {
  it('flags the conversation’s first question', () => {
    expect(firstQuestionId(conversation(['analyst', 'Hello, how can I help?'], ['customer', 'How do I start the VPN at login?'], ['customer', 'And the printer?']))).toBe('m2');
    expect(firstQuestionId(conversation(['analyst', 'Hello']))).toBeNull();
  });

  it('learns an unanswered first question from the humans’ answer after 20 minutes of further conversation, for review by default', async () => {
    const { s, advance } = await service();
    const first = conversation(['customer', 'How do I make the VPN start automatically at login?']);
    const decision = await s.assistOnMessage(first, 0); // an empty knowledge base: nothing to show
    expect(decision.shown).toBe(false);
    advance(5);
    s.learning.noteActivity(conversation(['customer', 'How do I make the VPN start automatically at login?'], ['analyst', ANSWER]));
    advance(14);
    expect(await s.learning.learnDuringTickets('team')).toEqual([]);
    advance(1);
    const [learned] = await s.learning.learnDuringTickets('team');
    expect(learned).toMatchObject({ ticketId: 'T-1', messageId: 'm1', entryIds: ['qa-T-1'], statusById: { 'qa-T-1': 'proposed' } });
    const [entry] = (await s.getEntries(['qa-T-1'])).values();
    expect(entry).toMatchObject({ kind: 'qa', question: 'How do I make the VPN start automatically at login?', body: ANSWER, status: 'proposed' });
    expect((await s.learning.reviewQueue()).map((i) => i.id)).toEqual(['qa-T-1']);
    expect(await s.learning.learnDuringTickets('team')).toEqual([]); // learned once
  });

  it('approves it at once under the auto policy, and waits while no human has answered', async () => {
    const { s, advance } = await service();
    await s.assistOnMessage(conversation(['customer', 'How do I make the VPN start automatically at login?']), 0);
    advance(20);
    expect(await s.learning.learnDuringTickets('auto')).toEqual([]); // nobody answered yet
    s.learning.noteActivity(conversation(['customer', 'How do I make the VPN start automatically at login?'], ['analyst', ANSWER]));
    advance(20);
    const [learned] = await s.learning.learnDuringTickets('auto');
    expect(learned?.statusById).toEqual({ 'qa-T-1': 'approved' });
  });

  it('learns nothing during the ticket for a question that is not the conversation’s first', async () => {
    const { s, advance } = await service();
    const ticket = conversation(['customer', 'How do I make the VPN start automatically at login?'], ['analyst', ANSWER], ['customer', 'And how do I map the shared drive?']);
    await s.assistOnMessage(ticket, 2); // the third message: not the first question
    s.learning.noteActivity({ ...ticket, messages: [...ticket.messages, { id: 'm4', author: 'analyst', text: 'Open Explorer, choose Map network drive and enter the share path.' }] });
    advance(30);
    expect(await s.learning.learnDuringTickets('auto')).toEqual([]);
  });

  it('leaves an unanswered first question to the close when the ticket closes first', async () => {
    const { s, advance } = await service();
    const first = conversation(['customer', 'How do I make the VPN start automatically at login?']);
    await s.assistOnMessage(first, 0);
    const answered = conversation(['customer', 'How do I make the VPN start automatically at login?'], ['analyst', ANSWER]);
    s.learning.noteActivity(answered);
    await s.learnFromClosedTicket({ ...answered, status: 'solved' }, 'auto');
    advance(30);
    expect(await s.learning.learnDuringTickets('auto')).toEqual([]);
  });
});
