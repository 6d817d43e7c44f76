/**
 * `vigil rules list|add|edit|test|enable|disable|remove`: the rule centre (core/rules/ruleCentre.ts) from the
 * command line, on the data folder's rules/rules.json and the installed packs' rules.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CopilotService } from '../app/copilotService';
import { appDataDir } from '../formats/dataDir';
import { formatLineIssue, readJsonl, type LineIssue } from '../formats/jsonl';
import { TicketSchema, type Ticket } from '../formats/schemas';
import type { ListedRule } from '../rules/ruleCentre';
import { parseRule } from '../rules/ruleFile';
import { RECENT_TICKETS, recentDeskTickets } from '../app/recentTickets';

export const RULES_USAGE = `  vigil rules list [--json] | add FILE.json | edit ID --set FIELD=VALUE ... | enable ID | disable ID | remove ID
  vigil rules test ID|FILE.json [--tickets FILE] [--show N]   interest rules (alerts) [--data-dir DIR]
               (without --tickets: the desk's last 200 tickets)`;

export class RulesUsageError extends Error {}

type Out = { log: (line: string) => void; error: (line: string) => void };
type WithService = <T>(dataDir: string | undefined, run: (service: CopilotService) => Promise<T>) => Promise<T>;

function describe(rule: ListedRule): string {
  const m = rule.match;
  const how = m.type === 'regex' ? `regex /${m.pattern}/` : m.type === 'semantic' ? `semantic (${m.examples.length} examples, ${m.negativeExamples.length} negative${m.description ? ', described' : ''})` : `similar reports ≥ ${m.threshold}`;
  const window = rule.minTickets > 1 ? `, ${rule.minTickets} tickets in ${rule.lookbackMinutes} min` : '';
  const quiet = rule.suppress.minutes > 0 ? `, quiet ${rule.suppress.minutes} min per ${rule.suppress.per}` : '';
  return `${rule.id.padEnd(20)} ${rule.enabled ? 'on ' : 'off'} ${rule.priority} ${rule.mode.padEnd(6)} ${rule.name} — ${how}${window}${quiet} [${rule.source}]`;
}

/** `a.b=value`: the value as JSON when it parses (numbers, booleans, arrays), else as a string. */
function applySet(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new RulesUsageError(`--set needs FIELD=VALUE, got "${assignment}"`);
  const path = assignment.slice(0, eq).split('.');
  const text = assignment.slice(eq + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // a plain string
  }
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node[key] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1) as string] = value;
}

async function readJsonFile(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}.`);
  }
}

async function readTickets(file: string, out: Out): Promise<Ticket[]> {
  const issues: LineIssue[] = [];
  const tickets: Ticket[] = [];
  for await (const { value } of readJsonl(file, TicketSchema, (i) => issues.push(i))) tickets.push(value);
  for (const issue of issues.slice(0, 20)) out.error(`skipped ${formatLineIssue(issue)}`);
  return tickets;
}

export async function rulesCommand(args: string[], out: Out, withService: WithService): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        'data-dir': { type: 'string' },
        json: { type: 'boolean', default: false },
        set: { type: 'string', multiple: true },
        tickets: { type: 'string' },
        show: { type: 'string', default: '10' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new RulesUsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [sub, arg, ...extra] = positionals;
  if (extra.length > 0) throw new RulesUsageError(`rules ${sub}: unexpected ${extra.join(' ')}`);
  const needArg = (what: string): string => {
    if (!arg) throw new RulesUsageError(`rules ${sub} needs ${what}`);
    return arg;
  };
  switch (sub) {
    case 'list':
    case undefined:
      return withService(values['data-dir'], async ({ rules }) => {
        const listed = await rules.list();
        if (values.json) listed.forEach((r) => out.log(JSON.stringify(r)));
        else listed.forEach((r) => out.log(describe(r)));
        return 0;
      });
    case 'add': {
      const file = needArg('a FILE.json holding one rule (or an array of rules)');
      const raw = await readJsonFile(file);
      return withService(values['data-dir'], async ({ rules }) => {
        const list = Array.isArray(raw) ? raw : [raw];
        for (const [i, rule] of list.entries()) {
          const added = await rules.add(rule, Array.isArray(raw) ? `${file}: rule ${i + 1}` : file);
          out.log(`added rule ${added.id} (${added.enabled ? 'enabled' : 'disabled'})`);
        }
        return 0;
      });
    }
    case 'edit': {
      const id = needArg('a rule ID');
      if (!values.set?.length) throw new RulesUsageError('rules edit needs at least one --set FIELD=VALUE (for example --set priority=P0)');
      return withService(values['data-dir'], async ({ rules }) => {
        const { source: _source, ...current } = await rules.get(id);
        const next: Record<string, unknown> = { ...current };
        for (const s of values.set ?? []) applySet(next, s);
        const saved = await rules.edit(id, next, `--set ${(values.set ?? []).join(' --set ')}`);
        out.log(`rule ${saved.id} saved`);
        return 0;
      });
    }
    case 'enable':
    case 'disable': {
      const id = needArg('a rule ID');
      return withService(values['data-dir'], async ({ rules }) => {
        await rules.setEnabled(id, sub === 'enable');
        out.log(`rule ${id} ${sub}d`);
        return 0;
      });
    }
    case 'remove': {
      const id = needArg('a rule ID');
      return withService(values['data-dir'], async ({ rules }) => {
        await rules.remove(id);
        out.log(`rule ${id} removed`);
        return 0;
      });
    }
    case 'test': {
      const which = needArg('a rule ID or a FILE.json holding a draft rule');
      const show = Number(values.show);
      if (!Number.isInteger(show) || show < 0) throw new RulesUsageError('--show must be a whole number');
      const draft = which.endsWith('.json') ? await readJsonFile(which) : null;
      const ticketsFile = values.tickets;
      const dataDir = values['data-dir'] ?? appDataDir();
      return withService(dataDir, async ({ rules }) => {
        const tickets = ticketsFile
          ? await readTickets(ticketsFile, out)
          : await recentDeskTickets(dataDir, RECENT_TICKETS, (issue) => out.error(`skipped ${formatLineIssue(issue)}`));
        if (tickets.length === 0) out.error(ticketsFile ? `${ticketsFile} holds no tickets.` : 'The desk has seen no tickets yet; give --tickets FILE (recorded tickets, formats.md §1).');
        const result = await rules.test(draft ? parseRule(draft, which) : which, tickets);
        const matchedTickets = new Set(result.matches.map((m) => m.ticketId)).size;
        out.log(`rule ${result.ruleId}: matches ${result.matches.length} of ${result.customerMessages} customer messages, on ${matchedTickets} of ${result.tickets} tickets; would raise ${result.alerts.length} alerts`);
        for (const m of result.matches.slice(0, show)) {
          out.log(`  match ${m.ticketId}#${m.messageId}: ${m.text.replace(/\s+/g, ' ').slice(0, 100)}`);
          out.log(`        why: ${m.why}`);
        }
        for (const a of result.alerts.slice(0, show)) out.log(`  alert ${a.ticketId}#${a.afterMessageId}: ${a.text.replace(/\s+/g, ' ').slice(0, 120)}`);
        return 0;
      });
    }
    default:
      throw new RulesUsageError(`unknown rules command "${sub}" (use list, add, edit, test, enable, disable or remove)`);
  }
}
