/**
 * Help-center articles from the connected helpdesks, read-only, against loopback fakes that follow each vendor's
 * documented API and pagination (test/support/vendors/helpCenters.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readHelpCenter, type HelpCenterSettings } from '../../../core/connectors/helpCenter';
import type { LineIssue } from '../../../core/formats/lineIssue';
import type { Entry } from '../../../core/formats/schemas';
import { EgressPolicy } from '../../../core/net/egress';
import { FakeFreshdesk, FRESHDESK_KEY } from '../../support/vendors/freshdesk';
import { serveFreshdeskSolutions, serveZammadKnowledgeBase, serveZendeskGuide, type HelpArticle } from '../../support/vendors/helpCenters';
import { FakeZammad, ZAMMAD_TOKEN } from '../../support/vendors/zammad';
import { FakeZendesk, ZENDESK_EMAIL, ZENDESK_TOKEN } from '../../support/vendors/zendesk';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const signal = new AbortController().signal;

/** `n` articles with ids from `first`, every `draftEvery`-th a draft. */
function articles(n: number, first = 1, draftEvery = 0): HelpArticle[] {
  return Array.from({ length: n }, (_, i) => ({
    id: first + i,
    title: `How to fix problem ${first + i}`,
    html: `<p>Step one for problem ${first + i}.</p><ul><li>Restart &amp; retry</li></ul>`,
    tags: ['howto'],
    draft: draftEvery > 0 && (i + 1) % draftEvery === 0,
  }));
}

async function readAll(settings: HelpCenterSettings): Promise<{ entries: Entry[]; issues: LineIssue[] }> {
  const entries: Entry[] = [];
  const issues: LineIssue[] = [];
  for await (const e of readHelpCenter(settings, new EgressPolicy({ offline: true }), signal, (i) => issues.push(i))) entries.push(e);
  return { entries, issues };
}

describe('importing help-center articles', () => {
  it('reads every published Zendesk Guide article across cursor pages, as text, and counts the drafts it skips', async () => {
    const zd = await new FakeZendesk().start();
    closers.push(() => zd.close());
    serveZendeskGuide(zd.server, articles(230, 1, 50));
    const { entries, issues } = await readAll({ id: 'zd', kind: 'zendesk', baseUrl: zd.url, email: ZENDESK_EMAIL, token: ZENDESK_TOKEN });
    expect(entries).toHaveLength(226);
    expect(issues).toHaveLength(4);
    expect(issues[0]).toMatchObject({ file: `${zd.url}/hc/en-us/articles/50`, field: 'draft' });
    expect(entries[0]).toEqual({
      id: 'zd-article-1',
      kind: 'article',
      title: 'How to fix problem 1',
      body: 'Step one for problem 1.\n\n- Restart & retry',
      tags: ['howto'],
      source: { type: 'import', ref: `${zd.url}/hc/en-us/articles/1` },
      updatedAt: '2026-02-11T09:30:00.000Z',
    });
    expect(zd.server.requestsTo(/help_center\/articles/)).toHaveLength(3);
    expect(zd.server.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('reads Freshdesk Solutions folder by folder, following the Link header, without the drafts', async () => {
    const fd = await new FakeFreshdesk().start();
    closers.push(() => fd.close());
    serveFreshdeskSolutions(fd.server, { 11: articles(150, 1, 0), 12: articles(3, 500, 3) });
    const { entries, issues } = await readAll({ id: 'fd', kind: 'freshdesk', baseUrl: fd.url, token: FRESHDESK_KEY });
    expect(entries).toHaveLength(152);
    expect(entries.at(-1)?.id).toBe('fd-article-501');
    expect(issues).toEqual([{ file: `${fd.url}/support/solutions/articles/502`, line: 1, field: 'status', message: 'a draft, not published' }]);
    expect(fd.server.requestsTo(/folders\/11\/articles/).map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2']);
    expect(fd.server.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('reads the Zammad knowledge base answer by answer, skipping archived answers and drafts', async () => {
    const zm = await new FakeZammad().start();
    closers.push(() => zm.close());
    serveZammadKnowledgeBase(zm.server, [...articles(3, 1), { id: 4, title: 'Old', html: '<p>x</p>', archived: true }, { id: 5, title: 'WIP', html: '<p>y</p>', draft: true }]);
    const { entries, issues } = await readAll({ id: 'zm', kind: 'zammad', baseUrl: zm.url, token: ZAMMAD_TOKEN });
    expect(entries.map((e) => [e.id, e.title])).toEqual([
      ['zm-article-1', 'How to fix problem 1'],
      ['zm-article-2', 'How to fix problem 2'],
      ['zm-article-3', 'How to fix problem 3'],
    ]);
    expect(entries[0]?.body).toBe('Step one for problem 1.\n\n- Restart & retry');
    expect(issues.map((i) => i.message)).toEqual(['archived', 'a draft, neither published nor internal']);
  });

  it('stops with the helpdesk’s refusal in words when the token is wrong, never quoting it', async () => {
    const zd = await new FakeZendesk().start();
    closers.push(() => zd.close());
    serveZendeskGuide(zd.server, articles(2));
    const error = await readAll({ id: 'zd', kind: 'zendesk', baseUrl: zd.url, email: ZENDESK_EMAIL, token: 'zd-wrong-token-123456' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'auth' });
    expect(String((error as Error).message)).not.toContain('zd-wrong-token-123456');
  });
});
