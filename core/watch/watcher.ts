/**
 * The sync engine. Each connector is polled on its own schedule; a page of events is validated, stripped of
 * events already delivered, handed to the sink, recorded as delivered, and only then is the page's cursor stored
 * (core/watch/syncState.ts). Failures are retried with exponential backoff, or after the source's `Retry-After`;
 * a fetch that hangs is aborted after `fetchTimeoutMs`. Each connector's health says, in plain words, how it is
 * doing. Memory is bounded by one page per connector: the next page is fetched only after the last is committed.
 */
import { ConnectorError, TicketEventSchema, type ConnectorHealth, type FetchPage, type TicketEvent, type WatchedConnector } from '../connectors/connector';
import { describeZodError } from '../formats/jsonl';
import { DEFAULT_BACKOFF, retryDelay, type BackoffOptions } from './backoff';
import type { EventSink } from './eventSink';
import { SyncState } from './syncState';


export interface WatcherOptions {
  dataDir: string;
  sink: EventSink;
  connectors: readonly WatchedConnector[];
  /** A fetch that takes longer is aborted and retried. Default 60 s. */
  fetchTimeoutMs?: number;
  /** Events handed to the sink at once, then recorded. Default 100. */
  deliveryBatch?: number;
  backoff?: BackoffOptions;
  random?: () => number;
  /** Hears every change of a connector's health. */
  onHealth?: (health: ConnectorHealth) => void;
  /**
   * Removes secrets from any text that leaves the watcher (errors, issues). The registry passes one that knows
   * every configured secret's value.
   */
  redact?: (text: string) => string;
}

const MAX_ISSUES = 20;

interface Slot {
  watched: WatchedConnector;
  state: SyncState;
  health: ConnectorHealth;
  /** Everything up to this time (ms) was seen; null before the first complete sync. */
  completeUpTo: number | null;
  wake: (() => void) | null;
  nudged: boolean;
  loop: Promise<void> | null;
  fetchAbort: AbortController | null;
  unsubscribe: (() => void) | null;
  /** The page in progress: pages of one connector never overlap (the schedule and a manual catch-up, say). */
  busy: Promise<unknown>;
}

export interface PageResult {
  delivered: number;
  more: boolean;
  /** The source asked to wait this long before the next page (it was rate-limited part way through this one). */
  retryAfterMs?: number;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A failure that retrying cannot fix: the connector's settings are wrong (a ticket folder that does not exist or
 * is a file, a bad address) or the source refused the credentials (401/403). Network trouble, timeouts, rate
 * limits and server errors are transient and retried.
 */
export function isPermanentFailure(err: unknown): boolean {
  return err instanceof ConnectorError && (err.kind === 'config' || err.kind === 'auth');
}

/** Polls connectors and delivers their events to a sink, once each. */
export class Watcher {
  private readonly slots = new Map<string, Slot>();
  private running = false;
  private readonly fetchTimeoutMs: number;
  private readonly deliveryBatch: number;
  private readonly backoff: BackoffOptions;
  private readonly redact: (text: string) => string;

  private constructor(private readonly options: WatcherOptions) {
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 60_000;
    this.deliveryBatch = Math.max(1, options.deliveryBatch ?? 100);
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.redact = options.redact ?? ((text) => text);
  }

  /** Loads every connector's cursor and delivered-event ledger from the data folder. */
  static async open(options: WatcherOptions): Promise<Watcher> {
    const watcher = new Watcher(options);
    for (const watched of options.connectors) {
      const { id, kind } = watched.connector;
      if (watcher.slots.has(id)) throw new Error(`Two connectors have the id "${id}"; give each its own id.`);
      const state = await SyncState.open(options.dataDir, id);
      const saved = state.snapshot;
      watcher.slots.set(id, {
        watched,
        state,
        completeUpTo: null,
        wake: null,
        nudged: false,
        loop: null,
        fetchAbort: null,
        unsubscribe: null,
        busy: Promise.resolve(),
        health: {
          id,
          kind,
          state: 'starting',
          lastSyncAt: saved.lastSyncAt,
          lastEventAt: saved.lastEventAt,
          lagMs: null,
          backlog: 0,
          delivered: 0,
          duplicatesDropped: 0,
          invalidDropped: 0,
          consecutiveFailures: 0,
          lastError: null,
          lastErrorAt: null,
          issues: [],
          issuesTotal: 0,
          nextAttemptAt: null,
        },
      });
    }
    return watcher;
  }

  /** Every connector's health, with the lag computed now. */
  health(now: number = Date.now()): ConnectorHealth[] {
    return [...this.slots.values()].map((slot) => this.healthOf(slot, now));
  }

  private healthOf(slot: Slot, now: number = Date.now()): ConnectorHealth {
    const lagMs = slot.completeUpTo === null ? null : Math.max(0, now - slot.completeUpTo);
    return { ...slot.health, lagMs, issues: [...slot.health.issues] };
  }

  private slot(connectorId: string): Slot {
    const slot = this.slots.get(connectorId);
    if (!slot) throw new Error(`No connector "${connectorId}" is being watched.`);
    return slot;
  }

  private publish(slot: Slot): void {
    this.options.onHealth?.(this.healthOf(slot));
  }

  private addIssue(slot: Slot, issue: string): void {
    slot.health.issues.push(this.redact(issue));
    slot.health.issuesTotal++;
    if (slot.health.issues.length > MAX_ISSUES) slot.health.issues.splice(0, slot.health.issues.length - MAX_ISSUES);
  }

  /**
   * Fetches one page and delivers it: validate, drop duplicates, sink, record, then store the cursor. Throws what
   * went wrong (nothing is stored then, so the page is fetched again).
   */
  syncPage(connectorId: string): Promise<PageResult> {
    const slot = this.slot(connectorId);
    const run = slot.busy.then(
      () => this.syncPageNow(slot),
      () => this.syncPageNow(slot),
    );
    slot.busy = run.catch(() => undefined);
    return run;
  }

  private async syncPageNow(slot: Slot): Promise<PageResult> {
    const { connector } = slot.watched;
    const startedAt = Date.now();
    slot.health.state = 'syncing';
    this.publish(slot);

    const abort = new AbortController();
    slot.fetchAbort = abort;
    const timer = setTimeout(() => abort.abort(new ConnectorError(`The source did not answer within ${Math.round(this.fetchTimeoutMs / 1000)} s.`, 'unavailable')), this.fetchTimeoutMs);
    let page: FetchPage;
    try {
      page = await Promise.race([
        connector.fetchSince(slot.state.cursor, abort.signal),
        // A connector that ignores its signal must not hang the watcher.
        new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), { once: true })),
      ]);
    } finally {
      clearTimeout(timer);
      slot.fetchAbort = null;
    }
    if (
      !page ||
      !Array.isArray(page.events) ||
      typeof page.more !== 'boolean' ||
      (page.cursor !== null && typeof page.cursor !== 'string') ||
      (page.retryAfterMs !== undefined && !(Number.isFinite(page.retryAfterMs) && page.retryAfterMs >= 0))
    ) {
      throw new ConnectorError(`${connector.kind} connector "${connector.id}" returned a page without events, cursor and more.`, 'bad_response');
    }
    for (const issue of page.issues ?? []) this.addIssue(slot, issue);

    // Validate and de-duplicate before anything is delivered.
    const fresh: TicketEvent[] = [];
    const inPage = new Set<string>();
    page.events.forEach((raw, index) => {
      const result = TicketEventSchema.safeParse(raw);
      if (!result.success) {
        const { field, message } = describeZodError(result.error);
        const id = typeof (raw as { id?: unknown })?.id === 'string' ? ` (${(raw as { id: string }).id})` : '';
        this.addIssue(slot, `${connector.id}: event ${index + 1} of a page${id}: ${field}: ${message}; skipped`);
        slot.health.invalidDropped++;
        return;
      }
      const event: TicketEvent = result.data; // with the format's defaults applied (a ticket's status, say)
      if (inPage.has(event.id) || slot.state.hasDelivered(event.id)) {
        slot.health.duplicatesDropped++;
        return;
      }
      inPage.add(event.id);
      fresh.push(event);
    });

    const waiting = page.backlog ?? 0;
    let lastEventAt: string | null = null;
    for (let i = 0; i < fresh.length; i += this.deliveryBatch) {
      slot.health.backlog = fresh.length - i + waiting;
      this.publish(slot);
      const batch = fresh.slice(i, i + this.deliveryBatch);
      await this.options.sink.deliver(connector.id, batch);
      await slot.state.recordDelivered(batch.map((e) => e.id));
      slot.health.delivered += batch.length;
      for (const e of batch) if (!lastEventAt || Date.parse(e.at) > Date.parse(lastEventAt)) lastEventAt = e.at;
    }
    const syncedAt = new Date().toISOString();
    // An empty poll that leaves the cursor where it was changes nothing on disk (a folder polled every 5 s).
    if (fresh.length > 0 || page.cursor !== slot.state.cursor) {
      await slot.state.commit(page.cursor, { syncedAt, lastEventAt, delivered: fresh.length });
    }

    slot.health.backlog = waiting;
    slot.health.lastSyncAt = syncedAt;
    if (lastEventAt) slot.health.lastEventAt = slot.state.snapshot.lastEventAt;
    if (!page.more) slot.completeUpTo = startedAt;
    else if (slot.health.lastEventAt) slot.completeUpTo = Math.min(Date.parse(slot.health.lastEventAt), startedAt);
    slot.health.consecutiveFailures = 0;
    slot.health.lastError = null;
    slot.health.state = page.more ? 'syncing' : 'idle';
    // Rate-limited part way: what was read is committed, the rest waits as long as the source asked.
    const retryAfterMs = page.more ? page.retryAfterMs : undefined;
    if (retryAfterMs !== undefined) slot.health.nextAttemptAt = new Date(Date.now() + retryAfterMs).toISOString();
    this.publish(slot);
    return { delivered: fresh.length, more: page.more, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }

  /** Records a failed attempt in the health and returns how long to wait before the next one. */
  private recordFailure(slot: Slot, err: unknown): number {
    slot.health.consecutiveFailures++;
    const retryAfterMs = err instanceof ConnectorError ? err.retryAfterMs : undefined;
    const delay = retryDelay(slot.health.consecutiveFailures, retryAfterMs, this.backoff, this.options.random);
    const seconds = delay >= 10_000 ? `${Math.round(delay / 1000)} s` : `${(delay / 1000).toFixed(1)} s`;
    const what =
      err instanceof ConnectorError && err.kind === 'rate_limited'
        ? `The source asked Vigil to slow down (rate limited): ${errorText(err)}`
        : err instanceof ConnectorError || (err instanceof Error && err.name === 'EgressDeniedError')
          ? errorText(err)
          : `Unexpected error while syncing: ${errorText(err)}`;
    const sentence = /[.!?]$/.test(what) ? what : `${what}.`;
    slot.health.lastError = this.redact(`${sentence} Retrying in ${seconds} (attempt ${slot.health.consecutiveFailures + 1}).`);
    slot.health.lastErrorAt = new Date().toISOString();
    slot.health.nextAttemptAt = new Date(Date.now() + delay).toISOString();
    slot.health.state = 'retrying';
    this.publish(slot);
    return delay;
  }

  /**
   * Syncs until the source has nothing more (`more: false`), retrying failures with backoff. Gives up after
   * `maxFailures` failures in a row and throws the last error; a permanent failure (`isPermanentFailure`) is
   * thrown at once. For `vigil watch --once` and tests.
   */
  async catchUp(connectorId: string, maxFailures = 5): Promise<number> {
    const slot = this.slot(connectorId);
    let delivered = 0;
    for (;;) {
      try {
        const page = await this.syncPage(connectorId);
        delivered += page.delivered;
        if (!page.more) return delivered;
        if (page.retryAfterMs) await new Promise((resolve) => setTimeout(resolve, page.retryAfterMs));
      } catch (err) {
        // Waiting cannot fix a wrong setting or refused credentials (a missing folder, a 401): say so at once.
        if (isPermanentFailure(err)) throw new Error(this.redact(errorText(err)));
        const delay = this.recordFailure(slot, err);
        if (slot.health.consecutiveFailures >= maxFailures) throw new Error(slot.health.lastError ?? errorText(err));
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Starts polling every connector on its schedule, until `stop()`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const [id, slot] of this.slots) {
      slot.unsubscribe = slot.watched.connector.subscribe?.(() => this.nudge(id)) ?? null;
      slot.loop = this.run(slot);
    }
  }

  /** Asks for a poll of `connectorId` now (a file changed, the analyst pressed refresh). */
  nudge(connectorId: string): void {
    const slot = this.slots.get(connectorId);
    if (!slot) return;
    slot.nudged = true;
    slot.wake?.();
  }

  private sleep(slot: Slot, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        slot.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      slot.wake = done;
    });
  }

  private async run(slot: Slot): Promise<void> {
    while (this.running) {
      let wait: number;
      slot.nudged = false;
      try {
        const page = await this.syncPage(slot.watched.connector.id);
        // More right now: continue at once (or after the wait a rate-limited source asked for), but yield so other
        // connectors and the app keep running.
        wait = page.more ? (page.retryAfterMs ?? 0) : slot.watched.pollMs;
        slot.health.nextAttemptAt = wait === 0 ? null : new Date(Date.now() + wait).toISOString();
      } catch (err) {
        if (!this.running) break;
        wait = this.recordFailure(slot, err);
      }
      if (!this.running) break;
      if (wait === 0 || slot.nudged) await new Promise((resolve) => setImmediate(resolve));
      else await this.sleep(slot, wait);
    }
    slot.health.state = 'stopped';
    this.publish(slot);
  }

  /**
   * Stops polling: a fetch in flight is aborted; a page being delivered is finished and committed first, so
   * nothing is left half-recorded. Then closes the connectors.
   */
  async stop(): Promise<void> {
    this.running = false;
    for (const slot of this.slots.values()) {
      slot.unsubscribe?.();
      slot.unsubscribe = null;
      slot.fetchAbort?.abort(new ConnectorError('Vigil is stopping.', 'unavailable'));
      slot.wake?.();
    }
    await Promise.allSettled([...this.slots.values()].map((slot) => slot.loop));
    for (const slot of this.slots.values()) {
      slot.loop = null;
      await slot.watched.connector.close?.().catch(() => undefined);
    }
  }
}
