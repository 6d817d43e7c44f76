/**
 * Ticket text reaches a prompt only redacted, through one redactor, and every LLM call leaves an `llm_call` audit
 * record with its purpose, ticket, entries and redaction counts. Checked on what the loopback "Ollama" server
 * actually received, for every stage: scope, rewrite, answerability and draft, help on request (ask, summary) and
 * learning from a closed ticket.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditLogText } from '../../support/auditText';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { judgeScope } from '../../../core/assist/llmStages';
import { main } from '../../../core/cli/vigil';
import type { Ticket } from '../../../core/formats/schemas';
import { OllamaClient } from '../../../core/llm/ollamaClient';
import { auditLogFile, readAuditLog, verifyAuditLog, type AuditRecord } from '../../../core/privacy/auditLog';
import { PLACEHOLDERS, REDACTION_KINDS, type RedactionKind } from '../../../core/privacy/redaction';
import { startOllamaServer, type ChatRequestBody, type FakeOllama } from '../../support/ollamaServer';
import { answerable, json, promptsOf } from '../assist/llmScript';

/** Personal data in the ticket, and what must never reach the model. */
const PERSONAL = {
  email: 'dana.reyes@example.org',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  iban: 'GB82 WEST 1234 5698 7654 32',
  ip: '10.20.30.40',
  token: 'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij12',
};
const LEAKS = [...Object.values(PERSONAL), 'Dana', 'Reyes', '7946', '1111 1111', 'WEST 1234', 'ABCDEFGHIJKLMNOP'];

function vpnTicket(status: 'open' | 'solved' = 'open'): Ticket {
  return {
    id: 'T-77',
    status,
    requester: 'Dana Reyes',
    subject: 'VPN keeps dropping for Dana',
    messages: [
      {
        id: '1',
        author: 'customer',
        text:
          `Hello, Dana Reyes here. My VPN keeps disconnecting every few minutes on hotel wifi. Reach me at ${PERSONAL.email} or ${PERSONAL.phone}. ` +
          `I paid with card ${PERSONAL.card}, IBAN ${PERSONAL.iban}. My laptop is ${PERSONAL.ip} and my token is ${PERSONAL.token}.`,
      },
      ...(status === 'solved'
        ? [
            { id: '2', author: 'analyst' as const, text: 'Dana, please lower the tunnel MTU to 1380 in the VPN client settings.' },
            { id: '3', author: 'customer' as const, text: 'That fixed it, thanks! Dana' },
          ]
        : []),
    ],
    ...(status === 'solved' ? { resolution: 'Lowered the tunnel MTU to 1380; Dana Reyes confirmed.' } : {}),
  };
}

type Stage = 'scope' | 'rewrite' | 'answerability' | 'learn' | 'text';

function stageOf(body: ChatRequestBody): Stage {
  const required = (body.format as { required?: string[] } | undefined)?.required ?? [];
  if (required.includes('category')) return 'scope';
  if (required.includes('subQueries')) return 'rewrite';
  if (required.includes('answerable')) return 'answerability';
  if (required.includes('entries')) return 'learn';
  return 'text';
}

/** How many times each placeholder occurs in what the model received. */
function placeholdersIn(text: string): Record<RedactionKind, number> {
  return Object.fromEntries(REDACTION_KINDS.map((k) => [k, text.split(PLACEHOLDERS[k]).length - 1])) as Record<RedactionKind, number>;
}

describe('what the local model is sent', () => {
  let server: FakeOllama | undefined;
  let service: CopilotService | undefined;
  afterEach(async () => {
    await service?.close();
    service = undefined;
    await server?.close();
    server = undefined;
  });

  it('never holds the ticket’s personal data, and each call has one llm_call record whose counts match the placeholders sent', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: (body) => {
        const stage = stageOf(body);
        if (stage === 'scope') return json({ category: 'troubleshooting', needsHelp: true });
        if (stage === 'rewrite') return json({ query: 'VPN disconnects every few minutes on hotel wifi', subQueries: ['VPN MTU hotel wifi'] });
        if (stage === 'answerability') return answerable(['kb-vpn-mtu'], 'Lower the tunnel MTU to 1380 [kb-vpn-mtu].');
        if (stage === 'learn') return json({ entries: [{ question: 'Why does the VPN disconnect every few minutes on hotel wifi?', answer: 'Lower the tunnel MTU to 1380 in the VPN client settings.', confidence: 0.9 }] });
        return 'Lower the tunnel MTU to 1380 [kb-vpn-mtu].';
      },
    });
    const dataDir = await tempFolder('vigil-prompt-redaction-');
    service = await CopilotService.open({ dataDir, llm: { model: 'llama3.2', host: server.host } });
    const entries = join(dataDir, 'entries.jsonl');
    await writeFile(entries, JSON.stringify({ id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380 when the VPN disconnects every few minutes on hotel networks.' }));
    await service.importEntries(entries);

    const ticket = vpnTicket();
    const result = await service.assist(ticket, 0);
    expect((await result.draft)?.model).toBe('ollama:llama3.2');
    await service.askAboutTicket(ticket, `Dana (${PERSONAL.email}) asks: what fixes the drops?`);
    await service.summarizeTicket(ticket);
    await service.learnFromClosedTicket(vpnTicket('solved'), 'auto');
    await service.close();
    service = undefined;

    const chats = server.requests.filter((r) => r.path === '/api/chat');
    const stages = chats.map((r) => stageOf(r.body as unknown as ChatRequestBody));
    expect(stages).toEqual(expect.arrayContaining(['rewrite', 'answerability', 'text', 'learn']));
    for (const request of chats) {
      const { system, user } = promptsOf(request.body);
      for (const leak of LEAKS) expect(`${system}\n${user}`).not.toContain(leak);
    }

    const { records } = await readAuditLog(dataDir, { type: 'llm_call' });
    const calls = records.filter((r): r is Extract<AuditRecord, { type: 'llm_call' }> => r.type === 'llm_call');
    expect(calls).toHaveLength(chats.length);
    const purposeOf: Record<Stage, string[]> = { scope: ['scope'], rewrite: ['rewrite'], answerability: ['answerability'], learn: ['learn'], text: ['ask', 'summary'] };
    calls.forEach((call, i) => {
      const { system, user } = promptsOf(chats[i]!.body);
      expect(purposeOf[stages[i]!]).toContain(call.purpose);
      expect(call).toMatchObject({ model: 'llama3.2', outcome: 'ok', promptChars: system.length + user.length });
      expect(call.responseChars).toBeGreaterThan(0);
      expect(call.ticketId).toBe('T-77');
      // The record counts exactly what the model received in place of personal data.
      expect(call.redactions).toEqual(placeholdersIn(user));
    });
    const rewrite = calls.find((c) => c.purpose === 'rewrite')!;
    expect(rewrite.redactions).toMatchObject({ email: 1, phone: 1, card: 1, iban: 1, ip: 1, secret: 1 });
    expect(rewrite.redactions.name).toBeGreaterThanOrEqual(2); // the subject's "Dana" and the message's "Dana Reyes"
    expect(calls.find((c) => c.purpose === 'answerability')?.entryIds).toContain('kb-vpn-mtu');
    expect(calls.find((c) => c.purpose === 'ask')?.entryIds).toEqual(['kb-vpn-mtu']);
    expect(calls.find((c) => c.purpose === 'ask')?.redactions.email).toBeGreaterThanOrEqual(2); // the question's too

    // The audit log itself holds sizes and counts, never the text.
    const logText = auditLogText(await readFile(auditLogFile(dataDir), 'utf8'));
    expect(logText).toContain('"purpose":"rewrite"');
    expect(logText).toContain('"promptChars":<number>');
    expect(logText).not.toMatch(/[0-9a-f]{64}/);
    for (const leak of [...LEAKS, 'hotel', 'MTU']) expect(logText).not.toContain(leak);
    expect((await verifyAuditLog(dataDir)).ok).toBe(true);

    // `vigil audit show|export|verify` show the calls.
    const lines: string[] = [];
    const out = { log: (l: string) => void lines.push(l), error: (l: string) => void lines.push(`stderr: ${l}`) };
    expect(await main(['audit', 'show', '--type', 'llm_call', '--data-dir', dataDir], out)).toBe(0);
    expect(lines).toHaveLength(calls.length);
    expect(lines.find((l) => / llm_call rewrite llama3\.2 ok /.test(l))).toMatch(/ticket: T-77 entries: none prompt: \d+ chars, answer: \d+ chars redacted: secret 1, email 1, iban 1, card 1, ip 1, phone 1, name \d+$/);
    const csv = join(dataDir, 'calls.csv');
    expect(await main(['audit', 'export', '--out', csv, '--format', 'csv', '--type', 'llm_call', '--data-dir', dataDir], out)).toBe(0);
    const rows = (await readFile(csv, 'utf8')).trim().split('\r\n');
    expect(rows).toHaveLength(calls.length + 1);
    expect(rows.find((r) => r.includes(',rewrite,'))).toContain('secret:1 email:1 iban:1 card:1 ip:1 phone:1 name:');
    lines.length = 0;
    expect(await main(['audit', 'verify', '--data-dir', dataDir], out)).toBe(0);
    expect(lines.join('\n')).toMatch(/intact|ok|verified/i);
  });

  it('sends no card number written in full-width digits or split by zero-width spaces, and the audit counts both', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => ({ status: 500, error: 'out of memory' }) });
    const reports: unknown[] = [];
    const client = new OllamaClient({ model: 'llama3.2', host: server.host, onCall: (r) => reports.push(r) });
    const message = 'cards ４１１１ １１１１ １１１１ １１１１ and 4\u200B111\u200B1111\u200B1111\u200B1111 from server 10.0.0.1';
    await expect(judgeScope(client, message, { ticket: vpnTicket() })).rejects.toThrow(/answered with an error/);
    const { user } = promptsOf(server.requests.find((r) => r.path === '/api/chat')!.body);
    expect(user).toContain('cards [CARD] and [CARD] from server [IP]');
    expect(user).not.toMatch(/4\s*1\s*1\s*1|１/);
    expect(reports).toEqual([expect.objectContaining({ redactions: expect.objectContaining({ card: 2, ip: 1 }) })]);
  });

  it('redacts the scope check’s message with the ticket’s names, and records a failed call as an error', async () => {
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => ({ status: 500, error: 'out of memory' }) });
    const reports: unknown[] = [];
    const client = new OllamaClient({ model: 'llama3.2', host: server.host, onCall: (r) => reports.push(r) });
    const ticket = vpnTicket();
    await expect(judgeScope(client, `Dana Reyes: card ${PERSONAL.card} is blocked, call ${PERSONAL.phone}`, { ticket })).rejects.toThrow(/answered with an error/);
    const { user } = promptsOf(server.requests.find((r) => r.path === '/api/chat')!.body);
    expect(user).toContain('[NAME]: card [CARD] is blocked, call [PHONE]');
    expect(reports).toEqual([
      expect.objectContaining({ purpose: 'scope', ticketId: 'T-77', outcome: 'error', responseChars: 0, redactions: { secret: 0, email: 0, iban: 0, card: 1, ip: 0, phone: 1, name: 1 } }),
    ]);
  });
});
