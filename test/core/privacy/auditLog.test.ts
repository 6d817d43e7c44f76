import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { runReplay } from '../../../core/app/replay';
import { AuditLog, auditLogFile, exportAuditLog, readAuditLog, verifyAuditLog } from '../../../core/privacy/auditLog';
import { emptyCounts, redact } from '../../../core/privacy/redaction';

async function dataDir(): Promise<string> {
  return tempFolder('vigil-audit-');
}

const llmCall = (over: Partial<Parameters<AuditLog['append']>[0]> = {}) =>
  ({
    type: 'llm_call',
    purpose: 'draft',
    model: 'llama3.2:3b',
    ticketId: 'T-1',
    entryIds: ['kb-vpn-mtu', 'case-T-0977'],
    redactions: { ...emptyCounts(), email: 1, name: 2 },
    promptChars: 1800,
    outcome: 'ok',
    durationMs: 420,
    error: null,
    ...over,
  }) as Parameters<AuditLog['append']>[0];

describe('audit log', () => {
  it('records what each call used, numbered and chained, and keeps counting across restarts', async () => {
    const dir = await dataDir();
    const log = await AuditLog.open(dir);
    await log.append(llmCall());
    await log.append({ type: 'admin', action: 'store_tag', detail: { tag: 'before-reindex', version: 7 } });
    await log.close();

    const again = await AuditLog.open(dir);
    const third = await again.append(llmCall({ ticketId: 'T-2', outcome: 'timeout' } as never));
    await again.close();
    expect(third.seq).toBe(3);

    const { records, issues } = await readAuditLog(dir);
    expect(issues).toEqual([]);
    expect(records.map((r) => [r.seq, r.type])).toEqual([
      [1, 'llm_call'],
      [2, 'admin'],
      [3, 'llm_call'],
    ]);
    expect(records[0]).toMatchObject({ model: 'llama3.2:3b', entryIds: ['kb-vpn-mtu', 'case-T-0977'], redactions: { email: 1, name: 2 } });
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 3, problems: [] });
    expect((await readAuditLog(dir, { ticketId: 'T-2' })).records.map((r) => r.seq)).toEqual([3]);
    expect((await readAuditLog(dir, { type: 'admin' })).records.map((r) => r.seq)).toEqual([2]);
    expect((await readAuditLog(dir, { limit: 1 })).records.map((r) => r.seq)).toEqual([3]);
    expect((await stat(auditLogFile(dir))).mode & 0o777).toBe(0o600);
  });

  it('redacts personal data quoted in an error message', async () => {
    const dir = await dataDir();
    const log = await AuditLog.open(dir);
    const record = await log.append(llmCall({ outcome: 'error', error: 'model rejected prompt for maria@example.com' } as never));
    await log.close();
    expect(record).toMatchObject({ error: 'model rejected prompt for [EMAIL]' });
    expect(await readFile(auditLogFile(dir), 'utf8')).not.toContain('maria@example.com');
  });

  it('finds an edited, a removed and a reordered record', async () => {
    const dir = await dataDir();
    const log = await AuditLog.open(dir);
    for (let i = 0; i < 4; i++) await log.append(llmCall({ ticketId: `T-${i}` } as never));
    await log.close();
    const file = auditLogFile(dir);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');

    await writeFile(file, `${[lines[0], lines[1]!.replace('"T-1"', '"T-9"'), lines[2], lines[3]].join('\n')}\n`);
    expect((await verifyAuditLog(dir)).problems).toEqual([expect.stringMatching(/audit-log\.jsonl:2: record 2 does not match its hash/)]);

    await writeFile(file, `${[lines[0], lines[2], lines[3]].join('\n')}\n`);
    const removed = await verifyAuditLog(dir);
    expect(removed.ok).toBe(false);
    expect(removed.problems.join('\n')).toMatch(/:2: record 3 does not follow the record before it/);

    await writeFile(file, `${[lines[1], lines[0], lines[2], lines[3]].join('\n')}\n`);
    expect((await verifyAuditLog(dir)).ok).toBe(false);
  });

  it('survives a torn last line: reported by the reader, not a break in the chain, and the next record follows', async () => {
    const dir = await dataDir();
    const log = await AuditLog.open(dir);
    await log.append(llmCall());
    await log.close();
    await appendFile(auditLogFile(dir), '{"seq":2,"at":"2026-'); // a crash mid-append: never acknowledged

    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 1 });
    const reopened = await AuditLog.open(dir);
    expect((await reopened.append(llmCall())).seq).toBe(2);
    await reopened.close();
    const { records, issues } = await readAuditLog(dir);
    expect(records.map((r) => r.seq)).toEqual([1, 2]);
    expect(issues).toMatchObject([{ line: 2, field: '(line)' }]);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 2 });
  });

  it('keeps every acknowledged record when the process is killed mid-append (SIGKILL)', async () => {
    const dir = await dataDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/core/privacy/auditWriterChild.ts', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        acknowledged = Math.max(acknowledged, ...String(chunk).trim().split('\n').map(Number));
        if (acknowledged >= 40 && child.exitCode === null) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    const { records } = await readAuditLog(dir);
    const seqs = records.map((r) => r.seq);
    expect(seqs.length).toBeGreaterThanOrEqual(acknowledged);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // each once, in order
    expect((await verifyAuditLog(dir)).ok).toBe(true);
  });

  it('exports as JSON Lines and as CSV that spreadsheets read as text', async () => {
    const dir = await dataDir();
    const log = await AuditLog.open(dir);
    await log.append(llmCall());
    await log.append({ type: 'admin', action: 'store_rollback', detail: { tag: '=cmd|calc', version: 3 } });
    await log.close();

    const jsonl = join(dir, 'audit.jsonl');
    expect(await exportAuditLog(dir, jsonl)).toMatchObject({ exported: 2 });
    expect((await readFile(jsonl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([1, 2]);

    const csv = join(dir, 'audit.csv');
    await exportAuditLog(dir, csv, { format: 'csv', type: 'admin' });
    const rows = (await readFile(csv, 'utf8')).trim().split('\r\n');
    expect(rows[0]).toBe('seq,at,type,ticketId,model,purpose,action,shown,reason,outcome,entryIds,redactions,detail,hash,promptChars,responseChars,durationMs,host,via');
    expect(rows).toHaveLength(2);
    expect(rows[1]).toContain('"{""tag"":""=cmd|calc"",""version"":3}"');
  });
});

describe('the engine writes the audit log', () => {
  it('records each decision with the entries it used, and no customer text', async () => {
    const dir = await dataDir();
    const tickets = join(dir, 'tickets.jsonl');
    const message = 'Hi, I am Maria Lopez, maria.lopez@example.com: my VPN disconnects every 10 minutes on hotel wifi.';
    await writeFile(
      tickets,
      [
        { id: 'T-1', status: 'closed', messages: [{ id: '1', author: 'customer', text: message }], resolution: 'Lower the tunnel MTU to 1380.' },
        { id: 'T-2', status: 'open', messages: [{ id: 'a', author: 'customer', text: 'The VPN keeps disconnecting every 10 minutes on hotel wifi' }] },
      ]
        .map((t) => JSON.stringify(t))
        .join('\n'),
    );
    const data = join(dir, 'data');
    await runReplay({ tickets, out: join(dir, 'out.jsonl'), dataDir: data });

    const { records } = await readAuditLog(data, { type: 'suggestion' });
    expect(records.map((r) => r.type === 'suggestion' && [r.ticketId, r.afterMessageId, r.model])).toEqual([
      ['T-1', '1', null],
      ['T-2', 'a', null],
    ]);
    const decisions = (await readFile(join(dir, 'out.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { citations: { entryId: string }[] });
    expect(records[1]).toMatchObject({ entryIds: decisions[1]!.citations.map((c) => c.entryId) });
    expect(records[1]?.type === 'suggestion' && records[1].entryIds[0]).toMatch(/^(case|qa)-T-1$/); // learned from T-1

    const raw = await readFile(auditLogFile(data), 'utf8');
    expect(raw).not.toContain('maria');
    expect(raw).not.toContain('hotel');
    expect(redact(raw).counts.email).toBe(0);

    // The app reads it through the service too, while it holds the folder.
    const service = await CopilotService.open({ dataDir: data });
    await service.audit.append({ type: 'egress_denied', host: 'telemetry.example.com', via: 'fetch', reason: 'offline mode' });
    await service.close();
    expect((await verifyAuditLog(data)).ok).toBe(true);
  });
});

describe('the keyed audit chain', () => {
  async function threeRecords(options: Parameters<typeof AuditLog.open>[1] = {}): Promise<string> {
    const dir = await dataDir();
    const log = await AuditLog.open(dir, options);
    for (let i = 1; i <= 3; i++) await log.append(llmCall({ ticketId: `T-${i}` } as never));
    await log.close();
    return dir;
  }

  it('finds a dropped last record', async () => {
    const dir = await threeRecords();
    const lines = (await readFile(auditLogFile(dir), 'utf8')).trimEnd().split('\n');
    await writeFile(auditLogFile(dir), `${lines.slice(0, 2).join('\n')}\n`);
    const result = await verifyAuditLog(dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([`${auditLogFile(dir)}: the log ends at record 2, but record 3 was written: 1 record(s) at the end were removed`]);
  });

  it('finds a chain edited and re-hashed from the edit on, as anyone without the key can (SHA-256)', async () => {
    const dir = await threeRecords();
    const records = (await readFile(auditLogFile(dir), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    records[1]!['ticketId'] = 'T-forged';
    let prev = records[0]!['hash'] as string;
    for (const record of records.slice(1)) {
      record['prev'] = prev;
      const { hash: _old, mac: _mac, ...body } = record;
      record['hash'] = prev = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      delete record['mac'];
    }
    await writeFile(auditLogFile(dir), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const result = await verifyAuditLog(dir);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/record 2 is not keyed, but records before it are/);
    expect(result.problems.join('\n')).toMatch(/record 3 is not the record that was written under that number/);
  });

  it('finds a dropped last record through the keychain copy of the anchor when the anchor file went too', async () => {
    const kept = new Map<string, string>();
    const keyring = { get: async (name: string) => kept.get(name) ?? null, set: async (name: string, value: string) => void kept.set(name, value) };
    const dir = await threeRecords({ keyring });
    const lines = (await readFile(auditLogFile(dir), 'utf8')).trimEnd().split('\n');
    await writeFile(auditLogFile(dir), `${lines.slice(0, 2).join('\n')}\n`);
    await rm(join(dir, 'audit', 'anchor.json'));
    expect((await verifyAuditLog(dir, { keyring })).problems).toEqual([`${auditLogFile(dir)}: the log ends at record 2, but record 3 was written: 1 record(s) at the end were removed`]);
  });

  it('finds a dropped last record when anchor.json was rewritten to match, through the keychain copy, and keeps that evidence on the next open', async () => {
    const kept = new Map<string, string>();
    const keyring = { get: async (name: string) => kept.get(name) ?? null, set: async (name: string, value: string) => void kept.set(name, value) };
    const dir = await threeRecords({ keyring });
    const lines = (await readFile(auditLogFile(dir), 'utf8')).trimEnd().split('\n');
    await writeFile(auditLogFile(dir), `${lines.slice(0, 2).join('\n')}\n`);
    // Whoever can edit the data folder can read its key and write an anchor that fits the shortened log.
    const key = Buffer.from((await readFile(join(dir, 'audit', 'chain.key'), 'utf8')).trim(), 'hex');
    const { hash } = JSON.parse(lines[1]!) as { hash: string };
    const mac = createHmac('sha256', key).update(`vigil-audit-anchor\n2\n${hash}`).digest('hex');
    await writeFile(join(dir, 'audit', 'anchor.json'), JSON.stringify({ seq: 2, hash, mac }));
    const removed = `${auditLogFile(dir)}: the log ends at record 2, but record 3 was written: 1 record(s) at the end were removed`;
    expect((await verifyAuditLog(dir)).ok).toBe(true); // the data folder alone cannot tell
    expect((await verifyAuditLog(dir, { keyring })).problems).toEqual([removed]);
    // The app opens the log again and appends: a new record 3 must not overwrite what the keychain knows.
    const log = await AuditLog.open(dir, { keyring });
    await log.append(llmCall({ ticketId: 'T-9' } as never));
    await log.close();
    expect((await verifyAuditLog(dir, { keyring })).problems).toEqual([`${auditLogFile(dir)}: record 3 is not the record that was written under that number (the chain was rewritten)`]);
  });

  it('writes every record when the keychain cannot be used, and verifies against the data folder then', async () => {
    const keyring = { get: () => Promise.reject(new Error('keychain locked')), set: () => Promise.reject(new Error('keychain locked')) };
    const dir = await threeRecords({ keyring });
    expect(await verifyAuditLog(dir, { keyring })).toMatchObject({ ok: true, records: 3 });
  });

  it('keeps a log written before keying verifiable, and keys what is appended after it, losing nothing', async () => {
    const dir = await dataDir();
    // Two records as the previous version wrote them: unkeyed SHA-256, no `mac`, no key file, no anchor.
    let prev = '0'.repeat(64);
    const old: string[] = [];
    for (let seq = 1; seq <= 2; seq++) {
      const body = { seq, at: '2026-01-01T00:00:00.000Z', prev, type: 'admin', action: 'store_tag', detail: { name: `t${seq}` } }; // the schema's field order
      const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      old.push(JSON.stringify({ ...body, hash }));
      prev = hash;
    }
    await mkdir(join(dir, 'audit'), { recursive: true });
    await writeFile(auditLogFile(dir), `${old.join('\n')}\n`);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 2 });
    const log = await AuditLog.open(dir);
    const third = await log.append(llmCall());
    await log.close();
    expect(third).toMatchObject({ seq: 3, prev, mac: 'hmac-sha256' });
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 3, problems: [] });
    expect((await readAuditLog(dir)).records.map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});
