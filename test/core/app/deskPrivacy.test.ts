/**
 * The desk under the team's privacy settings: with "redact before storage" on, a ticket that carries an e-mail
 * address, a card number, a phone number and the requester's name flows from a watched folder through the desk,
 * gets a suggestion, feedback, a reply draft and is closed and learned from, and afterwards no file anywhere in the
 * data folder holds any of them, while the analyst saw the live ticket and draft throughout. Also: what the desk
 * logs is redacted, and the suggestions it raises by rule (follow-ups, alerts) are in the audit log once each.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { CopilotService } from '../../../core/app/copilotService';
import { Desk } from '../../../core/app/desk';
import { writePrivacySettings } from '../../../core/privacy/privacySettings';
import { Workspace } from '../../../core/app/workspace';
import type { Ticket } from '../../../core/formats/schemas';
import { readAuditLog } from '../../../core/privacy/auditLog';
import { setLogSink } from '../../../core/privacy/redactingLogger';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { ARTICLES } from '../../fixtures/storeEntries';

const PERSONAL = ['jonas.berger@example.de', '5555 5555 5555 4444', '+49 30 12345678', 'Jonas', 'Berger'];

function customerTicket(status: Ticket['status'], more: Ticket['messages'] = [], resolution?: string): Ticket {
  return {
    id: 'T-7',
    subject: 'VPN drops, and a double charge for Jonas Berger',
    status,
    requester: 'Jonas Berger',
    messages: [
      {
        id: 'm1',
        author: 'customer',
        // `from`: a field of the connector's own (the IMAP connector adds one); the format keeps unknown fields.
        from: 'jonas.berger@example.de',
        text: 'Hi, Jonas Berger here. My VPN disconnects every few minutes when I work from the hotel network. Also my card 5555 5555 5555 4444 was charged twice; phone +49 30 12345678 or write to jonas.berger@example.de.',
        at: '2026-11-22T09:00:00Z',
      },
      ...more,
    ],
    ...(resolution ? { resolution } : {}),
  } as Ticket;
}

/** Every file under `dir` that contains one of `needles` (bytes, so binary LanceDB files are searched too). */
async function filesHolding(dir: string, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle))) found.push(`${relative(dir, path)}: ${needle}`);
  }
  return found;
}

describe('the desk and the team’s privacy settings', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function runDesk(redactBeforeStorage: boolean): Promise<{ data: string; liveText: string; liveDraft: string }> {
    dir = await tempFolder('vigil-desk-privacy-');
    const data = join(dir, 'data');
    const tickets = join(dir, 'tickets'); // the helpdesk's side: outside the data folder
    await mkdir(tickets, { recursive: true });
    await mkdir(data, { recursive: true });
    await writePrivacySettings(data, { redactBeforeStorage });
    const kb = join(dir, 'kb.jsonl');
    await writeFile(kb, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n'));
    await writeFile(join(data, 'connectors.json'), JSON.stringify({ format: 1, connectors: [{ id: 'demo', kind: 'folder', path: tickets }] }));

    const workspace = await Workspace.open({ dataDir: data, delayedReviewEveryMs: 0 });
    let liveText: string;
    let liveDraft: string;
    try {
      await workspace.service.importEntries(kb);
      await workspace.connectors.startWatching({ secrets: new MemorySecretStore() });
      await writeFile(join(tickets, 'T-7.json'), JSON.stringify(customerTicket('open')));
      await workspace.connectors.catchUp('demo');
      const detail = (await workspace.desk.openTicket('demo:T-7'))!;
      liveText = detail.ticket.messages[0]!.text;
      const suggestion = detail.suggestions[0]!;
      expect(suggestion.citations[0]!.entryId).toBe('kb-vpn-mtu');
      await workspace.desk.feedback({ ticketId: 'demo:T-7', suggestionId: suggestion.id, action: 'disliked', reason: 'Not for Jonas: jonas.berger@example.de is on the Android app' });
      await workspace.replies.saveDraft('demo:T-7', 'Hi Jonas Berger,\n\nlower the MTU to 1380. The charge on 5555 5555 5555 4444 is refunded.', [suggestion.id]);
      liveDraft = (await workspace.replies.draft('demo:T-7')).text;
      const reply = { id: 'm2', author: 'analyst' as const, text: 'Hi Jonas, lower the MTU to 1380; the duplicate charge on 5555 5555 5555 4444 is refunded.', at: '2026-11-22T09:30:00Z' };
      await writeFile(join(tickets, 'T-7.json'), JSON.stringify(customerTicket('solved', [reply], 'Lowered the MTU to 1380 for Jonas Berger; refunded the card 5555 5555 5555 4444.')));
      await workspace.connectors.catchUp('demo');
      expect(workspace.connectors.health()[0]).toMatchObject({ lastError: null });
    } finally {
      await workspace.close();
    }
    return { data, liveText, liveDraft };
  }

  it('writes no personal data of a ticket anywhere in the data folder when the team redacts before storage', async () => {
    const { data, liveText, liveDraft } = await runDesk(true);
    // While it ran, the analyst worked on the live ticket and their own words.
    expect(liveText).toContain('jonas.berger@example.de');
    expect(liveDraft).toContain('Hi Jonas Berger');

    expect(await filesHolding(data, PERSONAL)).toEqual([]);

    // What comes back after a restart is the redacted copy, placeholders where the data was.
    const workspace = await Workspace.open({ dataDir: data, delayedReviewEveryMs: 0 });
    try {
      const detail = (await workspace.desk.openTicket('demo:T-7'))!;
      expect(detail.ticket.requester).toBe('[NAME]');
      expect(detail.ticket.messages[0]!.text).toBe(
        'Hi, [NAME] here. My VPN disconnects every few minutes when I work from the hotel network. Also my card [CARD] was charged twice; phone [PHONE] or write to [EMAIL].',
      );
      expect(detail.ticket.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
      expect(detail.suggestions).toHaveLength(1);
    } finally {
      await workspace.close();
    }
  });

  it('keeps the ticket as it came when the setting is off (so the check above can see what it guards)', async () => {
    const { data } = await runDesk(false);
    const files = new Set((await filesHolding(data, PERSONAL)).map((f) => f.slice(0, f.indexOf(':')).replace(/^lancedb\/.*/, 'lancedb')));
    // Every place the engine keeps a ticket's text: the test above searched them all.
    expect([...files].sort()).toEqual(['desk/drafts.json', 'desk/journal.jsonl', 'feedback/events.jsonl', 'lancedb', 'learn/history.jsonl', 'learn/review-pending.json']);
  });
});

describe('what the desk logs and audits', () => {
  let dir: string;
  let service: CopilotService;
  let desk: Desk;
  afterEach(async () => {
    await desk.close();
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function openDesk(): Promise<void> {
    dir = await tempFolder('vigil-desk-log-');
    const kb = join(dir, 'kb.jsonl');
    await writeFile(kb, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n'));
    service = await CopilotService.open({ dataDir: join(dir, 'data') });
    await service.importEntries(kb);
    desk = await Desk.open(join(dir, 'data'), service);
  }

  it('logs a failing listener without the ticket’s personal data', async () => {
    await openDesk();
    // A front end's listener (a notification) that fails and quotes what it was showing, as errors do.
    desk.onEvent((event) => {
      if (event.type === 'suggestion') throw new Error(`could not show "${event.subject}" (${event.text.slice(0, 20)})`);
    });
    const lines: string[] = [];
    const restore = setLogSink({ log: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) });
    try {
      const ticket = customerTicket('open');
      await desk.ingest({ id: 'e1', type: 'ticket_opened', ticketId: ticket.id, at: '2026-11-22T09:00:00Z', ticket: { ...ticket, subject: 'VPN drops for Jonas Berger <jonas.berger@example.de>, card 5555 5555 5555 4444, token=sk_live_4eC39HqLyjWDarjtT1zdp7dc' }, messageId: 'm1' });
    } finally {
      restore();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^A desk listener failed on suggestion: Error: could not show "VPN drops for \[NAME\] <\[EMAIL\]>, card \[CARD\], token=\[SECRET\]"/);
  });

  it('writes one audit record for each alert and follow-up reminder it raises, none again after a restart', async () => {
    await openDesk();
    const urgent: Ticket = {
      id: 'folder:T-300',
      subject: 'Checkout broken',
      status: 'open',
      messages: [{ id: 'm1', author: 'customer', text: 'We cannot process payments since noon, we are losing money!', at: '2026-11-22T12:00:00Z' }],
    };
    await desk.ingest({ id: 'a1', type: 'ticket_opened', ticketId: urgent.id, at: '2026-11-22T12:00:00Z', ticket: urgent, messageId: 'm1' });
    const later = Date.parse('2026-11-22T17:00:00Z');
    expect(await desk.pollFollowups(later)).toBe(1);
    await desk.close();
    desk = await Desk.open(join(dir, 'data'), service);
    expect(await desk.pollFollowups(later + 60_000)).toBe(0);

    const { records } = await readAuditLog(join(dir, 'data'), { type: 'suggestion', ticketId: 'folder:T-300' });
    const byKind = (kind: string) => records.filter((r) => r.type === 'suggestion' && r.kind === kind);
    expect(byKind('alert')).toEqual([expect.objectContaining({ shown: true, reason: 'business-impact', model: null, entryIds: [] })]);
    const shown = (await desk.openTicket('folder:T-300'))!.suggestions.find((s) => s.suggestion.kind === 'followup')!;
    expect(byKind('followup')).toEqual([expect.objectContaining({ shown: true, reason: shown.suggestion.reason, afterMessageId: 'm1', model: null })]);
  });
});
