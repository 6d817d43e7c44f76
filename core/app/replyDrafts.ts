/**
 * The analyst's reply drafts, one per ticket, kept in `<data folder>/desk/drafts.json` so a half-written reply
 * survives switching tickets and restarting the app. The file is replaced atomically (write, fsync, rename) on every
 * save; saves are queued so the last one wins. Sent replies are appended to `desk/replies.jsonl` (fsynced): what was
 * sent, where and when, beside the feedback lines the desk journal gets for the suggestions used in them.
 *
 * Under "redact before storage" (docs/privacy.md) both files hold the text as `storageText` gives it (redacted), while
 * the draft in memory stays as the analyst typed it: switching tickets loses nothing; after a restart a draft comes
 * back with placeholders (`[NAME]`, `[EMAIL]`) where personal data was.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../formats/durableFile';
import { renameDurable } from '../formats/durableFile';
import { AppendLog } from '../formats/appendLog';
import type { ReplyDraft, ReplyDraftView, ReplyVisibility, SendReplyResult, SentReply } from './connectorTypes';

export type { ReplyDraft, ReplyDraftView, ReplyVisibility, SendReplyResult, SentReply };

/** Longest draft kept: a long reply with pasted steps still fits; the IPC schema refuses more. */
export const MAX_DRAFT_CHARS = 20_000;

const DraftSchema = z.object({
  ticketId: z.string().min(1),
  // No length limit on what is stored: "redact before storage" may lengthen a draft ("Jo" → "[NAME]"), and one
  // draft over a limit would make the whole file fail its check on the next start. `save` limits what is typed.
  text: z.string(),
  insertedSuggestionIds: z.array(z.string()).default([]),
  updatedAt: z.string(),
});

const DraftsFileSchema = z.object({ format: z.literal(1), drafts: z.array(DraftSchema) });

const SentReplySchema = z.object({
  ticketId: z.string(),
  visibility: z.enum(['note', 'public']),
  text: z.string(),
  suggestionIds: z.array(z.string()),
  at: z.string(),
});

export const DRAFTS_FILE = join('desk', 'drafts.json');
export const REPLIES_FILE = join('desk', 'replies.jsonl');

/** How a ticket's text is written to disk: as it is, or redacted (the desk's `storageText`). */
export type StorageText = (ticketId: string, text: string) => string;

export interface ReplyDraftsOptions {
  onWarning?: (message: string) => void;
  now?: () => Date;
  /** Applied to every draft and sent reply before it is written; default: written as it is. */
  storageText?: StorageText;
}

export class ReplyDrafts {
  private writing: Promise<void> = Promise.resolve();
  /** Each draft's text as it is written to disk (computed once per save, not at every write of the file). */
  private readonly storedText = new Map<string, string>();

  private constructor(
    private readonly file: string,
    private readonly drafts: Map<string, ReplyDraft>,
    private readonly sent: AppendLog<SentReply>,
    private readonly now: () => Date,
    private readonly storageText: StorageText,
  ) {}

  /**
   * Reads the drafts of a data folder. A damaged drafts file is moved aside (`drafts.json.damaged-<time>`), never
   * overwritten, and `onWarning` says where it is.
   */
  static async open(dataDir: string, options: ReplyDraftsOptions = {}): Promise<ReplyDrafts> {
    const file = join(dataDir, DRAFTS_FILE);
    const now = options.now ?? (() => new Date());
    const drafts = new Map<string, ReplyDraft>();
    let text: string | null = null;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`Cannot read the reply drafts in ${file}: ${(error as Error).message}`);
    }
    if (text !== null) {
      let parsed: z.infer<typeof DraftsFileSchema> | null = null;
      try {
        const result = DraftsFileSchema.safeParse(JSON.parse(text));
        if (result.success) parsed = result.data;
      } catch {
        parsed = null;
      }
      if (parsed) for (const draft of parsed.drafts) drafts.set(draft.ticketId, draft);
      else {
        const aside = `${file}.damaged-${now().toISOString().replace(/[:.]/g, '-')}`;
        await renameDurable(file, aside);
        options.onWarning?.(`The reply drafts in ${file} could not be read; the file was kept as ${aside} and Vigil starts with no drafts.`);
      }
    }
    const sent = await AppendLog.open<SentReply>(join(dataDir, REPLIES_FILE));
    return new ReplyDrafts(file, drafts, sent, now, options.storageText ?? ((_ticketId, text) => text));
  }

  /** The draft of a ticket, or null. */
  get(ticketId: string): ReplyDraft | null {
    return this.drafts.get(ticketId) ?? null;
  }

  /** Keeps the draft (an empty one with nothing inserted is removed); resolves once it is on disk. */
  async save(ticketId: string, text: string, insertedSuggestionIds: readonly string[]): Promise<ReplyDraft | null> {
    if (text.length > MAX_DRAFT_CHARS) throw new Error(`The reply is longer than ${MAX_DRAFT_CHARS} characters; shorten it.`);
    if (text === '' && insertedSuggestionIds.length === 0) {
      this.drafts.delete(ticketId);
      this.storedText.delete(ticketId);
      await this.persist();
      return null;
    }
    const draft: ReplyDraft = { ticketId, text, insertedSuggestionIds: [...new Set(insertedSuggestionIds)], updatedAt: this.now().toISOString() };
    this.drafts.set(ticketId, draft);
    this.storedText.set(ticketId, this.storageText(ticketId, text));
    await this.persist();
    return draft;
  }

  /** Records a reply that left Vigil and drops the ticket's draft. */
  async recordSent(reply: Omit<SentReply, 'at'>): Promise<SentReply> {
    const record: SentReply = { ...reply, at: this.now().toISOString() };
    await this.sent.append({ ...record, text: this.storageText(reply.ticketId, reply.text) });
    this.drafts.delete(reply.ticketId);
    this.storedText.delete(reply.ticketId);
    await this.persist();
    return record;
  }

  /** Every reply sent from Vigil, oldest first (damaged lines skipped). */
  static async readSent(dataDir: string): Promise<SentReply[]> {
    const out: SentReply[] = [];
    for await (const { value } of AppendLog.read(join(dataDir, REPLIES_FILE), SentReplySchema, () => undefined)) out.push(value);
    return out;
  }

  async close(): Promise<void> {
    await this.writing;
    await this.sent.close();
  }

  private persist(): Promise<void> {
    // Queued: each write takes the map as it is when it runs, so the file always ends with the latest state.
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => {
        // A draft read back from the file is already in its stored form.
        const drafts = [...this.drafts.values()].map((d) => ({ ...d, text: this.storedText.get(d.ticketId) ?? d.text }));
        return writeJsonAtomic(this.file, { format: 1, drafts }, { mode: 0o600 });
      });
    return this.writing;
  }
}
