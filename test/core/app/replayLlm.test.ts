import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../../core/app/replay';
import { main } from '../../../core/cli/vigil';
import { SuggestionSchema } from '../../../core/formats/schemas';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';
import { answerable, json, scripted } from '../assist/llmScript';
import { tempFolder } from '../../support/tempFolder';

const knowledge = [{ id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380 when the VPN disconnects every few minutes on hotel networks.' }];
const at = (minutes: number): string => new Date(Date.parse('2026-03-02T09:00:00Z') + minutes * 60_000).toISOString();
const tickets = [
  {
    id: 'T-1',
    status: 'open',
    messages: [
      { id: '1', author: 'customer', text: 'My VPN keeps disconnecting every few minutes on hotel wifi', at: at(0) },
      { id: '2', author: 'analyst', text: "I'll call you back in 2 hours.", at: at(30) },
      { id: '3', author: 'customer', text: 'Our whole team is affected, we are losing sales', at: at(200) },
    ],
  },
];

async function files(): Promise<{ dir: string; ticketsFile: string; knowledgeFile: string }> {
  const dir = await tempFolder('vigil-replay-llm-');
  const ticketsFile = join(dir, 'tickets.jsonl');
  const knowledgeFile = join(dir, 'entries.jsonl');
  await writeFile(ticketsFile, tickets.map((t) => JSON.stringify(t)).join('\n'));
  await writeFile(knowledgeFile, knowledge.map((e) => JSON.stringify(e)).join('\n'));
  return { dir, ticketsFile, knowledgeFile };
}

describe('vigil replay --llm', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => server?.close());

  it('writes the retrieval decision and the LLM decision for each message, with every gate, plus follow-ups and alerts', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: scripted({
        rewrite: () => json({ query: 'VPN disconnects every few minutes on hotel wifi', subQueries: [] }),
        answerability: (body) =>
          JSON.stringify(body).includes('losing sales') ? json({ objectMatches: false, symptomMatches: false, preconditionsMatch: false, answerable: false, reason: 'a business impact report', kind: 'answer', answer: '', citations: [] }) : answerable(['kb-vpn-mtu'], 'Lower the tunnel MTU to 1380 [kb-vpn-mtu].'),
      }),
    });
    const { dir, ticketsFile, knowledgeFile } = await files();
    const out = join(dir, 'suggestions.jsonl');
    const summary = await runReplay({ tickets: ticketsFile, knowledge: [knowledgeFile], out, llm: { model: 'llama3.2', host: server.host } });
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of lines) SuggestionSchema.parse(line); // the spec's fields are all there
    expect(lines.map((l) => `${l['afterMessageId']} ${l['stage']} ${l['kind']} ${l['shown']} ${l['reason']}`)).toEqual([
      expect.stringMatching(/^1 retrieval article (true answerable|false low_confidence)$/),
      '1 llm answer true answerable',
      '2 rules followup true promise_due',
      '3 rules alert true business-impact',
      expect.stringMatching(/^3 retrieval /),
      '3 llm article false not_answerable',
    ]);
    const llmLine = lines[1]!;
    expect(llmLine['model']).toBe('ollama:llama3.2');
    expect((llmLine['gates'] as Array<{ gate: string }>).map((g) => g.gate)).toEqual(['scope', 'rewrite', 'retrieval', 'answerability', 'repeat']);
    expect(lines[3]).toMatchObject({ priority: 'P0' });
    expect(summary).toMatchObject({ customerMessages: 2, decisions: 6, llmDecisions: 2, followups: 1, alerts: 1, shown: 1, llm: { mode: 'llm' } });
    expect(summary.suppressedByReason).toEqual({ not_answerable: 1 });
  });

  it('runs retrieval-only from the command line when Ollama is down, and says why', async () => {
    const down = await startOllamaServer();
    const host = down.host;
    await down.close();
    const { dir, ticketsFile, knowledgeFile } = await files();
    const out = join(dir, 'suggestions.jsonl');
    const stdout: string[] = [];
    const code = await main(['replay', '--tickets', ticketsFile, '--knowledge', knowledgeFile, '--out', out, '--llm', 'llama3.2', '--ollama-host', host], { log: (l) => stdout.push(l), error: () => {} });
    expect(code).toBe(0);
    expect(stdout).toContain(`mode: retrieval-only: Ollama is not running at ${host}. Start it with \`ollama serve\`, or keep working in retrieval-only mode. Vigil checks again in the background.`);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l['stage'] === 'llm')).toEqual([]);
    expect(await main(['replay', '--tickets', ticketsFile, '--out', out, '--ollama-host', host], { log: () => {}, error: () => {} })).toBe(2);
  });
});
