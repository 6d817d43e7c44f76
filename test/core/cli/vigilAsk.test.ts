import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { main } from '../../../core/cli/vigil';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';

const ticket = { id: 'T-1', subject: 'VPN drops', status: 'open', messages: [{ id: '1', author: 'customer', text: 'My VPN disconnects every few minutes at the hotel.' }] };
const entry = { id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380.' };

function capture(): { out: { log: (l: string) => void; error: (l: string) => void }; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l) => stdout.push(l), error: (l) => stderr.push(l) }, stdout, stderr };
}

describe('vigil ask and vigil summary', () => {
  let server: FakeOllama | undefined;
  afterEach(async () => server?.close());

  it('answers a question about a ticket with the local model, citing the knowledge, and summarises without one', async () => {
    const dir = await tempFolder('vigil-ask-');
    const dataDir = join(dir, 'data');
    await writeFile(join(dir, 'tickets.jsonl'), JSON.stringify(ticket));
    await writeFile(join(dir, 'entries.jsonl'), JSON.stringify(entry));
    expect(await main(['kb', 'import', join(dir, 'entries.jsonl'), '--data-dir', dataDir], capture().out)).toBe(0);
    server = await startOllamaServer({ models: [{ name: 'llama3.2' }], reply: () => 'Suggest lowering the tunnel MTU to 1380 [kb-vpn-mtu].' });

    const asked = capture();
    const args = ['--tickets', join(dir, 'tickets.jsonl'), '--ticket', 'T-1', '--data-dir', dataDir];
    expect(await main(['ask', ...args, '--llm', 'llama3.2', '--ollama-host', server.host, 'what', 'should', 'I', 'try?'], asked.out)).toBe(0);
    expect(asked.stdout[0]).toBe('Suggest lowering the tunnel MTU to 1380 [kb-vpn-mtu].');
    expect(asked.stdout[1]).toMatch(/^ {2}cites kb-vpn-mtu \(article, /);

    const summary = capture();
    expect(await main(['summary', ...args], summary.out)).toBe(0);
    expect(summary.stdout[0]).toBe("Subject: VPN drops\nCustomer's request: My VPN disconnects every few minutes at the hotel.\n1 message, status open.");
    expect(summary.stderr).toEqual(['No local model is running; this summary is extracted from the messages.']);

    const missing = capture();
    expect(await main(['summary', '--tickets', join(dir, 'tickets.jsonl'), '--ticket', 'T-404', '--data-dir', dataDir], missing.out)).toBe(1);
    expect(missing.stderr).toEqual([`vigil: Ticket T-404 is not in ${join(dir, 'tickets.jsonl')}.`]);
  });
});
