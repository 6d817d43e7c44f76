import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CopilotService } from '../../../core/app/copilotService';
import { RuleAdmin } from '../../../core/app/ruleAdmin';
import { HashedEmbedder } from '../../../core/embed/hashedEmbedder';
import type { Ticket } from '../../../core/formats/schemas';
import { EgressPolicy } from '../../../core/net/egress';
import { rulesPath } from '../../../core/rules/ruleFile';
import { tempFolder } from '../../support/tempFolder';

const embedder = new HashedEmbedder();
const open: CopilotService[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function admin(egress = new EgressPolicy({ offline: true })): Promise<{ dataDir: string; rules: RuleAdmin; service: CopilotService }> {
  const dataDir = await tempFolder('vigil-rule-admin-');
  const service = await CopilotService.open({ dataDir, embedder });
  open.push(service);
  return { dataDir, service, rules: new RuleAdmin({ dataDir, centre: service.rules, egress: () => egress }) };
}

const chargeback = {
  id: 'chargeback',
  name: 'Customer threatens a chargeback',
  priority: 'P0',
  match: { type: 'regex', pattern: '\\bcharge ?back\\b' },
  suppress: { per: 'ticket', minutes: 360 },
  deliver: [{ type: 'note' }],
};

/** Writes tickets into the desk journal, as the desk does when a connector brings them in. */
async function deskSaw(dataDir: string, tickets: Ticket[]): Promise<void> {
  await mkdir(join(dataDir, 'desk'), { recursive: true });
  const lines = tickets.map((ticket) => JSON.stringify({ t: 'event', key: `${ticket.id}|1`, at: '2026-03-02T08:00:00Z', ticket, shown: null, alerts: [] }));
  await writeFile(join(dataDir, 'desk', 'journal.jsonl'), `${lines.join('\n')}\n`);
}

describe('Settings → Rules (the rule centre behind the form)', () => {
  it('refuses a draft field by field and writes nothing', async () => {
    const { dataDir, rules } = await admin();
    const result = await rules.save(
      { id: 'Bad Id', name: '', match: { type: 'semantic', examples: [], threshold: 'high' }, suppress: { per: 'ticket', minutes: -5 }, deliver: [{ type: 'webhook', url: 'ftp://x' }] },
      null,
    );
    expect(result.ok).toBe(false);
    const fields = result.ok ? [] : result.issues.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['id', 'name', 'match.examples', 'match.threshold', 'suppress.minutes', 'deliver.0.url']));
    expect(result.ok ? null : result.issues.find((i) => i.field === 'id')?.message).toBe('must be lower-case letters, digits and dashes');
    expect(existsSync(rulesPath(dataDir))).toBe(false);
  });

  it('adds a rule to the data folder’s rules file (the one `vigil rules` edits) and the engine alerts with it at once', async () => {
    const { dataDir, rules, service } = await admin();
    const result = await rules.save(chargeback, null);
    expect(result.ok).toBe(true);
    const file = JSON.parse(await readFile(rulesPath(dataDir), 'utf8')) as { rules: Array<{ id: string }> };
    expect(file.rules.map((r) => r.id)).toContain('chargeback');
    const ticket: Ticket = { id: 'T-9', status: 'open', messages: [{ id: '1', author: 'customer', text: 'I will file a chargeback with my bank today' }] };
    const alerts = await service.checkAlerts(ticket, 0, Date.parse('2026-03-02T08:00:00Z'));
    expect(alerts.map((a) => a.reason)).toContain('chargeback');
    // The same id again is refused on the id field.
    const again = await rules.save(chargeback, null);
    expect(again).toEqual({ ok: false, issues: [{ field: 'id', message: 'a rule "chargeback" already exists; edit it, or choose another id' }] });
  });

  it('edits, disables and enables a rule, but never changes its id', async () => {
    const { rules } = await admin();
    await rules.save(chargeback, null);
    const edited = await rules.save({ ...chargeback, name: 'Chargeback threat', suppress: { per: 'rule', minutes: 30 } }, 'chargeback');
    expect(edited.ok && edited.rule).toMatchObject({ name: 'Chargeback threat', suppress: { per: 'rule', minutes: 30 } });
    const renamed = await rules.save({ ...chargeback, id: 'other' }, 'chargeback');
    expect(renamed.ok ? null : renamed.issues[0]?.field).toBe('id');
    expect((await rules.setEnabled('chargeback', false)).rules.find((r) => r.id === 'chargeback')?.enabled).toBe(false);
    expect((await rules.setEnabled('chargeback', true)).rules.find((r) => r.id === 'chargeback')?.enabled).toBe(true);
    expect((await rules.remove('chargeback')).rules.some((r) => r.id === 'chargeback')).toBe(false);
  });

  it('tests a draft on the desk’s recent tickets: which tickets would match, why, and the alerts as configured', async () => {
    const { dataDir, rules } = await admin();
    await deskSaw(dataDir, [
      { id: 'T-1', subject: 'Refund', status: 'open', messages: [{ id: '1', author: 'customer', text: 'Refund me or I start a chargeback' }] },
      { id: 'T-2', subject: 'Printer', status: 'open', messages: [{ id: '1', author: 'customer', text: 'The printer on floor 3 jams' }] },
      { id: 'T-3', status: 'open', messages: [{ id: '1', author: 'customer', text: 'Still no refund: CHARGE BACK it is' }] },
    ]);
    const view = await rules.test(chargeback);
    expect(view.ok).toBe(true);
    if (!view.ok) return;
    expect(view.result.tickets).toBe(3);
    expect(view.result.matches.map((m) => [m.ticketId, m.why])).toEqual([
      ['T-1', 'the pattern found “chargeback”'],
      ['T-3', 'the pattern found “CHARGE BACK”'],
    ]);
    expect(view.result.alerts.map((a) => a.ticketId)).toEqual(['T-1', 'T-3']);
    expect(view.subjects).toEqual({ 'T-1': 'Refund', 'T-3': null });
    // Nothing was stored by the test.
    expect(existsSync(rulesPath(dataDir))).toBe(false);
  });

  it('explains a semantic match by its nearest example and similarity', async () => {
    const { dataDir, rules } = await admin();
    await deskSaw(dataDir, [{ id: 'T-1', status: 'open', messages: [{ id: '1', author: 'customer', text: 'the whole office vpn is down since this morning' }] }]);
    const view = await rules.test({ id: 'vpn-outage', name: 'VPN outage', match: { type: 'semantic', examples: ['vpn is down for the whole office'], negativeExamples: ['how do I install the vpn'], threshold: 0.2 } });
    expect(view.ok && view.result.matches[0]?.why).toMatch(/^nearest example “vpn is down for the whole office” \(similarity 0\.\d\d, threshold 0\.20; nearest negative example -?0\.\d\d\)$/);
  });

  it('warns beside the webhook field when the egress policy would refuse its host, and not for a connector’s host', async () => {
    const { rules } = await admin(new EgressPolicy({ allowHosts: ['helpdesk.example.com'] }));
    await rules.save({ ...chargeback, deliver: [{ type: 'note' }, { type: 'webhook', url: 'https://hooks.example.org/x' }, { type: 'webhook', url: 'https://helpdesk.example.com/hook' }] }, null);
    const rule = (await rules.view()).rules.find((r) => r.id === 'chargeback')!;
    expect(rule.warnings).toEqual([{ field: 'deliver.1.url', message: expect.stringContaining('alerts to hooks.example.org will be refused: it is not the host of a configured connector') }]);
  });

  it('shows a damaged rules file as the section’s problem, naming the file', async () => {
    const { dataDir, rules } = await admin();
    await mkdir(join(dataDir, 'rules'), { recursive: true });
    await writeFile(rulesPath(dataDir), '{ "format": 1, "rules": [ { "id": "x" } ] }');
    const view = await rules.view();
    expect(view.rules).toEqual([]);
    expect(view.problem).toContain(`${rulesPath(dataDir)}: rules.0.name`);
  });
});
