/**
 * Child process for the audit log's crash test: appends records as fast as it can and prints each acknowledged
 * sequence number, until the test kills it with SIGKILL mid-append.
 *   node --import tsx test/core/privacy/auditWriterChild.ts DATA_DIR
 */
import { AuditLog } from '../../../core/privacy/auditLog';
import { emptyCounts } from '../../../core/privacy/redaction';

const [dataDir] = process.argv.slice(2);
const log = await AuditLog.open(dataDir!);
for (let i = 0; i < 100_000; i++) {
  const record = await log.append({
    type: 'llm_call',
    purpose: 'draft',
    model: 'llama3.2:3b',
    ticketId: `T-${i}`,
    entryIds: [`kb-${i}`],
    redactions: emptyCounts(),
    promptChars: 100,
    outcome: 'ok',
    durationMs: 1,
    error: null,
  });
  process.stdout.write(`${record.seq}\n`);
}
