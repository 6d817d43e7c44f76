/**
 * The team's connectors while a workspace is open: watching the queues configured in `<data folder>/connectors.json`
 * (offline mode pauses those on other machines), their health, connection tests, and the Settings screen's add,
 * edit and remove (connectorSettings.ts), after which watching restarts the way it was started so the change applies
 * at once. The running connectors are also what the reply box posts through (`running`).
 */
import { join } from 'node:path';
import { EgressPolicy, isLoopbackHost } from '../net/egress';
import { redactSecrets, type SecretStore } from '../secrets/secretStore';
import type { EventSink } from './eventSink';
import { Watcher } from './watcher';
import type { ConnectorHealth } from '../connectors/connector';
import {
  checkConnectorDraft,
  describeConnectorKinds,
  readConnectorForEdit,
  removeConnectorSettings,
  saveConnectorSettings,
} from '../connectors/connectorSettings';
import type {
  ConnectorEditView,
  ConnectorKindForm,
  ConnectorRemoval,
  ConnectorSaveResult,
  ConnectorsOverview,
  ConnectorTestResult,
  SaveConnectorRequest,
} from '../connectors/connectorTypes';
import { buildConnectors, CONNECTORS_FILE, SecretRefSchema, connectorHosts, enabledConnectorHosts, loadConnectorsConfig, type BuiltConnectors, type ConnectorConfig } from '../connectors/registry';

/** How long a connection test may take before it is reported as failed. */
const TEST_TIMEOUT_MS = 30_000;

export interface WatchOptions {
  /** Where connector credentials come from (safeStorage in the app). */
  secrets: SecretStore;
  /** Loopback only: refuse every connector host. */
  offline?: boolean;
  /** Hears every change of a connector's health. */
  onHealth?: (health: ConnectorHealth) => void;
  /** The process's egress policy: the connectors' hosts are allowed on it (the app guards every connection with it). */
  egress?: EgressPolicy;
}

/** The connectors of one data folder, delivering their events to `sink` (the desk) while watched. */
export class ConnectorService {
  private watcher: Watcher | null = null;
  private built: BuiltConnectors | null = null;
  private secrets: SecretStore | null = null;
  /** How watching was last started, so a connector saved in Settings restarts it the same way. */
  private watchOptions: WatchOptions | null = null;
  /** Connectors offline mode holds back, with why (set by startWatching). */
  private paused = new Map<string, string>();

  constructor(
    private readonly dataDir: string,
    private readonly sink: EventSink,
  ) {}

  /** The connectors being watched now (what replies and notes are posted through), or null. */
  running(): BuiltConnectors | null {
    return this.built;
  }

  /**
   * Starts watching the connectors configured in `<data folder>/connectors.json`; returns their ids (none when
   * the file is missing or every connector is disabled). A mistake in the file is thrown, naming the field.
   */
  async startWatching(options: WatchOptions): Promise<string[]> {
    await this.stopWatching();
    this.secrets = options.secrets;
    this.watchOptions = options;
    const configs = await loadConnectorsConfig(this.dataDir);
    // Offline mode: connectors to other machines wait (paused, with the reason in their health) rather than
    // retrying refusals; folder connectors and those on this machine keep going.
    this.paused = options.offline || options.egress?.offline ? pausedOffline(configs) : new Map();
    const built = await buildConnectors(configs.filter((c) => !this.paused.has(c.id)), {
      dataDir: this.dataDir,
      secrets: options.secrets,
      offline: options.offline ?? false,
      ...(options.egress ? { egress: options.egress } : {}),
    });
    if (built.connectors.length === 0) return [];
    this.built = built;
    this.watcher = await Watcher.open({
      dataDir: this.dataDir,
      sink: this.sink,
      connectors: built.connectors,
      redact: built.redact,
      ...(options.onHealth ? { onHealth: options.onHealth } : {}),
    });
    this.watcher.start();
    return built.connectors.map((c) => c.connector.id);
  }

  async stopWatching(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = null;
    this.built = null;
    await watcher?.stop();
  }

  /** The configured connectors with their health, or why `connectors.json` cannot be used. */
  async overview(): Promise<ConnectorsOverview> {
    const file = join(this.dataDir, CONNECTORS_FILE);
    let configs;
    try {
      configs = await loadConnectorsConfig(this.dataDir);
    } catch (error) {
      return { file, connectors: [], problem: error instanceof Error ? error.message : String(error) };
    }
    const health = new Map(this.health().map((h) => [h.id, h]));
    return {
      file,
      connectors: configs.map((c) => ({ id: c.id, kind: c.kind, enabled: c.enabled, writeBack: c.writeBack, health: health.get(c.id) ?? this.pausedHealth(c) })),
      problem: null,
    };
  }

  /** The enabled connectors and the hosts each connects to; none when connectors.json cannot be read (Settings says why). */
  hosts(): Promise<{ id: string; hosts: string[] }[]> {
    return enabledConnectorHosts(this.dataDir);
  }

  /** Checks one connector's address and credentials now; the answer says what is wrong in plain words. */
  async test(id: string): Promise<ConnectorTestResult> {
    if (!this.secrets) return { id, ok: false, message: 'Vigil has not started watching the queues yet; try again in a moment.' };
    const secrets = this.secrets;
    const result = await this.tryConnection(async () => buildConnectors(await loadConnectorsConfig(this.dataDir), { dataDir: this.dataDir, secrets, only: [id] }), (m) => m);
    return result.ok ? { id, ok: true } : { id, ok: false, message: result.message };
  }

  /** Each watched connector's health (state, last sync, lag, backlog, last error in words). */
  health(): ConnectorHealth[] {
    return this.watcher?.health() ?? [];
  }

  /** Fetches every page a connector has now, delivering its events (tests, "sync now"). */
  catchUp(connectorId: string): Promise<number> {
    if (!this.watcher) return Promise.reject(new Error('No connectors are being watched.'));
    return this.watcher.catchUp(connectorId);
  }

  /**
   * Runs `work` with `host` allowed on the app's egress policy (the one watching was started with), taking it back
   * afterwards unless it was allowed before: a help-center import reaches its helpdesk for the import only. In
   * offline mode a host on another machine is refused before anything is sent, saying how to allow it.
   */
  async withHostAllowed<T>(host: string, work: (policy: EgressPolicy) => Promise<T>): Promise<T> {
    const policy = this.watchOptions?.egress ?? new EgressPolicy({ offline: this.watchOptions?.offline ?? false });
    if ((policy.offline || this.watchOptions?.offline) && !isLoopbackHost(host)) {
      throw new Error(`Offline mode allows only this machine, and ${host} is another one. Switch offline mode off in Settings → Privacy to import from it.`);
    }
    const added = !policy.allows(host);
    policy.allow(host);
    try {
      return await work(policy);
    } finally {
      if (added) policy.disallow(host);
    }
  }

  // ── Settings → Connectors (connectorSettings.ts) ─────────────────────────────────────────────────────────

  /** Every connector kind with its form, generated from the kind's settings schema. */
  forms(): ConnectorKindForm[] {
    return describeConnectorKinds();
  }

  /** One connector's settings for the edit form; for secrets only whether one is stored. */
  forEdit(id: string, secrets: SecretStore): Promise<ConnectorEditView> {
    return readConnectorForEdit(this.dataDir, id, secrets);
  }

  /**
   * Checks an unsaved connector: the form's fields, then its address and credentials (the secrets typed in, else
   * those stored), as `test` does for a saved one. Nothing is written. A stored secret is offered only when the
   * draft's origin is the one it was saved with (else the check names the secret to type again), and the host is
   * allowed on the egress policy for this call only.
   */
  async testDraft(request: SaveConnectorRequest, secrets: SecretStore): Promise<ConnectorSaveResult> {
    const checked = await checkConnectorDraft(this.dataDir, request);
    if (!checked.ok) return checked;
    const typed = checked.secrets;
    // Only the secrets the draft refers to, and those checkConnectorDraft kept for an unchanged origin.
    const referenced = new Set(Object.values(checked.config).flatMap((v) => {
      const ref = SecretRefSchema.safeParse(v);
      return ref.success ? [ref.data.secret] : [];
    }));
    const overlay: SecretStore = {
      get: async (name) => typed.get(name) ?? (referenced.has(name) ? await secrets.get(name) : null),
      set: () => Promise.reject(new Error('A connection test stores no secrets.')),
      delete: async () => false,
      list: async () => [...new Set([...typed.keys(), ...(await secrets.list())])].sort(),
    };
    const id = checked.config.id;
    // The admin asked to reach this host: it is allowed on the app's policy for this call (tryConnection releases it).
    const result = await this.tryConnection(
      () =>
        buildConnectors([checked.config], {
          dataDir: this.dataDir,
          secrets: overlay,
          only: [id],
          offline: this.watchOptions?.offline ?? false,
          ...(this.watchOptions?.egress ? { egress: this.watchOptions.egress } : {}),
        }),
      (message) => redactSecrets(message, typed.values()),
    );
    return result.ok ? { ok: true, id } : { ok: false, message: result.message, fieldErrors: {} };
  }

  /**
   * Adds or changes a connector in connectors.json (secrets to `secrets`), then restarts watching so the change is
   * picked up at once and the connector's host is allowed. `watchProblem` says why watching could not restart.
   */
  async save(request: SaveConnectorRequest, secrets: SecretStore): Promise<ConnectorSaveResult & { watchProblem?: string | null }> {
    const result = await saveConnectorSettings(this.dataDir, request, secrets);
    if (!result.ok) return result;
    return { ...result, watchProblem: await this.restartWatching() };
  }

  /** Removes a connector (its secrets deleted, its sync state kept) and restarts watching without it. */
  async remove(id: string, secrets: SecretStore): Promise<ConnectorRemoval & { watchProblem: string | null }> {
    const removal = await removeConnectorSettings(this.dataDir, id, secrets);
    return { ...removal, watchProblem: await this.restartWatching() };
  }

  /** Builds one connector and tests its connection; the error in words, secrets removed (`redact` before it is built). */
  private async tryConnection(build: () => Promise<BuiltConnectors>, redact: (message: string) => string): Promise<{ ok: true } | { ok: false; message: string }> {
    let built: BuiltConnectors | null = null;
    try {
      built = await build();
      await built.connectors[0]!.connector.testConnection(AbortSignal.timeout(TEST_TIMEOUT_MS));
      return { ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, message: built ? built.redact(message) : redact(message) };
    } finally {
      for (const { connector } of built?.connectors ?? []) await connector.close?.().catch(() => undefined);
      // A test never widens the egress allow-list beyond itself; saving is what allows a host for the session.
      built?.release();
    }
  }

  /** Starts watching again with the options it was last started with; the problem in words, or null. */
  private async restartWatching(): Promise<string | null> {
    if (!this.watchOptions) return null;
    try {
      await this.startWatching(this.watchOptions);
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** The health of a connector offline mode paused: stopped, with the reason as its last error; null otherwise. */
  private pausedHealth(config: { id: string; kind: string }): ConnectorHealth | null {
    const why = this.paused.get(config.id);
    if (!why) return null;
    return {
      id: config.id, kind: config.kind, state: 'stopped', lastSyncAt: null, lastEventAt: null, lagMs: null, backlog: 0, delivered: 0,
      duplicatesDropped: 0, invalidDropped: 0, consecutiveFailures: 0, lastError: why, lastErrorAt: null, issues: [], issuesTotal: 0, nextAttemptAt: null,
    };
  }
}

/** The enabled connectors that connect to another machine, each with why offline mode pauses it. */
function pausedOffline(configs: readonly ConnectorConfig[]): Map<string, string> {
  const paused = new Map<string, string>();
  for (const config of configs) {
    const remote = config.enabled ? connectorHosts(config).filter((h) => !isLoopbackHost(h)) : [];
    if (remote.length === 0) continue;
    paused.set(config.id, `Paused: offline mode allows only this machine, and ${config.id} connects to ${remote.join(', ')}. Switch offline mode off in Settings → Privacy to resume.`);
  }
  return paused;
}
