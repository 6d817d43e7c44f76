/**
 * The audit log: a local, append-only record of what each suggestion and each LLM call used (the knowledge
 * entries cited, the model, how much personal data was redacted first), and of administrative actions (store
 * tags and rollbacks, pack installs). It holds ids, counts and names, never customer text, so it can be handed
 * to a security reviewer as it is.
 *
 * `<dataDir>/audit/audit-log.jsonl`, one record per line, each fsynced before it is acknowledged (AppendLog).
 * Records are chained: each carries the hash of the previous record, so an edited, removed or reordered line
 * is found by `verifyAuditLog` (an append-only file cannot stop an administrator with a text editor, but it can
 * show that one was there). A torn last line left by a crash is reported and skipped, never fatal.
 *
 * The chain is keyed: each record's hash is an HMAC-SHA256 under a secret of the data folder (`audit/chain.key`,
 * readable by its user only; `mac: "hmac-sha256"` marks such records), so a chain re-hashed by someone without the
 * key no longer verifies (an unkeyed SHA-256 chain could be recomputed by anyone, as a security review did). The last
 * sequence number and hash are also kept apart from the log (`audit/anchor.json`, keyed too, and, in the app, the
 * OS keychain through the secret store), so a dropped last record shows. Records written before keying keep their
 * SHA-256 hashes and still verify; the first keyed record chains onto them. Nothing is rewritten.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, open as openFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppendLog } from '../formats/appendLog';
import { writeFileAtomic } from '../formats/durableFile';
import { JsonlWriter, type LineIssue } from '../formats/jsonl';
import type { Suggestion } from '../formats/schemas';
import type { LlmCallReport } from './llmCallReport';
import { emptyCounts, REDACTION_KINDS, redact, type RedactionCounts } from './redaction';
import { log as logger } from './redactingLogger';

/** Where a data folder keeps its audit log. */
export function auditLogFile(dataDir: string): string {
  return join(dataDir, 'audit', 'audit-log.jsonl');
}

const CountsSchema = z.object(Object.fromEntries(REDACTION_KINDS.map((k) => [k, z.number().int().min(0)])) as Record<
  (typeof REDACTION_KINDS)[number],
  z.ZodNumber
>);

const Common = {
  seq: z.number().int().min(1),
  at: z.string(),
  prev: z.string(),
  hash: z.string(),
  /** `hmac-sha256`: `hash` is keyed with the data folder's audit key; absent in records written before keying. */
  mac: z.literal('hmac-sha256').optional(),
};

export const AUDIT_TYPES = ['suggestion', 'llm_call', 'egress_denied', 'admin'] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

export const AuditRecordSchema = z.discriminatedUnion('type', [
  z.object({
    ...Common,
    type: z.literal('suggestion'),
    ticketId: z.string(),
    afterMessageId: z.string(),
    shown: z.boolean(),
    reason: z.string(),
    kind: z.string(),
    confidence: z.number(),
    /** The knowledge entries the decision cited or considered, best first. */
    entryIds: z.array(z.string()),
    /** The LLM that drafted or checked it, or null in retrieval-only mode. */
    model: z.string().nullable(),
    redactions: CountsSchema,
  }),
  z.object({
    ...Common,
    type: z.literal('llm_call'),
    /** What the call was for: `draft`, `answerability`, `rewrite`, `learn`... */
    purpose: z.string(),
    model: z.string(),
    ticketId: z.string().nullable(),
    entryIds: z.array(z.string()),
    redactions: CountsSchema,
    promptChars: z.number().int().min(0),
    /** Characters of the model's answer; absent in records written before it was recorded. */
    responseChars: z.number().int().min(0).optional(),
    outcome: z.enum(['ok', 'error', 'timeout', 'cancelled']),
    durationMs: z.number().min(0),
    /** The error in words, with any personal data redacted. */
    error: z.string().nullable(),
  }),
  z.object({
    ...Common,
    type: z.literal('egress_denied'),
    host: z.string(),
    via: z.string(),
    reason: z.string(),
  }),
  z.object({
    ...Common,
    type: z.literal('admin'),
    /** `store_tag`, `store_rollback`, `pack_install`, `bulk_delete`, `permissions_repaired`... */
    action: z.string(),
    detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  }),
]);
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

type Chain = 'seq' | 'at' | 'prev' | 'hash' | 'mac';
type Input<T extends AuditType> = Omit<Extract<AuditRecord, { type: T }>, Chain> & { at?: string };
export type AuditInput = { [T in AuditType]: Input<T> }[AuditType];

/** The hash of the chain before the first record. */
const GENESIS = '0'.repeat(64);

function hashOf(record: Omit<AuditRecord, 'hash'>, key: Buffer | null = null): string {
  const text = JSON.stringify(record);
  return record.mac === 'hmac-sha256' && key ? createHmac('sha256', key).update(text).digest('hex') : createHash('sha256').update(text).digest('hex');
}

/** Where the audit chain's key and anchor are kept in a data folder. */
function auditKeyFile(dataDir: string): string {
  return join(dataDir, 'audit', 'chain.key');
}
function auditAnchorFile(dataDir: string): string {
  return join(dataDir, 'audit', 'anchor.json');
}

/** The name under which the app's secret store (the OS keychain) keeps a copy of the anchor. */
export const AUDIT_ANCHOR_SECRET = 'vigil-audit-anchor';

/** Where, besides the data folder, the last record's number is kept: the app's secret store (OS keychain). */
export type AuditKeyring = { get(name: string): Promise<string | null>; set(name: string, value: string): Promise<void> };

export interface AuditOptions {
  /** Keeps a copy of the anchor (last sequence number and hash) where editing the data folder cannot reach it. */
  keyring?: AuditKeyring;
}

/** The data folder's audit key, or null when none was made yet (a log from before keying, or no log). */
async function readAuditKey(dataDir: string): Promise<Buffer | null> {
  try {
    const text = (await readFile(auditKeyFile(dataDir), 'utf8')).trim();
    return /^[0-9a-f]{64}$/.test(text) ? Buffer.from(text, 'hex') : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The data folder's audit key, made (32 random bytes, mode 0600) on first use. */
async function auditKey(dataDir: string): Promise<Buffer> {
  const existing = await readAuditKey(dataDir);
  if (existing) return existing;
  await mkdir(join(dataDir, 'audit'), { recursive: true, mode: 0o700 });
  try {
    await writeFile(auditKeyFile(dataDir), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first
  }
  const made = await readAuditKey(dataDir);
  if (!made) throw new Error(`${auditKeyFile(dataDir)}: not an audit key (64 hex digits); restore it from a backup, or move it away to start a new key.`);
  return made;
}

interface Anchor {
  seq: number;
  hash: string;
  mac: string;
}

function anchorMac(key: Buffer, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`vigil-audit-anchor\n${seq}\n${hash}`).digest('hex');
}

function parseAnchor(text: string | null): Anchor | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Anchor>;
    return typeof value.seq === 'number' && typeof value.hash === 'string' && typeof value.mac === 'string' ? (value as Anchor) : null;
  } catch {
    return null;
  }
}

async function readAnchorFile(dataDir: string): Promise<string | null> {
  try {
    return await readFile(auditAnchorFile(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Replaces the anchor file atomically (a crash leaves the previous anchor, which only lags behind the log), then the
 * keyring's copy. A keyring that cannot be written (a locked keychain) costs only that copy, never the record: the
 * problem is logged once per log.
 */
async function writeAnchor(dataDir: string, key: Buffer, seq: number, hash: string, keyring: AuditKeyring | undefined, onKeyringError: (error: unknown) => void): Promise<void> {
  const text = JSON.stringify({ seq, hash, mac: anchorMac(key, seq, hash) });
  await writeFileAtomic(auditAnchorFile(dataDir), text, { mode: 0o600 });
  await keyring?.set(AUDIT_ANCHOR_SECRET, text).catch(onKeyringError);
}

/** The keyring's copy of the anchor; null when there is none or the keyring cannot be read (logged). */
async function readKeyringAnchor(keyring: AuditKeyring | undefined): Promise<Anchor | null> {
  if (!keyring) return null;
  try {
    return parseAnchor(await keyring.get(AUDIT_ANCHOR_SECRET));
  } catch (error) {
    logger.warn(`The audit log could not read its anchor from the system keychain, so only audit/anchor.json is checked: ${String(error)}`);
    return null;
  }
}

/** The last complete, valid record of a log file (read from its end), or null for an empty or missing file. */
async function lastRecord(file: string): Promise<AuditRecord | null> {
  let handle;
  try {
    handle = await openFile(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    for (let window = 64 * 1024; ; window *= 4) {
      const start = Math.max(0, size - window);
      const buffer = Buffer.alloc(size - start);
      await handle.read(buffer, 0, buffer.length, start);
      const lines = buffer.toString('utf8').split('\n');
      if (start > 0) lines.shift(); // may start mid-line
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i]!.trim();
        if (!line) continue;
        try {
          const parsed = AuditRecordSchema.safeParse(JSON.parse(line));
          if (parsed.success) return parsed.data;
        } catch {
          // a torn line from a crash: look further back
        }
      }
      if (start === 0) return null;
    }
  } finally {
    await handle.close();
  }
}

/** The audit log of one data folder, open for appending. */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly log: AppendLog<AuditRecord>,
    private seq: number,
    private prev: string,
    private readonly dataDir: string,
    private readonly key: Buffer,
    /** Where the anchor's copy goes; undefined when there is none, or when the copy there is evidence to keep. */
    private readonly keyring: AuditKeyring | undefined,
  ) {}

  /** Whether a failed keyring write was logged already (once per log, not once per record). */
  private keyringWarned = false;

  /** Opens (or creates, readable by the user only) the audit log of `dataDir`, keyed with the folder's audit key. */
  static async open(dataDir: string, options: AuditOptions = {}): Promise<AuditLog> {
    const file = auditLogFile(dataDir);
    const last = await lastRecord(file);
    const log = await AppendLog.open<AuditRecord>(file);
    const key = await auditKey(dataDir);
    // A keyring anchor past the log's end, or naming another last record, is the evidence of a truncated or
    // rewritten log: appending would overwrite it, so it is kept (verifyAuditLog reports it until it is dealt with).
    const kept = await readKeyringAnchor(options.keyring);
    const contradicted = kept !== null && (kept.seq > (last?.seq ?? 0) || (kept.seq === last?.seq && kept.hash !== last.hash));
    if (contradicted) {
      logger.warn(`${file}: the system keychain says record ${kept.seq} was written, which this log does not hold as written; the keychain's record of it is kept. The audit check in Settings → Privacy shows it.`);
    }
    return new AuditLog(file, log, last?.seq ?? 0, last?.hash ?? GENESIS, dataDir, key, contradicted ? undefined : options.keyring);
  }

  /** Appends one record; resolves with it (numbered, timed and chained) once it is on disk. */
  append(input: AuditInput): Promise<AuditRecord> {
    const run = this.tail.then(async () => {
      const body = { ...input, seq: this.seq + 1, at: input.at ?? new Date().toISOString(), prev: this.prev, mac: 'hmac-sha256' as const };
      if (body.type === 'llm_call' && body.error) body.error = redact(body.error).text; // errors can quote prompts
      // Hash the record as the schema keeps it (its fields, its order), which is how verifyAuditLog reads it back.
      const { hash: _unset, ...kept } = AuditRecordSchema.parse({ ...body, hash: '' });
      const record = { ...kept, hash: hashOf(kept, this.key) } as AuditRecord;
      await this.log.append(record);
      this.seq = record.seq;
      this.prev = record.hash;
      await writeAnchor(this.dataDir, this.key, record.seq, record.hash, this.keyring, (error) => {
        if (!this.keyringWarned) logger.warn(`The audit log could not keep its anchor in the system keychain (records are still written): ${String(error)}`);
        this.keyringWarned = true;
      });
      return record;
    });
    this.tail = run.catch(() => undefined); // a failed append must not block the next; its caller sees the error
    return run;
  }

  async close(): Promise<void> {
    await this.tail;
    await this.log.close();
  }
}

/**
 * The audit record of one decision of the proactive engine: the entries it cited (or considered, when it stayed
 * silent), the model that drafted it (null in retrieval-only mode) and what was redacted before the model saw it.
 */
export function suggestionAudit(
  suggestion: Suggestion,
  used: { model?: string | null; redactions?: RedactionCounts } = {},
): Extract<AuditInput, { type: 'suggestion' }> {
  return {
    type: 'suggestion',
    ticketId: suggestion.ticketId,
    afterMessageId: suggestion.afterMessageId,
    shown: suggestion.shown,
    reason: suggestion.reason,
    kind: suggestion.kind,
    confidence: suggestion.confidence,
    entryIds: suggestion.citations.map((c) => c.entryId),
    model: used.model ?? null,
    redactions: used.redactions ?? emptyCounts(),
  };
}

/** The audit record of one LLM call, from the model client's report (core/llm/ollamaClient.ts `onCall`). */
export function llmCallAudit(report: LlmCallReport): Extract<AuditInput, { type: 'llm_call' }> {
  return {
    type: 'llm_call',
    purpose: report.purpose,
    model: report.model,
    ticketId: report.ticketId,
    entryIds: report.entryIds,
    redactions: report.redactions,
    promptChars: report.promptChars,
    responseChars: report.responseChars,
    outcome: report.outcome,
    durationMs: report.durationMs,
    error: report.error,
  };
}

export interface AuditFilter {
  type?: AuditType;
  ticketId?: string;
  /** ISO times, inclusive. */
  since?: string;
  until?: string;
  /** Keep only the last `limit` matching records. */
  limit?: number;
}

function matches(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.type && record.type !== filter.type) return false;
  if (filter.ticketId && !('ticketId' in record && record.ticketId === filter.ticketId)) return false;
  if (filter.since && record.at < filter.since) return false;
  if (filter.until && record.at > filter.until) return false;
  return true;
}

/** Reads the audit log of `dataDir` (no lock needed: the app can keep writing). Bad lines are reported. */
export async function readAuditLog(dataDir: string, filter: AuditFilter = {}): Promise<{ records: AuditRecord[]; issues: LineIssue[] }> {
  const records: AuditRecord[] = [];
  const issues: LineIssue[] = [];
  for await (const { value } of AppendLog.read(auditLogFile(dataDir), AuditRecordSchema, (i) => issues.push(i))) {
    if (matches(value, filter)) records.push(value);
  }
  return { records: filter.limit !== undefined ? records.slice(-filter.limit) : records, issues };
}

export interface AuditVerification {
  ok: boolean;
  records: number;
  /** Each break in the chain or unreadable line, with its line number, in words. */
  problems: string[];
}

/**
 * Checks the chain: every record's hash matches its content (keyed records with the folder's audit key) and names
 * the previous record's hash, sequence numbers go up by one, no unkeyed record follows a keyed one, and the log
 * reaches the anchor kept apart from it (so a dropped last record shows). A torn last line (a crash while
 * appending, never acknowledged) is not a problem.
 */
export async function verifyAuditLog(dataDir: string, options: AuditOptions = {}): Promise<AuditVerification> {
  const file = auditLogFile(dataDir);
  const key = await readAuditKey(dataDir);
  const anchors = [parseAnchor(await readAnchorFile(dataDir)), await readKeyringAnchor(options.keyring)];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    text = '';
  }
  const lines = text.split('\n');
  const problems: string[] = [];
  let prev = GENESIS;
  let seq = 0;
  let count = 0;
  let keyed = false;
  const hashes = new Map<number, string>();
  const lastNonEmpty = lines.reduce((last, line, i) => (line.trim() ? i : last), -1);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file}:${i + 1}`;
    let parsed;
    try {
      parsed = AuditRecordSchema.safeParse(JSON.parse(line));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      // A torn line is the crash signature: only ever the last line, or one followed by later appends.
      if (!line.trimEnd().endsWith('}') || i === lastNonEmpty) return;
      problems.push(`${where}: not a valid audit record (edited?)`);
      return;
    }
    const record = parsed.data;
    const { hash, ...body } = record;
    count++;
    if (record.mac === 'hmac-sha256') {
      keyed = true;
      if (!key) problems.push(`${where}: record ${record.seq} is keyed, but the data folder's audit key (${auditKeyFile(dataDir)}) is missing`);
      else if (!sameHex(hashOf(body, key), hash)) problems.push(`${where}: record ${record.seq} does not match its hash (keyed: edited after it was written, or re-hashed without the key)`);
    } else if (keyed) {
      problems.push(`${where}: record ${record.seq} is not keyed, but records before it are (re-hashed without the key?)`);
    } else if (hashOf(body) !== hash) {
      problems.push(`${where}: record ${record.seq} does not match its hash (edited after it was written)`);
    }
    hashes.set(record.seq, hash);
    if (record.prev !== prev) problems.push(`${where}: record ${record.seq} does not follow the record before it (a record was removed, inserted or reordered)`);
    if (record.seq !== seq + 1) problems.push(`${where}: sequence jumps from ${seq} to ${record.seq}`);
    prev = hash;
    seq = record.seq;
  });
  // The anchor: the last record acknowledged, kept apart from the log. The log must reach it, with the same hash.
  for (const anchor of anchors) {
    if (!anchor) continue;
    if (!key || !sameHex(anchorMac(key, anchor.seq, anchor.hash), anchor.mac)) {
      problems.push(`${auditAnchorFile(dataDir)}: the anchor (last record ${anchor.seq}) does not match the data folder's audit key (edited?)`);
    } else if (anchor.seq > seq) {
      problems.push(`${file}: the log ends at record ${seq}, but record ${anchor.seq} was written: ${anchor.seq - seq} record(s) at the end were removed`);
    } else if (hashes.get(anchor.seq) !== anchor.hash) {
      problems.push(`${file}: record ${anchor.seq} is not the record that was written under that number (the chain was rewritten)`);
    }
  }
  if (key && keyed && anchors.every((a) => a === null)) problems.push(`${auditAnchorFile(dataDir)}: missing, though the log holds keyed records (deleted?)`);
  return { ok: problems.length === 0, records: count, problems };
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

// New columns go at the end, so a spreadsheet or script that reads the first ones by position keeps working.
const CSV_COLUMNS = ['seq', 'at', 'type', 'ticketId', 'model', 'purpose', 'action', 'shown', 'reason', 'outcome', 'entryIds', 'redactions', 'detail', 'hash', 'promptChars', 'responseChars', 'durationMs', 'host', 'via'] as const;

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? (Array.isArray(value) ? value.join(' ') : JSON.stringify(value)) : String(value);
  return /[",\n\r]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text; // =+-@: no formula injection in spreadsheets
}

/** Writes the (filtered) audit log to `out` as JSON Lines (every field) or CSV (one row per record). */
export async function exportAuditLog(
  dataDir: string,
  out: string,
  options: AuditFilter & { format?: 'jsonl' | 'csv' } = {},
): Promise<{ file: string; exported: number; issues: LineIssue[] }> {
  const { records, issues } = await readAuditLog(dataDir, options);
  if (options.format === 'csv') {
    const rows = records.map((r) => {
      const flat = r as unknown as Record<string, unknown>;
      return CSV_COLUMNS.map((c) => {
        if (c === 'redactions' && flat['redactions']) {
          const counts = flat['redactions'] as RedactionCounts;
          return csvCell(REDACTION_KINDS.filter((k) => counts[k] > 0).map((k) => `${k}:${counts[k]}`));
        }
        return csvCell(flat[c]);
      }).join(',');
    });
    const handle = await openFile(out, 'w', 0o600);
    try {
      await handle.writeFile(`${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`, 'utf8');
    } finally {
      await handle.close();
    }
  } else {
    const writer = new JsonlWriter(out);
    try {
      for (const record of records) await writer.write(record);
    } finally {
      await writer.close();
    }
  }
  return { file: out, exported: records.length, issues };
}

/** A JSON value as an audit record holds it (records are JSON Lines). */
export type AuditValue = string | number | boolean | null | AuditValue[] | { [key: string]: AuditValue };

/**
 * One record as the app's audit view shows it: read leniently, so record types this version does not know yet
 * (a newer Vigil wrote them, or a type added since) are listed by their name and fields rather than dropped.
 */
export interface AuditRecordView {
  /** Where the line starts in the file (bytes): pages are cut there. */
  offset: number;
  seq: number | null;
  at: string | null;
  type: string;
  hash: string | null;
  /** Every other field of the record (not `prev`): ids, counts, names, never customer text. */
  fields: Record<string, AuditValue>;
  /** False for a type or shape this version's schema does not know. */
  known: boolean;
}

export interface AuditPageOptions {
  /** Read records that start before this byte offset (a page's `next`); from the end of the log when absent. */
  before?: number | null;
  /** Records per page; default 50. */
  limit?: number;
  /** Keep only these record types (any name: unknown types can be asked for too). */
  types?: readonly string[];
}

export interface AuditPage {
  /** Newest first. */
  records: AuditRecordView[];
  /** Pass as `before` for the next (older) page; null when the start of the log was reached. */
  next: number | null;
  /**
   * Lines in the range read that are not audit records (a torn last line, an edited line): `verify` names them.
   * With a type filter, only lines that name a wanted type are examined.
   */
  unreadable: number;
}

/** Bytes read per step from the end of the log: a page of 50 records is one or two steps. */
const PAGE_CHUNK = 64 * 1024;

function recordView(line: string, offset: number): AuditRecordView | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { seq, at, type, hash, prev: _prev, mac: _mac, ...fields } = value as Record<string, AuditValue>;
  if (typeof type !== 'string') return null;
  return {
    offset,
    seq: typeof seq === 'number' ? seq : null,
    at: typeof at === 'string' ? at : null,
    type,
    hash: typeof hash === 'string' ? hash : null,
    fields,
    known: false, // decided by the caller once the record passed its filter: the schema check is the costly part
  };
}

/**
 * One page of the audit log, newest first, read backwards from its end (or from `before`) in 64 KiB steps, so
 * the app can page through a log of any size without reading it whole. No lock is needed: a record appended
 * meanwhile is simply after the first page's start.
 */
export async function readAuditLogPage(dataDir: string, options: AuditPageOptions = {}): Promise<AuditPage> {
  const limit = options.limit ?? 50;
  const types = options.types && options.types.length > 0 ? new Set(options.types) : null;
  // A line can only be of a wanted type if it names it: others are skipped unparsed (a filtered page over a
  // large log costs a scan of bytes rather than of JSON).
  const needles = types ? [...types].map((t) => Buffer.from(`"${t}"`)) : null;
  let handle;
  try {
    handle = await openFile(auditLogFile(dataDir), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], next: null, unreadable: 0 };
    throw error;
  }
  const records: AuditRecordView[] = [];
  let unreadable = 0;
  try {
    const { size } = await handle.stat();
    let end = Math.min(options.before ?? size, size);
    /** Bytes from `end` onwards that belong to a line whose start is not read yet. */
    let carry = Buffer.alloc(0);
    while (end > 0 || carry.length > 0) {
      const start = Math.max(0, end - PAGE_CHUNK);
      const chunk = Buffer.alloc(end - start);
      if (chunk.length > 0) await handle.read(chunk, 0, chunk.length, start);
      const buffer = Buffer.concat([chunk, carry]);
      // Whole lines are those after the first newline; before it, unless at the file's start, is a partial line.
      // Newlines are found by Buffer.lastIndexOf (native), not byte by byte: a count walks the whole log this way.
      let lineEnd = buffer.length;
      let newline = lineEnd > 0 ? buffer.lastIndexOf(0x0a, lineEnd - 1) : -1;
      for (;;) {
        if (newline < 0 && start > 0) break; // the line's start is in the previous chunk
        const lineStart = newline + 1;
        const bytes = buffer.subarray(lineStart, lineEnd);
        lineEnd = Math.max(newline, 0);
        const last = newline < 0;
        newline = lineEnd > 0 ? buffer.lastIndexOf(0x0a, lineEnd - 1) : -1;
        const mayMatch = !needles || needles.some((n) => bytes.includes(n));
        if (mayMatch) {
          const text = bytes.toString('utf8').trim();
          const view = text ? recordView(text, start + lineStart) : null;
          if (text && !view) unreadable++;
          if (view && (!types || types.has(view.type))) {
            view.known = AuditRecordSchema.safeParse(JSON.parse(text)).success;
            records.push(view);
            if (records.length >= limit) return { records, next: view.offset > 0 ? view.offset : null, unreadable };
          }
        }
        if (last) break;
      }
      carry = start > 0 ? buffer.subarray(0, Math.max(0, lineEnd)) : Buffer.alloc(0);
      end = start;
      if (start === 0) break;
    }
    return { records, next: null, unreadable };
  } finally {
    await handle.close();
  }
}

/** How many records of `type` the audit log holds (read through once, line by line, without keeping them). */
export async function countAuditRecords(dataDir: string, type: string): Promise<number> {
  let count = 0;
  let page: AuditPage = { records: [], next: null, unreadable: 0 };
  // Reuse the backwards reader in large pages: memory stays bounded by one page.
  do {
    page = await readAuditLogPage(dataDir, { before: page.next, limit: 5_000, types: [type] });
    count += page.records.length;
  } while (page.next !== null);
  return count;
}
