import { afterEach, describe, expect, it } from 'vitest';
import { askAboutTicket, summarizeTicket } from '../../../core/assist/explicitAsk';
import type { KnowledgeSource } from '../../../core/assist/knowledgeSource';
import type { LlmError } from '../../../core/llm/languageModel';
import { OllamaClient } from '../../../core/llm/ollamaClient';
import { stored } from '../../fixtures/storeEntries';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';
import { thread } from '../../fixtures/tickets';

const MTU = stored({ id: 'kb-vpn-mtu', title: 'VPN drops on small MTU', body: 'Lower the tunnel MTU to 1380.' });
const source: KnowledgeSource = { name: 'team', search: async () => [{ entry: MTU, similarity: 0.7, fused: 1, textRank: 0, vectorRank: 0 }] };
const ticket = thread(
  { id: 'T-1', subject: 'VPN drops', status: 'open' },
  'My VPN disconnects every few minutes at the hotel.',
  'Which client version?',
);

describe('asking about a ticket', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => server?.close());

  it('streams the model\'s answer from the retrieved entries, citing them', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => ({ content: 'x', chunks: ['Lower the MTU ', 'to 1380 [kb-vpn-mtu].'] }) });
    const seen: string[] = [];
    const answer = await askAboutTicket(ticket, 'What should I tell them?', { llm: new OllamaClient({ host: server.host, model: 'llama3.2' }), sources: [source], onText: (t) => seen.push(t) });
    expect(answer).toMatchObject({ mode: 'llm', text: 'Lower the MTU to 1380 [kb-vpn-mtu].', note: null });
    expect(answer.citations.map((c) => c.entryId)).toEqual(['kb-vpn-mtu']);
    expect(seen).toEqual(['Lower the MTU ', 'Lower the MTU to 1380 [kb-vpn-mtu].']);
  });

  it('discards an answer citing an entry that was not retrieved, and answers from retrieval instead', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => 'Use the admin override [kb-internal-secret].' });
    const answer = await askAboutTicket(ticket, 'What now?', { llm: new OllamaClient({ host: server.host, model: 'llama3.2' }), sources: [source] });
    expect(answer.mode).toBe('retrieval');
    expect(answer.note).toMatch(/not retrieved \(kb-internal-secret\)/);
    expect(answer.text).toContain('[kb-vpn-mtu] VPN drops on small MTU: Lower the tunnel MTU to 1380.');
  });

  it('summarises with the model, or from the messages when the model fails', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: (_b, i) => (i === 0 ? '- VPN drops at hotels\n- waiting on the customer' : { status: 500, error: 'out of memory' }) });
    const llm = new OllamaClient({ host: server.host, model: 'llama3.2' });
    expect(await summarizeTicket(ticket, { llm })).toMatchObject({ mode: 'llm', text: '- VPN drops at hotels\n- waiting on the customer' });
    const errors: LlmError[] = [];
    const fallback = await summarizeTicket(ticket, { llm, onLlmError: (e) => errors.push(e) });
    expect(fallback.mode).toBe('retrieval');
    expect(fallback.text).toBe("Subject: VPN drops\nCustomer's request: My VPN disconnects every few minutes at the hotel.\nLast reply (analyst): Which client version?\n2 messages, status open.");
    expect(errors.map((e) => e.kind)).toEqual(['server_error']);
  });
});
