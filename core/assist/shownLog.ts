/**
 * The repeat gate's memory on disk: every suggestion shown is appended to `<data folder>/assist/shown.jsonl` and
 * fsynced before the decision is returned, so a restart never shows it again on the same ticket. Closing a ticket
 * appends a tombstone; on open, closed tickets are dropped and the file is rewritten (atomically) without them.
 * A torn last line (a crash mid-write) was never acknowledged and is ignored; other bad lines are reported.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Embedder } from '../embed/embedder';
import { writeFileAtomic } from '../formats/durableFile';
import type { LineIssue } from '../formats/lineIssue';
import { RepeatGate } from './repeatGate';

const ShownSchema = z.object({
  ticketId: z.string(),
  afterMessageId: z.string(),
  topEntryId: z.string().nullable(),
  text: z.string(),
  kind: z.string(),
  at: z.string(),
});
export type ShownRecord = z.infer<typeof ShownSchema>;
const ClosedSchema = z.object({ ticketId: z.string(), closed: z.literal(true), at: z.string() });

export class ShownLog {
  private chain: Promise<void> = Promise.resolve();
  private pendingNewline = false;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    readonly gate: RepeatGate,
    /** Lines that could not be read when opening (file, line, problem). */
    readonly issues: LineIssue[],
  ) {}

  /**
   * Opens (or creates) the log in `dataDir` and loads what was shown on tickets still open. With `embedder` (the
   * engine's), the gate also suppresses a suggestion that means what an earlier one said (repeatGate.ts).
   */
  static async open(dataDir: string, embedder: Embedder | null = null): Promise<ShownLog> {
    const file = join(dataDir, 'assist', 'shown.jsonl');
    await mkdir(dirname(file), { recursive: true });
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw new Error(`Cannot read ${file}: ${error.message}`);
    });
    const lines = text.split('\n');
    const torn = text.length > 0 && !text.endsWith('\n');
    const issues: LineIssue[] = [];
    const open_ = new Map<string, ShownRecord[]>();
    let tombstones = 0;
    lines.forEach((line, i) => {
      if (!line.trim() || (torn && i === lines.length - 1)) return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        issues.push({ file, line: i + 1, field: '(line)', message: 'not valid JSON' });
        return;
      }
      const closed = ClosedSchema.safeParse(raw);
      if (closed.success) {
        tombstones++;
        open_.delete(closed.data.ticketId);
        return;
      }
      const shown = ShownSchema.safeParse(raw);
      if (!shown.success) {
        issues.push({ file, line: i + 1, field: String(shown.error.issues[0]?.path.join('.') || '(line)'), message: shown.error.issues[0]?.message ?? 'invalid' });
        return;
      }
      const list = open_.get(shown.data.ticketId) ?? [];
      list.push(shown.data);
      open_.set(shown.data.ticketId, list);
    });
    const kept = [...open_.values()].flat();
    // Rewrite without closed tickets (and without a torn tail), keeping unreadable lines' neighbours intact.
    const rewrite = (tombstones > 0 || torn) && issues.length === 0;
    if (rewrite) {
      await writeFileAtomic(file, kept.map((r) => `${JSON.stringify(r)}\n`).join(''));
    }
    const gate = new RepeatGate(embedder);
    for (const r of kept) gate.remember(r.ticketId, r.topEntryId, r.text, r.afterMessageId);
    const log = new ShownLog(file, await open(file, 'a'), gate, issues);
    // A torn tail that was kept (the file also has unreadable lines, so it is not rewritten) must not swallow the next record.
    log.pendingNewline = torn && !rewrite;
    return log;
  }

  /** Remembers a shown suggestion, durably, before returning. */
  record(record: ShownRecord): Promise<void> {
    this.gate.remember(record.ticketId, record.topEntryId, record.text, record.afterMessageId);
    return this.append(record);
  }

  /** Forgets a closed ticket, durably. */
  forget(ticketId: string, at: string = new Date().toISOString()): Promise<void> {
    this.gate.forget(ticketId);
    return this.append({ ticketId, closed: true, at });
  }

  private append(value: unknown): Promise<void> {
    const next = this.chain.then(async () => {
      await this.handle.appendFile(`${this.pendingNewline ? '\n' : ''}${JSON.stringify(value)}\n`);
      this.pendingNewline = false;
      await this.handle.datasync();
    });
    this.chain = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.close();
  }
}
