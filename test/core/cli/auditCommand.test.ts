import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { main } from '../../../core/cli/vigil';
import { AuditLog, auditLogFile } from '../../../core/privacy/auditLog';
import { emptyCounts } from '../../../core/privacy/redaction';

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l: string) => stdout.push(l), error: (l: string) => stderr.push(l) }, stdout, stderr };
}

async function folderWithAudit(): Promise<string> {
  const dir = await tempFolder('vigil-audit-cli-');
  const log = await AuditLog.open(dir);
  await log.append({
    type: 'suggestion', ticketId: 'T-1', afterMessageId: '1', shown: true, reason: 'answerable', kind: 'answer', confidence: 0.8,
    entryIds: ['kb-vpn-mtu'], model: null, redactions: { ...emptyCounts(), email: 1 }, at: '2026-03-01T09:00:00.000Z',
  });
  await log.append({
    type: 'llm_call', purpose: 'draft', model: 'llama3.2:3b', ticketId: 'T-2', entryIds: ['case-T-1'], redactions: emptyCounts(),
    promptChars: 900, outcome: 'ok', durationMs: 350, error: null, at: '2026-03-02T09:00:00.000Z',
  });
  await log.close();
  return dir;
}

describe('vigil audit', () => {
  it('shows records for people, filtered by type, ticket and time', async () => {
    const dir = await folderWithAudit();
    const all = capture();
    expect(await main(['audit', 'show', '--data-dir', dir], all.out)).toBe(0);
    expect(all.stdout).toEqual([
      '#1 2026-03-01T09:00:00.000Z suggestion T-1/1 shown (answerable) model: none (retrieval-only) entries: kb-vpn-mtu redacted: email 1',
      '#2 2026-03-02T09:00:00.000Z llm_call draft llama3.2:3b ok 350 ms ticket: T-2 entries: case-T-1 prompt: 900 chars',
    ]);
    const since = capture();
    expect(await main(['audit', 'show', '--since', '2026-03-02', '--json', '--data-dir', dir], since.out)).toBe(0);
    expect(since.stdout.map((l) => JSON.parse(l).seq)).toEqual([2]);
    const byTicket = capture();
    await main(['audit', 'show', '--ticket', 'T-1', '--type', 'suggestion', '--data-dir', dir], byTicket.out);
    expect(byTicket.stdout).toHaveLength(1);
  });

  it('exports and verifies, and says when the log was edited', async () => {
    const dir = await folderWithAudit();
    const csv = join(dir, 'audit.csv');
    const exp = capture();
    expect(await main(['audit', 'export', '--out', csv, '--format', 'csv', '--data-dir', dir], exp.out)).toBe(0);
    expect(exp.stdout).toEqual([`exported 2 audit records to ${csv}`]);
    expect((await readFile(csv, 'utf8')).split('\r\n')).toHaveLength(4);

    const ok = capture();
    expect(await main(['audit', 'verify', '--data-dir', dir], ok.out)).toBe(0);
    expect(ok.stdout).toEqual(['audit log intact: 2 records, each chained to the one before']);

    const file = auditLogFile(dir);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"shown":true', '"shown":false'));
    const bad = capture();
    expect(await main(['audit', 'verify', '--data-dir', dir], bad.out)).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(/audit-log\.jsonl:1: record 1 does not match its hash/);
  });

  it('explains wrong arguments with exit code 2', async () => {
    const dir = await folderWithAudit();
    const bad = capture();
    expect(await main(['audit', 'show', '--type', 'chat', '--data-dir', dir], bad.out)).toBe(2);
    expect(bad.stderr[0]).toMatch(/--type: unknown record type "chat" \(use suggestion, llm_call, egress_denied, admin\)/);
    const time = capture();
    expect(await main(['audit', 'export', '--out', 'x', '--since', 'yesterday', '--data-dir', dir], time.out)).toBe(2);
    expect(time.stderr[0]).toMatch(/--since: "yesterday" is not a time/);
    expect(await main(['audit', 'rewrite'], capture().out)).toBe(2);
    expect(await main(['audit', 'show', '--bogus'], capture().out)).toBe(2);
  });
});

describe('vigil store', () => {
  it('tags, lists, rolls back and untags, with exit codes', async () => {
    const dir = await tempFolder('vigil-store-cli-');
    const data = join(dir, 'data');
    const entries = join(dir, 'entries.jsonl');
    await writeFile(entries, `${JSON.stringify({ id: 'kb-a', kind: 'article', body: 'First article.' })}\n`);
    expect(await main(['kb', 'import', entries, '--data-dir', data], capture().out)).toBe(0);

    const tag = capture();
    expect(await main(['store', 'tag', 'before-pack', '--reason', 'before pack install', '--data-dir', data], tag.out)).toBe(0);
    expect(tag.stdout[0]).toMatch(/tagged the store as "before-pack" \(1 table\(s\)\)/);

    await writeFile(entries, `${JSON.stringify({ id: 'kb-b', kind: 'article', body: 'Second article.' })}\n`);
    await main(['kb', 'import', entries, '--data-dir', data], capture().out);
    const rollback = capture();
    expect(await main(['store', 'rollback', 'before-pack', '--data-dir', data], rollback.out)).toBe(0);
    expect(rollback.stdout[1]).toMatch(/kept as "before-rollback-before-pack-/);
    const status = capture();
    await main(['status', '--data-dir', data], status.out);
    expect(status.stdout).toContainEqual(expect.stringMatching(/^entries: 1 /));

    const tags = capture();
    expect(await main(['store', 'tags', '--data-dir', data], tags.out)).toBe(0);
    expect(tags.stdout[0]).toMatch(/^before-pack .* 1 table\(s\) {2}before pack install$/);
    expect(await main(['store', 'untag', 'before-pack', '--data-dir', data], capture().out)).toBe(0);
    expect(await main(['store', 'rollback', '--data-dir', data], capture().out)).toBe(2);
    const missing = capture();
    expect(await main(['store', 'rollback', 'before-pack', '--data-dir', data], missing.out)).toBe(1);
    expect(missing.stderr[0]).toMatch(/no snapshot named "before-pack"/);
  });
});
