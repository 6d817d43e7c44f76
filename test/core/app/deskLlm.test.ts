/** The desk with a local model: Ollama's REST API from the loopback server (Ollama cannot be installed here). */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import type { DeskEvent } from '../../../core/app/deskTypes';
import { Workspace } from '../../../core/app/workspace';
import type { Ticket } from '../../../core/formats/schemas';
import { writeLlmSetting } from '../../../core/llm/llmSetting';
import { ARTICLES } from '../../fixtures/storeEntries';
import { answerable, json, notAnswerable, scripted } from '../assist/llmScript';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

const ticket: Ticket = {
  id: 'demo:T-9',
  subject: 'VPN keeps dropping',
  status: 'open',
  messages: [{ id: 'm1', author: 'customer', text: 'My VPN disconnects every few minutes when I work from the hotel network.' }],
};

describe('the desk with a local model', () => {
  let dir: string;
  let server: FakeOllama;
  let workspace: Workspace;
  afterEach(async () => {
    await workspace?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(answerability: () => string): Promise<DeskEvent[]> {
    dir = await tempFolder('vigil-desk-llm-');
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: scripted({ rewrite: () => json({ query: 'VPN drops on hotel wifi', subQueries: [] }), answerability }),
    });
    const data = join(dir, 'data');
    // The team's model, as `vigil llm use llama3.2 --ollama-host …` records it.
    await writeLlmSetting(data, { model: 'llama3.2', host: server.host });
    workspace = await Workspace.open({ dataDir: data });
    const kb = join(dir, 'kb.jsonl');
    await writeFile(kb, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n'));
    await workspace.service.importEntries(kb);
    const events: DeskEvent[] = [];
    workspace.desk.onEvent((e) => events.push(e));
    return events;
  }

  it('shows the retrieval suggestion at once, then replaces it with the model’s cited draft, and keeps it across a restart', async () => {
    const events = await open(() => answerable(['kb-vpn-mtu'], 'Set the VPN tunnel MTU to 1380 and reconnect [kb-vpn-mtu].'));
    expect((await workspace.service.status()).llm.mode).toBe('llm');
    await workspace.desk.ingest({ id: 'e1', type: 'ticket_opened', ticketId: ticket.id, at: '2026-11-22T10:00:00Z', ticket, messageId: 'm1' });
    await vi.waitFor(() => expect(events.filter((e) => e.type === 'suggestion')).toHaveLength(2));
    const detail = await workspace.desk.openTicket(ticket.id);
    expect(detail!.suggestions).toHaveLength(1);
    expect(detail!.suggestions[0]!.suggestion.text).toBe('Set the VPN tunnel MTU to 1380 and reconnect [kb-vpn-mtu].');
    expect(detail!.suggestions[0]!.citations[0]).toMatchObject({ entryId: 'kb-vpn-mtu', title: 'VPN drops on networks with small MTU' });

    await workspace.close();
    workspace = await Workspace.open({ dataDir: join(dir, 'data') });
    const again = await workspace.desk.openTicket(ticket.id);
    expect(again!.suggestions.map((s) => s.suggestion.text)).toEqual(['Set the VPN tunnel MTU to 1380 and reconnect [kb-vpn-mtu].']);
  });

  it('withdraws the retrieval suggestion when the model finds the knowledge does not answer this problem', async () => {
    const events = await open(() => notAnswerable);
    await workspace.desk.ingest({ id: 'e1', type: 'ticket_opened', ticketId: ticket.id, at: '2026-11-22T10:00:00Z', ticket, messageId: 'm1' });
    expect(events.filter((e) => e.type === 'suggestion')).toHaveLength(1);
    await vi.waitFor(async () => expect((await workspace.desk.openTicket(ticket.id))!.suggestions).toHaveLength(0));
    expect((await workspace.desk.listTickets())[0]!.waiting).toBe(0);
  });
});
