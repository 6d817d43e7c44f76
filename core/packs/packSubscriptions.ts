/**
 * Offline distribution: a team subscribes to packs in a folder (a file share, a USB stick). The watcher scans
 * that folder when it changes and every so often, and installs a newer version of a subscribed pack as soon as
 * one appears. Bad files (tampered, truncated while still being copied, unknown signer) are refused and
 * reported once per file state, and the watch goes on.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { PackError, type PackErrorCode } from './packError';
import { compareVersions, DEFAULT_MAX_PACK_BYTES, PACK_EXTENSION, PackNameSchema, readPackHeader } from './packFormat';
import type { InstallResult, PackLibrary } from './packLibrary';

export const SUBSCRIPTIONS_FILE = 'pack-subscriptions.json';

const SubscriptionSchema = z.object({ folder: z.string(), packs: z.array(z.string()) });
/** Packs (by name) a team takes from one folder. */
export type Subscription = z.infer<typeof SubscriptionSchema>;
const SubscriptionsFileSchema = z.object({ format: z.literal(1), subscriptions: z.array(SubscriptionSchema) });

/** A data folder's subscriptions, in `<data folder>/pack-subscriptions.json`. */
export class Subscriptions {
  constructor(readonly dataDir: string) {}

  get file(): string {
    return join(this.dataDir, SUBSCRIPTIONS_FILE);
  }

  async list(): Promise<Subscription[]> {
    return (await readJsonFile(this.file, SubscriptionsFileSchema, { format: 1, subscriptions: [] })).subscriptions;
  }

  /** Subscribes to packs by name in a folder (kept as an absolute path). Returns the folder's subscription. */
  async subscribe(folder: string, packs: readonly string[]): Promise<Subscription> {
    if (packs.length === 0) throw new Error('Name at least one pack to subscribe to.');
    for (const name of packs) {
      const check = PackNameSchema.safeParse(name);
      if (!check.success) throw new Error(`"${name}" is not a pack name: ${check.error.issues[0]?.message}`);
    }
    const absolute = resolve(folder);
    const all = await this.list();
    const existing = all.find((s) => s.folder === absolute);
    const merged: Subscription = { folder: absolute, packs: [...new Set([...(existing?.packs ?? []), ...packs])].sort() };
    await this.save([...all.filter((s) => s !== existing), merged]);
    return merged;
  }

  /** Drops some packs (or, without names, the whole folder) from the subscriptions. */
  async unsubscribe(folder: string, packs: readonly string[] = []): Promise<Subscription | null> {
    const absolute = resolve(folder);
    const all = await this.list();
    const existing = all.find((s) => s.folder === absolute);
    if (!existing) throw new Error(`There is no subscription to the folder ${absolute} (see \`vigil pack subscriptions\`).`);
    const left = packs.length === 0 ? [] : existing.packs.filter((p) => !packs.includes(p));
    const rest = all.filter((s) => s !== existing);
    await this.save(left.length > 0 ? [...rest, { folder: absolute, packs: left }] : rest);
    return left.length > 0 ? { folder: absolute, packs: left } : null;
  }

  private save(subscriptions: Subscription[]): Promise<void> {
    return writeJsonAtomic(this.file, { format: 1, subscriptions });
  }
}

/** Refusals that depend on the trust list rather than on the file alone: tried again once the trust list changes. */
const TRUST_DEPENDENT = new Set<PackErrorCode | 'error'>(['untrusted_signer', 'different_signer', 'name_not_allowed', 'name_claimed', 'wrong_team']);
/** Refusals that depend on this machine's state (a disk error): tried again every scan. */
const RETRIED = new Set<PackErrorCode | 'error'>(['error']);

/** What one scan of one folder did. */
export interface ScanReport {
  folder: string;
  /** Set when the folder could not be read (a share offline, a stick unplugged); the next scan tries again. */
  unreachable: string | null;
  installed: (InstallResult & { file: string })[];
  /** Files refused, each once per content (size and time): a file still being copied is tried again when it changes. */
  refused: { file: string; code: PackErrorCode | 'error'; message: string }[];
}

export interface WatcherOptions {
  /** Hears every scan that installed or refused something, or found the folder unreachable. */
  onReport?: (report: ScanReport) => void;
  /**
   * Full rescan interval. Change events are not delivered for every network share or removable drive, so the
   * watcher also polls; a minute keeps a share's load negligible and an update at most a minute late.
   */
  pollMs?: number;
  /** Quiet time after a change event before scanning, so a file being copied is read once it has settled. */
  debounceMs?: number;
  maxBytes?: number;
}

/** Watches subscribed folders and installs newer versions of subscribed packs. */
export class PackFolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  /**
   * File states (path, size, mtime) refused: not read again until the file changes, or, for a refusal that depends
   * on the trust list (an unknown signer), until the trust list changes. (An untrusted 59 MiB pack was read and
   * parsed whole on every scan.)
   */
  private readonly refusedStates = new Set<string>();
  /** The trust list as of this scan, part of the state of a trust-dependent refusal. */
  private trustState = '';
  /** File states already reported, so a refusal that depends on settings (trust) is retried but said once. */
  private readonly reportedStates = new Set<string>();
  private readonly headers = new Map<string, { name: string; version: string } | null>();
  private running: Promise<ScanReport[]> | null = null;
  private again = false;
  private poll: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly library: PackLibrary,
    private readonly subscriptions: readonly Subscription[],
    private readonly options: WatcherOptions = {},
  ) {}

  /**
   * Scans every subscribed folder once and installs what is newer. Scans never overlap: a scan asked for while
   * one runs happens right after it.
   */
  scan(): Promise<ScanReport[]> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = (async () => {
      const reports: ScanReport[] = [];
      do {
        this.again = false;
        for (const subscription of this.subscriptions) {
          const report = await this.scanFolder(subscription);
          reports.push(report);
          if (report.unreachable || report.installed.length > 0 || report.refused.length > 0) this.options.onReport?.(report);
        }
      } while (this.again && !this.stopped);
      return reports;
    })();
    this.running = run;
    return run.finally(() => {
      this.running = null;
    });
  }

  /** Starts watching: one scan now, then on every change in a folder and every `pollMs`. */
  start(): void {
    this.stopped = false;
    this.ensureWatches();
    void this.scan().catch(() => undefined);
    this.poll = setInterval(() => {
      this.ensureWatches();
      void this.scan().catch(() => undefined);
    }, this.options.pollMs ?? 60_000);
    this.poll.unref();
  }

  /** Stops watching and waits for a scan in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
    this.poll = this.debounce = null;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    await this.running?.catch(() => undefined);
  }

  private ensureWatches(): void {
    for (const { folder } of this.subscriptions) {
      if (this.watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, () => this.scheduleScan());
        watcher.on('error', () => {
          // The folder went away (stick unplugged); polling sets the watch up again when it is back.
          watcher.close();
          this.watchers.delete(folder);
        });
        this.watchers.set(folder, watcher);
      } catch {
        // Not reachable now; the next poll tries again, and the scan reports it.
      }
    }
  }

  private scheduleScan(): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.scan().catch(() => undefined);
    }, this.options.debounceMs ?? 500);
    this.debounce.unref();
  }

  private async scanFolder(subscription: Subscription): Promise<ScanReport> {
    const report: ScanReport = { folder: subscription.folder, unreachable: null, installed: [], refused: [] };
    this.trustState = JSON.stringify([await this.library.trust.list(), await this.library.trust.claims()]);
    let names: string[];
    try {
      names = (await readdir(subscription.folder)).filter((n) => n.endsWith(PACK_EXTENSION)).sort();
    } catch (err) {
      report.unreachable = `Cannot read the subscribed folder ${subscription.folder}: ${errorMessage(err)}`;
      return report;
    }
    const wanted = new Set(subscription.packs);
    const installed = new Map(this.library.list().map((p) => [p.name, p.version]));
    const candidates: { file: string; state: string; name: string; version: string }[] = [];
    for (const name of names) {
      const file = join(subscription.folder, name);
      let state: string;
      try {
        const s = await stat(file);
        if (!s.isFile()) continue;
        state = `${file}\0${s.size}\0${s.mtimeMs}`;
      } catch {
        continue; // removed since the listing
      }
      if (this.refusedStates.has(state) || this.refusedStates.has(`${state}\0${this.trustState}`)) continue;
      let header = this.headers.get(state);
      if (header === undefined) {
        try {
          const { manifest } = await readPackHeader(file, this.options.maxBytes ?? DEFAULT_MAX_PACK_BYTES);
          header = { name: manifest.name, version: manifest.version };
        } catch (err) {
          this.refuse(report, file, state, err);
          continue;
        }
        this.headers.set(state, header);
      }
      if (!header || !wanted.has(header.name)) continue;
      const current = installed.get(header.name);
      if (current && compareVersions(header.version, current) <= 0) continue; // older copies on a share are normal
      candidates.push({ file, state, ...header });
    }
    // Newest first per pack; when the newest is refused, a still-newer-than-installed one may do.
    candidates.sort((a, b) => a.name.localeCompare(b.name) || compareVersions(b.version, a.version));
    const done = new Set<string>();
    for (const candidate of candidates) {
      if (done.has(candidate.name)) continue;
      try {
        const result = await this.library.install(candidate.file, this.options.maxBytes ? { maxBytes: this.options.maxBytes } : {});
        report.installed.push({ ...result, file: candidate.file });
        done.add(candidate.name);
      } catch (err) {
        this.refuse(report, candidate.file, candidate.state, err);
      }
    }
    return report;
  }

  private refuse(report: ScanReport, file: string, state: string, err: unknown): void {
    const code = err instanceof PackError ? err.code : 'error';
    // An unknown signer or a disk error may be fixed without touching the file (a key trusted, space freed).
    if (TRUST_DEPENDENT.has(code)) this.refusedStates.add(`${state}\0${this.trustState}`);
    else if (!RETRIED.has(code)) this.refusedStates.add(state);
    if (this.reportedStates.has(state)) return;
    this.reportedStates.add(state);
    report.refused.push({ file, code, message: errorMessage(err) });
  }
}
