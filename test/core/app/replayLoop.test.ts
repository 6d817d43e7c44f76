import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReplay, type ReplayOptions } from '../../../core/app/replay';

/**
 * The whole loop on the queue's own time: a wrong answer in the knowledge is shown on ticket A, the analyst
 * answers differently (recorded), the delayed review corrects the entry once A has been quiet for 20 minutes of
 * the recording, and ticket B then gets the analyst's answer.
 */
const wrongEntry = {
  id: 'kb-vpn',
  kind: 'qa',
  question: 'The VPN disconnects every few minutes on hotel wifi',
  body: 'Restart your home router and reinstall the VPN client from the portal.',
};
const mtu = 'Lower the tunnel MTU to 1380 in the client settings; that stops the drops on hotel networks.';

function queue(secondAt: string): string {
  const a = {
    id: 'T-A',
    status: 'open',
    messages: [
      { id: '1', author: 'customer', text: 'My VPN disconnects every few minutes on hotel wifi', at: '2026-03-01T09:00:00Z' },
      { id: '2', author: 'analyst', text: mtu, at: '2026-03-01T09:04:00Z' },
    ],
  };
  const b = {
    id: 'T-B',
    status: 'open',
    messages: [
      { id: '1', author: 'customer', text: 'The VPN keeps disconnecting every few minutes on the hotel wifi', at: secondAt },
      { id: '2', author: 'analyst', text: mtu, at: secondAt.replace(':00Z', ':30Z') },
    ],
  };
  return [JSON.stringify(a), JSON.stringify(b)].join('\n');
}

async function replay(secondAt: string, extra: Partial<ReplayOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-replay-loop-'));
  const tickets = join(dir, 'tickets.jsonl');
  const knowledge = join(dir, 'entries.jsonl');
  await writeFile(tickets, queue(secondAt));
  await writeFile(knowledge, JSON.stringify(wrongEntry));
  const shown = new Map<string, string>();
  const summary = await runReplay({
    tickets,
    knowledge: [knowledge],
    out: join(dir, 'suggestions.jsonl'),
    feedback: 'queue',
    onDecision: (d) => {
      if (d.shown) shown.set(d.ticketId, d.text);
    },
    ...extra,
  });
  return { summary, shown };
}

describe('vigil replay on the queue’s time', () => {
  it('runs the delayed review once a ticket has been quiet for 20 minutes of the recording, and later tickets get the corrected answer', async () => {
    const { summary, shown } = await replay('2026-03-01T10:00:00Z');
    expect(shown.get('T-A')).toContain('Restart your home router');
    expect(summary.review).toMatchObject({ modified: 1, retired: 0 });
    expect(summary.review.verdicts[0]).toMatchObject({ ticketId: 'T-A', entryId: 'kb-vpn', action: 'modify' });
    expect(shown.get('T-B')).toContain('MTU to 1380');
    expect(summary.review.laterCitingModified).toEqual({ shown: 1, sameAsAnalyst: 1 });
    expect(summary.answers).toEqual({ compared: 2, sameAsAnalyst: 1 });
    expect(summary.perTicket.map((t) => t.reviewed.modified)).toEqual([0, 1]);
    expect(summary.perTicket[0]).toMatchObject({ firstAt: Date.parse('2026-03-01T09:00:00Z'), firstHelpAt: Date.parse('2026-03-01T09:00:00Z'), analystFirstReplyAt: Date.parse('2026-03-01T09:04:00Z') });
  });

  it('waits for the recorded quiet time, not the wall clock: a ticket 10 minutes later still sees the old entry', async () => {
    const { summary, shown } = await replay('2026-03-01T09:14:00Z');
    expect(shown.get('T-B')).toContain('Restart your home router');
    // The queue ends and both reviews run together: the entry keeps serving until a correction is approved, so
    // both see the old answer and propose the same correction (one revision, approved once by --learn auto).
    expect(summary.review).toMatchObject({ tickets: 2, modified: 2, kept: 0 });
    expect(new Set(summary.review.verdicts.map((v) => v.proposalId))).toEqual(new Set(['kb-vpn-revision']));
    expect(summary.review.laterCitingModified).toEqual({ shown: 0, sameAsAnalyst: 0 });
    expect(summary.perTicket.map((t) => t.reviewed.modified)).toEqual([0, 0]);
  });

  it('leaves the knowledge as it was with --review off', async () => {
    const { summary, shown } = await replay('2026-03-01T10:00:00Z', { review: 'off' });
    expect(shown.get('T-B')).toContain('Restart your home router');
    expect(summary.review).toMatchObject({ tickets: 0, kept: 0, modified: 0, retired: 0 });
    expect(summary.answers).toEqual({ compared: 2, sameAsAnalyst: 0 });
  });

  it('learns an unanswered first question during the ticket, on the recording’s time, and counts it in the summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-replay-during-'));
    const tickets = join(dir, 'tickets.jsonl');
    const open = {
      id: 'T-C',
      status: 'open',
      messages: [
        { id: '1', author: 'customer', text: 'How do I make the VPN start automatically at login?', at: '2026-03-01T09:00:00Z' },
        { id: '2', author: 'analyst', text: 'Open the VPN client settings and tick Connect at startup, then sign in again.', at: '2026-03-01T09:05:00Z' },
        { id: '3', author: 'customer', text: 'Thanks, trying it now.', at: '2026-03-01T09:30:00Z' },
      ],
    };
    await writeFile(tickets, JSON.stringify(open));
    const summary = await runReplay({ tickets, out: join(dir, 'suggestions.jsonl') });
    expect(summary.duringTicket).toEqual({ questions: 1, entriesLearned: 1 });
    expect(summary.entriesLearned).toBe(0); // the ticket never closed
  });
});
