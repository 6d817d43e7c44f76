/**
 * Reply drafts under "redact before storage": the files hold the text as the desk's `storageText` gives it, the
 * draft in memory stays as typed, and a sent reply's record is redacted too.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';
import { DRAFTS_FILE, MAX_DRAFT_CHARS, REPLIES_FILE, ReplyDrafts } from '../../../core/app/replyDrafts';
import { redactTextForStorage } from '../../../core/privacy/storageRedaction';

describe('reply drafts with redaction before storage', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes drafts and sent replies redacted and keeps the typed text for the session', async () => {
    dir = await tempFolder('vigil-drafts-redacted-');
    const storageText = (_ticketId: string, text: string) => redactTextForStorage(text, ['Ana Lopez']);
    const drafts = await ReplyDrafts.open(dir, { storageText });
    const typed = 'Hi Ana Lopez, we refunded card 4111 1111 1111 1111; questions to ana.lopez@example.com.';
    await drafts.save('zendesk:42', typed, []);
    expect(drafts.get('zendesk:42')?.text).toBe(typed);
    await drafts.save('zendesk:43', 'Hi Ana, call +44 20 7946 0958.', []);
    const onDisk = await readFile(join(dir, DRAFTS_FILE), 'utf8');
    expect(onDisk).toContain('Hi [NAME], we refunded card [CARD]; questions to [EMAIL].');
    expect(onDisk).toContain('Hi [NAME], call [PHONE].');
    await drafts.recordSent({ ticketId: 'zendesk:42', visibility: 'public', text: typed, suggestionIds: [] });
    await drafts.close();
    expect(await readFile(join(dir, REPLIES_FILE), 'utf8')).toContain('"text":"Hi [NAME], we refunded card [CARD]; questions to [EMAIL]."');

    const reopened = await ReplyDrafts.open(dir, { storageText });
    expect(reopened.get('zendesk:43')?.text).toBe('Hi [NAME], call [PHONE].');
    await reopened.close();
    for (const file of [DRAFTS_FILE, REPLIES_FILE]) expect(await readFile(join(dir, file), 'utf8')).not.toMatch(/Ana|Lopez|4111|7946|@example/);
  });

  it('keeps every draft across a restart when redaction made a stored one longer than the typing limit', async () => {
    dir = await tempFolder('vigil-drafts-redacted-');
    const storageText = (_ticketId: string, text: string) => redactTextForStorage(text, ['Jo']);
    const drafts = await ReplyDrafts.open(dir, { storageText });
    const long = `Jo, ${'x'.repeat(MAX_DRAFT_CHARS - 10)} Jo.`; // within the limit as typed; "[NAME]" makes it longer
    expect(long.length).toBeLessThanOrEqual(MAX_DRAFT_CHARS);
    await drafts.save('zendesk:1', long, []);
    await drafts.save('zendesk:2', 'Short reply', []);
    await drafts.close();

    const reopened = await ReplyDrafts.open(dir, { storageText });
    expect(reopened.get('zendesk:2')?.text).toBe('Short reply');
    expect(reopened.get('zendesk:1')?.text.startsWith('[NAME], ')).toBe(true);
    await reopened.close();
  });
});
