import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { conversationText } from '../../../core/assist/llmStages';
import type { Ticket } from '../../../core/formats/schemas';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';
import { answerable, json, promptsOf, scripted, stageOf } from './llmScript';

const ENTRIES = [
  { id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380 when the VPN disconnects every few minutes on hotel or mobile networks. Steps: https://docs.example.com/vpn#mtu' },
  { id: 'kb-pin', kind: 'article', title: 'Unblock a PIN', body: 'A PIN blocked after three wrong attempts can be unblocked at any ATM of the network.' },
  { id: 'kb-refund', kind: 'article', title: 'Refund for a returned item', body: 'Refunds for returned items reach the original card within 5 to 7 working days.' },
];

function ticket(id: string, ...texts: string[]): Ticket {
  return { id, status: 'open', messages: texts.map((text, i) => ({ id: String(i + 1), author: 'customer' as const, text })) };
}

async function openService(server: FakeOllama | null, dataDir?: string): Promise<{ service: CopilotService; dataDir: string }> {
  const dir = dataDir ?? (await tempFolder('vigil-pipeline-'));
  const service = await CopilotService.open({ dataDir: dir, ...(server ? { llm: { model: 'llama3.2', host: server.host } } : {}) });
  if (!dataDir) {
    const file = join(dir, 'entries.jsonl');
    await writeFile(file, ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
    await service.importEntries(file);
  }
  return { service, dataDir: dir };
}

describe('the proactive pipeline with a local model (loopback Ollama API server)', () => {
  let server: FakeOllama | undefined;
  let service: CopilotService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
    await server?.close();
    server = undefined;
  });

  it('shows the retrieval decision at once, then the LLM draft with citations of retrieved entries', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: scripted({
        rewrite: () => json({ query: 'VPN disconnects every few minutes on hotel wifi', subQueries: ['VPN MTU hotel network'] }),
        answerability: () => answerable(['kb-vpn-mtu'], 'Lower the tunnel MTU to 1380 [kb-vpn-mtu]; see https://docs.example.com/vpn#mtu'),
      }),
    });
    ({ service } = await openService(server));
    expect((await service.status()).llm).toMatchObject({ mode: 'llm', modelId: 'ollama:llama3.2' });

    const { decision, draft } = await service.assist(ticket('T-1', 'Hi, my VPN keeps disconnecting every few minutes at the hotel. Order 99812345, jane@acme.test'), 0);
    expect(decision).toMatchObject({ stage: 'retrieval', ticketId: 'T-1', afterMessageId: '1' });
    expect(decision.citations[0]?.entryId).toBe('kb-vpn-mtu');
    const llm = await draft!;
    expect(llm).toMatchObject({
      stage: 'llm',
      shown: true,
      reason: 'answerable',
      kind: 'answer',
      text: 'Lower the tunnel MTU to 1380 [kb-vpn-mtu]; see docs.example.com/vpn#mtu', // no allow-list here: plain text
      model: 'ollama:llama3.2',
    });
    expect(llm.citations[0]).toMatchObject({ entryId: 'kb-vpn-mtu', kind: 'article', sourceTicketId: null });
    expect(llm.confidence).toBeGreaterThanOrEqual(0.5);
    expect(llm.gates.map((g) => `${g.gate}:${g.verdict}`)).toEqual(['scope:pass', 'rewrite:pass', 'retrieval:pass', 'answerability:pass', 'repeat:pass']);

    // The rewrite stage saw the conversation without the order number or the e-mail address.
    const rewriteCall = server.requests.find((r) => r.path === '/api/chat' && stageOf(r.body as never) === 'rewrite');
    expect(promptsOf(rewriteCall!.body).user).not.toMatch(/99812345|jane@acme/);
    // A message the rules are sure about never goes to the model's scope check.
    expect(server.requests.some((r) => r.path === '/api/chat' && stageOf(r.body as never) === 'scope')).toBe(false);
  });

  it('records the LLM draft as shown, so the delayed review judges the entries the analyst saw', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: scripted({
        rewrite: () => json({ query: 'VPN disconnects every few minutes on hotel wifi', subQueries: ['VPN MTU hotel network'] }),
        answerability: () => answerable(['kb-vpn-mtu'], 'Lower the tunnel MTU to 1380 [kb-vpn-mtu].'),
      }),
    });
    ({ service } = await openService(server));
    const { decision, draft } = await service.assist(ticket('T-9', 'Hi, my VPN keeps disconnecting every few minutes at the hotel.'), 0);
    const llm = await draft!;
    expect(llm).toMatchObject({ stage: 'llm', shown: true });
    const shown = service.learning.feedback.eventsOf('T-9').filter((e) => e.type === 'shown' && e.afterMessageId === '1');
    expect(shown).toHaveLength(decision.shown ? 2 : 1);
    expect(shown.at(-1)?.entryIds).toEqual(llm.citations.map((c) => c.entryId));
  });

  it('withdraws the retrieval suggestion when the model finds the entries do not answer this exact problem', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: scripted({}) });
    ({ service } = await openService(server));
    const { draft } = await service.assist(ticket('T-2', 'My VPN disconnects every few minutes on the office LAN since the upgrade'), 0);
    const llm = await draft!;
    expect(llm).toMatchObject({ stage: 'llm', shown: false, reason: 'not_answerable' });
    expect(llm.gates.find((g) => g.gate === 'answerability')?.detail).toMatch(/different symptom \(no match: symptom\)/);
    expect(llm.citations.length).toBeGreaterThan(0); // the candidates considered are kept
  });

  it('asks the model about messages the rules are unsure of, and stays silent when it says chit-chat', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: scripted({ scope: () => json({ category: 'thanks_or_chit_chat', needsHelp: false }) }) });
    ({ service } = await openService(server));
    const { decision, draft } = await service.assist(ticket('T-3', 'lovely weather in Lisbon today'), 0);
    expect(decision.gates[0]).toMatchObject({ gate: 'scope', verdict: 'pass', detail: 'unsure: no question and no problem words' });
    expect(await draft!).toMatchObject({ stage: 'llm', shown: false, reason: 'out_of_scope' });
    expect((await draft!).gates.find((g) => g.gate === 'llm_scope')?.detail).toBe('model: thanks_or_chit_chat, no help needed');
    // Plain thanks stop at the rules: no model call, no draft.
    const thanks = await service.assist(ticket('T-3b', 'thanks!'), 0);
    expect(thanks.draft).toBeNull();
    expect(thanks.decision.reason).toBe('out_of_scope');
  });

  it('keeps the retrieval decision and says why when the model answers garbage, then sets the model aside', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => 'I think the answer is yes' });
    ({ service } = await openService(server));
    for (let i = 0; i < 3; i++) {
      const { decision, draft } = await service.assist(ticket(`T-g${i}`, 'The VPN disconnects every few minutes on hotel wifi'), 0);
      const llm = await draft!;
      expect(llm).toMatchObject({ stage: 'llm', shown: decision.shown, reason: decision.reason, text: decision.text });
      expect(llm.gates.at(-1)).toMatchObject({ gate: 'llm', verdict: 'error' });
      expect(llm.gates.at(-1)?.detail).toMatch(/not JSON/);
    }
    const status = (await service.status()).llm;
    expect(status.mode).toBe('retrieval-only');
    expect(status.reason).toMatch(/gave answers Vigil could not read 3 times in a row/);
    expect((await service.assist(ticket('T-g4', 'The VPN disconnects every few minutes'), 0)).draft).toBeNull();
  });

  it('cancels a draft still waiting for the model when the service closes, keeping the retrieval decision', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => ({ stallMs: 120_000 }) });
    ({ service } = await openService(server));
    const { decision, draft } = await service.assist(ticket('T-c', 'The VPN disconnects every few minutes on hotel wifi'), 0);
    await service.close();
    service = undefined;
    const llm = await draft!;
    expect(llm).toMatchObject({ stage: 'llm', shown: decision.shown, reason: decision.reason });
    expect(llm.gates.at(-1)).toMatchObject({ gate: 'llm', verdict: 'error', detail: 'The request to llama3.2 was cancelled.' });
  });

  it('pulls a missing model on request, with progress, and switches to LLM mode when it is there', async () => {
    server = await startOllamaServer({ models: [], pullable: ['llama3.2'], reply: scripted({}) });
    ({ service } = await openService(server));
    expect((await service.status()).llm.mode).toBe('retrieval-only');
    expect(await service.llm.listModels()).toEqual([]);
    const statuses: string[] = [];
    const after = await service.llm.pull((p) => statuses.push(p.status));
    expect(statuses.at(-1)).toBe('success');
    expect(after.mode).toBe('llm');
    expect((await service.llm.listModels()).map((m) => m.name)).toEqual(['llama3.2:latest']);
  });

  it('works retrieval-only, and says why, when Ollama is not running', async () => {
    const down = await startOllamaServer();
    const host = down.host;
    await down.close();
    const dir = await tempFolder('vigil-pipeline-');
    service = await CopilotService.open({ dataDir: dir, llm: { model: 'llama3.2', host } });
    const status = await service.status();
    expect(status.llm).toMatchObject({ mode: 'retrieval-only' });
    expect(status.llm.reason).toBe(`Ollama is not running at ${host}. Start it with \`ollama serve\`, or keep working in retrieval-only mode. Vigil checks again in the background.`);
    expect(status.llm.nextCheckAt).not.toBeNull();
    const { decision, draft } = await service.assist(ticket('T-d', 'The VPN disconnects every few minutes'), 0);
    expect(decision.stage).toBe('retrieval');
    expect(draft).toBeNull();
  });

  it('never repeats a shown suggestion on a ticket, even after a restart; forgets it when the ticket closes', async () => {
    let dataDir: string;
    ({ service, dataDir } = await openService(null));
    const t = ticket('T-r', 'My PIN is blocked after three wrong attempts, how do I unblock it?', 'The PIN is still blocked after three wrong attempts, how do I unblock it?');
    const first = await service.assistOnMessage(t, 0);
    expect(first).toMatchObject({ shown: true });
    expect(first.citations[0]?.entryId).toBe('kb-pin');
    await service.close();
    ({ service } = await openService(null, dataDir));
    expect(await service.assistOnMessage(t, 1)).toMatchObject({ shown: false, reason: 'duplicate' });
    expect((await readFile(join(dataDir, 'assist', 'shown.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(1);
    await service.learnFromClosedTicket({ ...t, status: 'closed' }, 'auto');
    await service.close();
    ({ service } = await openService(null, dataDir));
    expect(await service.assistOnMessage({ ...t, id: 'T-r' }, 0)).toMatchObject({ shown: true });
  });
});

describe('personal data in what the model sees', () => {
  it('removes phone numbers, stated names and user names from the conversation, through the one redactor', () => {
    const text = 'Call me at (977) 625-2661 or +44 20 7946 0958. My name is Crystal Minh, username: cminh730. I am Alessandro. I am waiting for 3 days.';
    expect(conversationText(ticket('T-9', text), 0)).toBe(
      'customer: Call me at [PHONE] or [PHONE]. My name is [NAME], username: [NAME]. I am [NAME]. I am waiting for 3 days.',
    );
  });
});
