/**
 * `vigil audit show|export|verify`: the data folder's audit log (core/privacy/auditLog.ts) from the command line.
 * Reading needs no lock, so it works while the desktop app is running.
 */
import { parseArgs } from 'node:util';
import { appDataDir } from '../formats/dataDir';
import { formatLineIssue } from '../formats/jsonl';
import { AUDIT_TYPES, exportAuditLog, readAuditLog, verifyAuditLog, type AuditFilter, type AuditRecord, type AuditType } from '../privacy/auditLog';
import { REDACTION_KINDS } from '../privacy/redaction';
import { usageMessage } from './usage';

export const AUDIT_USAGE = `  vigil audit show [--type TYPE] [--ticket ID] [--since TIME] [--until TIME] [--limit N] [--json] [--data-dir DIR]
  vigil audit export --out FILE [--format jsonl|csv] [--type TYPE] [--ticket ID] [--since TIME] [--until TIME] [--data-dir DIR]
  vigil audit verify [--data-dir DIR]`;

type Out = { log: (line: string) => void; error: (line: string) => void };

class AuditUsageError extends Error {}

const FILTER_OPTIONS = {
  type: { type: 'string' },
  ticket: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

function filterOf(values: { type?: string; ticket?: string; since?: string; until?: string }): AuditFilter {
  const filter: AuditFilter = {};
  if (values.type) {
    if (!(AUDIT_TYPES as readonly string[]).includes(values.type)) {
      throw new AuditUsageError(`--type: unknown record type "${values.type}" (use ${AUDIT_TYPES.join(', ')})`);
    }
    filter.type = values.type as AuditType;
  }
  if (values.ticket) filter.ticketId = values.ticket;
  for (const key of ['since', 'until'] as const) {
    const value = values[key];
    if (value === undefined) continue;
    const time = Date.parse(value);
    if (Number.isNaN(time)) throw new AuditUsageError(`--${key}: "${value}" is not a time (use ISO 8601, e.g. 2026-03-01 or 2026-03-01T09:00:00Z)`);
    filter[key] = new Date(time).toISOString();
  }
  return filter;
}

/** One line per record, for people. */
export function describeAuditRecord(r: AuditRecord): string {
  const head = `#${r.seq} ${r.at} ${r.type}`;
  const redactions = 'redactions' in r ? REDACTION_KINDS.filter((k) => r.redactions[k] > 0).map((k) => `${k} ${r.redactions[k]}`) : [];
  const redacted = redactions.length > 0 ? ` redacted: ${redactions.join(', ')}` : '';
  switch (r.type) {
    case 'suggestion':
      return `${head} ${r.ticketId}/${r.afterMessageId} ${r.shown ? 'shown' : 'silent'} (${r.reason}) model: ${r.model ?? 'none (retrieval-only)'} entries: ${r.entryIds.join(', ') || 'none'}${redacted}`;
    case 'llm_call':
      return `${head} ${r.purpose} ${r.model} ${r.outcome} ${Math.round(r.durationMs)} ms ticket: ${r.ticketId ?? '-'} entries: ${r.entryIds.join(', ') || 'none'} prompt: ${r.promptChars} chars${r.responseChars !== undefined ? `, answer: ${r.responseChars} chars` : ''}${redacted}${r.error ? ` error: ${r.error}` : ''}`;
    case 'egress_denied':
      return `${head} ${r.via} to ${r.host} refused: ${r.reason}`;
    case 'admin':
      return `${head} ${r.action} ${Object.entries(r.detail).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`;
  }
}

/** Runs `vigil audit …` and returns the exit code. */
export async function auditCommand(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'show') {
      const { values } = parseArgs({ args: rest, options: { ...FILTER_OPTIONS, limit: { type: 'string', default: '50' }, json: { type: 'boolean', default: false } }, strict: true });
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new AuditUsageError('--limit must be a whole number of at least 1');
      const { records, issues } = await readAuditLog(values['data-dir'] ?? appDataDir(), { ...filterOf(values), limit });
      for (const issue of issues) out.error(`skipped ${formatLineIssue(issue)}`);
      if (records.length === 0) out.log('no audit records');
      for (const record of records) out.log(values.json ? JSON.stringify(record) : describeAuditRecord(record));
      return 0;
    }
    if (sub === 'export') {
      const { values } = parseArgs({ args: rest, options: { ...FILTER_OPTIONS, out: { type: 'string' }, format: { type: 'string', default: 'jsonl' } }, strict: true });
      if (!values.out) throw new AuditUsageError('audit export needs --out FILE');
      if (values.format !== 'jsonl' && values.format !== 'csv') throw new AuditUsageError('--format must be jsonl or csv');
      const result = await exportAuditLog(values['data-dir'] ?? appDataDir(), values.out, { ...filterOf(values), format: values.format });
      for (const issue of result.issues) out.error(`skipped ${formatLineIssue(issue)}`);
      out.log(`exported ${result.exported} audit records to ${result.file}`);
      return 0;
    }
    if (sub === 'verify') {
      const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, strict: true });
      const result = await verifyAuditLog(values['data-dir'] ?? appDataDir());
      for (const problem of result.problems) out.error(problem);
      if (!result.ok) {
        out.error(`the audit log was changed after it was written (${result.problems.length} problem(s) in ${result.records} records)`);
        return 1;
      }
      out.log(`audit log intact: ${result.records} records, each chained to the one before`);
      return 0;
    }
    throw new AuditUsageError(`unknown audit command "${sub ?? ''}" (use show, export or verify)`);
  } catch (error) {
    if (error instanceof AuditUsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      out.error(usageMessage('vigil audit', (error as Error).message));
      return 2;
    }
    throw error;
  }
}
