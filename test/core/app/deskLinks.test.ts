import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CopilotService } from '../../../core/app/copilotService';
import { Desk } from '../../../core/app/desk';
import type { DeskEvent } from '../../../core/app/deskTypes';
import type { Ticket } from '../../../core/formats/schemas';
import { linkEntryId } from '../../../core/learn/sharedLinks';
import { EgressPolicy } from '../../../core/net/egress';
import { tempFolder } from '../../support/tempFolder';

describe('the desk learns from links the analyst shares', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('proposes a shared documentation page as an article once the analyst\'s reply arrives, fetching it once', async () => {
    const seen: string[] = [];
    const server: Server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Reset a blocked PIN</title><p>Unblock the PIN at any ATM of the network.</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pin`;

    const dir = await tempFolder('vigil-desk-links-');
    const service = await CopilotService.open({ dataDir: join(dir, 'data'), egress: new EgressPolicy(), allowLinkHosts: ['127.0.0.1'] });
    closers.push(() => service.close());
    const desk = await Desk.open(join(dir, 'data'), service);
    closers.push(() => desk.close());
    const learned = new Promise<DeskEvent>((resolve) => desk.onEvent((e) => e.type === 'knowledge-changed' && resolve(e)));

    const ticket: Ticket = {
      id: 'folder:T-7',
      status: 'open',
      messages: [
        { id: 'm1', author: 'customer', text: 'My card PIN is blocked after three tries, what can I do?' },
        { id: 'm2', author: 'analyst', text: `You can unblock it yourself: ${url}` },
      ],
    };
    await desk.ingest({ id: 'e1', type: 'message_added', ticketId: ticket.id, at: '2026-11-22T10:00:00Z', ticket, messageId: 'm2' });
    expect(await learned).toMatchObject({ type: 'knowledge-changed', entryIds: [linkEntryId(url)] });
    expect((await service.learning.reviewQueue()).map((i) => [i.id, i.title])).toEqual([[linkEntryId(url), 'Reset a blocked PIN']]);

    // The same ticket again with an unrelated update: the link is not new, so nothing is fetched again.
    const later: Ticket = { ...ticket, messages: [...ticket.messages, { id: 'm3', author: 'customer', text: 'Thanks, that worked!' }] };
    await desk.ingest({ id: 'e2', type: 'message_added', ticketId: ticket.id, at: '2026-11-22T10:05:00Z', ticket: later, messageId: 'm3' });
    expect(seen).toEqual(['/pin']);
  });
});
