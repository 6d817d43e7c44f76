import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { TicketEvent } from '../../../core/connectors/connector';
import { FolderConnector } from '../../../core/connectors/folderConnector';
import { connectorStateDir } from '../../../core/connectors/connector';
import { Watcher } from '../../../core/watch/watcher';

class RecordingSink {
  readonly events: TicketEvent[] = [];
  async deliver(_id: string, events: readonly TicketEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

const msg = (id: string, author: string, text: string) => ({ id, author, text, at: `2026-03-01T09:0${id}:00Z` });

async function setup(pageSize = 200) {
  const root = await tempFolder('vigil-folder-');
  const tickets = join(root, 'tickets');
  const dataDir = join(root, 'data');
  await mkdir(tickets);
  const open = async () => {
    const connector = new FolderConnector({ id: 'demo', path: tickets, stateDir: connectorStateDir(dataDir, 'demo'), pageSize });
    const sink = new RecordingSink();
    const watcher = await Watcher.open({ dataDir, sink, connectors: [{ connector, pollMs: 1000 }], backoff: { baseMs: 1, maxMs: 2 } });
    return { connector, sink, watcher };
  };
  return { tickets, dataDir, open };
}

describe('the folder connector', () => {
  it('turns new ticket files into events and a rewritten file into only what changed', async () => {
    const { tickets, open } = await setup();
    const t1 = { id: 'T-1', subject: 'VPN drops', status: 'open', messages: [msg('1', 'customer', 'My VPN drops every ten minutes'), msg('2', 'analyst', 'Which client version?')] };
    await writeFile(join(tickets, 'T-1.json'), JSON.stringify(t1));
    await writeFile(join(tickets, 'queue.jsonl'), `${JSON.stringify({ id: 'T-2', status: 'solved', messages: [msg('1', 'customer', 'Card declined abroad')], resolution: 'Enable travel mode.' })}\n`);
    const { sink, watcher } = await open();
    await watcher.catchUp('demo');
    expect(sink.events.map((e) => [e.id, e.type, e.ticket.messages.length, e.ticket.status])).toEqual([
      ['demo:T-1#opened', 'ticket_opened', 1, 'open'],
      ['demo:T-1#msg:2', 'message_added', 2, 'open'],
      ['demo:T-2#opened', 'ticket_opened', 1, 'open'],
      ['demo:T-2#closed:1', 'ticket_closed', 1, 'solved'],
    ]);
    expect(sink.events[0]).toMatchObject({ ticketId: 'demo:T-1', messageId: '1', at: '2026-03-01T09:01:00Z', ticket: { id: 'demo:T-1', subject: 'VPN drops' } });

    // The customer answers and the analyst solves it: the file is rewritten as a whole.
    sink.events.length = 0;
    await writeFile(join(tickets, 'T-1.json'), JSON.stringify({ ...t1, status: 'solved', updatedAt: '2026-03-01T10:00:00Z', messages: [...t1.messages, msg('3', 'customer', 'Version 5.2, on hotel wifi')] }));
    await watcher.catchUp('demo');
    expect(sink.events.map((e) => [e.id, e.type, e.ticket.messages.length, e.ticket.status])).toEqual([
      ['demo:T-1#msg:3', 'message_added', 3, 'open'],
      ['demo:T-1#closed:1', 'ticket_closed', 3, 'solved'],
    ]);

    // Reopened, then a status change without a message; an untouched file gives nothing.
    sink.events.length = 0;
    await writeFile(join(tickets, 'T-1.json'), JSON.stringify({ ...t1, status: 'pending', messages: [...t1.messages, msg('3', 'customer', 'Version 5.2, on hotel wifi')] }));
    await watcher.catchUp('demo');
    await watcher.catchUp('demo');
    expect(sink.events.map((e) => [e.id, e.type])).toEqual([['demo:T-1#status:2:pending', 'status_changed']]);
  });

  it('names the file, line and field of a bad line and still reads the rest', async () => {
    const { tickets, open } = await setup();
    const good = JSON.stringify({ id: 'T-3', messages: [msg('1', 'customer', 'Printer offline')] });
    await writeFile(join(tickets, 'queue.jsonl'), `{"id": "T-bad", "messages": [{"id": "1", "author": "robot", "text": "x"}]}\nnot json\n\n${good}\n`);
    await writeFile(join(tickets, 'broken.json'), '{"id": "T-4", "messages": [');
    const { sink, watcher } = await open();
    await watcher.catchUp('demo');
    expect(sink.events.map((e) => e.id)).toEqual(['demo:T-3#opened']);
    const issues = watcher.health()[0]!.issues;
    expect(issues).toEqual([
      expect.stringMatching(/broken\.json:1: \(file\): not valid JSON/),
      `${join(tickets, 'queue.jsonl')}:1: messages.0.author: Invalid option: expected one of "customer"|"analyst"|"bot"|"system"`,
      expect.stringMatching(/queue\.jsonl:2: \(line\): not valid JSON/),
    ]);
  });

  it('pages through a large file, reports the backlog, and resumes mid-file after a restart without repeating', async () => {
    const { tickets, open } = await setup(7);
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `T-${i}`, messages: [msg('1', 'customer', `Problem ${i}`), msg('2', 'customer', `More on ${i}`)] }));
    await writeFile(join(tickets, 'big.jsonl'), `${lines.join('\n')}\n`);

    const first = await open();
    const page = await first.watcher.syncPage('demo');
    expect(page).toEqual({ delivered: 8, more: true }); // whole tickets: 4 tickets × 2 events ≥ 7
    expect(first.watcher.health()[0]!.backlog).toBe(32);
    await first.watcher.syncPage('demo');
    // "Crash": a new connector and watcher on the same data folder continue where the committed cursor points.
    const second = await open();
    await second.watcher.catchUp('demo');
    const ids = [...first.sink.events, ...second.sink.events].map((e) => e.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(second.watcher.health()[0]!.backlog).toBe(0);
  });

  it('computes the same page again when its cursor was never committed', async () => {
    const { tickets, dataDir } = await setup();
    await writeFile(join(tickets, 'a.jsonl'), `${JSON.stringify({ id: 'T-1', messages: [msg('1', 'customer', 'Hello there, my disk is full')] })}\n`);
    const connector = new FolderConnector({ id: 'demo', path: tickets, stateDir: connectorStateDir(dataDir, 'demo') });
    const signal = new AbortController().signal;
    const once = await connector.fetchSince(null, signal);
    const again = await connector.fetchSince(null, signal);
    expect(again.events).toEqual(once.events);
    expect(again.cursor).toBe(once.cursor);
    const after = await connector.fetchSince(once.cursor, signal);
    expect(after.events).toEqual([]);
  });

  it('nudges the watcher when a ticket file changes, and explains a missing folder', async () => {
    const { tickets, dataDir } = await setup();
    const connector = new FolderConnector({ id: 'demo', path: tickets, stateDir: connectorStateDir(dataDir, 'demo') });
    const changed = new Promise<void>((resolve) => {
      const stop = connector.subscribe(() => {
        stop();
        resolve();
      });
    });
    await writeFile(join(tickets, 'new.json'), JSON.stringify({ id: 'T-9', messages: [msg('1', 'customer', 'x')] }));
    await changed;

    const missing = new FolderConnector({ id: 'demo', path: join(tickets, 'nope'), stateDir: connectorStateDir(dataDir, 'demo') });
    await expect(missing.testConnection()).rejects.toThrow(/The ticket folder .*nope does not exist\. Create it or correct "path"/);
    // Syncing a missing folder is a setting to correct, not an outage to wait out (`vigil watch --once` gives up at once).
    await expect(missing.fetchSince(null, new AbortController().signal)).rejects.toMatchObject({ kind: 'config', message: expect.stringMatching(/nope does not exist/) });
  });

  it('writes notes and replies to its outbox, one JSON line each, and never reads them back as tickets', async () => {
    const { tickets, open } = await setup();
    await writeFile(join(tickets, 'T-1.json'), JSON.stringify({ id: 'T-1', status: 'open', messages: [msg('1', 'customer', 'Printer jams')] }));
    const { connector, sink, watcher } = await open();
    await watcher.catchUp('demo');
    await connector.postNote('demo:T-1', 'Checked the fuser.', new AbortController().signal);
    await connector.postReply('demo:T-1', 'Please replace the fuser unit.\nIt is worn out.', new AbortController().signal);
    const lines = (await readFile(connector.outboxFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(connector.outboxFile).toBe(join(tickets, 'outbox', 'replies.jsonl'));
    expect(lines.map((l) => [l.ticketId, l.type, l.text])).toEqual([
      ['T-1', 'note', 'Checked the fuser.'],
      ['T-1', 'reply', 'Please replace the fuser unit.\nIt is worn out.'],
    ]);
    await expect(connector.postReply('other:T-1', 'x', new AbortController().signal)).rejects.toMatchObject({ kind: 'config' });
    const before = sink.events.length;
    await watcher.catchUp('demo');
    expect(sink.events.length).toBe(before);
  });
});
