/**
 * Settings → Rules' form: a rule as the form's fields hold it (text, one example per line), turned into the rule
 * draft the main process checks (core/formats/ruleSpec.ts) and back. No rule is judged here: a number the analyst
 * mistyped is sent as typed, so the one check in core names the field.
 */
import type { RuleIssue, RuleSpec } from '../../api/contractTypes';

export type RuleKind = 'regex' | 'semantic' | 'similar_reports';

/** Every field of the form, as text where the analyst types. */
export interface RuleForm {
  id: string;
  name: string;
  enabled: boolean;
  priority: 'P0' | 'P1' | 'P2';
  mode: 'detect' | 'filter';
  kind: RuleKind;
  pattern: string;
  flags: string;
  description: string;
  /** One example message per line. */
  examples: string;
  negativeExamples: string;
  threshold: string;
  lookbackMinutes: string;
  minTickets: string;
  suppressPer: 'ticket' | 'rule';
  suppressMinutes: string;
  note: boolean;
  /** One webhook URL per line. */
  webhooks: string;
}

/** A new rule: a semantic rule on the desk only, quiet on a ticket for 6 hours after an alert (Vigil's default). */
export const EMPTY_RULE_FORM: RuleForm = {
  id: '',
  name: '',
  enabled: true,
  priority: 'P1',
  mode: 'detect',
  kind: 'semantic',
  pattern: '',
  flags: 'i',
  description: '',
  examples: '',
  negativeExamples: '',
  threshold: '0.3',
  lookbackMinutes: '0',
  minTickets: '1',
  suppressPer: 'ticket',
  suppressMinutes: '360',
  note: false,
  webhooks: '',
};

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** A number as typed: a number when it reads as one, else the text itself (the check then names the field). */
function numberField(text: string): number | string {
  const t = text.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/** The form's fields as a rule draft. */
export function draftOfForm(form: RuleForm): Record<string, unknown> {
  const match =
    form.kind === 'regex'
      ? { type: 'regex', pattern: form.pattern, ...(form.flags.trim() ? { flags: form.flags.trim() } : {}) }
      : form.kind === 'semantic'
        ? {
            type: 'semantic',
            ...(form.description.trim() ? { description: form.description.trim() } : {}),
            examples: lines(form.examples),
            negativeExamples: lines(form.negativeExamples),
            threshold: numberField(form.threshold),
          }
        : { type: 'similar_reports', threshold: numberField(form.threshold) };
  return {
    id: form.id.trim(),
    name: form.name.trim(),
    enabled: form.enabled,
    priority: form.priority,
    mode: form.mode,
    match,
    lookbackMinutes: numberField(form.lookbackMinutes),
    minTickets: numberField(form.minTickets),
    suppress: { per: form.suppressPer, minutes: numberField(form.suppressMinutes) },
    deliver: [...(form.note ? [{ type: 'note' }] : []), ...lines(form.webhooks).map((url) => ({ type: 'webhook', url }))],
  };
}

/** A stored rule in the form's fields. */
export function formOfRule(rule: RuleSpec): RuleForm {
  const m = rule.match;
  return {
    id: rule.id,
    name: rule.name,
    enabled: rule.enabled,
    priority: rule.priority,
    mode: rule.mode,
    kind: m.type,
    pattern: m.type === 'regex' ? m.pattern : '',
    flags: m.type === 'regex' ? (m.flags ?? '') : 'i',
    description: m.type === 'semantic' ? (m.description ?? '') : '',
    examples: m.type === 'semantic' ? m.examples.join('\n') : '',
    negativeExamples: m.type === 'semantic' ? m.negativeExamples.join('\n') : '',
    threshold: m.type === 'regex' ? '0.3' : String(m.threshold),
    lookbackMinutes: String(rule.lookbackMinutes),
    minTickets: String(rule.minTickets),
    suppressPer: rule.suppress.per,
    suppressMinutes: String(rule.suppress.minutes),
    note: rule.deliver.some((d) => d.type === 'note'),
    webhooks: rule.deliver.flatMap((d) => (d.type === 'webhook' ? [d.url] : [])).join('\n'),
  };
}

/** The form field a problem belongs to (its path in the rule), or null when no single field holds it. */
export function fieldOfIssue(issue: RuleIssue, form: RuleForm): keyof RuleForm | null {
  const [head, second, third] = issue.field.split('.');
  switch (head) {
    case 'id':
    case 'name':
    case 'priority':
    case 'mode':
    case 'lookbackMinutes':
    case 'minTickets':
      return head;
    case 'suppress':
      return second === 'per' ? 'suppressPer' : 'suppressMinutes';
    case 'deliver':
      // The note, when ticked, is the first target; the webhooks follow it.
      return form.note && second === '0' ? 'note' : 'webhooks';
    case 'match':
      if (second === 'pattern' || second === 'flags' || second === 'description' || second === 'examples' || second === 'negativeExamples' || second === 'threshold') {
        return second;
      }
      return second === 'type' || third === undefined ? 'kind' : null;
    default:
      return null;
  }
}

/** A problem in words for beside its field: which example or webhook line it is about, where it is one. */
export function issueText(issue: RuleIssue, form: RuleForm): string {
  const parts = issue.field.split('.');
  if (parts[0] === 'match' && (parts[1] === 'examples' || parts[1] === 'negativeExamples') && parts[2] !== undefined) {
    return `line ${Number(parts[2]) + 1}: ${issue.message}`;
  }
  if (parts[0] === 'deliver' && parts[1] !== undefined) {
    const index = Number(parts[1]) - (form.note ? 1 : 0);
    const url = lines(form.webhooks)[index];
    if (url !== undefined) return `${url}: ${issue.message}`;
  }
  return issue.message;
}
