/**
 * The link between one open data folder and its team store: what the analyst's app changes goes to the team, and
 * what the others changed comes into the local knowledge store, its history and its feedback statistics.
 *
 * - Out: every version the entry history records (a learned entry, a review decision, an edit, a retirement, a
 *   restore, a delayed-review verdict) and every suggestion event an analyst caused become operations in the local
 *   outbox before the change's call returns (`EntryHistory.onRecorded`, `FeedbackCenter.onRecorded`). Only what
 *   was stored locally is sent, so redact-before-storage has already run on it.
 * - In: a background round (TeamSync) reads the store's new fragments and applies the others' operations to the
 *   local store (the copilot's cache: its int8 index and fresh tier), with each version in the entry's history.
 *   An entry approved or rejected by one analyst is so for everyone: the review queue is the store's proposed
 *   entries, and the decision is one more version.
 * - Concurrent edits: each version carries the time of the version it changed (`basedOn`). When another analyst's
 *   version was made without seeing the local one, both stay in the history; the later (by time, then analyst
 *   name) is current on every machine, and the history notes say so.
 *
 * Nothing the copilot decides waits on this: rounds run on a timer, and a change costs one fsynced outbox line.
 */
import { z } from 'zod';
import type { FeedbackCenter } from '../feedback/feedbackCenter';
import type { SuggestionEvent } from '../feedback/suggestionEvents';
import { errorMessage } from '../formats/errorMessage';
import { describeZodError } from '../formats/jsonl';
import type { EntryHistory, HistoryAction, HistoryRecord } from '../knowledge/entryHistory';
import { HistoryRecordSchema } from '../knowledge/entryHistory';
import type { KnowledgeStore } from '../knowledge/knowledgeStore';
import type { StoredEntry } from '../knowledge/storedEntry';
import type { EgressPolicy } from '../net/egress';
import { log } from '../privacy/redactingLogger';
import type { SecretStore } from '../secrets/secretStore';
import { FileSecretStore } from '../secrets/fileSecretStore';
import type { TeamOp } from './outbox';
import { formatEndpoint, readTeamConfig, teamEndpoint, teamStorageOptions, type TeamConfig } from './teamConfig';
import { TeamSync, type SyncRound, type TeamStatus } from './teamSync';

/**
 * How often the app syncs with the team store. Two seconds: reading what is new costs little (an incremental read
 * of 100 new operations took 3-49 ms on a shared folder and 9-565 ms on the S3 stand-in in `npm run bench:team`,
 * BENCHMARKS.md), and the time from one analyst's close to another's citation is then at most about two rounds plus
 * the others' learning; a faster pace mostly adds manifest listings to the store.
 */
export const TEAM_SYNC_EVERY_MS = 2_000;

/** An entry version as shared: the history record and the time of the version it changed (null: none). */
const VersionPayloadSchema = z.object({ record: HistoryRecordSchema, basedOn: z.string().nullable() });
const FeedbackPayloadSchema = z.object({ event: z.looseObject({ type: z.string(), entryIds: z.array(z.string()) }) });

/** Engine events about suggestions that stay on this desk: they describe this analyst's screen, not the entry. */
const LOCAL_EVENT_TYPES: ReadonlySet<string> = new Set(['shown', 'ignored']);

/** Which kind of team operation a history action is. */
function kindOf(action: HistoryAction): TeamOp['kind'] {
  if (action === 'created' || action === 'merged') return 'entry';
  if (action === 'approved' || action === 'rejected') return 'review';
  return 'history';
}

/** What leaving did, for Settings → Team. */
export interface LeaveTeamResult {
  /** The store left; null when the folder was not in one. */
  left: string | null;
  /** The analyst's writes that stay in the outbox file, unsent (only with `force`). */
  unsent: number;
}

/** What joining did, for Settings → Team. */
export interface JoinTeamResult {
  team: TeamLinkStatus | null;
  /** Entries of the personal folder merged into the store (with `merge`), else null. */
  merged: number | null;
}

/** The team store's state and settings, as Settings → Team and the top bar show them. */
export interface TeamLinkStatus extends TeamStatus {
  uri: string;
  analyst: string;
  /** The one network endpoint the store is reached at (host:port), or null for a shared folder. */
  endpoint: string | null;
}

/** What a TeamLink works on: the open engine's parts, the team settings and where its keys are. */
export interface TeamLinkParts {
  dataDir: string;
  config: TeamConfig;
  /** Where the store's keys are: the OS keychain in the app, the data folder's secret file for `vigil`. */
  secrets: SecretStore;
  store: Pick<KnowledgeStore, 'get' | 'upsert' | 'entries'>;
  history: EntryHistory;
  feedback: FeedbackCenter;
  /** Told which entries another analyst's operations changed (the app refreshes its windows). */
  announce?: (entryIds: string[]) => void;
  /** The process's egress policy: the store's endpoint must be allowed before the native client is opened. */
  egress?: Pick<EgressPolicy, 'checkEndpoint'>;
  now?: () => Date;
}

/** Orders two versions: later time first, then analyst name, so every machine picks the same current one. */
function later(a: { at: string; by: string }, b: { at: string; by: string }): boolean {
  return a.at === b.at ? a.by > b.by : a.at > b.at;
}

/** One analyst's open link to the team store. */
export class TeamLink {
  readonly sync: TeamSync;
  private readonly applied = new Set<string>();
  private readonly unsubscribe: Array<() => void> = [];

  private constructor(private readonly parts: TeamLinkParts) {
    const { config, secrets, egress } = parts;
    const endpoint = teamEndpoint(config);
    this.sync = new TeamSync({
      dataDir: parts.dataDir,
      uri: config.uri,
      analyst: config.analyst,
      ...(config.writer ? { writer: config.writer } : {}),
      storageOptions: () => teamStorageOptions(config, secrets),
      gate: () => {
        if (endpoint === null || egress === undefined) return null;
        const decision = egress.checkEndpoint(endpoint.host, endpoint.port);
        return decision.allowed ? null : `the egress policy refuses the team store's endpoint ${formatEndpoint(endpoint)}: ${decision.reason}`;
      },
      apply: (ops) => this.apply(ops),
      ...(parts.now ? { now: parts.now } : {}),
    });
  }

  /**
   * Links the open engine to the team store: notes which operations were already applied (a crash after applying
   * and before the cursor was saved replays a round), then shares every later change. Reaches no network.
   */
  static async open(parts: TeamLinkParts): Promise<TeamLink> {
    const link = new TeamLink(parts);
    for (const records of parts.history.all().values()) for (const record of records) if (record.team) link.applied.add(record.team.opId);
    for await (const event of parts.feedback.events()) {
      const team = (event as { team?: { opId?: unknown } }).team;
      if (typeof team?.opId === 'string') link.applied.add(team.opId);
    }
    link.unsubscribe.push(parts.history.onRecorded((records) => link.shareVersions(records)));
    link.unsubscribe.push(parts.feedback.onRecorded((event) => link.shareFeedback(event)));
    return link;
  }

  /** Syncs in the background every `intervalMs`, starting now. */
  start(intervalMs: number = TEAM_SYNC_EVERY_MS): void {
    void this.sync.syncOnce();
    this.sync.start(intervalMs);
  }

  /** One round now: send the outbox, apply what is new. */
  syncOnce(): Promise<SyncRound> {
    return this.sync.syncOnce();
  }

  /** In sync, behind by N or offline since T, with the store's URI and the analyst's name. */
  async status(): Promise<TeamLinkStatus> {
    const endpoint = teamEndpoint(this.parts.config);
    return { ...(await this.sync.status()), uri: this.parts.config.uri, analyst: this.parts.config.analyst, endpoint: endpoint ? formatEndpoint(endpoint) : null };
  }

  /**
   * Queues every entry of the folder's personal knowledge for the team store, as the analyst's (provenance
   * `learnedBy`, `mergedFrom: 'personal folder'`), each with the time of its own last change, so a newer version
   * already in the team stays current. The operation ids are derived from the analyst and entry, so a merge run
   * again after a crash stores nothing twice. The entries' earlier versions stay in this folder's history.
   * Returns how many entries were queued; the next round sends them. `entries`: the local store's by default.
   */
  async mergePersonal(entries: AsyncIterable<StoredEntry> = this.parts.store.entries()): Promise<number> {
    const { analyst } = this.parts.config;
    let queued = 0;
    for await (const local of entries) {
      const entry: StoredEntry = { ...local, provenance: { learnedBy: analyst, ...local.provenance, mergedFrom: 'personal folder' } };
      const versions = this.parts.history.versions(local.id);
      const at = versions.at(-1)?.at ?? local.updatedAt ?? local.provenance.createdAt;
      const record = { entryId: local.id, version: versions.length + 1, at, action: 'created', actor: analyst, note: `merged from ${analyst}'s personal folder`, entry };
      await this.sync.record('entry', { record, basedOn: null }, this.parts.config.writer ? `${this.parts.config.writer}:merge:${local.id}` : `merge:${analyst}:${local.id}`);
      queued++;
    }
    return queued;
  }

  /** Stops sharing and syncing (waits for the round running); the outbox keeps what was not sent. */
  async close(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.sync.stop();
  }

  private async shareVersions(records: readonly HistoryRecord[]): Promise<void> {
    const { analyst } = this.parts.config;
    for (const record of records) {
      // Baselines are the local copy before a first change (the receiver records its own); team versions came in.
      if (record.action === 'baseline' || record.team) continue;
      const previous = this.parts.history.versions(record.entryId).filter((r) => r.version < record.version).at(-1);
      const entry: StoredEntry =
        record.action === 'created' && record.entry.provenance['learnedBy'] === undefined
          ? { ...record.entry, provenance: { ...record.entry.provenance, learnedBy: analyst } }
          : record.entry;
      await this.record(kindOf(record.action), { record: { ...record, entry }, basedOn: previous?.at ?? null }, record.entryId);
    }
  }

  private async shareFeedback(event: SuggestionEvent): Promise<void> {
    if (LOCAL_EVENT_TYPES.has(event.type) || 'team' in event) return;
    await this.record('feedback', { event }, event.entryIds[0] ?? '?');
  }

  /** Writes to the outbox; a failure (a full disk) is logged, never undoes the local change it reports. */
  private async record(kind: TeamOp['kind'], payload: unknown, about: string): Promise<void> {
    try {
      await this.sync.record(kind, payload);
    } catch (err) {
      log.warn(`team store: the change of ${about} could not be queued for the team (${errorMessage(err)}); it stays local`);
    }
  }

  /**
   * Applies the others' operations in the order read; idempotent by opId. An operation that does not parse is
   * skipped and logged (by opId only): another analyst's newer app may write a shape this one does not read. A local
   * failure (a full disk) fails the round instead, so its cursor stays and the round is tried again.
   */
  /** Whether this copy wrote `op`: by its writer id when it has one, else (folders joined before) by the name. */
  private isOwn(op: TeamOp): boolean {
    const { writer, analyst } = this.parts.config;
    return writer ? op.opId.startsWith(`${writer}:`) : op.analyst === analyst;
  }

  private async apply(ops: readonly TeamOp[]): Promise<void> {
    const changed = new Set<string>();
    try {
      for (const op of ops) {
        if (this.isOwn(op) || this.applied.has(op.opId)) continue;
        let parsed: { kind: 'feedback'; event: z.output<typeof FeedbackPayloadSchema>['event'] } | { kind: 'version'; payload: z.output<typeof VersionPayloadSchema> };
        try {
          parsed = op.kind === 'feedback' ? { kind: 'feedback', event: FeedbackPayloadSchema.parse(JSON.parse(op.payload)).event } : { kind: 'version', payload: VersionPayloadSchema.parse(JSON.parse(op.payload)) };
        } catch (err) {
          const why = err instanceof z.ZodError ? Object.values(describeZodError(err)).join(': ') : errorMessage(err);
          log.warn(`team store: skipped operation ${op.opId} of ${op.analyst}, which does not parse (${why})`);
          this.applied.add(op.opId);
          continue;
        }
        if (parsed.kind === 'feedback') await this.parts.feedback.recordFromTeam({ ...parsed.event, team: { opId: op.opId, analyst: op.analyst } });
        else changed.add(await this.applyVersion(op, parsed.payload));
        this.applied.add(op.opId);
      }
    } finally {
      if (changed.size > 0) this.parts.announce?.([...changed]);
    }
  }

  private async applyVersion(op: TeamOp, payload: z.output<typeof VersionPayloadSchema>): Promise<string> {
    const { history, store } = this.parts;
    const remote = payload.record as HistoryRecord;
    const team = { opId: op.opId, analyst: op.analyst };
    const id = remote.entryId;
    const local = await store.get(id);
    const last = history.versions(id).at(-1);
    const mine = last ? { at: last.at, by: last.team?.analyst ?? this.parts.config.analyst } : null;
    const theirs = { at: remote.at, by: op.analyst };
    // Made without seeing the local current version: both stay in the history, the later one is current.
    const concurrent = local !== null && last !== undefined && payload.basedOn !== last.at;
    const base = `${remote.note ? `${remote.note}; ` : ''}from the team store (${op.analyst})`;
    if (!concurrent || mine === null || later(theirs, mine)) {
      const note = concurrent && mine ? `${base}; concurrent edit: ${op.analyst}'s version (${theirs.at}) is later than ${mine.by}'s (${mine.at}, version ${last?.version}, kept in this history) and is current` : base;
      await history.record(remote.action, remote.entry, remote.actor, { at: remote.at, before: local, note, team });
      await store.upsert([remote.entry]);
      return id;
    }
    // Theirs is the earlier of two concurrent versions: kept in the history, then the current one again, so the
    // last version is the current one (as the history view shows it) and both notes say what happened.
    await history.recordAll([
      { action: remote.action, entry: remote.entry, actor: remote.actor, at: remote.at, before: local, team, note: `${base}; concurrent edit: earlier than ${mine.by}'s version (${mine.at}), so kept in the history but not current` },
      { action: 'reviewed', entry: local, actor: mine.by, at: mine.at, team, note: `stays current: later than ${op.analyst}'s concurrent edit (${theirs.at}), which is the version before this one` },
    ]);
    return id;
  }
}

/** The engine's parts a team link works on (CopilotService has them). */
export interface TeamEngine {
  teamCache(): KnowledgeStore;
  learning: { history: EntryHistory; feedback: FeedbackCenter };
}

/** How the app and `vigil watch` link an engine to its team store. */
export interface TeamLinkOptions {
  /** Where the store's keys are: the OS keychain in the app; the data folder's secret file by default (`vigil`). */
  secrets?: SecretStore;
  /** The process's egress policy: made to allow exactly the endpoint (host and port), and asked before every round. */
  egress?: Pick<EgressPolicy, 'checkEndpoint' | 'allowEndpoint'>;
  /** How often to sync in the background; default TEAM_SYNC_EVERY_MS; 0: only on request (syncOnce). */
  syncEveryMs?: number;
  announce?: (entryIds: string[]) => void;
  /** Hears why the folder's team settings could not be used (the engine then works alone). */
  onWarning?: (message: string) => void;
}

/**
 * The team store link for a data folder with a team.json, started in the background; null for a personal folder.
 * A damaged team.json leaves the engine working alone (the warning says why), since decisions never wait on the
 * team. Used by the app's workspace (core/app/workspace.ts) and `vigil watch`.
 */
export async function openTeamLink(dataDir: string, engine: TeamEngine, options: TeamLinkOptions = {}): Promise<TeamLink | null> {
  let config: TeamConfig | null;
  let endpoint: { host: string; port: number } | null;
  try {
    config = await readTeamConfig(dataDir);
    endpoint = config ? teamEndpoint(config) : null;
  } catch (error) {
    options.onWarning?.(`${errorMessage(error)} Vigil works without the team store until it is fixed.`);
    return null;
  }
  if (config === null) return null;
  const { egress } = options;
  // Exactly the store's endpoint, host and port; offline mode still refuses it (the gate asks before every round).
  if (endpoint !== null) egress?.allowEndpoint(endpoint.host, endpoint.port);
  let link: TeamLink;
  try {
    link = await TeamLink.open({
    dataDir,
    config,
    secrets: options.secrets ?? new FileSecretStore(dataDir),
    store: engine.teamCache(),
    history: engine.learning.history,
    feedback: engine.learning.feedback,
    ...(options.announce ? { announce: options.announce } : {}),
    ...(egress ? { egress } : {}),
    });
  } catch (error) {
    options.onWarning?.(`The team store link could not start (${errorMessage(error)}); Vigil works without it until it is fixed.`);
    return null;
  }
  const every = options.syncEveryMs ?? TEAM_SYNC_EVERY_MS;
  if (every > 0) link.start(every);
  return link;
}
