/** `vigil kb import --helpdesk ID`: a connected Zendesk's help-center articles become approved knowledge. */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../core/cli/vigil';
import { FileSecretStore } from '../../../core/secrets/fileSecretStore';
import { serveZendeskGuide } from '../../support/vendors/helpCenters';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from '../../support/vendors/zendesk';

let zd: FakeZendesk | null = null;
afterEach(async () => {
  await zd?.close();
  zd = null;
});

function capture(): { out: { log: (l: string) => void; error: (l: string) => void }; stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { log: (l) => stdout.push(l), error: (l) => stderr.push(l) }, stdout, stderr };
}

describe('vigil kb import --helpdesk', () => {
  it('imports the published articles of a configured Zendesk, then finds them, and refuses a connector without a help center', async () => {
    zd = await new FakeZendesk().start();
    serveZendeskGuide(zd.server, [
      { id: 1, title: 'Reset a forgotten password', html: '<p>Open <b>Sign in</b>, choose <i>Forgot password</i> and follow the e-mail.</p>' },
      { id: 2, title: 'Unfinished', html: '<p>tbd</p>', draft: true },
    ]);
    const dataDir = await mkdtemp(join(tmpdir(), 'vigil-hc-'));
    await mkdir(dataDir, { recursive: true });
    await new FileSecretStore(dataDir).set('zd-token', ZENDESK_TOKEN);
    await writeFile(
      join(dataDir, 'connectors.json'),
      JSON.stringify({
        format: 1,
        connectors: [
          { id: 'zd', kind: 'zendesk', baseUrl: zd.url, email: ZENDESK_EMAIL, token: { secret: 'zd-token' } },
          { id: 'inbox', kind: 'folder', path: join(dataDir, 'inbox') },
        ],
      }),
    );
    const run = capture();
    expect(await main(['kb', 'import', '--helpdesk', 'zd', '--data-dir', dataDir], run.out)).toBe(0);
    expect(run.stdout).toEqual(['imported 1 article from zd (zendesk help center) (1 skipped: 1 draft: a draft, not published)']);

    const search = capture();
    expect(await main(['kb', 'search', 'forgot', 'password', '--json', '--data-dir', dataDir], search.out)).toBe(0);
    expect(JSON.parse(search.stdout[0]!)).toMatchObject({ id: 'zd-article-1', title: 'Reset a forgotten password' });

    const folder = capture();
    expect(await main(['kb', 'import', '--helpdesk', 'inbox', '--data-dir', dataDir], folder.out)).toBe(1);
    expect(folder.stderr.join('\n')).toMatch(/"inbox" is a folder connector/);
  });
});
