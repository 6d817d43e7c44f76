/**
 * The `vigil` command runs under the same egress guard as the desktop app's main process (docs/privacy.md): every
 * socket, DNS query and `fetch` of the process is checked against one policy that allows loopback (Ollama) and the
 * hosts of the connectors the command builds (`buildConnectors` allows them on this policy, as the app's
 * `Workspace.startWatching` does); `--offline` (or `VIGIL_OFFLINE=1`) allows loopback only. The local model is
 * reached through a loopback-only policy, as in the app.
 *
 * A refused connection, whether the guard stopped it at a socket or a policy refused it before one was opened, is
 * printed as a sentence and recorded in the data folder's audit log as an `egress_denied` record: through the open
 * service's log while a command holds one (the same chain, no second writer), otherwise once the command is done,
 * under the folder's writer lock. Each host and reason is recorded once per command, so a retry loop cannot flood
 * the log.
 */
import { mkdir } from 'node:fs/promises';
import { errorMessage } from '../formats/errorMessage';
import { lockDataFolder } from '../knowledge/folderLock';
import { EgressPolicy } from '../net/egress';
import { installEgressGuard } from '../net/processGuard';
import { AuditLog } from '../privacy/auditLog';
import { EgressDenialLog } from '../privacy/egressDenials';
import type { LogContext } from '../privacy/redactingLogger';

let current: CliEgress | null = null;

/** `error` may take a log context: on a terminal stderr goes through the redacting logger (core/cli/vigil.ts). */
type Out = { log: (line: string) => void; error: (line: string, context?: LogContext) => void };

/** The egress state of one `vigil` run. */
export class CliEgress {
  /** The process policy: loopback and the connectors' hosts (loopback only when offline). */
  readonly policy: EgressPolicy;
  /** For the local model (Ollama): loopback only, whatever the connectors allow. */
  readonly loopback = new EgressPolicy({ offline: true });
  private readonly denials: EgressDenialLog;
  private readonly stops: Array<() => void> = [];

  constructor(
    private readonly dataDir: string,
    offline: boolean,
    private readonly out: Out,
    /** The run this one is nested in (a test running `main` inside another), restored by `finish`. */
    private readonly outer: CliEgress | null = null,
  ) {
    this.policy = new EgressPolicy({ offline });
    this.denials = new EgressDenialLog({
      onDenial: (denial) =>
        // The host is where this process tried to connect (configuration or a dependency), not customer data: kept.
        out.error(`vigil: blocked a connection to ${denial.host} (${denial.via}): ${denial.reason}. Vigil connects only to this machine and to the hosts of configured connectors (docs/privacy.md).`, { keep: [denial.host] }),
      onError: (denial, error) => out.error(`vigil: could not record the blocked connection to ${denial.host} in the audit log: ${errorMessage(error)}`, { keep: [denial.host] }),
    });
    const guard = installEgressGuard(this.policy, { onAttempt: this.denials.onAttempt });
    this.stops.push(() => guard.uninstall());
    this.stops.push(this.denials.observePolicies());
  }

  /**
   * Records refusals in `audit` (an open service's log) until the returned function is called; refusals heard
   * before are recorded now. Call the returned function before closing that log.
   */
  attach(audit: AuditLog): () => Promise<void> {
    return this.denials.attach(audit);
  }

  /** Removes the guard and records refusals no open log took (under the folder's writer lock). */
  async finish(): Promise<void> {
    if (current === this) current = this.outer;
    for (const stop of this.stops.splice(0).reverse()) stop();
    await this.denials.settled();
    const denials = this.denials.takePending();
    if (denials.length === 0) return;
    try {
      await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
      const lock = await lockDataFolder(this.dataDir);
      try {
        const audit = await AuditLog.open(this.dataDir);
        try {
          for (const denial of denials) await audit.append({ type: 'egress_denied', ...denial });
        } finally {
          await audit.close();
        }
      } finally {
        await lock.release();
      }
    } catch (error) {
      this.out.error(`vigil: ${denials.length} blocked connection(s) could not be recorded in the audit log of ${this.dataDir}: ${errorMessage(error)}`);
    }
  }
}

/** Installs the guard for one run of `vigil` (main() does, around every command). */
export function startCliEgress(dataDir: string, offline: boolean, out: Out): CliEgress {
  const egress = new CliEgress(dataDir, offline, out, current);
  current = egress;
  return egress;
}

/** The running command's egress state, or null outside `main()` (a test calling a command function directly). */
export function cliEgress(): CliEgress | null {
  return current;
}

/**
 * The data folder and offline mode a command line names, read before the command parses it (the guard goes in
 * first): `--data-dir DIR` or `--data-dir=DIR`, else VIGIL_DATA_DIR or the default; `--offline` or VIGIL_OFFLINE=1.
 */
export function egressScope(argv: readonly string[], defaultDir: string, env: NodeJS.ProcessEnv = process.env): { dataDir: string; offline: boolean } {
  let dataDir = defaultDir;
  let offline = env['VIGIL_OFFLINE'] === '1';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--data-dir' && argv[i + 1] !== undefined) dataDir = argv[++i]!;
    else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--offline') offline = true;
  }
  return { dataDir, offline };
}
