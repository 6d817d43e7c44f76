import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../../core/app/replay';
import { SuggestionSchema, type Ticket } from '../../../core/formats/schemas';
import { benchmarkBanking77 } from '../../bench/runBanking77';
import { loadBanking77, seededShuffle, slicePerIntent } from '../../bench/banking77Data';
import { itWithData } from '../../support/publicData';
import { tempFolder } from '../../support/tempFolder';
import { thread } from '../../fixtures/tickets';

async function workDir(): Promise<string> {
  return tempFolder('vigil-replay-test-');
}

const vpnClosed = thread(
  { id: 'T-1', subject: 'VPN drops', status: 'closed', resolution: 'Lower the tunnel MTU to 1380 in the client settings.' },
  'Hi, my VPN disconnects every 10 minutes on hotel wifi.',
  'Which client version do you use?',
  'Version 5.2 on Windows.',
  'Lower the tunnel MTU to 1380 in the client settings; that stops the drops.',
);
const vpnNew = {
  id: 'T-2',
  status: 'open',
  messages: [
    { id: 'a', author: 'customer', text: 'Hello, the VPN keeps disconnecting every few minutes when I use hotel wifi' },
    { id: 'b', author: 'customer', text: 'thanks!' },
    { id: 'c', author: 'customer', text: 'The VPN still disconnects every few minutes on hotel wifi.' },
  ],
};

describe('vigil replay', () => {
  it('replays tickets already read (the desk’s) as it replays a file, and stops between messages when aborted, its output closed', async () => {
    const dir = await workDir();
    const fromFile = join(dir, 'tickets.jsonl');
    await writeFile(fromFile, [JSON.stringify(vpnClosed), JSON.stringify(vpnNew)].join('\n'));
    const byFile = await runReplay({ tickets: fromFile, out: join(dir, 'a.jsonl'), dataDir: join(dir, 'a') });
    const byList = await runReplay({ tickets: [vpnClosed, vpnNew as Ticket], out: join(dir, 'b.jsonl'), dataDir: join(dir, 'b') });
    expect(byList.perTicket).toEqual(byFile.perTicket);

    const controller = new AbortController();
    const out = join(dir, 'c.jsonl');
    const run = runReplay({
      tickets: [vpnClosed, vpnNew as Ticket, vpnNew as Ticket],
      out,
      dataDir: join(dir, 'c'),
      signal: controller.signal,
      onTicket: (done) => {
        if (done === 1) controller.abort(new Error('cancelled by the analyst'));
      },
    });
    await expect(run).rejects.toThrow('cancelled by the analyst');
    // The first ticket's decisions were written and the file closed; nothing of the later tickets.
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => SuggestionSchema.parse(JSON.parse(l)));
    expect(new Set(lines.map((l) => l.ticketId))).toEqual(new Set(['T-1']));
  });

  it('decides after every customer message, in file order, and learns from closed tickets for the next one', async () => {
    const dir = await workDir();
    const tickets = join(dir, 'tickets.jsonl');
    await writeFile(tickets, [JSON.stringify(vpnClosed), JSON.stringify(vpnNew)].join('\n'));
    const out = join(dir, 'suggestions.jsonl');
    const summary = await runReplay({ tickets, out, dataDir: join(dir, 'data') });

    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => SuggestionSchema.parse(JSON.parse(l)));
    expect(lines.map((s) => `${s.ticketId}/${s.afterMessageId}`)).toEqual(['T-1/1', 'T-1/3', 'T-2/a', 'T-2/b', 'T-2/c']);
    // Nothing was known while T-1 was open; T-2 gets the answer learned from T-1, once.
    expect(lines.slice(0, 2).every((s) => !s.shown)).toBe(true);
    const [first, thanks, again] = lines.slice(2);
    expect(first).toMatchObject({ shown: true, reason: 'answerable', kind: 'answer', text: vpnClosed.resolution });
    expect(first?.citations[0]).toMatchObject({ sourceTicketId: 'T-1' });
    expect(first?.confidence).toBeGreaterThan(0.5);
    // Silent on thanks, yet the record keeps the candidates the conversation points to (the replay contract).
    expect(thanks).toMatchObject({ shown: false, reason: 'out_of_scope', text: '' });
    expect(thanks?.citations[0]).toMatchObject({ sourceTicketId: 'T-1' });
    expect(again).toMatchObject({ shown: false, reason: 'duplicate' });
    expect(summary).toMatchObject({ tickets: 2, customerMessages: 5, decisions: 5, shown: 1, entriesLearned: 2, ticketsLearnedFrom: 1 });
    expect(summary.suppressedByReason).toEqual({ no_match: 2, out_of_scope: 1, duplicate: 1 });
  });

  it('counts a ticket the delayed review waited on once, however often its review ran', async () => {
    const dir = await workDir();
    const knowledge = join(dir, 'entries.jsonl');
    await writeFile(
      knowledge,
      [
        { id: 'vpn-update', kind: 'qa', status: 'approved', title: 'VPN keeps disconnecting', question: 'My VPN keeps disconnecting every few minutes', body: 'First update the VPN client to version 5.2 or later.' },
        { id: 'vpn-mtu', kind: 'qa', status: 'approved', title: 'VPN still drops on the latest client', question: 'VPN still disconnects after updating the client', body: 'If the client is up to date, lower the MTU to 1400 in the VPN adapter settings.' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const at = (minute: number): string => new Date(Date.UTC(2026, 11, 1, 10, minute)).toISOString();
    const ticket: Ticket = {
      id: 'T-9',
      status: 'open',
      messages: [
        { id: '1', author: 'customer', text: 'My VPN keeps disconnecting every few minutes at the hotel.', at: at(0) },
        { id: '2', author: 'analyst', text: 'Have you updated the VPN client?', at: at(2) },
        { id: '3', author: 'customer', text: 'Yes, I updated it to 5.2 yesterday and it still drops.', at: at(5) },
        { id: '4', author: 'customer', text: 'Also, what time is it in Tokyo?', at: at(6) },
      ],
    };
    const summary = await runReplay({ tickets: [ticket], out: join(dir, 'out.jsonl'), knowledge: [knowledge], dataDir: join(dir, 'data') });
    expect(summary.review.pending + summary.review.kept + summary.review.modified + summary.review.retired).toBeGreaterThan(1);
    expect(summary.review.tickets).toBe(1);
  });

  it('learns nothing with --learn off, and imports knowledge files first', async () => {
    const dir = await workDir();
    const tickets = join(dir, 'tickets.jsonl');
    const knowledge = join(dir, 'entries.jsonl');
    await writeFile(tickets, [JSON.stringify(vpnClosed), JSON.stringify(vpnNew)].join('\n'));
    await writeFile(
      knowledge,
      [
        JSON.stringify({ id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on hotel wifi', body: 'Lower the tunnel MTU to 1380.' }),
        '{"id": "broken", "kind": "qa"}',
      ].join('\n'),
    );
    const out = join(dir, 'suggestions.jsonl');
    const summary = await runReplay({ tickets, out, knowledge: [knowledge], learn: 'off' });
    expect(summary.entriesLearned).toBe(0);
    expect(summary.imports[0]).toMatchObject({ imported: 1, issues: [{ line: 2, field: 'body' }] });
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => SuggestionSchema.parse(JSON.parse(l)));
    expect(lines.flatMap((s) => s.citations.map((c) => c.entryId))).not.toContain('qa-T-1');
    expect(lines.find((s) => s.ticketId === 'T-2')?.citations[0]?.entryId).toBe('kb-vpn-mtu');
  });

  it('refuses a data folder that already holds knowledge, instead of mixing runs', async () => {
    const dir = await workDir();
    const tickets = join(dir, 'tickets.jsonl');
    await writeFile(tickets, JSON.stringify(vpnClosed));
    const dataDir = join(dir, 'data');
    await runReplay({ tickets, out: join(dir, 'a.jsonl'), dataDir });
    await expect(runReplay({ tickets, out: join(dir, 'b.jsonl'), dataDir })).rejects.toThrow(/empty data folder/);
  });

  itWithData(['banking77'], 'beats BM25 on a BANKING77 slice: similar-ticket recall of the engine against the word-matching baseline', async () => {
    // 12 intents, 40 closed tickets each, then 8 new tickets each; seeded, so the slice is the same everywhere.
    const intents = seededShuffle([...new Set(loadBanking77('train').map((q) => q.intent))].sort(), 3).slice(0, 12);
    const train = slicePerIntent(seededShuffle(loadBanking77('train'), 5), intents, 40);
    const test = slicePerIntent(seededShuffle(loadBanking77('test'), 6), intents, 8);
    const result = await benchmarkBanking77(train, test);
    expect(result.engine.queries).toBe(96);
    expect(result.engine.recallAt1).toBeGreaterThanOrEqual(0.85);
    expect(result.engine.recallAt5).toBeGreaterThanOrEqual(0.95);
    expect(result.engine.recallAt1).toBeGreaterThan(result.bm25.recallAt1);
    // The gate: what it shows is more often right than always speaking, and it does not hide most answers.
    expect(result.engine.shownPrecision).toBeGreaterThan(result.engine.recallAt1);
    expect(result.engine.speakRate).toBeGreaterThan(0.6);
  }, 120_000);
});
