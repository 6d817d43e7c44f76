/**
 * Where an alert goes besides the analyst's desk, as its rule says (`deliver` in rules/rules.json): an internal
 * note on the ticket in the helpdesk (the connector's write-back, so only where the admin set `"writeBack": true`)
 * and/or a JSON POST to a webhook. Webhooks go through the egress policy: a host not on the allow-list (or any
 * remote host in offline mode) is refused and logged, and the alert is still shown on the desk.
 */
import type { RaisedAlert } from '../assist/alerts';
import type { EgressDecision, EgressPolicy } from '../net/egress';
import { log } from '../privacy/redactingLogger';
import type { RuleDelivery } from '../formats/ruleSpec';

/** How long a delivery may take: a slow webhook must not pile up work behind a busy queue. */
const DELIVERY_TIMEOUT_MS = 10_000;

export interface AlertSinks {
  /** Posts an internal note on a ticket (the connectors' write-back); absent where no connector runs. */
  postNote?: (ticketId: string, text: string, signal: AbortSignal) => Promise<void>;
  /** The egress policy's fetch: loopback and allow-listed hosts only. */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
}

export interface DeliveryOutcome {
  type: RuleDelivery['type'];
  ok: boolean;
  /** Why it failed, in words (null when it worked). */
  error: string | null;
}

/**
 * Whether a webhook may go to `host` under `policy`: to this machine or a configured connector's host only. A
 * documentation host is allowed for reading shared links, never for sending alerts (which hold ticket excerpts).
 */
export function webhookDecision(policy: Pick<EgressPolicy, 'check'>, host: string): EgressDecision {
  const decision = policy.check(host);
  if (decision.allowed && decision.rule !== 'loopback' && decision.rule !== 'connector') {
    return { allowed: false, host: decision.host, reason: `${decision.host} is allowed for reading shared documentation links only, not for sending alerts` };
  }
  return decision;
}

/** The egress policy's fetch for webhooks: refuses, before any connection, a host `webhookDecision` refuses. */
export function webhookFetch(policy: () => Pick<EgressPolicy, 'check' | 'fetch'>): AlertSinks['fetch'] {
  return (url, init) => {
    const current = policy();
    const decision = webhookDecision(current, new URL(url).hostname);
    if (!decision.allowed) return Promise.reject(new Error(`${decision.host} is refused: ${decision.reason}`));
    return current.fetch(url, init);
  };
}

/** The webhook's body: the alert, without the conversation (the excerpt in `text` is what the desk shows). */
export function webhookBody(alert: RaisedAlert, ruleName: string, at: number): string {
  return JSON.stringify({
    source: 'vigil',
    rule: alert.ruleId,
    name: ruleName,
    priority: alert.priority,
    ticketId: alert.ticketId,
    ticketIds: alert.ticketIds,
    text: alert.text,
    at: new Date(at).toISOString(),
  });
}

/** Sends one alert everywhere its rule says; never throws (each failure is logged and returned). */
export async function deliverAlert(
  alert: RaisedAlert,
  rule: { name: string; deliver: readonly RuleDelivery[] },
  at: number,
  sinks: AlertSinks,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const target of rule.deliver) {
    try {
      const signal = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
      if (target.type === 'note') {
        if (!sinks.postNote) throw new Error('no helpdesk connector is running to post the note');
        await sinks.postNote(alert.ticketId, `Vigil alert: ${alert.text}`, signal);
      } else {
        const response = await sinks.fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: webhookBody(alert, rule.name, at),
          signal,
        });
        if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`);
      }
      outcomes.push({ type: target.type, ok: true, error: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn(`Alert ${alert.ruleId} on ticket ${alert.ticketId} was not sent as a ${target.type === 'note' ? 'helpdesk note' : 'webhook'}: ${message}`);
      outcomes.push({ type: target.type, ok: false, error: message });
    }
  }
  return outcomes;
}

/**
 * Sends raised alerts where their rules say (`deliver`), beside the desk and never holding it up. Without sinks
 * (replays and commands) nothing leaves: a recorded queue never posts anything.
 */
export class AlertDispatch {
  private sinks: AlertSinks | null = null;
  private readonly running = new Set<Promise<DeliveryOutcome[]>>();

  /** The app passes its connectors' write-back and the egress policy's fetch; null stops sending. */
  setSinks(sinks: AlertSinks | null): void {
    this.sinks = sinks;
  }

  /** Starts the deliveries of `alerts` whose rules (`ruleOf`) name targets; failures are logged by deliverAlert. */
  send(alerts: readonly RaisedAlert[], ruleOf: (id: string) => { name: string; deliver: readonly RuleDelivery[] } | undefined, at: number): void {
    const sinks = this.sinks;
    if (!sinks) return;
    for (const alert of alerts) {
      const rule = ruleOf(alert.ruleId);
      if (!rule || rule.deliver.length === 0) continue;
      const sent = deliverAlert(alert, rule, at, sinks).finally(() => this.running.delete(sent));
      this.running.add(sent);
    }
  }

  /** Resolves, with their outcomes, when the deliveries under way have ended. */
  async settled(): Promise<DeliveryOutcome[]> {
    const settled = await Promise.allSettled([...this.running]);
    return settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  }
}
