import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import type { Ticket } from '../../../core/formats/schemas';
import { closedTicket } from './learnTickets';

const open: CopilotService[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const VPN = 'Lower the tunnel MTU to 1380 in the client settings.';
const PRINTER = 'Remove the printer under Settings, then add it again by its IP address.';
const OUTLOOK = 'Remove the saved Outlook credentials in Credential Manager, then sign in again.';

/** A service whose clock the test moves, with three learned answers. */
async function serviceWithClock(): Promise<{ s: CopilotService; advance: (minutes: number) => void }> {
  let now = Date.parse('2026-03-01T09:00:00Z');
  const s = await CopilotService.open({ dataDir: await tempFolder('vigil-delayed-'), clock: () => new Date(now) });
  open.push(s);
  await s.learnFromClosedTicket(closedTicket('K-1', 'The VPN disconnects every ten minutes on hotel wifi', VPN), 'auto');
  await s.learnFromClosedTicket(closedTicket('K-2', 'The office printer shows as offline on my laptop', PRINTER), 'auto');
  await s.learnFromClosedTicket(closedTicket('K-3', 'Outlook keeps asking for my password every hour', OUTLOOK), 'auto');
  return { s, advance: (minutes) => (now += minutes * 60_000) };
}

function openTicket(id: string, text: string): Ticket {
  return { id, status: 'open', messages: [{ id: 'm1', author: 'customer', text }] };
}

async function showSuggestion(s: CopilotService, ticket: Ticket): Promise<string> {
  const suggestion = await s.assistOnMessage(ticket, 0);
  expect(suggestion.shown).toBe(true);
  return suggestion.citations[0]?.entryId as string;
}

describe('the delayed review', () => {
  it('waits until the ticket has been quiet for 20 minutes, and any activity restarts the wait', async () => {
    const { s, advance } = await serviceWithClock();
    const cited = await showSuggestion(s, openTicket('N-1', 'my vpn keeps disconnecting on the hotel wifi'));
    expect(cited).toMatch(/K-1/);
    advance(19);
    expect(await s.learning.runDelayedReview()).toEqual([]);
    await s.recordFeedback({ type: 'expanded', ticketId: 'N-1', entryIds: [cited] });
    advance(19);
    expect(await s.learning.runDelayedReview()).toEqual([]);
    advance(1);
    const verdicts = await s.learning.runDelayedReview();
    expect(verdicts).toEqual([expect.objectContaining({ ticketId: 'N-1', citedEntryId: cited, entryId: 'qa-K-1', action: 'keep' })]);
    advance(60);
    expect(await s.learning.runDelayedReview()).toEqual([]); // judged once
  });

  it('keeps liked or published answers even when the ticket was resolved differently', async () => {
    const { s, advance } = await serviceWithClock();
    const cited = await showSuggestion(s, openTicket('N-2', 'my vpn keeps disconnecting on the hotel wifi'));
    await s.recordFeedback({ type: 'liked', ticketId: 'N-2', entryIds: [cited] });
    await s.learnFromClosedTicket(
      { ...closedTicket('N-2', 'my vpn keeps disconnecting on the hotel wifi', 'Reinstall the VPN client from the company portal and reboot.') },
      'team',
    );
    advance(20);
    const [verdict] = await s.learning.runDelayedReview();
    expect(verdict).toMatchObject({ action: 'keep', judge: 'feedback', reason: 'the analyst liked it' });
    expect(s.learning.entryHistory(cited).map((v) => v.action)).toEqual(['created']);
  });

  it('modifies a dismissed answer with the resolution the analyst used, as a new version waiting for review', async () => {
    const { s, advance } = await serviceWithClock();
    const cited = await showSuggestion(s, openTicket('N-3', 'the printer in the office shows offline on my laptop'));
    await s.recordFeedback({ type: 'dismissed', ticketId: 'N-3', entryIds: [cited] });
    const closed: Ticket = {
      id: 'N-3',
      status: 'solved',
      messages: [
        { id: 'm1', author: 'customer', text: 'the printer in the office shows offline on my laptop' },
        { id: 'm2', author: 'analyst', text: 'Restart the Print Spooler service in Services, then print a test page.' },
      ],
    };
    await s.learnFromClosedTicket(closed, 'team');
    advance(20);
    const [verdict] = await s.learning.runDelayedReview();
    // The suggestion cited the precedent K-2; the Q&A learned from K-2 is what gets corrected.
    expect(cited).toMatch(/K-2$/);
    expect(verdict).toMatchObject({ entryId: 'qa-K-2', action: 'modify', corrected: { answer: 'Restart the Print Spooler service in Services, then print a test page.' } });
    const versions = s.learning.entryHistory('qa-K-2');
    expect(versions.at(-1)).toMatchObject({ action: 'modified', actor: 'review:delayed', entry: { status: 'proposed', body: 'Restart the Print Spooler service in Services, then print a test page.' } });
    // The earlier answer is one restore away.
    expect((await s.learning.restoreEntry('qa-K-2', 1, 'maria')).body).toBe(PRINTER);
  });

  it('retires an answer disliked as outdated, and records shown-but-untouched suggestions as ignored', async () => {
    const { s, advance } = await serviceWithClock();
    const outlook = await showSuggestion(s, openTicket('N-4', 'outlook asks for my password every hour'));
    await s.recordFeedback({ type: 'disliked', reason: 'outdated: Credential Manager is gone', ticketId: 'N-4', entryIds: [outlook] });
    const vpn = await showSuggestion(s, openTicket('N-5', 'vpn disconnects on hotel wifi all the time'));
    advance(20);
    const verdicts = await s.learning.runDelayedReview();
    expect(verdicts.map((v) => `${v.ticketId}:${v.action}`).sort()).toEqual(['N-4:retire', 'N-5:keep']);
    const left = (await s.knowledge.searchKnowledge('outlook password prompt every hour')).map((h) => h.id);
    expect(left).not.toContain('qa-K-3');
    expect(left).not.toContain('case-K-3');
    expect(s.learning.entryHistory(outlook).at(-1)).toMatchObject({ action: 'retired', actor: 'review:delayed' });
    expect(s.learning.entryFeedback(vpn)).toMatchObject({ shown: 1, ignored: 1 });
  });

  it('retires an entry that keeps being dismissed, reversibly, and does not hold the old dismissals against it', async () => {
    const { s } = await serviceWithClock();
    let cited = '';
    for (let i = 0; i < 5; i++) {
      cited = await showSuggestion(s, openTicket(`D-${i}`, 'outlook keeps asking for my password'));
      const { retired } = await s.recordFeedback({ type: 'dismissed', ticketId: `D-${i}`, entryIds: [cited] });
      expect(retired).toBe(i === 4 ? cited : null);
      if (i < 4) expect(s.learning.feedbackBoost(cited)).toBeLessThan(1);
    }
    expect((await s.knowledge.searchKnowledge('outlook keeps asking for my password')).map((h) => h.id)).not.toContain(cited);
    const versions = s.learning.entryHistory(cited);
    expect(versions.at(-1)).toMatchObject({ action: 'retired', actor: 'feedback:dismissals' });
    await s.learning.restoreEntry(cited, versions.length - 1, 'maria');
    expect(s.learning.feedbackBoost(cited)).toBe(1);
    const again = await showSuggestion(s, openTicket('D-9', 'outlook keeps asking for my password'));
    expect((await s.recordFeedback({ type: 'dismissed', ticketId: 'D-9', entryIds: [again] })).retired).toBeNull();
  });
});

describe('learning from a ticket a suggestion already answered', () => {
  it('learns no new Q&A for a question the analyst answered with a suggestion, but still one for a later question', async () => {
    const { s } = await serviceWithClock();
    const ticket = openTicket('N-7', 'my vpn keeps disconnecting on the hotel wifi');
    const cited = await showSuggestion(s, ticket);
    await s.recordFeedback({ type: 'inserted', ticketId: 'N-7', afterMessageId: 'm1', entryIds: [cited] });
    const closed: Ticket = {
      ...ticket,
      status: 'solved',
      messages: [
        ...ticket.messages,
        { id: 'm2', author: 'analyst', text: VPN },
        { id: 'm3', author: 'customer', text: 'Thanks. How do I make the VPN start automatically at login?' },
        { id: 'm4', author: 'analyst', text: 'Open the VPN client settings and tick Connect at startup.' },
      ],
    };
    const learned = await s.learnFromClosedTicket(closed, 'auto');
    expect(learned.created).toEqual(['qa-N-7']);
    expect(s.learning.entryHistory('qa-N-7')[0]?.entry).toMatchObject({ question: 'How do I make the VPN start automatically at login?', body: 'Open the VPN client settings and tick Connect at startup.' });
  });
});
