import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { AuditLog, auditLogFile, countAuditRecords, readAuditLogPage } from '../../../core/privacy/auditLog';
import { emptyCounts } from '../../../core/privacy/redaction';

/** 30,000 records (about 7 MB): far more than one 64 KiB read, so paging must walk back across many of them. */
const LARGE = 30_000;

/** A line as a newer Vigil might write it: a type this version does not know. */
function line(seq: number): string {
  const at = new Date(Date.UTC(2026, 10, 1) + seq * 1000).toISOString();
  const common = { seq, at, prev: 'p'.repeat(64), hash: seq.toString(16).padStart(64, '0') };
  if (seq % 1000 === 0) return JSON.stringify({ ...common, type: 'egress_denied', host: `198.51.100.${seq % 250}`, via: 'tcp', reason: 'offline mode allows only this machine (loopback)' });
  if (seq % 7 === 0) return JSON.stringify({ ...common, type: 'future_kind', widget: `w-${seq}`, count: seq % 13 });
  return JSON.stringify({ ...common, type: 'suggestion', ticketId: `T-${seq}`, afterMessageId: 'm1', shown: seq % 2 === 0, reason: 'answerable', kind: 'answer', confidence: 0.8, entryIds: [`kb-${seq}`], model: null, redactions: emptyCounts() });
}

describe('reading the audit log a page at a time, from its end', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await tempFolder('vigil-audit-pages-');
    await mkdir(join(dir, 'audit'), { recursive: true });
    const lines: string[] = [];
    for (let seq = 1; seq <= LARGE; seq++) lines.push(line(seq));
    // A crash mid-append leaves a torn last line: it is counted as unreadable, never shown as a record.
    await writeFile(auditLogFile(dir), `${lines.join('\n')}\n{"seq":30001,"at":"2026-`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the newest records first, and every record exactly once when paged back to the start', async () => {
    const first = await readAuditLogPage(dir, { limit: 50 });
    expect(first.records.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => LARGE - i));
    expect(first.unreadable).toBe(1);
    expect(first.next).not.toBeNull();

    const seen: number[] = [];
    let page = first;
    let pages = 1;
    seen.push(...page.records.map((r) => r.seq!));
    while (page.next !== null) {
      page = await readAuditLogPage(dir, { before: page.next, limit: 500 });
      seen.push(...page.records.map((r) => r.seq!));
      pages++;
    }
    expect(seen).toHaveLength(LARGE);
    expect(seen).toEqual(Array.from({ length: LARGE }, (_, i) => LARGE - i));
    expect(pages).toBe(1 + Math.ceil((LARGE - 50) / 500));
  });

  it('filters by kind, shows kinds it does not know by their name and fields, and counts a kind over the whole log', async () => {
    const denials = await readAuditLogPage(dir, { types: ['egress_denied'], limit: 3 });
    expect(denials.records.map((r) => r.seq)).toEqual([30_000, 29_000, 28_000]);
    expect(denials.records[0]).toMatchObject({ type: 'egress_denied', known: true, fields: { host: '198.51.100.0', via: 'tcp' } });

    const future = await readAuditLogPage(dir, { types: ['future_kind'], limit: 1 });
    expect(future.records[0]).toMatchObject({ seq: 29_995, type: 'future_kind', known: false, fields: { widget: 'w-29995', count: 29_995 % 13 } });
    expect(future.records[0]?.fields).not.toHaveProperty('prev');

    expect(await countAuditRecords(dir, 'egress_denied')).toBe(LARGE / 1000);
    expect(await countAuditRecords(dir, 'future_kind')).toBe(Math.floor(LARGE / 7) - Math.floor(LARGE / 7000));
  });

  it('reads every record once whether a 64 KiB read starts on a newline, just after one or mid-line', async () => {
    // Lines of exactly 128 bytes: a 64 KiB read from the end starts `shift` bytes into a line when a torn line of
    // `shift` bytes ends the file: at a line's start (0), inside it (1, 64), or on its newline (127).
    for (const shift of [0, 1, 64, 127]) {
      const other = await tempFolder('vigil-audit-edges-');
      try {
        await mkdir(join(other, 'audit'));
        const lines = Array.from({ length: 2_000 }, (_, i) => {
          const body = JSON.stringify({ seq: i + 1, at: '2026-11-01T00:00:00.000Z', type: 'admin', hash: 'h', action: 'x', pad: '' });
          return body.replace('"pad":""', `"pad":"${'p'.repeat(127 - body.length)}"`);
        });
        expect(lines.every((l) => l.length === 127)).toBe(true);
        const torn = shift > 0 ? `{${'x'.repeat(shift - 1)}` : '';
        await writeFile(auditLogFile(other), `${lines.join('\n')}\n${torn}`);
        const whole = await readAuditLogPage(other, { limit: 5_000 });
        expect(whole.records.map((r) => r.seq)).toEqual(Array.from({ length: 2_000 }, (_, i) => 2_000 - i));
        expect(whole.unreadable).toBe(shift > 0 ? 1 : 0);
        const seen: number[] = [];
        let page = await readAuditLogPage(other, { limit: 300 });
        seen.push(...page.records.map((r) => r.seq!));
        while (page.next !== null) {
          page = await readAuditLogPage(other, { before: page.next, limit: 300 });
          seen.push(...page.records.map((r) => r.seq!));
        }
        expect(seen).toEqual(whole.records.map((r) => r.seq));
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    }
  });

  it('reads the records the engine writes, and a log that does not exist yet as empty', async () => {
    const other = await tempFolder('vigil-audit-pages-');
    try {
      expect(await readAuditLogPage(other)).toEqual({ records: [], next: null, unreadable: 0 });
      const log = await AuditLog.open(other);
      await log.append({ type: 'admin', action: 'store_tag', detail: { name: 'before-upgrade', reason: '', tables: 1 } });
      await log.append({ type: 'egress_denied', host: 'telemetry.example.com', via: 'fetch', reason: 'it is not the host of a configured connector' });
      await log.close();
      await appendFile(auditLogFile(other), ''); // nothing after the last newline: no phantom record
      const page = await readAuditLogPage(other, { limit: 10 });
      expect(page.records.map((r) => [r.seq, r.type, r.known])).toEqual([
        [2, 'egress_denied', true],
        [1, 'admin', true],
      ]);
      expect(page.records[1]?.fields).toEqual({ action: 'store_tag', detail: { name: 'before-upgrade', reason: '', tables: 1 } });
      expect(page.next).toBeNull();
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
