/**
 * Semantic interest rules judged by the local model, as Vigil does: per rule, the model sees the rule's
 * description, its positive and negative examples, and the ticket's recent messages (redacted, fenced as
 * untrusted text), and answers `{"match": boolean}`. When no model runs, or the call fails, the judge answers
 * null and the embedding check decides (core/assist/alerts.ts).
 */
import { z } from 'zod';
import type { AlertInput, AlertRule, SemanticJudge } from '../assist/alerts';
import type { LanguageModel } from '../llm/languageModel';
import { buildSafePrompt } from '../llm/promptSafety';
import { PromptRedactor } from '../privacy/promptRedaction';

export const RuleJudgementSchema = z.object({ match: z.boolean(), reason: z.string().optional() });

export const RULE_JUDGE_SYSTEM = [
  'You watch a helpdesk queue for one interest rule. Decide whether the latest customer message matches the rule.',
  'Use the rule description; messages like the positive examples match, messages like the negative examples do not.',
  'The earlier messages are context only: judge the latest message.',
  'Answer only with JSON matching the schema.',
].join('\n');

/** Earlier messages given as context: enough to read a short exchange, few enough for a small model's context. */
const RECENT_MESSAGES = 4;
/** A rule check must not hold up the alert for long; the embedding check answers meanwhile. */
const JUDGE_TIMEOUT_MS = 8_000;

/** A judge asking `model()` (the local model in use now, or null) about each semantic rule. */
export function llmSemanticJudge(model: () => LanguageModel | null, onError?: (error: unknown) => void): SemanticJudge {
  return async (rule: AlertRule & { match: { type: 'semantic' } }, input: AlertInput): Promise<boolean | null> => {
    const llm = model();
    if (!llm) return null;
    const redactor = new PromptRedactor({ id: input.ticketId });
    const m = rule.match;
    const recent = (input.recent ?? []).slice(-RECENT_MESSAGES).map((t) => redactor.redact(t));
    const prompt = buildSafePrompt(
      { system: RULE_JUDGE_SYSTEM, task: `Rule "${rule.name.replace(/[^\w ,.'-]/g, ' ')}": does the latest customer message match it?` },
      [
        {
          label: 'rule',
          text: [
            `description: ${m.description ?? rule.name}`,
            ...m.examples.map((e) => `matches: ${e}`),
            ...(m.negativeExamples ?? []).map((e) => `does not match: ${e}`),
          ].join('\n'),
        },
        ...(recent.length ? [{ label: 'earlier messages', text: recent.join('\n') }] : []),
        { label: 'latest customer message', text: redactor.redact(input.text) },
      ],
    );
    try {
      const out = await llm.generateJson({
        system: prompt.system,
        prompt: prompt.prompt,
        schema: RuleJudgementSchema,
        timeoutMs: JUDGE_TIMEOUT_MS,
        audit: redactor.auditInfo(`rule:${rule.id}`),
      });
      return out.match;
    } catch (error) {
      onError?.(error);
      return null;
    }
  };
}
