/**
 * What tried to leave the machine, for the audit log: the refusals of the process egress guard (a socket or DNS
 * query it stopped) and of an egress policy (a connector or model client refused before it opened anything), as
 * `egress_denied` records. Both front doors use it: the `vigil` command (core/cli/cliEgress.ts) and the desktop
 * app's main process (electron/main/index.ts).
 *
 * The guard is installed before any data folder is open, so refusals heard while no audit log is attached wait and
 * are written when one is. Each host, route and reason is recorded once per run, so a retry loop cannot flood the log.
 */
import { observeEgressDenials } from '../net/egress';
import type { EgressAttempt } from '../net/processGuard';
import type { AuditLog } from './auditLog';

/** One refused connection, as its audit record says it. */
export interface EgressDenial {
  host: string;
  /** `tcp`, `dns`, `fetch`… as the guard saw it, or `policy` when a policy refused before any connection. */
  via: string;
  reason: string;
}

export interface EgressDenialLogOptions {
  /** Hears each new refusal once, as it happens (the CLI prints it, the app logs it). */
  onDenial?: (denial: EgressDenial) => void;
  /** An append that failed; never thrown into the code that tried to connect. */
  onError?: (denial: EgressDenial, error: unknown) => void;
}

export class EgressDenialLog {
  private readonly pending: EgressDenial[] = [];
  private readonly seen = new Set<string>();
  private audit: AuditLog | null = null;
  private appends: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EgressDenialLogOptions = {}) {}

  /** The guard's `onAttempt` listener: refused attempts are recorded, allowed ones ignored. */
  readonly onAttempt = (attempt: EgressAttempt): void => {
    if (!attempt.allowed) this.record({ host: attempt.host, via: attempt.via, reason: stripPrefix(attempt.reason ?? 'not allowed', attempt.host) });
  };

  /** Also records what egress policies refuse before any socket is opened; call the result to stop. */
  observePolicies(): () => void {
    return observeEgressDenials((denial) => this.record({ host: denial.host, via: 'policy', reason: denial.reason }));
  }

  /** Records one refusal (once per host, route and reason): at once into the attached log, else when one attaches. */
  record(denial: EgressDenial): void {
    const key = `${denial.host}\u0000${denial.via}\u0000${denial.reason}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.options.onDenial?.(denial);
    if (this.audit) this.append(this.audit, denial);
    else this.pending.push(denial);
  }

  /**
   * Writes refusals into `audit` (an open service's log) until the returned function is called; those heard before
   * are written now. Call the returned function before closing that log: it waits for the appends in flight.
   */
  attach(audit: AuditLog): () => Promise<void> {
    this.audit = audit;
    for (const denial of this.pending.splice(0)) this.append(audit, denial);
    return async () => {
      if (this.audit === audit) this.audit = null;
      await this.appends;
    };
  }

  /** Refusals no log has taken yet (they are handed over and forgotten here). */
  takePending(): EgressDenial[] {
    return this.pending.splice(0);
  }

  /** Resolves when every append started so far has ended. */
  async settled(): Promise<void> {
    await this.appends;
  }

  private append(audit: AuditLog, denial: EgressDenial): void {
    const appended = audit.append({ type: 'egress_denied', ...denial }).catch((error: unknown) => this.options.onError?.(denial, error));
    this.appends = Promise.all([this.appends, appended]);
  }
}

/** `Blocked a connection to HOST: why` → `why` (the host is its own field). */
function stripPrefix(message: string, host: string): string {
  const prefix = `Blocked a connection to ${host}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}
