/**
 * The workspace's Settings → Connectors and reply-box paths on the real engine: a connector saved from the form is
 * watched at once (no restart), its host allowed; a reply written in the box goes to the ticket's source and
 * credits the suggestion inserted into it.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { ReplyDrafts } from '../../../core/app/replyDrafts';
import { Workspace } from '../../../core/app/workspace';
import { EgressPolicy } from '../../../core/net/egress';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { ARTICLES } from '../../fixtures/storeEntries';

const TICKET = {
  id: 'T-1',
  subject: 'VPN keeps dropping',
  status: 'open',
  messages: [{ id: 'm1', author: 'customer', text: 'My VPN disconnects every few minutes when I work from the hotel network.' }],
};

describe('connectors and replies from the app, on the workspace', () => {
  let dir: string;
  let data: string;
  let tickets: string;
  let workspace: Workspace;
  let secrets: MemorySecretStore;
  let egress: EgressPolicy;

  beforeEach(async () => {
    dir = await tempFolder('vigil-ws-connectors-');
    data = join(dir, 'data');
    tickets = join(dir, 'tickets');
    await mkdir(tickets, { recursive: true });
    const kb = join(dir, 'kb.jsonl');
    await writeFile(kb, ARTICLES.map(({ id, kind, title, body }) => JSON.stringify({ id, kind, title, body })).join('\n'));
    workspace = await Workspace.open({ dataDir: data, delayedReviewEveryMs: 0 });
    await workspace.service.importEntries(kb);
    secrets = new MemorySecretStore();
    egress = new EgressPolicy();
    expect(await workspace.connectors.startWatching({ secrets, egress })).toEqual([]);
  });

  afterEach(async () => {
    await workspace.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('tests an unsaved folder connector, saves it, and watches it without a restart', async () => {
    const draft = { kind: 'folder', id: 'demo', values: { path: join(dir, 'missing') }, secrets: {} };
    const failed = await workspace.connectors.testDraft({ mode: 'add', draft }, secrets);
    expect(failed).toMatchObject({ ok: false, message: expect.stringContaining(`The ticket folder ${join(dir, 'missing')} does not exist`) });
    const good = { ...draft, values: { path: tickets, writeBack: true } };
    expect(await workspace.connectors.testDraft({ mode: 'add', draft: good }, secrets)).toEqual({ ok: true, id: 'demo' });
    // Testing wrote nothing.
    await expect(readFile(join(data, 'connectors.json'), 'utf8')).rejects.toThrow(/ENOENT/);

    expect(await workspace.connectors.save({ mode: 'add', draft: good }, secrets)).toEqual({ ok: true, id: 'demo', watchProblem: null });
    expect((await workspace.connectors.overview()).connectors.map((c) => [c.id, c.kind, c.writeBack])).toEqual([['demo', 'folder', true]]);
    await writeFile(join(tickets, 'T-1.json'), JSON.stringify(TICKET));
    await workspace.connectors.catchUp('demo');
    expect((await workspace.desk.listTickets()).map((t) => t.id)).toEqual(['demo:T-1']);
    expect(workspace.connectors.health()[0]).toMatchObject({ id: 'demo', lastError: null });
  });

  it('allows a saved helpdesk\'s host on the app\'s egress policy, and keeps its token out of the file', async () => {
    expect(egress.check('rt.example.test').allowed).toBe(false);
    const draft = { kind: 'rt', id: 'rt-main', values: { baseUrl: 'https://rt.example.test', pollSeconds: 3600 }, secrets: { token: '1-14-abcdefabcdef' } };
    const saved = await workspace.connectors.save({ mode: 'add', draft }, secrets);
    expect(saved.ok).toBe(true);
    expect(egress.check('rt.example.test').allowed).toBe(true);
    expect(await readFile(join(data, 'connectors.json'), 'utf8')).not.toContain('1-14-abcdefabcdef');
    expect(await secrets.get('rt-main.token')).toBe('1-14-abcdefabcdef');
    const removed = await workspace.connectors.remove('rt-main', secrets);
    expect(removed).toMatchObject({ id: 'rt-main', secretsDeleted: ['rt-main.token'], watchProblem: null });
    expect((await workspace.connectors.overview()).connectors).toEqual([]);
    expect(workspace.connectors.health()).toEqual([]);
  });

  it('keeps a reply draft, posts it as a note and then as a public reply, and counts the inserted suggestion as published', async () => {
    await workspace.connectors.save({ mode: 'add', draft: { kind: 'folder', id: 'demo', values: { path: tickets, writeBack: true }, secrets: {} } }, secrets);
    await writeFile(join(tickets, 'T-1.json'), JSON.stringify(TICKET));
    await workspace.connectors.catchUp('demo');
    const detail = (await workspace.desk.openTicket('demo:T-1'))!;
    const suggestion = detail.suggestions[0]!;

    expect(await workspace.replies.draft('demo:T-1')).toEqual({
      ticketId: 'demo:T-1', text: '', insertedSuggestionIds: [], updatedAt: null, canPostNote: true, canSendReply: true, writeProblem: null,
    });
    const text = `Hello,\n\n${suggestion.suggestion.text}\n\nBest regards`;
    const saved = await workspace.replies.saveDraft('demo:T-1', text, [suggestion.id]);
    expect(saved).toMatchObject({ text, insertedSuggestionIds: [suggestion.id] });

    const note = await workspace.replies.send('demo:T-1', text, 'note');
    expect(note.suggestions.map((s) => [s.id, s.feedback.includes('published')])).toEqual([[suggestion.id, true]]);
    expect((await workspace.replies.draft('demo:T-1')).text).toBe('');
    await workspace.replies.send('demo:T-1', 'Is it working now?', 'public');

    const outbox = (await readFile(join(tickets, 'outbox', 'replies.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(outbox.map((o) => [o.ticketId, o.type, o.text])).toEqual([['T-1', 'note', text], ['T-1', 'reply', 'Is it working now?']]);
    expect((await ReplyDrafts.readSent(data)).map((r) => [r.visibility, r.suggestionIds])).toEqual([['note', [suggestion.id]], ['public', []]]);
    expect((await workspace.insights()).totals.used).toBe(1);
    // The outbox is never read back as a ticket.
    await workspace.connectors.catchUp('demo');
    expect((await workspace.desk.listTickets()).map((t) => t.id)).toEqual(['demo:T-1']);
  });

  it('says why a ticket cannot be posted to when its connector has write-back off', async () => {
    await workspace.connectors.save({ mode: 'add', draft: { kind: 'folder', id: 'demo', values: { path: tickets }, secrets: {} } }, secrets);
    expect(await workspace.replies.draft('demo:T-1')).toMatchObject({ canPostNote: false, canSendReply: false, writeProblem: expect.stringContaining('Posting notes is off for "demo"') });
    await expect(workspace.replies.send('demo:T-1', 'Hi', 'public')).rejects.toThrow('Posting replies is off for "demo"');
  });
});
