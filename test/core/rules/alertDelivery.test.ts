import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CopilotService } from '../../../core/app/copilotService';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Ticket } from '../../../core/formats/schemas';
import { EgressPolicy } from '../../../core/net/egress';
import { webhookFetch } from '../../../core/rules/alertDelivery';
import { tempFolder } from '../../support/tempFolder';

const open: CopilotService[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const c of closers.splice(0)) await c();
});

async function webhookServer(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/vigil`, bodies };
}

const ticket: Ticket = { id: 'rt:42', status: 'open', messages: [{ id: '1', author: 'customer', text: 'I will file a chargeback today' }] };

describe('alerts sent beyond the desk', () => {
  it('posts an internal note and calls a loopback webhook as the rule says, and refuses a webhook host that is not allowed', async () => {
    const hook = await webhookServer();
    const s = await CopilotService.open({ dataDir: await tempFolder('vigil-deliver-'), embedder: new HashedEmbedder() });
    open.push(s);
    await s.rules.add({
      id: 'chargeback',
      name: 'Chargeback threat',
      priority: 'P0',
      match: { type: 'regex', pattern: 'chargeback' },
      deliver: [{ type: 'note' }, { type: 'webhook', url: hook.url }, { type: 'webhook', url: 'https://hooks.example.com/vigil' }],
    });
    const notes: Array<[string, string]> = [];
    // Not offline, and no connector host allowed: loopback is the only allowed destination.
    const policy = new EgressPolicy({ offline: false });
    s.setAlertSinks({ postNote: async (id, text) => void notes.push([id, text]), fetch: (url, init) => policy.fetch(url, init) });

    const alerts = await s.checkAlerts(ticket, 0, Date.parse('2026-03-01T09:00:00Z'));
    expect(alerts.map((a) => a.reason)).toEqual(['chargeback']);
    const outcomes = await s.deliveriesSettled();
    expect(outcomes.map((o) => `${o.type} ${o.ok}`)).toEqual(['note true', 'webhook true', 'webhook false']);
    expect(outcomes[2]?.error).toMatch(/hooks\.example\.com/);
    expect(notes).toEqual([['rt:42', expect.stringContaining('Vigil alert: P0 Chargeback threat')]]);
    expect(hook.bodies).toEqual([expect.objectContaining({ source: 'vigil', rule: 'chargeback', priority: 'P0', ticketId: 'rt:42', at: '2026-03-01T09:00:00.000Z' })]);
  });

  it('never sends an alert to a documentation host: those are allowed for reading shared links only', async () => {
    const policy = new EgressPolicy({ allowHosts: ['rt.example.com'] });
    policy.setDocumentationHosts(['docs.example.com']);
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const send = webhookFetch(() => ({ check: (host: string) => policy.check(host), fetch }));
    await expect(send('https://docs.example.com/hooks/vigil', { method: 'POST' })).rejects.toThrow(/docs\.example\.com .*shared documentation links only/);
    expect(fetch).not.toHaveBeenCalled();
    await send('https://rt.example.com/hooks/vigil', { method: 'POST' });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('sends nothing when no sinks are set (a replay of a recorded queue posts nothing)', async () => {
    const hook = await webhookServer();
    const s = await CopilotService.open({ dataDir: await tempFolder('vigil-deliver-'), embedder: new HashedEmbedder() });
    open.push(s);
    await s.rules.add({ id: 'chargeback', name: 'Chargeback threat', match: { type: 'regex', pattern: 'chargeback' }, deliver: [{ type: 'webhook', url: hook.url }] });
    expect((await s.checkAlerts(ticket, 0, 0)).map((a) => a.reason)).toEqual(['chargeback']);
    await s.deliveriesSettled();
    expect(hook.bodies).toEqual([]);
  });
});
