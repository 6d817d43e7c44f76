/**
 * Keeps one analyst's data folder in step with the team store, in the background. `record` writes the analyst's
 * operation to the local outbox and returns: nothing the copilot decides waits on the network. A sync round sends
 * the outbox, then reads the store's new fragments and hands every operation (the others' and, once, its own) to
 * `apply`, which updates the local cache; `apply` must be idempotent by opId, since a crash after it and before the
 * cursor is saved replays the last round.
 *
 * The state (`team-state.json`) survives restarts: the read cursor, the version read, and since when the store has
 * been unreachable, which is what `vigil team status` and Settings show (in sync, behind by N, offline since T).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { Outbox, type TeamOp } from './outbox';
import { TeamStore } from './teamStore';

/** The sync state's file name inside the data folder. */
export const TEAM_STATE_FILE = 'team-state.json';

const TeamStateSchema = z.object({
  nextFragment: z.number().int().nonnegative(),
  pulledVersion: z.number().int().nonnegative(),
  latestVersion: z.number().int().nonnegative(),
  lastSyncAt: z.string().nullable(),
  offlineSince: z.string().nullable(),
  lastError: z.string().nullable(),
});

/** What was last learned about the team store. */
export type TeamState = z.output<typeof TeamStateSchema>;

const EMPTY_STATE: TeamState = { nextFragment: 0, pulledVersion: 0, latestVersion: 0, lastSyncAt: null, offlineSince: null, lastError: null };

/** The team store's state as the app shows it. */
export interface TeamStatus {
  state: 'in-sync' | 'behind' | 'offline' | 'never-synced';
  /** Table versions committed by others and not yet read (0 when in sync). */
  behindBy: number;
  /** Own operations in the outbox, not yet in the team store. */
  pending: number;
  offlineSince: string | null;
  lastSyncAt: string | null;
  lastError: string | null;
}

/** What one sync round did. */
export interface SyncRound {
  sent: number;
  received: number;
  online: boolean;
}

/** How a TeamSync reaches its store and its cache. */
export interface TeamSyncOptions {
  dataDir: string;
  uri: string;
  analyst: string;
  /** The writer id its operation ids begin with (team.json's `writer`), when the folder has one. */
  writer?: string;
  /**
   * LanceDB's storage options, or a function reading them (from the secret store) each time the store is opened,
   * so a key set after a failure is used at the next round.
   */
  storageOptions: Record<string, string> | (() => Promise<Record<string, string>>);
  /**
   * Asked before every round: a reason not to reach the store now (the egress policy refuses its endpoint, offline
   * mode), or null. LanceDB's object-store client is native code that the in-process egress guard does not see, so
   * this is where the policy applies to it (core/team/teamLink.ts).
   */
  gate?: () => string | null;
  /** Updates the local cache with operations read from the store; idempotent by opId. */
  apply: (ops: readonly TeamOp[]) => Promise<void> | void;
  now?: () => Date;
}

/** Reads a data folder's team sync state (for `vigil team status` without opening the store). */
export async function readTeamState(dataDir: string): Promise<TeamState> {
  return readJsonFile(join(dataDir, TEAM_STATE_FILE), TeamStateSchema, EMPTY_STATE);
}

/** Turns the saved state and the outbox's length into what the app shows. */
export function describeTeamState(state: TeamState, pending: number): TeamStatus {
  const behindBy = Math.max(0, state.latestVersion - state.pulledVersion);
  const base = { behindBy, pending, offlineSince: state.offlineSince, lastSyncAt: state.lastSyncAt, lastError: state.lastError };
  if (state.offlineSince !== null) return { state: 'offline', ...base };
  if (state.lastSyncAt === null) return { state: 'never-synced', ...base };
  return { state: behindBy > 0 || pending > 0 ? 'behind' : 'in-sync', ...base };
}

/** The background link between one data folder and the team store. */
export class TeamSync {
  readonly outbox: Outbox;
  private store: TeamStore | null = null;
  private state: TeamState | null = null;
  private round: Promise<SyncRound> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => Date;

  constructor(private readonly options: TeamSyncOptions) {
    this.outbox = new Outbox(options.dataDir);
    this.now = options.now ?? (() => new Date());
  }

  /** Records the analyst's own operation durably (the acknowledgement) and schedules no network wait. */
  async record(kind: TeamOp['kind'], payload: unknown, opId?: string): Promise<TeamOp> {
    const writer = this.options.writer;
    const id = opId ?? (writer ? `${writer}:${randomUUID()}` : undefined);
    return this.outbox.add(this.options.analyst, kind, payload, this.now(), ...(id !== undefined ? [id] : []));
  }

  /** Runs one round now (or joins the one running): send the outbox, read what is new. Never throws for the network. */
  syncOnce(): Promise<SyncRound> {
    this.round ??= this.runRound().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  /** Syncs every `intervalMs` in the background until `stop`. */
  start(intervalMs: number): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.syncOnce(), intervalMs);
    this.timer.unref();
  }

  /** Stops the background rounds and waits for the one running. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.round;
  }

  /** The store's state as last seen. */
  async status(): Promise<TeamStatus> {
    return describeTeamState(await this.loadState(), (await this.outbox.list()).length);
  }

  private async loadState(): Promise<TeamState> {
    this.state ??= await readTeamState(this.options.dataDir);
    return this.state;
  }

  private async saveState(patch: Partial<TeamState>): Promise<void> {
    this.state = { ...(await this.loadState()), ...patch };
    await writeJsonAtomic(join(this.options.dataDir, TEAM_STATE_FILE), this.state);
  }

  private async runRound(): Promise<SyncRound> {
    const state = await this.loadState();
    let sent = 0;
    try {
      const refusal = this.options.gate?.() ?? null;
      if (refusal !== null) {
        this.store = null;
        throw new Error(refusal);
      }
      if (this.store === null) {
        const { storageOptions } = this.options;
        this.store = await TeamStore.open(this.options.uri, typeof storageOptions === 'function' ? await storageOptions() : storageOptions, false);
      }
      const pending = await this.outbox.list();
      if (pending.length > 0) {
        await this.store.commit(pending);
        await this.outbox.markCommitted(new Set(pending.map((op) => op.opId)));
        sent = pending.length;
      }
      const pulled = await this.store.pullSince(state.nextFragment);
      if (pulled.ops.length > 0) await this.options.apply(pulled.ops);
      const latest = await this.store.latestVersion();
      await this.saveState({
        nextFragment: pulled.nextFragment,
        pulledVersion: pulled.version,
        latestVersion: latest,
        lastSyncAt: this.now().toISOString(),
        offlineSince: null,
        lastError: null,
      });
      return { sent, received: pulled.ops.length, online: true };
    } catch (err) {
      // Unreachable store (or a commit that failed): the outbox keeps what was not confirmed, the next round retries.
      this.store = null;
      await this.saveState({ offlineSince: state.offlineSince ?? this.now().toISOString(), lastError: errorMessage(err) });
      return { sent, received: 0, online: false };
    }
  }
}
