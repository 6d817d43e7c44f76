/**
 * The folder connector: a directory of ticket files in the spec's ticket format (docs/formats.md), watched for
 * changes. `*.json` holds one ticket, `*.jsonl` many (one per line). It is the offline and demo path: export a
 * queue, drop files in, or let a script rewrite them; Vigil sees each change once.
 *
 * A file rewritten with more messages or another status yields only what changed since it was last seen: the
 * connector keeps a baseline (per ticket: message ids seen, status) and diffs every changed file against it.
 * The baseline is versioned with the cursor: page N's events are computed from `folder-baseline-<N>.json`, and
 * the baseline after them is written as `<N+1>` before the page is returned. The watcher stores cursor N+1 only
 * after the events are committed; until then a restart resumes from baseline N and recomputes the same events
 * (same ids). Older baselines are deleted once a newer cursor comes back, i.e. once it was committed.
 *
 * Write-back (only on the analyst's click, and only with `"writeBack": true`): notes and replies are appended to
 * `outbox/replies.jsonl` inside the folder, one JSON line each (`ticketId` as in the ticket files, `type` "note" or
 * "reply", `text`, `at`), fsynced, for the script that feeds the folder to deliver. A subfolder, because the
 * connector reads only the folder's own `*.json`/`*.jsonl` files: what it writes never comes back as a ticket.
 */
import { createReadStream, watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { appendDurable, writeFileAtomic } from '../formats/durableFile';
import { errorMessage } from '../formats/errorMessage';
import { describeZodError, formatLineIssue } from '../formats/jsonl';
import { isClosedStatus, TicketSchema, type Ticket, type TicketStatus } from '../formats/schemas';
import { ConnectorError, qualifyTicketId, type Connector, type FetchPage, type TicketEvent } from './connector';

export interface FolderConnectorOptions {
  id: string;
  /** The directory holding the ticket files. */
  path: string;
  /** Where the connector keeps its baselines (the watcher's folder for this connector). */
  stateDir: string;
  /** Events per page. Default 200. */
  pageSize?: number;
}

/** What the connector last saw of a ticket. */
interface TicketMark {
  status: TicketStatus;
  messageIds: string[];
  /** Status changes seen, so each change's event id is new. */
  rev: number;
}

interface FileMark {
  mtimeMs: number;
  size: number;
}

interface Baseline {
  files: Map<string, FileMark>;
  tickets: Map<string, TicketMark>;
}

const FileMarkSchema = z.object({ mtimeMs: z.number(), size: z.number() });
const TicketMarkSchema = z.object({ status: z.enum(['new', 'open', 'pending', 'solved', 'closed']), messageIds: z.array(z.string()), rev: z.number() });
const BaselineFileSchema = z.object({
  format: z.literal(1),
  files: z.record(z.string(), FileMarkSchema),
  tickets: z.record(z.string(), TicketMarkSchema),
});

/**
 * The entries of a record read by JSON.parse, each value checked by `schema`. Not the record zod returns: zod
 * copies a record by assignment, so a key `__proto__` (a ticket id from a file) would become the copy's prototype
 * and vanish unchecked, and after a restart that ticket's baseline would be forgotten and its events sent again.
 */
function recordEntries<T>(file: string, name: string, record: unknown, schema: z.ZodType<T>): [string, T][] {
  return Object.entries(record as Record<string, unknown>).map(([key, value]) => {
    const result = schema.safeParse(value);
    if (!result.success) {
      const { field, message } = describeZodError(result.error);
      throw new ConnectorError(`${file}: ${name}.${key}${field === '(line)' ? '' : `.${field}`}: ${message}`, 'config');
    }
    return [key, result.data];
  });
}

const CursorSchema = z.object({
  v: z.literal(1),
  gen: z.number().int().min(0),
  scan: z
    .object({ file: z.string(), line: z.number().int().min(0), mtimeMs: z.number(), size: z.number(), remaining: z.number().int().min(0) })
    .nullable(),
});
type FolderCursor = z.infer<typeof CursorSchema>;

/** Ticket files the connector reads: `*.json` and `*.jsonl`, not hidden, not an editor's temporary file. */
export function isTicketFile(name: string): boolean {
  return !name.startsWith('.') && (name.endsWith('.json') || name.endsWith('.jsonl'));
}

/**
 * The events that take a ticket from `mark` (what was seen; undefined if never) to `ticket`, and the new mark.
 * Event ids depend only on the mark and the ticket, so recomputing after a crash gives the same ids.
 */
export function diffTicket(
  connectorId: string,
  mark: TicketMark | undefined,
  ticket: Ticket,
  fallbackAt: string,
): { events: TicketEvent[]; mark: TicketMark } {
  const id = qualifyTicketId(connectorId, ticket.id);
  const full: Ticket = { ...ticket, id };
  const events: TicketEvent[] = [];
  const seen = new Set(mark?.messageIds ?? []);
  const closedNow = isClosedStatus(ticket.status);
  // While messages arrive the ticket was not closed yet: intermediate snapshots carry the status it had then.
  const statusBefore: TicketStatus = mark && !isClosedStatus(mark.status) ? mark.status : closedNow ? 'open' : ticket.status;
  const statusWhileOpen: TicketStatus = closedNow ? statusBefore : ticket.status;
  const changedAt = ticket.updatedAt ?? fallbackAt;
  ticket.messages.forEach((message, index) => {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    const snapshot: Ticket = { ...full, status: statusWhileOpen, messages: ticket.messages.slice(0, index + 1) };
    const at = message.at ?? changedAt;
    if (!mark && index === 0) {
      events.push({ id: `${id}#opened`, type: 'ticket_opened', ticketId: id, at, ticket: snapshot, messageId: message.id });
    } else {
      events.push({ id: `${id}#msg:${message.id}`, type: 'message_added', ticketId: id, at, ticket: snapshot, messageId: message.id });
    }
  });
  let rev = mark?.rev ?? 0;
  const before = mark?.status ?? statusWhileOpen;
  if (closedNow && !isClosedStatus(before)) {
    rev++;
    events.push({ id: `${id}#closed:${rev}`, type: 'ticket_closed', ticketId: id, at: changedAt, ticket: full });
  } else if (ticket.status !== before) {
    rev++;
    events.push({ id: `${id}#status:${rev}:${ticket.status}`, type: 'status_changed', ticketId: id, at: changedAt, ticket: full });
  }
  return { events, mark: { status: ticket.status, messageIds: [...seen], rev } };
}

interface TicketRecord {
  line: number;
  ticket: Ticket;
}

/** The connector for a directory of ticket files. */
/** The subfolder of the ticket folder that notes and replies go to (never read back as tickets). */
export const FOLDER_OUTBOX = 'outbox';

export class FolderConnector implements Connector {
  readonly kind = 'folder';
  readonly id: string;
  private readonly dir: string;
  private readonly stateDir: string;
  private readonly pageSize: number;
  /** The last baselines read or written, by generation (at most two kept). */
  private readonly baselines = new Map<number, Baseline>();

  constructor(options: FolderConnectorOptions) {
    this.id = options.id;
    this.dir = options.path;
    this.stateDir = options.stateDir;
    this.pageSize = Math.max(1, options.pageSize ?? 200);
  }

  async testConnection(): Promise<void> {
    let info;
    try {
      info = await stat(this.dir);
    } catch {
      throw new ConnectorError(`The ticket folder ${this.dir} does not exist. Create it or correct "path" in the connector's settings.`, 'config');
    }
    if (!info.isDirectory()) throw new ConnectorError(`${this.dir} is a file, not a folder of ticket files.`, 'config');
    await readdir(this.dir).catch((err: Error) => {
      throw new ConnectorError(`Cannot read the ticket folder ${this.dir}: ${err.message}`, 'config');
    });
  }

  /** The file notes and replies are appended to, for the script that feeds this folder. */
  get outboxFile(): string {
    return join(this.dir, FOLDER_OUTBOX, 'replies.jsonl');
  }

  postNote(ticketId: string, text: string, _signal?: AbortSignal): Promise<void> {
    return this.appendOutbox(ticketId, 'note', text);
  }

  postReply(ticketId: string, text: string, _signal?: AbortSignal): Promise<void> {
    return this.appendOutbox(ticketId, 'reply', text);
  }

  private async appendOutbox(ticketId: string, type: 'note' | 'reply', text: string): Promise<void> {
    const prefix = `${this.id}:`;
    if (!ticketId.startsWith(prefix) || ticketId.length === prefix.length) {
      throw new ConnectorError(`Ticket "${ticketId}" does not belong to the connector "${this.id}".`, 'config');
    }
    await this.testConnection();
    const line = JSON.stringify({ ticketId: ticketId.slice(prefix.length), type, text, at: new Date().toISOString() });
    await appendDurable(this.outboxFile, `${line}\n`);
  }

  private baselineFile(gen: number): string {
    return join(this.stateDir, `folder-baseline-${gen}.json`);
  }

  private parseCursor(cursor: string | null): FolderCursor {
    if (cursor === null) return { v: 1, gen: 0, scan: null };
    let parsed: unknown;
    try {
      parsed = JSON.parse(cursor);
    } catch {
      parsed = null;
    }
    const result = CursorSchema.safeParse(parsed);
    if (!result.success) throw new ConnectorError(`Folder connector "${this.id}" got a cursor it did not write (${cursor.slice(0, 80)}).`, 'config');
    return result.data;
  }

  private async loadBaseline(gen: number): Promise<Baseline> {
    const cached = this.baselines.get(gen);
    if (cached) return cached;
    if (gen === 0) return { files: new Map(), tickets: new Map() };
    const file = this.baselineFile(gen);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new ConnectorError(`The folder connector's baseline ${file} is missing; the watch folder was changed by hand. Delete the connector's watch folder to read the ticket folder again from the start.`, 'config');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new ConnectorError(`The folder connector's baseline ${file} is damaged (${errorMessage(err)}). Delete the connector's watch folder to read the ticket folder again from the start.`, 'config');
    }
    const result = BaselineFileSchema.safeParse(json);
    if (!result.success) {
      const { field, message } = describeZodError(result.error);
      throw new ConnectorError(`${file}: ${field}: ${message}`, 'config');
    }
    const raw = json as { files: unknown; tickets: unknown };
    const baseline: Baseline = {
      files: new Map(recordEntries(file, 'files', raw.files, FileMarkSchema)),
      tickets: new Map(recordEntries(file, 'tickets', raw.tickets, TicketMarkSchema)),
    };
    this.remember(gen, baseline);
    return baseline;
  }

  private remember(gen: number, baseline: Baseline): void {
    this.baselines.set(gen, baseline);
    for (const key of [...this.baselines.keys()].sort((a, b) => a - b).slice(0, -2)) this.baselines.delete(key);
  }

  private async saveBaseline(gen: number, baseline: Baseline): Promise<void> {
    const data = {
      format: 1,
      files: Object.fromEntries(baseline.files),
      tickets: Object.fromEntries(baseline.tickets),
    };
    await writeFileAtomic(this.baselineFile(gen), JSON.stringify(data));
    this.remember(gen, baseline);
  }

  /** Removes baselines other than `keep` and `keep + 1`: those before were superseded by a committed cursor. */
  private async pruneBaselines(keep: number): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.stateDir);
    } catch {
      return;
    }
    for (const name of names) {
      const m = /^folder-baseline-(\d+)\.json$/.exec(name);
      if (m && Number(m[1]) < keep) await unlink(join(this.stateDir, name)).catch(() => undefined);
    }
  }

  /** The ticket files whose size or time differs from the baseline, in name order, with their current stat. */
  private async changedFiles(baseline: Baseline): Promise<{ name: string; mark: FileMark }[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter(isTicketFile).sort();
    } catch (err) {
      // A folder that is not there (or is a file) is a setting to correct; anything else (a share gone away,
      // permissions) may pass, so the watcher retries it.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ConnectorError(`The ticket folder ${this.dir} does not exist. Create it or correct "path" in the connector's settings.`, 'config');
      if (code === 'ENOTDIR') throw new ConnectorError(`${this.dir} is not a folder of ticket files (it, or a folder above it, is a file).`, 'config');
      throw new ConnectorError(`Cannot read the ticket folder ${this.dir}: ${(err as Error).message}. Check that it exists and that Vigil may read it.`, 'unavailable');
    }
    const changed: { name: string; mark: FileMark }[] = [];
    for (const name of names) {
      let info;
      try {
        info = await stat(join(this.dir, name));
      } catch {
        continue; // removed since the listing
      }
      if (!info.isFile()) continue;
      const mark = { mtimeMs: info.mtimeMs, size: info.size };
      const old = baseline.files.get(name);
      if (!old || old.mtimeMs !== mark.mtimeMs || old.size !== mark.size) changed.push({ name, mark });
    }
    return changed;
  }

  /**
   * The valid tickets of a file after line `afterLine`, with their line numbers; bad lines go to `issues` as
   * `file:line: field: problem`. Lines up to `afterLine` are skipped unparsed (resuming a file mid-way).
   */
  private async *tickets(name: string, issues: string[], afterLine = 0): AsyncGenerator<TicketRecord> {
    const file = join(this.dir, name);
    if (name.endsWith('.jsonl')) {
      const input = createReadStream(file, { encoding: 'utf8' });
      let lineNo = 0;
      try {
        for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
          lineNo++;
          if (lineNo <= afterLine) continue;
          const text = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
          if (text.trim() === '') continue;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch (err) {
            issues.push(formatLineIssue({ file, line: lineNo, field: '(line)', message: `not valid JSON (${errorMessage(err)})` }));
            continue;
          }
          const result = TicketSchema.safeParse(parsed);
          if (!result.success) {
            issues.push(formatLineIssue({ file, line: lineNo, ...describeZodError(result.error) }));
            continue;
          }
          yield { line: lineNo, ticket: result.data };
        }
      } catch (err) {
        issues.push(`${file}: cannot be read (${errorMessage(err)})`);
      } finally {
        input.destroy();
      }
      return;
    }
    if (afterLine >= 1) return;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      issues.push(`${file}: cannot be read (${errorMessage(err)})`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (err) {
      issues.push(formatLineIssue({ file, line: 1, field: '(file)', message: `not valid JSON (${errorMessage(err)})` }));
      return;
    }
    const result = TicketSchema.safeParse(parsed);
    if (!result.success) {
      issues.push(formatLineIssue({ file, line: 1, ...describeZodError(result.error) }));
      return;
    }
    yield { line: 1, ticket: result.data };
  }

  /** Counts the events waiting in `files` from the given position, without keeping them (for the backlog). */
  private async countEvents(files: { name: string; mark: FileMark }[], baseline: Baseline, from: { file: string; line: number } | null): Promise<number> {
    const marks = new Map<string, TicketMark>();
    let count = 0;
    for (const { name, mark } of files) {
      if (from && name < from.file) continue;
      const fallbackAt = new Date(mark.mtimeMs).toISOString();
      for await (const { ticket } of this.tickets(name, [], from && name === from.file ? from.line : 0)) {
        const key = ticket.id;
        const diff = diffTicket(this.id, marks.get(key) ?? baseline.tickets.get(key), ticket, fallbackAt);
        marks.set(key, diff.mark);
        count += diff.events.length;
      }
    }
    return count;
  }

  async fetchSince(cursor: string | null, signal: AbortSignal): Promise<FetchPage> {
    const position = this.parseCursor(cursor);
    await mkdir(this.stateDir, { recursive: true });
    const base = await this.loadBaseline(position.gen);
    await this.pruneBaselines(position.gen);
    const next: Baseline = { files: new Map(base.files), tickets: new Map(base.tickets) };
    const changed = await this.changedFiles(base);
    const events: TicketEvent[] = [];
    const issues: string[] = [];

    let scan = position.scan;
    if (scan && !changed.some((f) => f.name === scan!.file && f.mark.mtimeMs === scan!.mtimeMs && f.mark.size === scan!.size)) {
      scan = null; // the file changed again mid-scan: read it from the top (the diff skips what was seen)
    }
    const remainingAtStart = scan ? scan.remaining : await this.countEvents(changed, base, null);

    for (const { name, mark } of changed) {
      signal.throwIfAborted();
      const fallbackAt = new Date(mark.mtimeMs).toISOString();
      const resumeAfter = scan && scan.file === name ? scan.line : 0;
      for await (const { line, ticket } of this.tickets(name, issues, resumeAfter)) {
        const diff = diffTicket(this.id, next.tickets.get(ticket.id), ticket, fallbackAt);
        next.tickets.set(ticket.id, diff.mark);
        events.push(...diff.events);
        if (events.length >= this.pageSize) {
          const remaining = Math.max(0, remainingAtStart - events.length);
          const gen = position.gen + 1;
          await this.saveBaseline(gen, next);
          const nextCursor: FolderCursor = { v: 1, gen, scan: { file: name, line, ...mark, remaining } };
          return { events, cursor: JSON.stringify(nextCursor), more: true, backlog: remaining, issues };
        }
      }
      next.files.set(name, mark);
    }
    if (changed.length === 0) return { events, cursor: cursor ?? JSON.stringify(position), more: false, backlog: 0, issues };
    const gen = position.gen + 1;
    await this.saveBaseline(gen, next);
    return { events, cursor: JSON.stringify({ v: 1, gen, scan: null } satisfies FolderCursor), more: false, backlog: 0, issues };
  }

  /** Nudges the watcher when a file in the folder changes (it still polls on its schedule, as a safety net). */
  subscribe(onChange: () => void): () => void {
    let watcher: FSWatcher | null = null;
    let timer: NodeJS.Timeout | null = null;
    try {
      watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (name && !isTicketFile(String(name))) return;
        // Writers emit several events per save; one poll after they settle is enough.
        if (timer) clearTimeout(timer);
        timer = setTimeout(onChange, 100);
      });
      watcher.on('error', () => undefined); // the folder went away: polling reports it
    } catch {
      // No file-change notifications here (a network share, say): the schedule alone drives polling.
    }
    return () => {
      if (timer) clearTimeout(timer);
      watcher?.close();
    };
  }
}
