/** `npm run demo`'s sample team: every suggestion it shows is the right one, and the learned answer comes back. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay, type ReplaySummary } from '../../core/app/replay';
import type { Suggestion } from '../../core/formats/schemas';
import { SAMPLE_TEAM_RIGHT_ANSWERS, sampleTeam } from './sampleTeam';

const RIGHT_ANSWERS = SAMPLE_TEAM_RIGHT_ANSWERS;

let dir: string;
let summary: ReplaySummary;
const decisions: Suggestion[] = [];

beforeAll(async () => {
  const team = await sampleTeam();
  dir = await mkdtemp(join(tmpdir(), 'vigil-sample-'));
  summary = await runReplay({ tickets: team.ticketsFile, knowledge: [team.knowledgeFile], out: join(dir, 'out.jsonl'), onDecision: (s) => decisions.push(s) });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the sample team shipped in the repository', () => {
  it('imports all its articles and reads every ticket line', async () => {
    expect(summary.imports[0]).toMatchObject({ imported: (await sampleTeam()).articles });
    expect(summary.issues).toEqual([]);
    expect(summary.tickets).toBe(Object.keys(RIGHT_ANSWERS).length);
  });

  it('shows only suggestions whose first citation answers the ticket, on most tickets', () => {
    const shown = decisions.filter((d) => d.shown);
    for (const d of shown) expect(RIGHT_ANSWERS[d.ticketId], `${d.ticketId}: ${d.citations[0]?.entryId}`).toContain(d.citations[0]?.entryId);
    expect(new Set(shown.map((d) => d.ticketId)).size).toBeGreaterThanOrEqual(5);
  });

  it('stays silent when the customer says the fix worked', () => {
    // SHOP-103's last message: "Logging out and back in fixed it, thanks!" (it once drew the cart article at 0.94).
    const thanks = decisions.find((d) => d.ticketId === 'SHOP-103' && d.afterMessageId === '3');
    expect(thanks).toMatchObject({ shown: false, reason: 'out_of_scope' });
  });

  it('answers the open ticket with what the analyst did on the earlier one', () => {
    const last = decisions.find((d) => d.ticketId === 'SHOP-106' && d.shown);
    expect(last?.citations[0]?.sourceTicketId).toBe('SHOP-103');
    expect(last?.text).toContain('log out and back in');
  });
});
