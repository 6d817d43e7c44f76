import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { Connector, FetchPage, TicketEvent } from '../../../core/connectors/connector';
import { FolderConnector } from '../../../core/connectors/folderConnector';
import { connectorStateDir } from '../../../core/connectors/connector';
import { Watcher } from '../../../core/watch/watcher';

const BURST = 10_000;
const PAGE = 250;
const BATCH = 100;

describe('a burst of 10,000 events', () => {
  it('is delivered once each, a page at a time, with the backlog reported as it drains', async () => {
    const root = await tempFolder('vigil-burst-');
    const tickets = join(root, 'tickets');
    const dataDir = join(root, 'data');
    await mkdir(tickets);
    const lines = Array.from({ length: BURST }, (_, i) => JSON.stringify({ id: `B-${i}`, messages: [{ id: '1', author: 'customer', text: `Burst ticket ${i}: the shared drive is read-only` }] }));
    await writeFile(join(tickets, 'burst.jsonl'), `${lines.join('\n')}\n`);

    const folder = new FolderConnector({ id: 'burst', path: tickets, stateDir: connectorStateDir(dataDir, 'burst'), pageSize: PAGE });
    const pageSizes: number[] = [];
    // The real folder connector, observed: how many events each page held.
    const observed: Connector = {
      id: folder.id,
      kind: folder.kind,
      testConnection: () => folder.testConnection(),
      fetchSince: async (cursor, signal): Promise<FetchPage> => {
        const page = await folder.fetchSince(cursor, signal);
        pageSizes.push(page.events.length);
        return page;
      },
    };
    const seen = new Set<string>();
    let largestBatch = 0;
    let repeats = 0;
    const sink = {
      async deliver(_id: string, events: readonly TicketEvent[]): Promise<void> {
        largestBatch = Math.max(largestBatch, events.length);
        for (const e of events) {
          if (seen.has(e.id)) repeats++;
          seen.add(e.id);
        }
      },
    };
    const backlogs: number[] = [];
    const watcher = await Watcher.open({
      dataDir,
      sink,
      connectors: [{ connector: observed, pollMs: 1000 }],
      deliveryBatch: BATCH,
      onHealth: (h) => backlogs.push(h.backlog),
    });
    expect(await watcher.catchUp('burst')).toBe(BURST);

    expect(seen.size).toBe(BURST);
    expect(repeats).toBe(0);
    // Memory is bounded by one page: never more than a page fetched, never more than a batch in the sink.
    expect(Math.max(...pageSizes)).toBe(PAGE);
    expect(largestBatch).toBe(BATCH);
    // The backlog starts near the whole burst and only goes down, to zero.
    expect(Math.max(...backlogs)).toBe(BURST);
    const afterPages = backlogs.filter((_, i) => i > 0);
    expect(afterPages.every((b, i) => i === 0 || b <= afterPages[i - 1]! || b === 0)).toBe(true);
    expect(watcher.health()[0]).toMatchObject({ backlog: 0, delivered: BURST, state: 'idle' });
  });
});
