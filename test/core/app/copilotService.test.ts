import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import type { SuggestionEvent } from '../../../core/feedback/suggestionEvents';
import type { Ticket } from '../../../core/formats/schemas';
import { closedTicket } from '../learn/learnTickets';

const VPN = 'Lower the tunnel MTU to 1380 in the client settings.';

async function serviceWithAnswers(dataDir: string): Promise<CopilotService> {
  const s = await CopilotService.open({ dataDir });
  await s.learnFromClosedTicket(closedTicket('K-1', 'The VPN disconnects every ten minutes on hotel wifi', VPN), 'auto');
  await s.learnFromClosedTicket(closedTicket('K-2', 'The office printer shows as offline on my laptop', 'Remove the printer under Settings, then add it again by its IP address.'), 'auto');
  await s.learnFromClosedTicket(closedTicket('K-3', 'Outlook keeps asking for my password every hour', 'Remove the saved Outlook credentials in Credential Manager, then sign in again.'), 'auto');
  return s;
}

const ask = (id: string, text: string): Ticket => ({ id, status: 'open', messages: [{ id: 'm1', author: 'customer', text }] });

async function allEvents(s: CopilotService): Promise<SuggestionEvent[]> {
  const events: SuggestionEvent[] = [];
  for await (const e of s.learning.feedback.events()) events.push(e);
  return events;
}

/** Teammates' reactions to 40 suggestions the gate showed at 0.45 to 0.65: `used` of them inserted, the rest dismissed. */
async function teamReactions(s: CopilotService, used: number): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const type = i < used ? 'inserted' : 'dismissed';
    await s.learning.feedback.recordFromTeam({ type, ticketId: `X-${i}`, afterMessageId: '1', entryIds: ['qa-K-2'], at: new Date().toISOString(), actor: 'ana', gateConfidence: 0.45 + i / 200 });
  }
}

describe('the confidence gate recalibrated from the team feedback, in the engine', () => {
  it('records the gate confidence with what it shows and with the reaction, so the team can recalibrate on it', async () => {
    const s = await serviceWithAnswers(await tempFolder('vigil-gate-'));
    const shown = await s.assistOnMessage(ask('N-1', 'my vpn keeps disconnecting on the hotel wifi'), 0);
    expect(shown.shown).toBe(true);
    await s.recordFeedback({ type: 'liked', ticketId: 'N-1', afterMessageId: 'm1', entryIds: [shown.citations[0]!.entryId] });
    const events = await allEvents(s);
    expect(events.map((e) => [e.type, e.gateConfidence])).toEqual([
      ['shown', shown.confidence],
      ['liked', shown.confidence],
    ]);
    expect(s.gateCalibration()).toMatchObject({ state: 'default', reactions: 1, summary: 'using the default gate (1 of 30 reactions needed)' });
    await s.close();
  });

  it('shows a suggestion under the default threshold once the team uses most of what it is shown, until the gate is reset', async () => {
    const dataDir = await tempFolder('vigil-gate-');
    const s = await serviceWithAnswers(dataDir);
    const before = await s.assistOnMessage(ask('N-1', 'the connection drops every few minutes on the train'), 0);
    expect(before).toMatchObject({ shown: false, reason: 'low_confidence' });
    expect(before.confidence).toBeLessThan(0.5);
    await teamReactions(s, 34);
    const gate = s.gateCalibration();
    expect(gate).toMatchObject({ state: 'recalibrated', reactions: 40, defaultThreshold: 0.5 });
    expect(gate.threshold).toBeLessThan(before.confidence);
    expect(gate.summary).toBe(`gate recalibrated from 40 reactions: threshold ${gate.threshold} (default 0.5)`);
    const after = await s.assistOnMessage(ask('N-2', 'the connection drops every few minutes on the train'), 0);
    expect(after).toMatchObject({ shown: true, confidence: before.confidence });
    expect(after.gates.find((g) => g.gate === 'confidence')?.detail).toMatch(/ ≥ 0\.\d+ \(recalibrated from feedback, default 0\.5\)/);

    expect(await s.resetGateRecalibration()).toMatchObject({ state: 'default', reactions: 0, threshold: 0.5 });
    expect(await s.assistOnMessage(ask('N-3', 'the connection drops every few minutes on the train'), 0)).toMatchObject({ shown: false, reason: 'low_confidence' });
    await s.close();
    // The reset is the team's setting: it holds after a restart, and the reactions are still in the log.
    const reopened = await CopilotService.open({ dataDir });
    expect(reopened.gateCalibration()).toMatchObject({ state: 'default', reactions: 0 });
    expect((await allEvents(reopened)).filter((e) => e.actor === 'ana')).toHaveLength(40);
    await reopened.close();
  });

  it('hides a suggestion the default gate shows once the team dismisses most of what it is shown', async () => {
    const s = await serviceWithAnswers(await tempFolder('vigil-gate-'));
    const before = await s.assistOnMessage(ask('N-1', 'the printer does not work'), 0);
    expect(before.shown).toBe(true);
    await teamReactions(s, 6);
    expect(s.gateCalibration().threshold).toBeGreaterThan(before.confidence);
    expect(await s.assistOnMessage(ask('N-2', 'the printer does not work'), 0)).toMatchObject({ shown: false, reason: 'low_confidence', confidence: before.confidence });
    await s.close();
  });
});
