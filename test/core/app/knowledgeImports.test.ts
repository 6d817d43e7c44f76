/**
 * The app's Import through the workspace: a CSV file described and imported with the analyst's column mapping, a
 * mapping naming a missing column refused with its name, a folder of articles with its other files counted, and a
 * connected Zendesk's help center read with the keychain's token, with progress and offline mode respected.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCsvMapping, suggestMapping } from '../../../core/app/knowledgeImports';
import { Workspace } from '../../../core/app/workspace';
import { EgressPolicy } from '../../../core/net/egress';
import { MemorySecretStore } from '../../../core/secrets/secretStore';
import { tempFolder } from '../../support/tempFolder';
import { serveZendeskGuide } from '../../support/vendors/helpCenters';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from '../../support/vendors/zendesk';

let dir: string;
let data: string;
let workspace: Workspace;
let zd: FakeZendesk;

beforeAll(async () => {
  dir = await tempFolder('vigil-imports-');
  data = join(dir, 'data');
  await mkdir(data, { recursive: true });
  workspace = await Workspace.open({ dataDir: data, delayedReviewEveryMs: 0, llm: null });
  zd = await new FakeZendesk().start();
  serveZendeskGuide(zd.server, [
    { id: 1, title: 'Reset a forgotten password', html: '<p>Open <b>Sign in</b> and choose <i>Forgot password</i>.</p>' },
    { id: 2, title: 'Unfinished', html: '<p>tbd</p>', draft: true },
  ]);
  await writeFile(
    join(data, 'connectors.json'),
    JSON.stringify({
      format: 1,
      connectors: [
        { id: 'zd', kind: 'zendesk', baseUrl: zd.url, email: ZENDESK_EMAIL, token: { secret: 'zd-token' } },
        { id: 'remote', kind: 'zendesk', baseUrl: 'https://acme.zendesk.com', email: ZENDESK_EMAIL, token: { secret: 'zd-token' } },
        { id: 'inbox', kind: 'folder', path: 'tickets' },
      ],
    }),
  );
});

afterAll(async () => {
  await workspace.close();
  await zd.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the app’s Import', () => {
  it('describes a CSV export by its header and suggests the columns whose names say what they hold', async () => {
    const file = join(dir, 'faq.csv');
    await writeFile(file, 'Question,Answer,Labels,Owner\n"How do I reset my PIN?","Open Card settings, then Reset PIN.","card;pin",ana\n');
    expect(await workspace.imports.describe(file)).toEqual({
      name: 'faq.csv',
      format: 'csv',
      columns: ['Question', 'Answer', 'Labels', 'Owner'],
      suggestedMapping: { question: 'Question', body: 'Answer', tags: 'Labels' },
    });
    expect(suggestMapping(['Title', 'Content', 'Keywords'])).toEqual({ title: 'Title', body: 'Content', tags: 'Keywords' });
    const empty = join(dir, 'empty.csv');
    await writeFile(empty, '\n');
    await expect(workspace.imports.describe(empty)).rejects.toThrow('empty.csv is empty: a CSV file needs a header line naming its columns.');
  });

  it('imports a CSV file with the analyst’s mapping, counting each skipped line by reason, and reports progress', async () => {
    const file = join(dir, 'support.csv');
    await writeFile(file, ['Q,Reply,Labels', 'How do I reset my PIN?,Open Card settings and choose Reset PIN.,card', 'Empty answer,,x', 'Another empty,,y', 'too,many,cells,here'].join('\n'));
    const progress: number[] = [];
    const result = await workspace.imports.importPath(file, { question: 'Q', body: 'Reply', tags: 'Labels' }, (p) => progress.push(p.imported));
    expect(result).toMatchObject({ source: 'support.csv', imported: 1, skipped: 3 });
    expect(result.reasons).toEqual([
      { reason: 'body: must not be empty', count: 2 },
      { reason: '4 cells, but the header has 3 columns', count: 1 },
    ]);
    expect(result.issues.map((i) => i.line)).toEqual([3, 4, 5]);
    expect(progress).toEqual([1]);
    const [hit] = await workspace.knowledge.searchKnowledge('reset my PIN', 1);
    expect(hit).toMatchObject({ id: 'support-2', question: 'How do I reset my PIN?' });
  });

  it('refuses a mapping naming a column the file does not have, naming it and the file’s columns, before reading a line', async () => {
    const file = join(dir, 'renamed.csv');
    await writeFile(file, 'Question,Reply\nA question,An answer\n');
    await expect(workspace.imports.importPath(file, { question: 'Question', body: 'Answer' })).rejects.toThrow(
      'renamed.csv has no column "Answer" (chosen for body); its columns are "Question", "Reply".',
    );
    await expect(workspace.imports.importPath(file, { question: 'Question' })).rejects.toThrow(
      'Choose the column that holds the answer (body): renamed.csv has no column named "body"; its columns are "Question", "Reply".',
    );
    expect(() => checkCsvMapping('plain.csv', ['title', 'body'], {})).not.toThrow();
  });

  it('imports a folder of articles, one entry per file, and counts the files that are not articles', async () => {
    const folder = join(dir, 'articles');
    await mkdir(join(folder, 'network'), { recursive: true });
    await writeFile(join(folder, 'vpn.md'), '# VPN drops every few minutes\n\nLower the MTU to 1400 in the VPN client.\n');
    await writeFile(join(folder, 'network', 'wifi.html'), '<h1>Guest Wi-Fi</h1><p>The guest password is at the front desk.</p>');
    await writeFile(join(folder, 'logo.png'), 'PNG');
    expect(await workspace.imports.describe(folder)).toMatchObject({ name: 'articles', format: 'articles', columns: null });
    const result = await workspace.imports.importPath(folder);
    expect(result).toMatchObject({ source: 'articles', imported: 2, skipped: 1, reasons: [{ reason: 'not a Markdown, HTML or text article', count: 1 }] });
    const [hit] = await workspace.knowledge.searchKnowledge('guest wifi password', 1);
    expect(hit?.title).toBe('Guest Wi-Fi');
  });

  it('lists the connected helpdesks with a help center and imports one’s published articles with the stored token', async () => {
    expect(await workspace.imports.helpCenters()).toEqual([
      { id: 'zd', kind: 'zendesk', vendor: 'Zendesk Guide', baseUrl: zd.url },
      { id: 'remote', kind: 'zendesk', vendor: 'Zendesk Guide', baseUrl: 'https://acme.zendesk.com' },
    ]);
    const secrets = new MemorySecretStore();
    await secrets.set('zd-token', ZENDESK_TOKEN);
    const progress: string[] = [];
    const result = await workspace.imports.importHelpCenter('zd', secrets, (p) => progress.push(`${p.source}: ${p.imported}`));
    expect(result).toMatchObject({ source: 'Zendesk Guide (zd)', imported: 1, skipped: 1, reasons: [{ reason: 'draft: a draft, not published', count: 1 }] });
    expect(progress).toEqual(['Zendesk Guide (zd): 1']);
    expect(zd.server.requests.every((r) => r.method === 'GET')).toBe(true);
    const [hit] = await workspace.knowledge.searchKnowledge('forgot password', 1);
    expect(hit?.title).toBe('Reset a forgotten password');
  });

  it('says how to store a missing token, refuses a connector without a help center, and keeps offline mode', async () => {
    await expect(workspace.imports.importHelpCenter('zd', new MemorySecretStore())).rejects.toThrow('Connector "zd": its token "zd-token" is not stored. Save the connector again in Settings → Connectors');
    await expect(workspace.imports.importHelpCenter('inbox', new MemorySecretStore())).rejects.toThrow('No helpdesk "inbox" with a help center is configured (with one: zd, remote)');
    const egress = new EgressPolicy({ offline: true });
    const secrets = new MemorySecretStore();
    await secrets.set('zd-token', ZENDESK_TOKEN);
    await workspace.connectors.startWatching({ secrets, egress, offline: true });
    await expect(workspace.imports.importHelpCenter('remote', secrets)).rejects.toThrow('Offline mode allows only this machine, and acme.zendesk.com is another one');
    expect(egress.allows('acme.zendesk.com')).toBe(false);
    await workspace.connectors.stopWatching();
  });
});
