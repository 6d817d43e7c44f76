/**
 * Alerts: interest rules that watch every customer message and raise an `alert` suggestion when something needs
 * attention beyond the single ticket. A rule matches by regular expression or semantically (few-shot: similarity
 * to example messages), either detects (raises an alert) or filters (the matching message is ignored by every
 * rule: auto-replies, test tickets), counts matches over a look-back window (`minTickets` distinct tickets), and is
 * then quiet for its suppression interval. Priority P0–P2.
 *
 * The clock is each message's arrival time, passed in: no timers, so tests and replays are exact.
 */
import { errorMessage } from '../formats/errorMessage';
import type { Embedder } from '../embed/embedder';
import { dot, normalize } from '../embed/vectorMath';
import type { AssistDecision } from './assistant';

export type AlertPriority = 'P0' | 'P1' | 'P2';

export type AlertMatcher =
  | { type: 'regex'; pattern: string; flags?: string }
  /**
   * Few-shot: the message is as close as `threshold` (cosine) to one of the examples, and closer to them than to
   * any negative example. With a local model, the model judges instead, from the description and both lists.
   */
  | { type: 'semantic'; examples: string[]; threshold: number; description?: string; negativeExamples?: string[] }
  /** Several tickets about the same thing: messages within `threshold` of each other, whatever they say. */
  | { type: 'similar_reports'; threshold: number };

export interface AlertRule {
  id: string;
  name: string;
  priority: AlertPriority;
  mode: 'detect' | 'filter';
  match: AlertMatcher;
  /** Matches from this far back count towards `minTickets`. */
  lookbackMs: number;
  /** Distinct tickets that must match within the look-back window. */
  minTickets: number;
  /** After an alert, the same rule (for `similar_reports`, the same cluster) stays quiet this long. */
  suppressMs: number;
  /** Quiet on the alerting ticket only (`ticket`) or on every ticket (`rule`, the default of the built-in rules). */
  suppressPer?: 'ticket' | 'rule';
}

/**
 * Judges a semantic rule on a message with the local model: true or false, or null when no model runs or it
 * failed (then the embedding check decides).
 */
export type SemanticJudge = (rule: AlertRule & { match: { type: 'semantic' } }, input: AlertInput) => Promise<boolean | null>;

export interface AlertInput {
  ticketId: string;
  messageId: string;
  /** The cleaned message text. */
  text: string;
  /** Arrival time, ms since epoch. */
  at: number;
  /** The conversation's previous messages (cleaned, oldest first), for the model's judgement. */
  recent?: string[];
}

export interface RaisedAlert {
  ruleId: string;
  priority: AlertPriority;
  ticketId: string;
  afterMessageId: string;
  /** Every ticket that matched within the window, oldest first. */
  ticketIds: string[];
  text: string;
}

const MINUTE = 60_000;
/** Recent messages kept for look-back windows: a busy helpdesk's two hours, and a bound on the work per message. */
const MAX_RECENT = 500;
const HOUR = 60 * MINUTE;

/**
 * The default rules. Thresholds are for the built-in embedder (hashed words and character n-grams): three
 * paraphrases of one crash report scored 0.49–0.68 with each other and unrelated messages below 0.1; two angry
 * messages with few shared words 0.34 (the examples in test/core/assist/alerts.test.ts). Starting points for a
 * team to tune, not fitted values.
 */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  {
    id: 'auto-replies',
    name: 'Automatic replies are not customer reports',
    priority: 'P2',
    mode: 'filter',
    match: { type: 'regex', pattern: '^(auto(matic)?[ -]?reply|out of (the )?office|i am (currently )?away)\\b', flags: 'i' },
    lookbackMs: 0,
    minTickets: 1,
    suppressMs: 0,
  },
  {
    id: 'same-problem',
    name: 'Several customers report the same problem',
    priority: 'P1',
    mode: 'detect',
    match: { type: 'similar_reports', threshold: 0.45 },
    lookbackMs: 2 * HOUR,
    minTickets: 3,
    suppressMs: 4 * HOUR,
  },
  {
    id: 'business-impact',
    name: 'Business impact',
    priority: 'P0',
    mode: 'detect',
    match: {
      type: 'regex',
      pattern:
        '\\b(production (is )?down|outage|(all|none of) (our|the) (users|customers|staff)|(cannot|can\'t|unable to) (process|take|accept) (any )?(payments|orders)|losing (money|revenue|sales)|revenue|sla (breach|violation)|whole (team|company|office))\\b',
      flags: 'i',
    },
    lookbackMs: 0,
    minTickets: 1,
    suppressMs: 30 * MINUTE,
  },
  {
    id: 'strongly-negative',
    name: 'Strongly negative customer',
    priority: 'P1',
    mode: 'detect',
    match: {
      type: 'semantic',
      threshold: 0.3,
      examples: [
        'This is absolutely unacceptable, I am furious',
        'Worst service ever, I am extremely angry',
        'I will cancel my account and tell everyone how terrible you are',
        'I am going to contact my lawyer and file a complaint',
        'You people are useless, this is a disgrace',
      ],
    },
    lookbackMs: 0,
    minTickets: 1,
    suppressMs: 24 * HOUR,
  },
];

interface Seen {
  input: AlertInput;
  vector: Float32Array | null;
  /** Semantic rules the message matched, judged once when it arrived. */
  semantic: Set<string>;
}

/** Evaluates the rules on each customer message; keeps the recent messages and the suppression clocks. */
export class AlertEngine {
  private readonly recent: Seen[] = [];
  private readonly quietUntil = new Map<string, number>();
  private readonly exampleVectors = new Map<string, { positive: Float32Array[]; negative: Float32Array[] }>();
  private readonly regexes = new Map<string, RegExp>();
  private horizonMs = 0;
  private rules: readonly AlertRule[] = [];

  constructor(
    rules: readonly AlertRule[] = DEFAULT_ALERT_RULES,
    private readonly embedder: Embedder | null = null,
    /** Asked about semantic rules that have a description (rules written in the rule centre); see SemanticJudge. */
    private readonly judge: SemanticJudge | null = null,
  ) {
    this.setRules(rules);
  }

  /**
   * Replaces the rules (the rule centre saved a change). Recent messages and quiet clocks are kept, so an edit
   * does not re-raise an alert that was just raised.
   */
  setRules(rules: readonly AlertRule[]): void {
    const regexes = new Map<string, RegExp>();
    for (const rule of rules) {
      if (rule.match.type === 'regex') {
        try {
          regexes.set(rule.id, new RegExp(rule.match.pattern, rule.match.flags ?? 'i'));
        } catch (error) {
          throw new Error(`Alert rule "${rule.id}": match.pattern is not a valid regular expression (${errorMessage(error)}).`);
        }
      }
      if (rule.match.type !== 'regex' && !this.embedder) throw new Error(`Alert rule "${rule.id}" is ${rule.match.type}: it needs an embedder.`);
    }
    this.rules = rules;
    this.regexes.clear();
    for (const [id, regex] of regexes) this.regexes.set(id, regex);
    this.exampleVectors.clear();
    this.horizonMs = Math.max(0, ...rules.map((r) => r.lookbackMs));
  }

  private async vectorOf(text: string): Promise<Float32Array | null> {
    if (!this.embedder) return null;
    const [v] = await this.embedder.embed([text], 'document');
    return v ? normalize(v) : null; // unit length: cosine is a dot product
  }

  /** Embeds the few-shot examples of semantic rules, once. */
  private async ensureExamples(): Promise<void> {
    for (const rule of this.rules) {
      if (rule.match.type !== 'semantic' || this.exampleVectors.has(rule.id)) continue;
      const negatives = rule.match.negativeExamples ?? [];
      this.exampleVectors.set(rule.id, {
        positive: (await this.embedder!.embed(rule.match.examples, 'document')).map(normalize),
        negative: negatives.length ? (await this.embedder!.embed(negatives, 'document')).map(normalize) : [],
      });
    }
  }

  private matches(rule: AlertRule, seen: Seen): boolean {
    const m = rule.match;
    if (m.type === 'regex') return this.regexes.get(rule.id)!.test(seen.input.text);
    if (m.type === 'semantic') return seen.semantic.has(rule.id);
    return true; // similar_reports: every message takes part; clustering happens in `onCustomerMessage`
  }

  /** The embedding check of a semantic rule: near a positive example, and nearer to them than to any negative one. */
  private semanticByEmbedding(rule: AlertRule, vector: Float32Array | null): boolean {
    const examples = this.exampleVectors.get(rule.id);
    if (!vector || !examples || rule.match.type !== 'semantic') return false;
    const best = (list: Float32Array[]): number => Math.max(-Infinity, ...list.map((e) => dot(e, vector)));
    const positive = best(examples.positive);
    return positive >= rule.match.threshold && positive > best(examples.negative);
  }

  /** Semantic rules the message matches: the model's judgement where one runs, else the embedding check. */
  private async semanticMatches(input: AlertInput, vector: Float32Array | null): Promise<Set<string>> {
    const hits = new Set<string>();
    for (const rule of this.rules) {
      if (rule.match.type !== 'semantic') continue;
      const judged = this.judge && rule.match.description ? await this.judge(rule as AlertRule & { match: { type: 'semantic' } }, input) : null;
      if (judged ?? this.semanticByEmbedding(rule, vector)) hits.add(rule.id);
    }
    return hits;
  }

  /** Evaluates a customer message; returns the alerts it raises (often none). */
  async onCustomerMessage(input: AlertInput): Promise<RaisedAlert[]> {
    if (!input.text.trim()) return [];
    await this.ensureExamples();
    const vector = await this.vectorOf(input.text);
    const seen: Seen = { input, vector, semantic: await this.semanticMatches(input, vector) };
    for (const rule of this.rules.filter((r) => r.mode === 'filter')) {
      if (this.matches(rule, seen)) return [];
    }
    while (this.recent.length > 0 && this.recent[0]!.input.at < input.at - this.horizonMs) this.recent.shift();
    // A burst (or a replay whose messages all carry one time) must not make every message scan all the others.
    if (this.recent.length >= MAX_RECENT) this.recent.shift();
    this.recent.push(seen);
    const raised: RaisedAlert[] = [];
    for (const rule of this.rules.filter((r) => r.mode === 'detect')) {
      if (!this.matches(rule, seen)) continue;
      let group = this.recent.filter((s) => s.input.at >= input.at - rule.lookbackMs && this.matches(rule, s));
      if (rule.match.type === 'similar_reports') {
        const threshold = rule.match.threshold;
        group = group.filter((s) => s === seen || (s.vector && seen.vector && dot(s.vector, seen.vector) >= threshold));
      }
      const tickets = [...new Set(group.map((s) => s.input.ticketId))];
      if (tickets.length < rule.minTickets) continue;
      // One quiet clock per rule (or per rule and ticket); for clusters one per ticket, so a cluster of other
      // tickets can still alert.
      const keys =
        rule.match.type === 'similar_reports' ? tickets.map((t) => `${rule.id}#${t}`) : rule.suppressPer === 'ticket' ? [`${rule.id}@${input.ticketId}`] : [rule.id];
      if (keys.some((k) => (this.quietUntil.get(k) ?? -Infinity) > input.at)) continue;
      for (const k of keys) this.quietUntil.set(k, input.at + rule.suppressMs);
      const excerpt = input.text.length > 160 ? `${input.text.slice(0, 159)}…` : input.text;
      raised.push({
        ruleId: rule.id,
        priority: rule.priority,
        ticketId: input.ticketId,
        afterMessageId: input.messageId,
        ticketIds: tickets,
        text:
          rule.match.type === 'similar_reports'
            ? `${rule.priority} ${rule.name}: ${tickets.length} tickets in the last ${Math.round(rule.lookbackMs / MINUTE)} min (${tickets.join(', ')}), e.g. "${excerpt}"`
            : `${rule.priority} ${rule.name}: "${excerpt}"`,
      });
    }
    return raised;
  }
}

/** A raised alert as a shown `alert` decision whose `reason` is the rule id (the desk shows it like a suggestion). */
export function alertDecision(a: RaisedAlert): AssistDecision {
  return {
    ticketId: a.ticketId,
    afterMessageId: a.afterMessageId,
    shown: true,
    reason: a.ruleId,
    kind: 'alert' as const,
    text: a.text,
    confidence: 1,
    citations: [],
    latencyMs: 0,
    stage: 'rules' as const,
    priority: a.priority,
    gates: [{ gate: 'alert' as const, verdict: 'pass' as const, detail: `rule ${a.ruleId} (${a.priority}): tickets ${a.ticketIds.join(', ')}` }],
  };
}
