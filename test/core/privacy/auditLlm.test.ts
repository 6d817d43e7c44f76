import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../../core/app/replay';
import { auditLogFile, readAuditLog, verifyAuditLog } from '../../../core/privacy/auditLog';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';
import { answerable, json, scripted } from '../assist/llmScript';
import { tempFolder } from '../../support/tempFolder';

describe('audit of LLM drafts', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => server?.close());

  it('records the retrieval decision and the model’s draft, each with its entries and model, and no customer text', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: scripted({
        rewrite: () => json({ query: 'VPN disconnects every few minutes on hotel wifi', subQueries: [] }),
        answerability: () => answerable(['kb-vpn-mtu'], 'Lower the tunnel MTU to 1380 [kb-vpn-mtu].'),
      }),
    });
    const dir = await tempFolder('vigil-audit-llm-');
    const tickets = join(dir, 'tickets.jsonl');
    const knowledge = join(dir, 'entries.jsonl');
    await writeFile(knowledge, JSON.stringify({ id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380 when the VPN disconnects every few minutes on hotel networks.' }));
    const message = 'Hi, Dana Reyes here, dana@example.org: my VPN keeps disconnecting every few minutes on hotel wifi';
    await writeFile(tickets, JSON.stringify({ id: 'T-1', status: 'open', requester: 'Dana Reyes', messages: [{ id: '1', author: 'customer', text: message }] }));
    const dataDir = join(dir, 'data');
    await runReplay({ tickets, knowledge: [knowledge], out: join(dir, 'out.jsonl'), dataDir, llm: { model: 'llama3.2', host: server.host } });

    const { records } = await readAuditLog(dataDir, { type: 'suggestion' });
    const llm = records.find((r) => r.type === 'suggestion' && r.model === 'ollama:llama3.2');
    expect(llm).toMatchObject({ ticketId: 'T-1', afterMessageId: '1', shown: true, entryIds: ['kb-vpn-mtu'] });
    expect(records.some((r) => r.type === 'suggestion' && r.model === null)).toBe(true); // the retrieval decision
    const raw = await readFile(auditLogFile(dataDir), 'utf8');
    expect(raw).not.toMatch(/dana|Reyes|hotel/i);
    expect((await verifyAuditLog(dataDir)).ok).toBe(true);
  });
});
