import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CopilotService } from '../../../core/app/copilotService';
import { main } from '../../../core/cli/vigil';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Ticket } from '../../../core/formats/schemas';
import { rulesPath } from '../../../core/rules/ruleFile';
import { TrustList } from '../../../core/packs/trustList';
import { tempFolder } from '../../support/tempFolder';
import { NETWORK_ENTRIES, newKey, writePack } from '../packs/packFixtures';
import { startOllamaServer, type FakeOllama } from '../../support/ollamaServer';
import { thread } from '../../fixtures/tickets';

const embedder = new HashedEmbedder();
const open: CopilotService[] = [];
let server: FakeOllama | null = null;

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  await server?.close();
  server = null;
});

async function service(dataDir: string, llm?: string): Promise<CopilotService> {
  const s = await CopilotService.open({ dataDir, embedder, ...(llm ? { llm: { model: 'llama3.2', host: llm } } : {}) });
  open.push(s);
  return s;
}

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l: string) => stdout.push(l), error: (l: string) => stderr.push(l) }, stdout, stderr };
}

function ticket(id: string, text: string): Ticket {
  return { id, status: 'open', messages: [{ id: '1', author: 'customer', text }] };
}

const refundRule = {
  id: 'refund-threat',
  name: 'Customer threatens a chargeback',
  priority: 'P0',
  match: { type: 'regex', pattern: '\\bchargeback\\b' },
};
const HOUR = 3_600_000;

async function ruleFile(dir: string): Promise<string> {
  const file = join(dir, '..', `rule-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(refundRule));
  return file;
}

describe('the rule centre', () => {
  it('adds a rule from the command line, stores it in the data folder, and the engine alerts with it, quiet per ticket for 6 hours by default', async () => {
    const dataDir = await tempFolder('vigil-rules-');
    const file = join(dataDir, '..', `rule-${Date.now()}.json`);
    await writeFile(file, JSON.stringify(refundRule));
    const add = capture();
    expect(await main(['rules', 'add', file, '--data-dir', dataDir], add.out)).toBe(0);
    expect(add.stdout).toEqual(['added rule refund-threat (enabled)']);
    const saved = JSON.parse(await readFile(rulesPath(dataDir), 'utf8'));
    // The built-in rules are kept beside it, as they were.
    expect(saved.rules.map((r: { id: string }) => r.id)).toEqual(['auto-replies', 'same-problem', 'business-impact', 'strongly-negative', 'refund-threat']);
    expect(saved.rules[4]).toMatchObject({ enabled: true, suppress: { per: 'ticket', minutes: 360 } });

    const s = await service(dataDir);
    const at = Date.parse('2026-03-01T09:00:00Z');
    // Only this rule's alerts (the built-in "same problem" rule also sees these look-alike messages).
    const alert = async (t: Ticket, when: number) =>
      (await s.checkAlerts(t, 0, when)).filter((a) => a.reason === 'refund-threat').map((a) => `${a.ticketId}:${a.reason}`);
    expect(await alert(ticket('T-1', 'I will file a chargeback with my bank'), at)).toEqual(['T-1:refund-threat']);
    expect(await alert(ticket('T-1', 'Seriously, a chargeback today'), at + HOUR)).toEqual([]);
    // Another conversation is not silenced by the first (the built-in rules were quiet per rule).
    expect(await alert(ticket('T-2', 'Expect a chargeback'), at + HOUR)).toEqual(['T-2:refund-threat']);
    expect(await alert(ticket('T-1', 'Still planning the chargeback'), at + 7 * HOUR)).toEqual(['T-1:refund-threat']);

    // Disabled in the running engine at once; enabled again likewise.
    await s.rules.setEnabled('refund-threat', false);
    expect(await alert(ticket('T-3', 'chargeback!'), at + 8 * HOUR)).toEqual([]);
    await s.rules.edit('refund-threat', { enabled: true, suppress: { per: 'rule', minutes: 600 } });
    expect(await alert(ticket('T-4', 'chargeback!'), at + 9 * HOUR)).toEqual(['T-4:refund-threat']);
    expect(await alert(ticket('T-5', 'chargeback!'), at + 10 * HOUR)).toEqual([]);
  });

  it('names the file and the field of a bad rule, and changes nothing', async () => {
    const dataDir = await tempFolder('vigil-rules-');
    const file = join(dataDir, '..', `bad-rule-${Date.now()}.json`);
    await writeFile(file, JSON.stringify({ ...refundRule, match: { type: 'regex', pattern: '(unclosed' } }));
    const add = capture();
    expect(await main(['rules', 'add', file, '--data-dir', dataDir], add.out)).toBe(1);
    expect(add.stderr.join('\n')).toContain(`${file}: match.pattern: is not a valid regular expression`);
    const edit = capture();
    expect(await main(['rules', 'edit', 'business-impact', '--set', 'priority=P7', '--data-dir', dataDir], edit.out)).toBe(1);
    expect(edit.stderr.join('\n')).toMatch(/priority: /);
    await expect(readFile(rulesPath(dataDir), 'utf8')).rejects.toThrow(/ENOENT/);

    // A damaged file stops `vigil rules` with its name and field, and the engine falls back to the built-in rules.
    await mkdir(dirname(rulesPath(dataDir)), { recursive: true });
    await writeFile(rulesPath(dataDir), JSON.stringify({ format: 1, rules: [{ ...refundRule, minTickets: 0 }] }));
    const list = capture();
    expect(await main(['rules', 'list', '--data-dir', dataDir], list.out)).toBe(1);
    expect(list.stderr.join('\n')).toContain(`${rulesPath(dataDir)}: rules.0.minTickets:`);
    const s = await service(dataDir);
    expect((await s.checkAlerts(ticket('T-1', 'Production is down for the whole company'), 0, 0)).map((a) => a.reason)).toEqual(['business-impact']);
  });

  it('tests a rule against recorded tickets without storing anything', async () => {
    const dataDir = await tempFolder('vigil-rules-');
    const tickets = join(dataDir, '..', `tickets-${Date.now()}.jsonl`);
    await writeFile(
      tickets,
      [ticket('T-1', 'I will do a chargeback'), ticket('T-2', 'How do I reset my password?'), ticket('T-3', 'chargeback incoming')].map((t) => JSON.stringify(t)).join('\n'),
    );
    const draft = join(dataDir, '..', `draft-${Date.now()}.json`);
    await writeFile(draft, JSON.stringify(refundRule));
    const run = capture();
    expect(await main(['rules', 'test', draft, '--tickets', tickets, '--data-dir', dataDir], run.out)).toBe(0);
    expect(run.stdout[0]).toBe('rule refund-threat: matches 2 of 3 customer messages, on 2 of 3 tickets; would raise 2 alerts');
    expect(run.stdout.filter((l) => l.startsWith('  match')).map((l) => l.split(':')[0])).toEqual(['  match T-1#1', '  match T-3#1']);
    // Each match says why, as Settings → Rules does.
    expect(run.stdout.filter((l) => l.trim().startsWith('why:'))).toEqual(['        why: the pattern found “chargeback”', '        why: the pattern found “chargeback”']);
    await expect(readFile(rulesPath(dataDir), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('tests a rule on the desk’s recent tickets when no file is given, each ticket as last seen', async () => {
    const dataDir = await tempFolder('vigil-rules-');
    await mkdir(join(dataDir, 'desk'), { recursive: true });
    const event = (t: Ticket, at: string) => JSON.stringify({ t: 'event', key: `${t.id}|${at}`, at, ticket: t, shown: null, alerts: [] });
    const first = ticket('rt:1', 'My invoice is wrong');
    const later: Ticket = { ...first, messages: [...first.messages, { id: '2', author: 'customer', text: 'Fix it or I file a chargeback' }] };
    await writeFile(
      join(dataDir, 'desk', 'journal.jsonl'),
      [event(first, '2026-03-01T09:00:00Z'), event(ticket('rt:2', 'chargeback now'), '2026-03-01T09:01:00Z'), event(later, '2026-03-01T09:02:00Z'), '{"t": "event"}'].join('\n'),
    );
    await main(['rules', 'add', await ruleFile(dataDir), '--data-dir', dataDir], capture().out);
    const run = capture();
    expect(await main(['rules', 'test', 'refund-threat', '--data-dir', dataDir], run.out)).toBe(0);
    expect(run.stdout[0]).toBe('rule refund-threat: matches 2 of 3 customer messages, on 2 of 2 tickets; would raise 2 alerts');
    expect(run.stdout.filter((l) => l.startsWith('  match')).map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['  match rt:2#1', '  match rt:1#2']);
    expect(run.stderr.join('\n')).toMatch(/journal\.jsonl:4: /);
  });

  it('asks the local model about a described semantic rule, with its examples, negative examples and the recent messages', async () => {
    server = await startOllamaServer({
      models: [{ name: 'llama3.2' }],
      reply: (body) => {
        const prompt = body.messages?.map((m) => m.content).join('\n') ?? '';
        if (!prompt.includes('interest rule')) return '{}';
        return JSON.stringify({ match: /cancel my contract/.test(prompt.split('latest customer message').at(-1) ?? '') });
      },
    });
    const dataDir = await tempFolder('vigil-rules-');
    const s = await service(dataDir, server.host);
    await s.rules.add({
      id: 'churn-risk',
      name: 'Customer may leave',
      match: {
        type: 'semantic',
        description: 'The customer says they will cancel or move to a competitor',
        examples: ['I am cancelling my subscription'],
        negativeExamples: ['How do I cancel a single order?'],
      },
    });
    const t = thread(
      { id: 'T-9', status: 'open' },
      'The invoice is wrong again',
      'Sorry, let me check the invoice.',
      'If this happens once more I will cancel my contract',
    );
    expect((await s.checkAlerts(t, 2, 0)).map((a) => a.reason)).toContain('churn-risk');
    const asked = server.requests.filter((r) => r.path === '/api/chat' && JSON.stringify(r.body).includes('interest rule'));
    expect(asked).toHaveLength(1);
    const sent = JSON.stringify(asked[0]?.body);
    for (const part of ['will cancel or move to a competitor', 'I am cancelling my subscription', 'How do I cancel a single order?', 'The invoice is wrong again']) {
      expect(sent).toContain(part);
    }
    expect((await s.checkAlerts(ticket('T-10', 'I am cancelling everything'), 0, 1)).map((a) => a.reason)).not.toContain('churn-risk');
  });

  it('uses the rules a signed knowledge pack ships, and a team edit takes the pack rule’s place', async () => {
    const dataDir = await tempFolder('vigil-rules-');
    const files = await tempFolder('vigil-rules-packs-');
    const key = newKey();
    await new TrustList(dataDir).add(key.publicKey, 'Network team');
    const pack = await writePack(files, 'net.vpack', NETWORK_ENTRIES, { rules: [{ id: 'vpn-outage', name: 'VPN outage', priority: 'P0', match: { type: 'regex', pattern: 'vpn (is )?down' } }] }, key.privateKey);
    const s = await service(dataDir);
    await s.packs.library.install(pack);
    expect((await s.rules.list()).find((r) => r.id === 'vpn-outage')).toMatchObject({ source: 'pack network-basics 1.0.0', enabled: true });
    await s.close();
    open.splice(0);
    const again = await service(dataDir);
    expect((await again.checkAlerts(ticket('T-1', 'The VPN is down for everyone'), 0, 0)).map((a) => a.reason)).toContain('vpn-outage');
    await again.rules.setEnabled('vpn-outage', false);
    expect((await again.rules.list()).find((r) => r.id === 'vpn-outage')).toMatchObject({ source: 'team', enabled: false });
    expect((await again.checkAlerts(ticket('T-2', 'VPN down again'), 0, 1)).map((a) => a.reason)).not.toContain('vpn-outage');
  });
});

describe('rules in a pack, from the command line', () => {
  it('vigil pack build --rules ships checked rules in the signed manifest, and names the file, rule and field of a bad one', async () => {
    const dir = await tempFolder('vigil-rules-packcli-');
    const entries = join(dir, 'entries.jsonl');
    await writeFile(entries, NETWORK_ENTRIES.map((e) => JSON.stringify(e)).join('\n'));
    const good = join(dir, 'rules.json');
    await writeFile(good, JSON.stringify([refundRule]));
    const bad = join(dir, 'bad-rules.json');
    await writeFile(bad, JSON.stringify([refundRule, { ...refundRule, id: 'Bad Id' }]));
    const pack = join(dir, 'net.vpack');
    const args = ['pack', 'build', '--name', 'network-basics', '--version', '1.0.0', '--team', 'network', '--entries', entries, '--out', pack];
    const refused = capture();
    expect(await main([...args, '--rules', bad], refused.out)).toBe(1);
    expect(refused.stderr.join('\n')).toContain(`${bad}: rule 2: id: must be lower-case letters, digits and dashes`);
    expect(await main([...args, '--rules', good], capture().out)).toBe(0);
    const inspect = capture();
    expect(await main(['pack', 'inspect', pack], inspect.out)).toBe(0);
    expect(inspect.stdout).toContain('rules: refund-threat (signed with the manifest)');
  });
});
