/** The copilot sink: what each live event makes the engine do. */
import { beforeEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { LearnResult } from '../../../core/app/copilotService';
import type { TicketEvent } from '../../../core/connectors/connector';
import type { Ticket } from '../../../core/formats/schemas';
import { CopilotSink } from '../../../core/cli/copilotSink';

let dir: string;
beforeEach(async () => {
  dir = await tempFolder('vigil-sink-');
});

function closed(id: string, extra: Record<string, unknown> = {}): TicketEvent {
  const ticket = {
    id,
    subject: 'VPN drops',
    status: 'closed',
    createdAt: '2026-03-01T09:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
    messages: [{ id: 'm1', author: 'customer', text: 'VPN drops every hour.', at: '2026-03-01T09:00:00Z' }],
    ...extra,
  } as Ticket;
  return { id: `${id}/closed`, type: 'ticket_closed', ticketId: id, at: '2026-03-01T10:00:00Z', ticket };
}

describe('CopilotSink', () => {
  it('learns from a closed ticket but not from one closed by a merge into another ticket', async () => {
    const learnedFrom: string[] = [];
    const engine = {
      assistOnMessage: () => Promise.reject(new Error('not expected')),
      learnFromClosedTicket: (ticket: Ticket): Promise<LearnResult> => {
        learnedFrom.push(ticket.id);
        return Promise.resolve({ entryIds: ['e1'], status: 'proposed' } as unknown as LearnResult);
      },
    };
    const sink = await CopilotSink.open(engine, { dataDir: dir });
    await sink.deliver('zd', [closed('zd:1'), closed('zd:2', { mergedInto: 'zd:3' })]);
    expect(learnedFrom).toEqual(['zd:1']);
    // Both are decided (and so never decided again), the merged one with nothing learned.
    expect(sink.hasDecided('zd', 'zd:2/closed')).toBe(true);
  });
});
