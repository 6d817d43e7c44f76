/**
 * Settings → Rules: the rule centre (core/rules/ruleCentre.ts, the same code and file as `vigil rules`) as the app's
 * form needs it. A draft is checked field by field before anything is written (each problem named by its field, so
 * the form shows it beside the field), a test runs a draft over the desk's recent tickets and says which would
 * match and why, and each webhook target is checked against the egress policy alerts actually go through.
 */
import { RuleSpecSchema, type RuleSpec } from '../formats/ruleSpec';
import type { EgressPolicy } from '../net/egress';
import type { ListedRule, RuleCentre, RuleTestResult } from '../rules/ruleCentre';
import { ruleIssues, type RuleIssue } from '../rules/ruleFile';
import { webhookDecision } from '../rules/alertDelivery';
import { RECENT_TICKETS, recentDeskTickets } from './recentTickets';

export type { RuleIssue };

/** A rule as Settings lists it, with warnings about its targets (a webhook the egress policy would refuse). */
export interface RuleView extends ListedRule {
  warnings: RuleIssue[];
}

export interface RuleCentreView {
  rules: RuleView[];
  /** Why the team's rules file cannot be read (naming the file and field); the list is empty then. */
  problem: string | null;
}

export type RuleSaveResult = { ok: true; rule: RuleSpec; view: RuleCentreView } | { ok: false; issues: RuleIssue[] };

/** A test's outcome on the desk's recent tickets, with each matched ticket's subject for the list. */
export type RuleTestView =
  | { ok: true; result: RuleTestResult; subjects: Record<string, string | null>; recentLimit: number }
  | { ok: false; issues: RuleIssue[] };

export interface RuleAdminDeps {
  dataDir: string;
  centre: RuleCentre;
  /** The policy alerts' webhooks go through now (the running connectors', else offline: loopback only). */
  egress: () => EgressPolicy;
}

export class RuleAdmin {
  constructor(private readonly deps: RuleAdminDeps) {}

  /** Every rule (the team's, then the packs'), or why the rules file cannot be read. */
  async view(): Promise<RuleCentreView> {
    try {
      const rules = await this.deps.centre.list();
      return { rules: rules.map((rule) => ({ ...rule, warnings: this.warnings(rule) })), problem: null };
    } catch (error) {
      return { rules: [], problem: error instanceof Error ? error.message : String(error) };
    }
  }

  /**
   * Adds a rule (`originalId` null) or saves the change to `originalId`. Problems come back field by field and
   * nothing is written; a pack's rule saved here becomes a team rule with the same id (ruleCentre.ts).
   */
  async save(draft: unknown, originalId: string | null): Promise<RuleSaveResult> {
    const issues = ruleIssues(draft);
    if (issues.length > 0) return { ok: false, issues };
    const rule = RuleSpecSchema.parse(draft);
    const existing = await this.deps.centre.list();
    if (originalId === null && existing.some((r) => r.id === rule.id)) {
      return { ok: false, issues: [{ field: 'id', message: `a rule "${rule.id}" already exists; edit it, or choose another id` }] };
    }
    if (originalId !== null && rule.id !== originalId) {
      return { ok: false, issues: [{ field: 'id', message: `a rule's id cannot change (it was "${originalId}"); add a new rule instead` }] };
    }
    const saved = originalId === null ? await this.deps.centre.add(draft) : await this.deps.centre.edit(originalId, draft as Record<string, unknown>);
    return { ok: true, rule: saved, view: await this.view() };
  }

  async setEnabled(id: string, enabled: boolean): Promise<RuleCentreView> {
    await this.deps.centre.setEnabled(id, enabled);
    return this.view();
  }

  /** Removes a team rule (a pack's rule it replaced comes back); a pack's own rule is refused, with why. */
  async remove(id: string): Promise<RuleCentreView> {
    await this.deps.centre.remove(id);
    return this.view();
  }

  /** Runs a draft (saved or not) over the desk's last RECENT_TICKETS tickets; nothing is stored. */
  async test(draft: unknown): Promise<RuleTestView> {
    const issues = ruleIssues(draft);
    if (issues.length > 0) return { ok: false, issues };
    const rule = RuleSpecSchema.parse(draft);
    const tickets = await recentDeskTickets(this.deps.dataDir, RECENT_TICKETS);
    const result = await this.deps.centre.test(rule, tickets);
    const matched = new Set([...result.matches.map((m) => m.ticketId), ...result.alerts.map((a) => a.ticketId)]);
    const subjects: Record<string, string | null> = {};
    for (const ticket of tickets) if (matched.has(ticket.id)) subjects[ticket.id] = ticket.subject ?? null;
    return { ok: true, result, subjects, recentLimit: RECENT_TICKETS };
  }

  /** A webhook the egress policy refuses would be dropped at every alert: said beside its field. */
  private warnings(rule: RuleSpec): RuleIssue[] {
    const egress = this.deps.egress();
    const out: RuleIssue[] = [];
    rule.deliver.forEach((target, i) => {
      if (target.type !== 'webhook') return;
      const host = new URL(target.url).hostname;
      const decision = webhookDecision(egress, host);
      if (!decision.allowed) {
        out.push({
          field: `deliver.${i}.url`,
          message: `alerts to ${host} will be refused: ${decision.reason}. Only loopback and the hosts of configured connectors are allowed (Settings → Privacy).`,
        });
      }
    });
    return out;
  }
}
