/**
 * The rule centre: the team's interest rules (rules/rules.json, ruleFile.ts) and those shipped in installed
 * knowledge packs, listed, added, edited, enabled, disabled, removed and tested against recorded tickets. A pack's
 * rule is read-only where it lies: editing, enabling or disabling it writes a team rule with the same id, which
 * takes its place (and removing that team rule brings the pack's back). Every change is applied to the running
 * alert engine at once.
 */
import { AlertEngine, type AlertRule, type RaisedAlert, type SemanticJudge } from '../assist/alerts';
import type { Embedder } from '../embed/embedder';
import { dot, normalize } from '../embed/vectorMath';
import type { Ticket } from '../formats/schemas';
import { cleanMessage } from '../text/queryCleaner';
import type { RuleSpec } from '../formats/ruleSpec';
import { loadRules, parseRule, ruleOfSpec, saveRules } from './ruleFile';

/** A rule as listed: where it comes from (`team`, or `pack NAME VERSION`). */
export interface ListedRule extends RuleSpec {
  source: string;
}

export interface RuleTestResult {
  ruleId: string;
  tickets: number;
  customerMessages: number;
  /**
   * Messages the rule matches on their own (before `minTickets` and the quiet time), each with `why`: the words the
   * pattern found, or the nearest example and its similarity.
   */
  matches: Array<{ ticketId: string; messageId: string; text: string; why: string }>;
  /** The alerts it would have raised as configured, in order. */
  alerts: RaisedAlert[];
}

export interface RuleCentreDeps {
  dataDir: string;
  embedder: Embedder;
  judge: SemanticJudge | null;
  /** Rules shipped in installed packs, with the pack's label. */
  packRules: () => Promise<Array<{ pack: string; rule: RuleSpec }>>;
  /** Hears the enabled rules after every change (the running alert engine). */
  apply: (rules: AlertRule[]) => void;
}

/** Messages without a time are spaced this far apart in a test, so look-back windows mean something. */
const UNTIMED_STEP_MS = 60_000;

export class RuleCentre {
  /** The rules as last loaded, for the alerts' delivery targets. */
  private current = new Map<string, RuleSpec>();

  constructor(private readonly deps: RuleCentreDeps) {}

  /** The rule behind a raised alert (its name and delivery targets), as last loaded; undefined for an unknown id. */
  ruleOf(id: string): RuleSpec | undefined {
    return this.current.get(id);
  }

  /** Every rule: the team's, then the packs' that no team rule replaces. */
  async list(): Promise<ListedRule[]> {
    const team = await loadRules(this.deps.dataDir);
    const ids = new Set(team.map((r) => r.id));
    const packs = (await this.deps.packRules()).filter(({ rule }) => !ids.has(rule.id));
    return [...team.map((r) => ({ ...r, source: 'team' })), ...packs.map(({ pack, rule }) => ({ ...rule, source: `pack ${pack}` }))];
  }

  /** The enabled rules in the engine's form. */
  async enabledRules(): Promise<AlertRule[]> {
    const enabled = (await this.list()).filter((r) => r.enabled);
    this.current = new Map(enabled.map((r) => [r.id, r]));
    return enabled.map(ruleOfSpec);
  }

  async get(id: string): Promise<ListedRule> {
    const rule = (await this.list()).find((r) => r.id === id);
    if (!rule) throw new Error(`There is no rule "${id}". \`vigil rules list\` shows the rules.`);
    return rule;
  }

  /** Adds a rule (validated; `where` names its origin in errors). */
  async add(raw: unknown, where = 'the new rule'): Promise<RuleSpec> {
    const rule = parseRule(raw, where);
    const team = await loadRules(this.deps.dataDir);
    if ((await this.list()).some((r) => r.id === rule.id)) throw new Error(`${where}: id: a rule "${rule.id}" already exists; edit it, or choose another id.`);
    await this.save([...team, rule]);
    return rule;
  }

  /** Changes fields of a rule (`match` is replaced whole); a pack's rule becomes a team rule with the change. */
  async edit(id: string, patch: Record<string, unknown>, where = 'the change'): Promise<RuleSpec> {
    const current = await this.get(id);
    const { source: _source, ...spec } = current;
    if ('id' in patch && patch['id'] !== id) throw new Error(`${where}: id: a rule's id cannot change; add a new rule instead.`);
    const next = parseRule({ ...spec, ...patch }, where);
    const team = await loadRules(this.deps.dataDir);
    const at = team.findIndex((r) => r.id === id);
    await this.save(at >= 0 ? team.map((r, i) => (i === at ? next : r)) : [...team, next]);
    return next;
  }

  setEnabled(id: string, enabled: boolean): Promise<RuleSpec> {
    return this.edit(id, { enabled });
  }

  /** Removes a team rule (a pack's rule it replaced comes back); a pack's own rule can only be disabled. */
  async remove(id: string): Promise<void> {
    const team = await loadRules(this.deps.dataDir);
    if (!team.some((r) => r.id === id)) {
      const listed = (await this.list()).find((r) => r.id === id);
      throw new Error(listed ? `Rule "${id}" comes from ${listed.source}: disable it instead (\`vigil rules disable ${id}\`).` : `There is no rule "${id}".`);
    }
    await this.save(team.filter((r) => r.id !== id));
  }

  /**
   * Runs one rule (saved, or a draft not saved yet) over recorded tickets, customer messages in order: which
   * messages it matches, and which alerts it would raise as configured. Nothing is stored.
   */
  async test(rule: string | RuleSpec, tickets: readonly Ticket[]): Promise<RuleTestResult> {
    const spec = typeof rule === 'string' ? await this.get(rule) : rule;
    const asConfigured = new AlertEngine([{ ...ruleOfSpec(spec), mode: 'detect' }], this.deps.embedder, this.deps.judge);
    const single = new AlertEngine([{ ...ruleOfSpec(spec), mode: 'detect', minTickets: 1, suppressMs: 0 }], this.deps.embedder, this.deps.judge);
    const result: RuleTestResult = { ruleId: spec.id, tickets: tickets.length, customerMessages: 0, matches: [], alerts: [] };
    const explain = this.explainer(spec);
    let clock = 0;
    for (const ticket of tickets) {
      for (let i = 0; i < ticket.messages.length; i++) {
        const message = ticket.messages[i]!;
        clock = message.at ? Date.parse(message.at) : clock + UNTIMED_STEP_MS;
        if (message.author !== 'customer') continue;
        result.customerMessages++;
        const input = {
          ticketId: ticket.id,
          messageId: message.id,
          text: cleanMessage(message.text),
          at: clock,
          recent: ticket.messages.slice(Math.max(0, i - 4), i).map((m) => cleanMessage(m.text)),
        };
        if ((await single.onCustomerMessage(input)).length > 0) result.matches.push({ ticketId: ticket.id, messageId: message.id, text: input.text, why: await explain(input.text) });
        result.alerts.push(...(await asConfigured.onCustomerMessage(input)));
      }
    }
    return result;
  }

  /** Says why `spec` matched a message: what its pattern found, or which example the message is nearest to. */
  private explainer(spec: RuleSpec): (text: string) => Promise<string> {
    const m = spec.match;
    if (m.type === 'regex') {
      const regex = new RegExp(m.pattern, m.flags ?? 'i');
      return async (text) => `the pattern found “${regex.exec(text)?.[0] ?? ''}”`;
    }
    if (m.type === 'similar_reports') return async () => `every message counts towards a group of similar reports (similarity ≥ ${m.threshold})`;
    const { embedder } = this.deps;
    let examples: Promise<{ positive: Float32Array[]; negative: Float32Array[] }> | null = null;
    const judged = m.description && this.deps.judge ? 'the local model judged it (when it runs; else the examples decide); ' : '';
    return async (text) => {
      examples ??= Promise.all([embedder.embed(m.examples, 'document'), m.negativeExamples.length ? embedder.embed(m.negativeExamples, 'document') : []]).then(
        ([positive, negative]) => ({ positive: positive.map(normalize), negative: negative.map(normalize) }),
      );
      const { positive, negative } = await examples;
      const [raw] = await embedder.embed([text], 'document');
      if (!raw) return `${judged}no embedding for the message`;
      const vector = normalize(raw);
      const nearest = (list: Float32Array[]): { at: number; score: number } =>
        list.reduce((best, e, at) => (dot(e, vector) > best.score ? { at, score: dot(e, vector) } : best), { at: -1, score: -Infinity });
      const pos = nearest(positive);
      const neg = nearest(negative);
      const against = neg.at >= 0 ? `; nearest negative example ${neg.score.toFixed(2)}` : '';
      return `${judged}nearest example “${m.examples[pos.at] ?? ''}” (similarity ${pos.score.toFixed(2)}, threshold ${m.threshold.toFixed(2)}${against})`;
    };
  }

  private async save(rules: RuleSpec[]): Promise<void> {
    await saveRules(this.deps.dataDir, rules);
    this.deps.apply(await this.enabledRules());
  }
}
