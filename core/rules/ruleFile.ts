/**
 * The team's interest rules, in `<data folder>/rules/rules.json` (Settings and `vigil rules` edit them; knowledge
 * packs may ship more). A rule watches every customer message and raises an alert (`detect`) or silences the
 * message for every rule (`filter`). A bad file is an error naming the file and the field; a missing file means
 * the built-in rules (core/assist/alerts.ts). Writes are atomic and fsynced: a crash leaves the old file or the new.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_ALERT_RULES, type AlertRule } from '../assist/alerts';
import { describeZodError } from '../formats/jsonl';
import { writeFileAtomic } from '../formats/durableFile';
import { RuleSpecSchema, type RuleSpec } from '../formats/ruleSpec';


const MINUTE = 60_000;

export const RulesFileSchema = z
  .object({ format: z.literal(1), rules: z.array(RuleSpecSchema) })
  .refine((f) => new Set(f.rules.map((r) => r.id)).size === f.rules.length, { message: 'two rules have the same id', path: ['rules'] });

export function rulesPath(dataDir: string): string {
  return join(dataDir, 'rules', 'rules.json');
}

/** A built-in rule as the rule centre shows it (its suppression as it always was: per rule). */
export function specOfRule(rule: AlertRule, enabled = true): RuleSpec {
  const { match } = rule;
  return {
    id: rule.id,
    name: rule.name,
    enabled,
    priority: rule.priority,
    mode: rule.mode,
    match:
      match.type === 'semantic'
        ? { type: 'semantic', examples: [...match.examples], negativeExamples: [...(match.negativeExamples ?? [])], threshold: match.threshold, ...(match.description ? { description: match.description } : {}) }
        : match.type === 'regex'
          ? { type: 'regex', pattern: match.pattern, ...(match.flags ? { flags: match.flags } : {}) }
          : { type: 'similar_reports', threshold: match.threshold },
    lookbackMinutes: rule.lookbackMs / MINUTE,
    minTickets: rule.minTickets,
    suppress: { per: rule.suppressPer ?? 'rule', minutes: rule.suppressMs / MINUTE },
    deliver: [],
  };
}

/** The engine's form of a rule (times in ms). */
export function ruleOfSpec(spec: RuleSpec): AlertRule {
  return {
    id: spec.id,
    name: spec.name,
    priority: spec.priority,
    mode: spec.mode,
    match: spec.match,
    lookbackMs: spec.lookbackMinutes * MINUTE,
    minTickets: spec.minTickets,
    suppressMs: spec.suppress.minutes * MINUTE,
    suppressPer: spec.suppress.per,
  };
}

/** One problem with a rule as written: the field's path (`match.examples.0`, `suppress.minutes`) and what is wrong. */
export interface RuleIssue {
  field: string;
  message: string;
}

/**
 * Every problem with a rule as written, field by field (a form shows each beside its field); empty when it is
 * valid. A field missing altogether says so rather than zod's "expected string, received undefined".
 */
export function ruleIssues(raw: unknown): RuleIssue[] {
  const parsed = RuleSpecSchema.safeParse(raw);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(rule)',
    message: issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? `is missing (expected ${issue.expected})` : issue.message,
  }));
}

/** Validates a rule, throwing a sentence that names `where` and the field. */
export function parseRule(raw: unknown, where: string): RuleSpec {
  const parsed = RuleSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new Error(`${where}: ${field}: ${message}.`);
  }
  return parsed.data;
}

/** The team's rules: the file's, or the built-in ones when there is no file yet. */
export async function loadRules(dataDir: string): Promise<RuleSpec[]> {
  const file = rulesPath(dataDir);
  if (!existsSync(file)) return DEFAULT_ALERT_RULES.map((r) => specOfRule(r));
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}). Fix the file, or delete it to go back to the built-in rules.`);
  }
  const parsed = RulesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw new Error(`${file}: ${field}: ${message}. Fix the file, or delete it to go back to the built-in rules.`);
  }
  return parsed.data.rules;
}

/** Writes the team's rules (validated; atomically and durably). */
export async function saveRules(dataDir: string, rules: readonly RuleSpec[]): Promise<void> {
  const file = { format: 1 as const, rules: rules.map((r, i) => parseRule(r, `rule ${i + 1} (${r.id})`)) };
  const checked = RulesFileSchema.safeParse(file);
  if (!checked.success) {
    const { field, message } = describeZodError(checked.error);
    throw new Error(`${rulesPath(dataDir)}: ${field}: ${message}.`);
  }
  await writeFileAtomic(rulesPath(dataDir), `${JSON.stringify(checked.data, null, 2)}\n`, { mode: 0o600 });
}
