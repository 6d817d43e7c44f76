import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { main } from '../../../core/cli/vigil';
import { EntrySchema } from '../../../core/formats/schemas';

function capture(): { out: { log: (l: string) => void; error: (l: string) => void }; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l) => stdout.push(l), error: (l) => stderr.push(l) }, stdout, stderr };
}

const entries = [
  { id: 'kb-vpn-mtu', kind: 'article', title: 'VPN drops on networks with small MTU', body: 'Lower the tunnel MTU to 1380.', tags: ['vpn'], 'x-team': 'net' },
  { id: 'kb-pin', kind: 'qa', question: 'My PIN is blocked', body: 'Unblock it at any ATM of the network.' },
];

describe('the vigil command', () => {
  it('imports the good entries of a file that holds one nested 5,000 levels deep, and names the bad line', async () => {
    const dir = await tempFolder('vigil-cli-deep-');
    const file = join(dir, 'entries.jsonl');
    const deep = `{"id":"kb-deep","kind":"article","body":"x","meta":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    await writeFile(file, `${JSON.stringify(entries[0])}\n${deep}\n${JSON.stringify(entries[1])}\n`);
    const imp = capture();
    expect(await main(['kb', 'import', file, '--data-dir', join(dir, 'data')], imp.out)).toBe(0);
    expect(imp.stdout).toEqual([`imported 2 entries from ${file} (1 skipped: 1 nests deeper than 64 levels of objects and arrays)`]);
    expect(imp.stderr).toEqual([`skipped ${file}:2: (line): nests deeper than 64 levels of objects and arrays`]);
  });


  it('imports, searches and exports knowledge, keeping unknown fields and naming bad lines', async () => {
    const dir = await tempFolder('vigil-cli-');
    const dataDir = join(dir, 'data');
    const file = join(dir, 'entries.jsonl');
    await writeFile(file, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n{"id": "x", "kind": "article"}\n`);

    const imp = capture();
    expect(await main(['kb', 'import', file, '--data-dir', dataDir], imp.out)).toBe(0);
    expect(imp.stdout).toEqual([`imported 2 entries from ${file} (1 skipped: 1 body: is missing)`]);
    expect(imp.stderr).toEqual([`skipped ${file}:3: body: is missing (expected string)`]);

    const search = capture();
    expect(await main(['kb', 'search', 'vpn', 'keeps', 'dropping', '--json', '--data-dir', dataDir], search.out)).toBe(0);
    expect(JSON.parse(search.stdout[0]!)).toMatchObject({ id: 'kb-vpn-mtu', kind: 'article', status: 'approved' });

    const exported = join(dir, 'export.jsonl');
    expect(await main(['kb', 'export', '--out', exported, '--data-dir', dataDir], capture().out)).toBe(0);
    const back = (await readFile(exported, 'utf8')).trim().split('\n').map((l) => EntrySchema.parse(JSON.parse(l)));
    expect(back.map((e) => e.id).sort()).toEqual(['kb-pin', 'kb-vpn-mtu']);
    expect(back.find((e) => e.id === 'kb-vpn-mtu')).toMatchObject({ 'x-team': 'net', status: 'approved', source: { type: 'import', ref: 'entries.jsonl' } });

    const status = capture();
    expect(await main(['status', '--data-dir', dataDir], status.out)).toBe(0);
    expect(status.stdout).toContain('entries: 2 (approved 2, proposed 0, retired 0)');
  });

  it('runs a replay and prints its summary', async () => {
    const dir = await tempFolder('vigil-cli-');
    const tickets = join(dir, 'tickets.jsonl');
    await writeFile(tickets, `${JSON.stringify({ id: 'T-1', status: 'solved', messages: [{ id: '1', author: 'customer', text: 'card payment declined abroad' }], resolution: 'Enable travel mode.' })}\n{"id": "T-2"}\n`);
    const run = capture();
    const out = join(dir, 'out.jsonl');
    expect(await main(['replay', '--tickets', tickets, '--out', out], run.out)).toBe(0);
    expect(run.stdout).toContain('entries learned: 2 from 1 closed tickets');
    expect(run.stdout).toContain('tickets: 1 (1 customer messages); 1 ticket lines skipped');
    expect(run.stdout.some((l) => /^latency: p50 [\d.]+ ms, p95 [\d.]+ ms$/.test(l))).toBe(true);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('explains usage mistakes with exit code 2 and failures with exit code 1', async () => {
    const usage = capture();
    expect(await main(['replay', '--out', 'x.jsonl'], usage.out)).toBe(2);
    // One line for the mistake and one for where the usage is, not 35 lines of usage that push it off screen.
    expect(usage.stderr).toEqual(['vigil: replay needs --tickets FILE\nSee `vigil --help` for usage.']);
    expect(await main(['kb', 'search', 'x', '--limit', 'many'], capture().out)).toBe(2);
    expect(await main(['frobnicate'], capture().out)).toBe(2);

    const dir = await tempFolder('vigil-cli-');
    const failure = capture();
    expect(await main(['replay', '--tickets', join(dir, 'missing.jsonl'), '--out', join(dir, 'o.jsonl')], failure.out)).toBe(1);
    expect(failure.stderr[0]).toMatch(/missing\.jsonl/);

    const noFolder = capture();
    const tickets = join(dir, 'tickets.jsonl');
    await writeFile(tickets, JSON.stringify({ id: 'T-1', messages: [{ id: '1', author: 'customer', text: 'hi' }] }));
    expect(await main(['replay', '--tickets', tickets, '--out', join(dir, 'missing-dir', 'x.jsonl')], noFolder.out)).toBe(1);
    expect(noFolder.stderr).toEqual([`vigil: Cannot write ${join(dir, 'missing-dir', 'x.jsonl')}: the folder ${join(dir, 'missing-dir')} does not exist.`]);
  });
});

describe('vigil kb import of knowledge in other shapes', () => {
  it('imports a JSON array and a folder of articles, and exits 1 when nothing at all was imported', async () => {
    const dir = await tempFolder('vigil-cli-');
    const dataDir = join(dir, 'data');
    const array = join(dir, 'entries.json');
    await writeFile(array, JSON.stringify(entries, null, 2));
    const ok = capture();
    expect(await main(['kb', 'import', array, '--data-dir', dataDir], ok.out)).toBe(0);
    expect(ok.stdout).toEqual([`imported 2 entries from ${array}`]);

    const csv = join(dir, 'faq.csv');
    await writeFile(csv, 'Question,Answer\nQ,A\n');
    const none = capture();
    expect(await main(['kb', 'import', csv, '--data-dir', dataDir], none.out)).toBe(1);
    // The summary keeps the reason whole when its parentheses are mid-sentence: the columns and the way out.
    expect(none.stdout).toEqual([`imported 0 entries from ${csv} (1 skipped: 1 body: no "body" column (columns: Question, Answer); name the one holding the text with --map body=COLUMN)`]);
    expect(none.stderr.at(-1)).toMatch(/nothing was imported/);

    const mapped = capture();
    expect(await main(['kb', 'import', csv, '--map', 'question=Question,body=Answer', '--data-dir', dataDir], mapped.out)).toBe(0);
    expect(await main(['kb', 'import', csv, '--map', 'answer=Answer', '--data-dir', dataDir], capture().out)).toBe(2);
  });
});

describe('vigil status', () => {
  it('reports the local LLM chosen with `vigil llm use`, not "no local model is configured"', async () => {
    const dataDir = join(await tempFolder('vigil-cli-'), 'data');
    expect(await main(['llm', 'use', 'llama3.2:3b', '--ollama-host', '127.0.0.1:9', '--data-dir', dataDir], capture().out)).toBe(0);
    const status = capture();
    expect(await main(['status', '--data-dir', dataDir], status.out)).toBe(0);
    expect(status.stdout).toContain('local LLM: llama3.2:3b at 127.0.0.1:9 (chosen with `vigil llm use`)');
    expect(status.stdout.join('\n')).not.toMatch(/No local model is configured/);
  });

  it('says whether the confidence gate is recalibrated from feedback, and turns it off and resets it', async () => {
    const dataDir = join(await tempFolder('vigil-cli-'), 'data');
    const status = capture();
    expect(await main(['status', '--data-dir', dataDir], status.out)).toBe(0);
    expect(status.stdout).toContain('confidence gate: using the default gate (0 of 30 reactions needed)');
    const off = capture();
    expect(await main(['status', '--gate-recalibration', 'off', '--reset-gate', '--data-dir', dataDir], off.out)).toBe(0);
    expect(off.stdout).toContain('confidence gate: gate recalibration is off for this team: using the default gate (threshold 0.5)');
    const settings = JSON.parse(await readFile(join(dataDir, 'learn', 'settings.json'), 'utf8')) as { gateRecalibration: { enabled: boolean; since: string | null } };
    expect(settings.gateRecalibration).toMatchObject({ enabled: false, since: expect.stringMatching(/^\d{4}-/) });
    const wrong = capture();
    expect(await main(['status', '--gate-recalibration', 'maybe', '--data-dir', dataDir], wrong.out)).toBe(2);
    expect(wrong.stderr.join('\n')).toMatch(/--gate-recalibration must be on or off/);
  });
});

describe('vigil kb search', () => {
  it('shows the scores that order the list, so they never rise down it', async () => {
    const dir = await tempFolder('vigil-cli-');
    const file = join(dir, 'entries.jsonl');
    const many = Array.from({ length: 12 }, (_, i) => ({ id: `kb-${i}`, kind: 'article', title: `Return policy ${i}`, body: `${'Returns and refunds. '.repeat(i + 1)}Jeans that are too small can be returned within ${i + 10} days.` }));
    await writeFile(file, many.map((e) => JSON.stringify(e)).join('\n'));
    expect(await main(['kb', 'import', file, '--data-dir', join(dir, 'data')], capture().out)).toBe(0);
    const search = capture();
    expect(await main(['kb', 'search', 'return', 'jeans', 'too', 'small', '--limit', '12', '--data-dir', join(dir, 'data')], search.out)).toBe(0);
    const scores = search.stdout.slice(1).map((line) => Number(line.split(/\s+/)[0]));
    expect(scores).toHaveLength(12);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const json = capture();
    expect(await main(['kb', 'search', 'return', 'jeans', 'too', 'small', '--limit', '12', '--json', '--data-dir', join(dir, 'data')], json.out)).toBe(0);
    const relevance = json.stdout.map((l) => (JSON.parse(l) as { relevance: number }).relevance);
    expect(relevance).toEqual([...relevance].sort((a, b) => b - a));
  });
});
