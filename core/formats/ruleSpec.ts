/**
 * The shape of one interest rule, as the team's rules file and a knowledge pack's manifest both carry it
 * (core/rules/ruleFile.ts reads and writes the file; core/packs signs rules with a pack). Plain zod, nothing else,
 * so the pack format can hold rules without depending on the engine that runs them.
 */
import { z } from 'zod';

/** Vigil's default quiet time after an alert: per conversation, 6 hours. */
export const DEFAULT_SUPPRESS_MINUTES = 360;

function validRegex(pattern: string, flags: string | undefined): boolean {
  try {
    new RegExp(pattern, flags ?? 'i');
    return true;
  } catch {
    return false;
  }
}

const Threshold = z.number().min(-1).max(1);

export const RuleMatchSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('regex'), pattern: z.string().min(1, 'must not be empty'), flags: z.string().regex(/^[imsu]*$/, 'may hold only i, m, s, u').optional() })
    .refine((m) => validRegex(m.pattern, m.flags), { message: 'is not a valid regular expression', path: ['pattern'] }),
  z.object({
    type: z.literal('semantic'),
    /** What the rule is about, in words: the local model judges by it (with the examples). */
    description: z.string().optional(),
    examples: z.array(z.string().min(1)).min(1, 'needs at least one example message'),
    /** Messages that look alike but must not match. */
    negativeExamples: z.array(z.string().min(1)).default([]),
    /** Cosine similarity to an example at or above which the embedding check matches (when no model runs). */
    threshold: Threshold.default(0.3),
  }),
  z.object({ type: z.literal('similar_reports'), threshold: Threshold }),
]);

/** Where an alert also goes: an internal note on the ticket, or a webhook (on the egress allow-list). */
export const RuleDeliverySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('note') }),
  z.object({ type: z.literal('webhook'), url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }) }),
]);
export type RuleDelivery = z.infer<typeof RuleDeliverySchema>;

export const RuleSpecSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  name: z.string().min(1, 'must not be empty'),
  enabled: z.boolean().default(true),
  priority: z.enum(['P0', 'P1', 'P2']).default('P1'),
  mode: z.enum(['detect', 'filter']).default('detect'),
  match: RuleMatchSchema,
  /** Matches from this far back count towards `minTickets`. */
  lookbackMinutes: z.number().min(0).default(0),
  /** Distinct tickets that must match within the look-back window. */
  minTickets: z.number().int().min(1).default(1),
  /** After an alert the rule is quiet on the same ticket (`ticket`, Vigil's default) or everywhere (`rule`). */
  suppress: z
    .object({ per: z.enum(['ticket', 'rule']).default('ticket'), minutes: z.number().min(0).default(DEFAULT_SUPPRESS_MINUTES) })
    .default({ per: 'ticket', minutes: DEFAULT_SUPPRESS_MINUTES }),
  /** Besides the desk: a helpdesk note and/or webhooks (core/rules/alertDelivery.ts). */
  deliver: z.array(RuleDeliverySchema).default([]),
});
export type RuleSpec = z.infer<typeof RuleSpecSchema>;
/** A rule as written by a person (defaults not filled in yet). */
export type RuleSpecInput = z.input<typeof RuleSpecSchema>;

