/**
 * A `suggestion` audit record says what was redacted for it: the sum of the redaction counts of the LLM calls
 * made for that decision (core/privacy/decisionRedactions.ts), never another ticket's, and zero when no model saw
 * anything. Two tickets are answered at the same time through the loopback "Ollama", so counts that leaked from one
 * decision into another would show.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLogText } from '../../support/auditText';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import type { Ticket } from '../../../core/formats/schemas';
import { auditLogFile, readAuditLog, type AuditRecord } from '../../../core/privacy/auditLog';
import { addCounts, emptyCounts, type RedactionCounts } from '../../../core/privacy/redaction';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';
import { answerable, json, scripted } from '../assist/llmScript';

const dana: Ticket = {
  id: 'T-1',
  status: 'open',
  requester: 'Dana Reyes',
  messages: [{ id: '1', author: 'customer', text: 'Hi, Dana Reyes here, dana@example.org: my VPN keeps disconnecting every few minutes on hotel wifi' }],
};
const omar: Ticket = {
  id: 'T-2',
  status: 'open',
  requester: 'Omar Haddad',
  messages: [{ id: '1', author: 'customer', text: 'My VPN disconnects every few minutes on hotel wifi. Call me on +44 20 7946 0958; the card 4111 1111 1111 1111 was charged for it.' }],
};

function sumOf(records: AuditRecord[]): RedactionCounts {
  const total = emptyCounts();
  for (const r of records) if (r.type === 'llm_call') addCounts(total, r.redactions);
  return total;
}

describe('redaction counts in suggestion audit records', () => {
  let server: FakeOllama | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sum the redactions of the LLM calls made for each decision, and only those', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: scripted({
        rewrite: () => json({ query: 'VPN disconnects every few minutes on hotel wifi', subQueries: [] }),
        answerability: () => answerable(['kb-vpn-mtu'], 'Lower the tunnel MTU to 1380 [kb-vpn-mtu].'),
      }),
    });
    dir = await tempFolder('vigil-audit-redactions-');
    const knowledge = join(dir, 'entries.jsonl');
    await writeFile(knowledge, JSON.stringify({ id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380 when the VPN disconnects every few minutes on hotel networks.' }));
    const dataDir = join(dir, 'data');
    const service = await CopilotService.open({ dataDir, llm: { model: 'llama3.2', host: server.host } });
    try {
      await service.importEntries(knowledge);
      // Both at once: their LLM calls interleave on the server.
      const results = await Promise.all([service.assist(dana, 0), service.assist(omar, 0)]);
      await Promise.all(results.map((r) => r.draft));
    } finally {
      await service.close();
    }

    const { records } = await readAuditLog(dataDir);
    for (const [ticket, present, absent] of [
      [dana, ['email', 'name'], ['card', 'phone']],
      [omar, ['card', 'phone'], ['email', 'name']],
    ] as const) {
      const calls = records.filter((r) => r.type === 'llm_call' && r.ticketId === ticket.id);
      expect(calls.length).toBeGreaterThanOrEqual(2); // rewrite and answerability
      const suggestions = records.filter((r): r is Extract<AuditRecord, { type: 'suggestion' }> => r.type === 'suggestion' && r.ticketId === ticket.id);
      const drafted = suggestions.find((r) => r.model === 'ollama:llama3.2');
      const retrieval = suggestions.find((r) => r.model === null);
      expect(drafted?.redactions).toEqual(sumOf(calls));
      for (const kind of present) expect(drafted!.redactions[kind], `${ticket.id} ${kind}`).toBeGreaterThan(0);
      for (const kind of absent) expect(drafted!.redactions[kind], `${ticket.id} ${kind}`).toBe(0);
      // The retrieval decision was made before any model call: nothing was redacted for it.
      expect(retrieval?.redactions).toEqual(emptyCounts());
    }
    const logText = auditLogText(await readFile(auditLogFile(dataDir), 'utf8'));
    expect(logText).toContain('"type":"suggestion"');
    expect(logText).not.toMatch(/dana@|Reyes|Haddad|4111|7946/);
  });
});
