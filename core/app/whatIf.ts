/**
 * Insights → What if: the what-if replay (`vigil replay --report`, replay.ts) run from the app on the team's recorded
 * queue: a tickets file, a folder of them, or the tickets the desk has watched. One run at a time, in the
 * background, on a temporary data folder (the team's knowledge and journal are never touched), with progress and
 * cancel; its figures and charts come from the report's own builders (replayReport.ts), so the app and the HTML
 * file show the same numbers, and the HTML report can be saved afterwards.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { Embedder } from '../embed/embedder';
import { openConfiguredEmbedder } from '../embed/embedderFactory';
import { formatLineIssue } from '../formats/jsonl';
import type { Ticket } from '../formats/schemas';
import { log } from '../privacy/redactingLogger';
import { recentDeskTickets } from './recentTickets';
import { runReplay, type ReplaySummary } from './replay';
import { reportCharts, reportData, reportTiles, writeReplayReport, type ReportChart, type ReportData, type ReportTile } from './replayReport';

/** Where the recorded queue comes from: a JSON Lines file of tickets, a folder of such files, or the desk's tickets. */
export type WhatIfSource = { kind: 'file'; path: string } | { kind: 'folder'; path: string } | { kind: 'desk' };

/** File names a folder source takes: the tickets format (formats.md §1) is JSON Lines. */
const TICKET_FILE_EXTENSIONS = new Set(['.jsonl', '.ndjson']);
/** Skipped lines listed under the report (the rest are counted): enough to find the pattern, short enough to read. */
const SHOWN_ISSUES = 20;
/** The label of the desk's tickets in the report. */
export const DESK_QUEUE_LABEL = 'the watched queue';

/** A finished run as the app shows it: the report's figures, tiles and chart configurations. */
export interface WhatIfReport {
  data: ReportData;
  tiles: ReportTile[];
  charts: ReportChart[];
  /** Ticket lines that were skipped, each naming its file, line and field (at most SHOWN_ISSUES). */
  skipped: string[];
  skippedTotal: number;
}

export interface WhatIfStatus {
  state: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  /** What is (or was last) replayed, in words: the file's or folder's name, or the watched queue. */
  source: string | null;
  /** Tickets replayed so far, and how many there are (null until counted). */
  done: number;
  total: number | null;
  /** Why the run failed, in words naming the file or folder. */
  error: string | null;
  report: WhatIfReport | null;
}

export interface WhatIfDeps {
  /** The team's data folder: its embedder choice, and its desk journal for the watched queue. */
  dataDir: string;
  /** The embedder to replay with; default the data folder's choice, opened for the run and closed after it. */
  embedder?: Embedder;
}

const IDLE: WhatIfStatus = { state: 'idle', source: null, done: 0, total: null, error: null, report: null };

/** Lines holding a ticket in a JSON Lines file (blank lines hold none), for the progress bar's total. */
async function countLines(file: string): Promise<number> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

/** Runs the what-if replay in the background, one run at a time; keeps the last run's report. */
export class WhatIfRuns {
  private current: WhatIfStatus = IDLE;
  private controller: AbortController | null = null;
  private running: Promise<void> | null = null;
  private resolving = false;
  /** The last finished run, for saving its HTML report. */
  private last: { summary: ReplaySummary; label: string } | null = null;

  constructor(private readonly deps: WhatIfDeps) {}

  /** Where the run stands now (a copy). */
  status(): WhatIfStatus {
    return { ...this.current };
  }

  /**
   * Starts a run on `source` and answers at once (the run goes on in the background; `status` follows it). A missing
   * file, a folder without ticket files or an empty desk is an error naming it, before anything runs.
   */
  async start(source: WhatIfSource): Promise<WhatIfStatus> {
    if (this.current.state === 'running' || this.resolving) throw new Error('A what-if replay is already running; wait for it or cancel it first.');
    // Checking the source takes a moment (a folder's files are counted): a second click meanwhile is refused too.
    this.resolving = true;
    const { tickets, label, total } = await this.resolve(source).finally(() => {
      this.resolving = false;
    });
    const controller = new AbortController();
    this.controller = controller;
    this.current = { state: 'running', source: label, done: 0, total, error: null, report: null };
    this.running = this.run(tickets, label, controller.signal).finally(() => {
      this.running = null;
      this.controller = null;
    });
    return this.status();
  }

  /** Stops the run between two messages; its temporary folder is removed. Answers the state once it has stopped. */
  async cancel(): Promise<WhatIfStatus> {
    this.controller?.abort(new Error('cancelled'));
    await this.running;
    return this.status();
  }

  /** Writes the last finished run's self-contained HTML report (as `vigil replay --report`) to `file`. */
  async saveReport(file: string): Promise<{ file: string }> {
    if (!this.last) throw new Error('There is no finished what-if replay to save; run one first.');
    await writeReplayReport(file, this.last.summary, this.last.label);
    return { file };
  }

  /** Waits for a run in progress to end (the workspace closing). */
  async close(): Promise<void> {
    await this.cancel();
  }

  private async resolve(source: WhatIfSource): Promise<{ tickets: string | string[] | Ticket[]; label: string; total: number }> {
    if (source.kind === 'desk') {
      const tickets = await recentDeskTickets(this.deps.dataDir, Number.POSITIVE_INFINITY);
      if (tickets.length === 0) throw new Error('The desk has not watched any tickets yet: choose a file or a folder of recorded tickets instead.');
      return { tickets, label: DESK_QUEUE_LABEL, total: tickets.length };
    }
    const info = await stat(source.path).catch(() => null);
    if (!info) throw new Error(`${source.path}: no such ${source.kind}.`);
    if (source.kind === 'file') {
      if (!info.isFile()) throw new Error(`${source.path} is not a file; choose a .jsonl file of tickets, or use “Replay a folder…”.`);
      return { tickets: source.path, label: basename(source.path), total: await countLines(source.path) };
    }
    if (!info.isDirectory()) throw new Error(`${source.path} is not a folder.`);
    const files = (await readdir(source.path))
      .filter((name) => TICKET_FILE_EXTENSIONS.has(extname(name).toLowerCase()))
      .sort()
      .map((name) => join(source.path, name));
    if (files.length === 0) throw new Error(`${source.path} holds no ticket files (.jsonl, one ticket per line, formats.md §1).`);
    let total = 0;
    for (const file of files) total += await countLines(file);
    return { tickets: files, label: basename(source.path), total };
  }

  private async run(tickets: string | string[] | Ticket[], label: string, signal: AbortSignal): Promise<void> {
    const scratch = await mkdtemp(join(tmpdir(), 'vigil-whatif-'));
    let embedder: Embedder | undefined;
    try {
      // The team's embedder, so the replay retrieves as the desk does (the scratch folder has no setting of its own).
      embedder = this.deps.embedder ?? (await openConfiguredEmbedder(this.deps.dataDir));
      const summary = await runReplay({
        tickets,
        out: join(scratch, 'decisions.jsonl'),
        dataDir: join(scratch, 'data'),
        embedder,
        signal,
        onTicket: (done) => {
          this.current = { ...this.current, done };
        },
      });
      const data = reportData(summary, label);
      this.last = { summary, label };
      this.current = {
        ...this.current,
        state: 'done',
        done: summary.tickets,
        report: {
          data,
          tiles: reportTiles(data),
          charts: reportCharts(data),
          skipped: summary.issues.slice(0, SHOWN_ISSUES).map(formatLineIssue),
          skippedTotal: summary.issues.length,
        },
      };
    } catch (error) {
      if (signal.aborted) this.current = { ...this.current, state: 'cancelled' };
      else {
        const message = error instanceof Error ? error.message : String(error);
        log.warn(`The what-if replay of ${label} failed: ${message}`);
        this.current = { ...this.current, state: 'failed', error: message };
      }
    } finally {
      if (embedder && embedder !== this.deps.embedder) await embedder.close?.();
      if (existsSync(scratch)) await rm(scratch, { recursive: true, force: true });
    }
  }
}
