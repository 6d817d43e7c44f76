/**
 * The help centers of the loopback helpdesk fakes, added as routes onto them, each following the vendor's
 * documented requests, payloads and pagination (the vendors cannot run here):
 *
 * - Zendesk Guide ("Help Center API", Articles): `GET /api/v2/help_center/articles.json?page[size]=N[&page[after]=C]`
 *   → `{articles: [{id, title, body (HTML), draft, label_names, html_url, updated_at, locale}], meta: {has_more,
 *   after_cursor, before_cursor}, links: {next, prev}}`.
 * - Freshdesk ("Solutions"): `GET /api/v2/solutions/categories` → `[{id, name, description}]`;
 *   `GET /api/v2/solutions/categories/{id}/folders` → `[{id, name, visibility}]`;
 *   `GET /api/v2/solutions/folders/{id}/articles?per_page=N&page=P` → `[{id, title, description (HTML),
 *   description_text, status (1 draft, 2 published), tags, folder_id, category_id, updated_at}]`, with
 *   `Link: <…&page=P+1>; rel="next"` while more remain.
 * - Zammad ("Knowledge Base"): `POST /api/v1/knowledge_bases/init` → `{KnowledgeBase: {id: {id, answer_ids,
 *   category_ids, …}}, …}`; `GET /api/v1/knowledge_bases/{kb}/answers/{id}?full=1&include_contents=1` →
 *   `{id, assets: {KnowledgeBaseAnswer, KnowledgeBaseAnswerTranslation, KnowledgeBaseAnswerTranslationContent, …}}`.
 */
import type { FakeHelpdesk } from './fakeHelpdesk';

export interface HelpArticle {
  id: number;
  title: string;
  html: string;
  tags?: string[];
  /** Not published: a Zendesk draft, a Freshdesk status 1, a Zammad answer neither published nor internal. */
  draft?: boolean;
  /** Zammad only: archived. */
  archived?: boolean;
}

const UPDATED = '2026-02-11T09:30:00Z';

/** Adds Zendesk Guide's article listing to a fake Zendesk. */
export function serveZendeskGuide(server: FakeHelpdesk, articles: readonly HelpArticle[]): void {
  server.on('GET', '/api/v2/help_center/articles.json', (req) => {
    const size = Math.min(100, Number(req.query.get('page[size]') ?? 30));
    const after = req.query.get('page[after]');
    const start = after ? Number(Buffer.from(after, 'base64').toString('utf8')) : 0;
    const page = articles.slice(start, start + size);
    const end = start + page.length;
    const hasMore = end < articles.length;
    const cursor = Buffer.from(String(end)).toString('base64');
    return {
      body: {
        articles: page.map((a) => ({
          id: a.id,
          title: a.title,
          body: a.html,
          draft: a.draft ?? false,
          label_names: a.tags ?? [],
          html_url: `${server.url}/hc/en-us/articles/${a.id}`,
          locale: 'en-us',
          updated_at: UPDATED,
        })),
        meta: { has_more: hasMore, after_cursor: hasMore ? cursor : null, before_cursor: null },
        links: { next: hasMore ? `${server.url}/api/v2/help_center/articles.json?page[size]=${size}&page[after]=${encodeURIComponent(cursor)}` : null, prev: null },
      },
    };
  });
}

/** Adds Freshdesk's Solutions (one category, `folders` of articles) to a fake Freshdesk. */
export function serveFreshdeskSolutions(server: FakeHelpdesk, folders: Readonly<Record<number, readonly HelpArticle[]>>): void {
  server.on('GET', '/api/v2/solutions/categories', () => ({ body: [{ id: 7, name: 'General', description: 'How-to articles' }] }));
  server.on('GET', '/api/v2/solutions/categories/:id/folders', (_req, params) => ({
    body: params['id'] === '7' ? Object.keys(folders).map((id) => ({ id: Number(id), name: `Folder ${id}`, visibility: 1 })) : [],
  }));
  server.on('GET', '/api/v2/solutions/folders/:id/articles', (req, params) => {
    const all = folders[Number(params['id'])] ?? [];
    const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30));
    const page = Number(req.query.get('page') ?? 1);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const more = page * perPage < all.length;
    const headers: Record<string, string> = more ? { link: `<${server.url}/api/v2/solutions/folders/${params['id']}/articles?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {};
    return {
      headers,
      body: slice.map((a) => ({
        id: a.id,
        title: a.title,
        description: a.html,
        description_text: a.html.replace(/<[^>]+>/g, ''),
        status: a.draft ? 1 : 2,
        tags: a.tags ?? [],
        folder_id: Number(params['id']),
        category_id: 7,
        updated_at: UPDATED,
      })),
    };
  });
}

/** Adds a Zammad knowledge base (id 1) with `answers` to a fake Zammad. */
export function serveZammadKnowledgeBase(server: FakeHelpdesk, answers: readonly HelpArticle[]): void {
  server.on('POST', '/api/v1/knowledge_bases/init', () => ({
    body: {
      KnowledgeBase: { '1': { id: 1, active: true, answer_ids: answers.map((a) => a.id), category_ids: [1], translation_ids: [1] } },
      KnowledgeBaseTranslation: { '1': { id: 1, title: 'Company Knowledge Base', kb_locale_id: 1, knowledge_base_id: 1 } },
    },
  }));
  server.on('GET', '/api/v1/knowledge_bases/:kb/answers/:id', (req, params) => {
    const a = answers.find((x) => String(x.id) === params['id']);
    if (!a || params['kb'] !== '1') return { status: 404, body: { error: 'Not authorized' } };
    const withContents = req.query.get('include_contents') !== null;
    const translationId = a.id * 10;
    return {
      body: {
        id: a.id,
        assets: {
          KnowledgeBaseAnswer: {
            [a.id]: {
              id: a.id,
              category_id: 1,
              archived_at: a.archived ? UPDATED : null,
              internal_at: null,
              published_at: a.draft ? null : UPDATED,
              updated_at: UPDATED,
              translation_ids: [translationId],
              attachments: [],
              tags: a.tags ?? [],
            },
          },
          KnowledgeBaseAnswerTranslation: { [translationId]: { id: translationId, title: a.title, kb_locale_id: 1, answer_id: a.id, content_id: translationId } },
          ...(withContents ? { KnowledgeBaseAnswerTranslationContent: { [translationId]: { id: translationId, body: a.html, attachments: [] } } } : {}),
        },
      },
    };
  });
}
