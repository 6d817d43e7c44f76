import { appendFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { Desk } from '../../../core/app/desk';
import type { DeskEvent } from '../../../core/app/deskTypes';
import type { TicketEvent } from '../../../core/connectors/connector';
import type { Ticket } from '../../../core/formats/schemas';
import { ARTICLES } from '../../fixtures/storeEntries';

function vpnTicket(status: Ticket['status'] = 'open', extra: Ticket['messages'] = []): Ticket {
  return {
    id: 'folder:T-100',
    subject: 'VPN keeps dropping',
    status,
    messages: [
      { id: 'm1', author: 'customer', text: 'My VPN disconnects every few minutes when I work from the hotel network.' },
      ...extra,
    ],
  };
}

function event(id: string, type: TicketEvent['type'], ticket: Ticket, messageId?: string): TicketEvent {
  return { id, type, ticketId: ticket.id, at: '2026-11-22T10:00:00Z', ticket, ...(messageId ? { messageId } : {}) };
}

describe('the analyst’s desk', () => {
  let dir: string;
  let service: CopilotService;
  let desk: Desk;
  let events: DeskEvent[];

  beforeEach(async () => {
    dir = await tempFolder('vigil-desk-');
    const kb = join(dir, 'kb.jsonl');
    await writeFile(kb, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n'));
    service = await CopilotService.open({ dataDir: join(dir, 'data') });
    await service.importEntries(kb);
    desk = await Desk.open(join(dir, 'data'), service);
    events = [];
    desk.onEvent((e) => events.push(e));
  });

  afterEach(async () => {
    await desk.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a cited suggestion after a customer message, once, with a waiting badge', async () => {
    const opened = event('e1', 'ticket_opened', vpnTicket(), 'm1');
    await desk.ingest(opened);
    await desk.ingest(opened);
    const [summary] = desk.listTickets();
    expect(summary).toMatchObject({ id: 'folder:T-100', subject: 'VPN keeps dropping', waiting: 1 });
    expect(summary!.preview).toContain('My VPN disconnects');
    const shown = events.filter((e) => e.type === 'suggestion');
    expect(shown).toHaveLength(1);
    const detail = await desk.openTicket('folder:T-100');
    expect(detail!.suggestions).toHaveLength(1);
    const citation = detail!.suggestions[0]!.citations[0]!;
    expect(citation).toMatchObject({ entryId: 'kb-vpn-mtu', title: 'VPN drops on networks with small MTU', available: true });
    expect(citation.excerpt).toContain('Lower the tunnel MTU to 1380');
    expect(desk.listTickets()[0]!.waiting).toBe(0);
  });

  it('pushes the ticket’s new summary and the suggestion as shown with each event, so a window need not pull the list', async () => {
    await desk.ingest(event('e1', 'ticket_opened', vpnTicket(), 'm1'));
    const pushed = events.find((e) => e.type === 'suggestion');
    const changed = events.find((e) => e.type === 'tickets-changed');
    const [summary] = desk.listTickets();
    const detail = await desk.openTicket('folder:T-100');
    expect(pushed).toMatchObject({ ticket: summary, shown: detail!.suggestions[0] });
    expect(changed).toMatchObject({ tickets: [summary] });
    // Opening the ticket clears its badge: the change pushed says so.
    expect(events.at(-1)).toEqual({ type: 'tickets-changed', tickets: [{ ...summary, waiting: 0 }] });
  });

  it('does not assist on the analyst’s own messages', async () => {
    await desk.ingest(event('e1', 'ticket_opened', vpnTicket(), 'm1'));
    const withReply = vpnTicket('open', [{ id: 'm2', author: 'analyst', text: 'Could you try lowering the MTU?' }]);
    await desk.ingest(event('e2', 'message_added', withReply, 'm2'));
    expect(events.filter((e) => e.type === 'suggestion')).toHaveLength(1);
  });

  it('keeps tickets, suggestions and feedback across a restart', async () => {
    await desk.ingest(event('e1', 'ticket_opened', vpnTicket(), 'm1'));
    const suggestionId = (await desk.openTicket('folder:T-100'))!.suggestions[0]!.id;
    await desk.feedback({ ticketId: 'folder:T-100', suggestionId, action: 'liked' });
    await desk.close();

    desk = await Desk.open(join(dir, 'data'), service);
    const detail = await desk.openTicket('folder:T-100');
    expect(detail!.suggestions[0]!.feedback).toEqual(['liked']);
    // The event was applied before the restart: delivering it again changes nothing.
    await desk.ingest(event('e1', 'ticket_opened', vpnTicket(), 'm1'));
    expect((await desk.openTicket('folder:T-100'))!.suggestions).toHaveLength(1);
  });

  it('hands a closed ticket to learning, which proposes entries for review', async () => {
    await desk.ingest(event('e1', 'ticket_opened', vpnTicket(), 'm1'));
    const solved = vpnTicket('closed', [
      { id: 'm2', author: 'analyst', text: 'Set the MTU of the VPN adapter to 1380 in the client settings, then reconnect.' },
    ]);
    await desk.ingest(event('e2', 'ticket_closed', solved));
    const changed = events.find((e) => e.type === 'knowledge-changed');
    expect(changed).toMatchObject({ type: 'knowledge-changed', entryKinds: expect.arrayContaining(['case']) });
    const learned = await service.getEntries(changed!.type === 'knowledge-changed' ? changed!.entryIds : []);
    expect([...learned.values()].every((e) => e.status === 'proposed')).toBe(true);
  });

  it('refuses feedback on a suggestion it never showed, naming it', async () => {
    await expect(desk.feedback({ ticketId: 'folder:T-100', suggestionId: 'nope', action: 'liked' })).rejects.toThrow(
      'No suggestion nope on ticket folder:T-100',
    );
  });

  it('skips a torn journal line left by a crash, says so, and keeps the rest', async () => {
    await desk.ingest(event('e1', 'ticket_opened', vpnTicket(), 'm1'));
    await desk.close();
    await appendFile(join(dir, 'data', 'desk', 'journal.jsonl'), '{"t":"feedback","ticketId":"folder:T-1');
    const warnings: string[] = [];
    desk = await Desk.open(join(dir, 'data'), service, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/journal\.jsonl:\d+: \(line\): not valid JSON/);
    expect(desk.listTickets()).toHaveLength(1);
    // The next record starts on a line of its own.
    await desk.ingest(event('e3', 'message_added', vpnTicket('open', [{ id: 'm3', author: 'customer', text: 'Still failing.' }]), 'm3'));
    await desk.close();
    desk = await Desk.open(join(dir, 'data'), service, { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(2);
    expect(desk.listTickets()[0]!.preview).toBe('Still failing.');
  });

  it('raises a business-impact alert with the message, and a follow-up when the customer waits, once each, across restarts', async () => {
    const urgent: Ticket = {
      id: 'folder:T-300',
      subject: 'Checkout broken',
      status: 'open',
      messages: [{ id: 'm1', author: 'customer', text: 'We cannot process payments since noon, we are losing money!', at: '2026-11-22T12:00:00Z' }],
    };
    await desk.ingest(event('a1', 'ticket_opened', urgent, 'm1'));
    const alerts = (await desk.openTicket('folder:T-300'))!.suggestions.filter((s) => s.suggestion.kind === 'alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.suggestion.reason).toBe('business-impact');
    expect(events).toContainEqual(expect.objectContaining({ type: 'suggestion', kind: 'alert', ticketId: 'folder:T-300' }));

    // Five hours later nobody has answered: a follow-up reminder, raised once.
    const later = Date.parse('2026-11-22T17:00:00Z');
    expect(await desk.pollFollowups(later)).toBe(1);
    expect(await desk.pollFollowups(later + 60_000)).toBe(0);
    const followups = (await desk.openTicket('folder:T-300'))!.suggestions.filter((s) => s.suggestion.kind === 'followup');
    expect(followups).toHaveLength(1);
    await desk.close();
    desk = await Desk.open(join(dir, 'data'), service);
    // The desk's journal knows what it raised: a reopened desk does not raise it again.
    expect(await desk.pollFollowups(later + 120_000)).toBe(0);
    expect((await desk.openTicket('folder:T-300'))!.suggestions.map((s) => s.suggestion.kind).sort()).toEqual(['alert', 'followup']);
  });
});
