import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import type { Ticket } from '../../../core/formats/schemas';
import { closedTicket, TRAVEL_ANSWER } from './learnTickets';

const open: CopilotService[] = [];
async function service(): Promise<CopilotService> {
  const s = await CopilotService.open({ dataDir: await tempFolder('vigil-learn-') });
  open.push(s);
  return s;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

describe('learning from closed tickets: deduplication, conflicts and review policy', () => {
  it('merges a ticket that asks the same and answers alike into the existing entry, with both provenances', async () => {
    const s = await service();
    const first = await s.learnFromClosedTicket(closedTicket('T-1', 'My card is declined when I pay abroad in Spain', TRAVEL_ANSWER), 'auto');
    expect(first.created).toEqual(['qa-T-1']);
    const second = await s.learnFromClosedTicket(
      closedTicket('T-2', 'My card is declined when I pay abroad in Spain!', 'Turn on travel mode in the app under Card settings, then retry.'),
      'auto',
    );
    expect(second).toMatchObject({ created: [], merged: ['qa-T-1'], entryIds: ['case-T-2', 'qa-T-1'] });
    const qa = (await s.knowledge.searchKnowledge('card declined abroad', 10)).filter((h) => h.kind === 'qa');
    expect(qa.map((h) => h.id)).toEqual(['qa-T-1']); // no twin
    const history = s.learning.entryHistory('qa-T-1');
    expect(history.map((v) => v.action)).toEqual(['created', 'merged']);
    expect(history.at(-1)?.entry.provenance.sourceTicketIds).toEqual(['T-1', 'T-2']);
    expect(history.at(-1)?.entry['variants']).toEqual(['My card is declined when I pay abroad in Spain!']);
  });

  it('sends an entry that answers the same question differently to review, beside the existing one', async () => {
    const s = await service();
    await s.learning.setLearningSettings({ review: 'auto-above-confidence', autoApproveAbove: 0.5 });
    await s.learnFromClosedTicket(closedTicket('T-1', 'My card is declined when I pay abroad in Spain', TRAVEL_ANSWER), 'team');
    const conflicting = await s.learnFromClosedTicket(
      closedTicket('T-3', 'My card is declined when I pay abroad in Spain', 'Order a replacement card: the chip of this one is damaged.'),
      'team',
    );
    expect(conflicting.conflicts).toEqual([{ entryId: 'qa-T-3', conflictsWith: 'qa-T-1' }]);
    expect(conflicting.statusById['qa-T-3']).toBe('proposed'); // above the confidence threshold, but a conflict
    const queue = await s.learning.reviewQueue();
    expect(queue.find((i) => i.id === 'qa-T-3')).toMatchObject({ reason: 'conflict', conflictsWith: 'qa-T-1' });
    expect((await s.knowledge.searchKnowledge('card declined abroad', 10)).map((h) => h.id)).not.toContain('qa-T-3');
  });

  it('follows the team policy: always review, auto-approve above a confidence, auto-approve in replay', async () => {
    const s = await service();
    const vpn = (id: string): ReturnType<typeof closedTicket> =>
      closedTicket(id, `The VPN disconnects every ten minutes on hotel wifi (${id.slice(-1)})`, 'Lower the tunnel MTU to 1380 in the client settings.');
    // Default: always review.
    expect((await s.learnFromClosedTicket(vpn('A-1'), 'team')).statusById).toEqual({ 'case-A-1': 'proposed', 'qa-A-1': 'proposed' });
    // Auto-approve above 0.65: a rule-extracted answer from the conversation scores 0.6, so it still waits...
    await s.learning.setLearningSettings({ review: 'auto-above-confidence', autoApproveAbove: 0.65 });
    const email = closedTicket('B-1', 'Outlook keeps asking for my password every hour', 'Remove the saved credentials in Credential Manager and sign in again.');
    expect((await s.learnFromClosedTicket(email, 'team')).statusById['qa-B-1']).toBe('proposed');
    // ...one with a closing note scores 0.7 and is approved by the policy.
    const noted = closedTicket('C-1', 'Teams shows a blank white window after the update', 'Clearing the cache should help.', {
      resolution: 'Quit Teams, delete the Teams cache folder, then start Teams again.',
    });
    const approved = await s.learnFromClosedTicket(noted, 'team');
    expect(approved.statusById['qa-C-1']).toBe('approved');
    expect(s.learning.entryHistory('qa-C-1')[0]).toMatchObject({ action: 'created', actor: 'policy:confidence' });
    // Replay approves whatever it learns, as the replay contract says.
    await s.learning.setLearningSettings({ review: 'always' });
    expect((await s.learnFromClosedTicket(vpn('D-2'), 'auto')).statusById).toMatchObject({ 'case-D-2': 'approved' });
  });

  it('keeps the quality rules: nothing is learned from a promise, and the reason is given', async () => {
    const s = await service();
    const result = await s.learnFromClosedTicket(
      closedTicket('T-9', 'My refund has not arrived after two weeks', 'Thanks Ana, we will look into it and get back to you.'),
      'auto',
    );
    expect(result.entryIds).toEqual(['case-T-9']);
    expect(result.skippedQa).toMatch(/promises, hedges or hands off/);
  });
});

/** A VPN ticket whose analyst asks one diagnostic question; `answer` is the customer's reply, `fix` the resolution. */
function diagnosed(id: string, answer: string, fix: string, status: Ticket['status'] = 'solved'): Ticket {
  const messages: Ticket['messages'] = [
    { id: '1', author: 'customer', text: 'Hi, my VPN connection keeps dropping every few minutes.' },
    { id: '2', author: 'analyst', text: 'Which network are you on when it drops, and which client version do you run?' },
    { id: '3', author: 'customer', text: answer },
  ];
  if (status === 'solved') messages.push({ id: '4', author: 'analyst', text: fix });
  return { id, status, messages };
}
const MTU_FIX = 'Lower the tunnel MTU to 1380 in the client settings, then reconnect.';
const UPDATE_FIX = 'Update the client to version 6 from the company portal, then restart the laptop.';
const ON_HOTEL_WIFI = 'Hotel wifi abroad, the captive portal network, client version 6 on a MacBook.';
const ON_OFFICE_CABLE = 'Office cable network at my desk, client version 4 on Windows.';

describe('learning a resolution with the path that led to it', () => {
  it('keeps the diagnostic turns with the learned entries, scrubbed, and matches on them', async () => {
    const s = await service();
    await s.learnFromClosedTicket(diagnosed('V-1', `${ON_HOTEL_WIFI}\nThanks,\nAna`, `Hi Ana, ${MTU_FIX}`), 'auto');
    const [qa] = (await s.getEntries(['qa-V-1'])).values();
    expect(qa?.question).toBe('My VPN connection keeps dropping every few minutes.');
    expect(qa?.body).toBe(MTU_FIX);
    expect(qa?.['path']).toEqual([
      { author: 'analyst', text: 'Which network are you on when it drops, and which client version do you run?' },
      { author: 'customer', text: ON_HOTEL_WIFI },
    ]);
    expect((await s.getEntries(['case-V-1'])).get('case-V-1')?.['path']).toEqual(qa?.['path']);
    // Matched on its path: words only the customer's answer holds find it.
    expect((await s.knowledge.searchKnowledge('captive portal MacBook', 5)).map((h) => h.id)).toContain('qa-V-1');
  });

  it('keeps a different answer to the same question on another path as its own precedent, citable at once under auto', async () => {
    const s = await service();
    await s.learnFromClosedTicket(diagnosed('V-1', ON_HOTEL_WIFI, MTU_FIX), 'auto');
    const other = await s.learnFromClosedTicket(diagnosed('V-2', ON_OFFICE_CABLE, UPDATE_FIX), 'auto');
    expect(other).toMatchObject({ created: ['qa-V-2'], merged: [], conflicts: [] });
    expect(other.statusById['qa-V-2']).toBe('approved');
    expect((await s.getEntries(['qa-V-2'])).get('qa-V-2')?.['review']).toBeUndefined();

    // A new ticket of the same symptom: once the customer has answered the diagnostic question, the precedent
    // whose path matches is cited first, in both directions.
    for (const [answer, expected] of [
      [ON_OFFICE_CABLE, 'V-2'],
      [ON_HOTEL_WIFI, 'V-1'],
    ] as const) {
      const ticket = diagnosed(`N-${expected}`, answer, '', 'open');
      const decision = await s.assistOnMessage(ticket, 2);
      expect(decision.citations[0]?.sourceTicketId).toBe(expected);
    }
  });

  it('still sends a different answer on the same path to review as a conflict', async () => {
    const s = await service();
    await s.learning.setLearningSettings({ review: 'auto-above-confidence', autoApproveAbove: 0.5 });
    await s.learnFromClosedTicket(diagnosed('V-1', ON_HOTEL_WIFI, MTU_FIX), 'team');
    const conflicting = await s.learnFromClosedTicket(diagnosed('V-3', ON_HOTEL_WIFI, UPDATE_FIX), 'team');
    expect(conflicting.conflicts).toEqual([{ entryId: 'qa-V-3', conflictsWith: 'qa-V-1' }]);
    expect(conflicting.statusById['qa-V-3']).toBe('proposed');
  });

  it('merges an agreeing answer on the same path into the existing entry', async () => {
    const s = await service();
    await s.learnFromClosedTicket(diagnosed('V-1', ON_HOTEL_WIFI, MTU_FIX), 'auto');
    const again = await s.learnFromClosedTicket(diagnosed('V-4', ON_HOTEL_WIFI, 'Lower the tunnel MTU to 1380 in the client settings and reconnect.'), 'auto');
    expect(again).toMatchObject({ created: [], merged: ['qa-V-1'] });
  });
});
